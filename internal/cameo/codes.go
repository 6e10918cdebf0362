package cameo

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:embed codes.tsv
var codesTSV string

// Quad classes, as GDELT assigns them from the root code.
const (
	VerbalCooperation   = 1
	MaterialCooperation = 2
	VerbalConflict      = 3
	MaterialConflict    = 4
)

// Code is one CAMEO event code from the project's table.
type Code struct {
	// Code is the full event code as a string: "19", "195", "1951". Leading
	// zeros matter ("010" is not "10").
	Code string
	// Root is the first two digits: the top-level category ("19" FIGHT).
	Root string
	// Base is the first three digits, or the code itself when it is a root.
	Base string
	// Label is the codebook's short description.
	Label string
	// Quad is the quad class, 1..4, derived from the root (QuadOfRoot).
	Quad int
	// Goldstein is the code's value on the Goldstein scale, -10..+10. For the
	// extension codes the codebook gives no value for, it is the root's value
	// and GoldsteinFromRoot is true.
	Goldstein         float64
	GoldsteinFromRoot bool
}

type codeTable struct {
	byCode map[string]*Code
	order  []*Code
}

var codes = sync.OnceValue(func() codeTable {
	t := codeTable{byCode: map[string]*Code{}}
	var pending []*Code // codes whose Goldstein comes from the root, resolved below
	for i, line := range strings.Split(codesTSV, "\n") {
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "code\t") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || !ValidSyntax(f[0]) {
			panic(fmt.Sprintf("cameo: codes.tsv:%d: malformed row %q", i+1, line))
		}
		if _, dup := t.byCode[f[0]]; dup {
			panic(fmt.Sprintf("cameo: codes.tsv:%d: duplicate code %q", i+1, f[0]))
		}
		c := &Code{Code: f[0], Root: f[0][:2], Base: f[0][:min(3, len(f[0]))], Label: f[2], Quad: QuadOfRoot(f[0][:2])}
		if f[1] == "-" {
			c.GoldsteinFromRoot = true
			pending = append(pending, c)
		} else {
			g, err := strconv.ParseFloat(f[1], 64)
			if err != nil || g < -10 || g > 10 {
				panic(fmt.Sprintf("cameo: codes.tsv:%d: bad Goldstein value %q", i+1, f[1]))
			}
			c.Goldstein = g
		}
		t.byCode[c.Code] = c
		t.order = append(t.order, c)
	}
	for _, c := range pending {
		r, ok := t.byCode[c.Root]
		if !ok || r.GoldsteinFromRoot {
			panic(fmt.Sprintf("cameo: codes.tsv: code %s has no Goldstein value and its root has none either", c.Code))
		}
		c.Goldstein = r.Goldstein
	}
	return t
})

// Lookup returns the table's entry for an event code.
func Lookup(code string) (Code, bool) {
	c, ok := codes().byCode[code]
	if !ok {
		return Code{}, false
	}
	return *c, true
}

// Codes returns every event code in the table, in codebook order.
func Codes() []Code {
	t := codes()
	out := make([]Code, len(t.order))
	for i, c := range t.order {
		out[i] = *c
	}
	return out
}

// ValidSyntax reports whether s has the shape of a CAMEO event code: two to four
// ASCII digits whose first two form a root from 01 to 20. It does not consult the
// table; see Lookup and Resolve.
func ValidSyntax(s string) bool {
	if len(s) < 2 || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	r := int(s[0]-'0')*10 + int(s[1]-'0')
	return r >= 1 && r <= 20
}

// QuadOfRoot maps a two-digit root code to its quad class with GDELT's mapping:
// roots 01-05 verbal cooperation, 06-09 material cooperation, 10-14 verbal
// conflict, 15-20 material conflict. It returns 0 for anything else.
//
// ICEWS draws the lines elsewhere (01-05 / 06-08 / 09-13 / 14-20); the project
// follows GDELT everywhere so that quad counts from both datasets add up.
func QuadOfRoot(root string) int {
	if len(root) != 2 || root[0] < '0' || root[0] > '2' || root[1] < '0' || root[1] > '9' {
		return 0
	}
	switch r := int(root[0]-'0')*10 + int(root[1]-'0'); {
	case r >= 1 && r <= 5:
		return VerbalCooperation
	case r >= 6 && r <= 9:
		return MaterialCooperation
	case r >= 10 && r <= 14:
		return VerbalConflict
	case r >= 15 && r <= 20:
		return MaterialConflict
	}
	return 0
}

// Resolve returns the Goldstein value and quad class for a syntactically valid
// code. A code in the table gives its own values; a code not in the table (a
// dataset's local extension) falls back to its base code and then to its root,
// and ok reports whether any of them was found.
func Resolve(code string) (goldstein float64, quad int, ok bool) {
	t := codes()
	if c, found := t.byCode[code]; found {
		return c.Goldstein, c.Quad, true
	}
	if len(code) == 4 {
		if c, found := t.byCode[code[:3]]; found {
			return c.Goldstein, c.Quad, true
		}
	}
	if len(code) >= 2 {
		if c, found := t.byCode[code[:2]]; found {
			return c.Goldstein, c.Quad, true
		}
	}
	return 0, 0, false
}
