package cameo

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// countriesTSV is the project's own country table. It is embedded rather than
// read at run time so that the binary carries its facts with it and a lookup
// can never fail for want of a file.
//
//go:embed countries.tsv
var countriesTSV string

// countriesHeader is the column line the table must start with (after comments),
// checked so that a reordered or renamed column is caught rather than misread.
const countriesHeader = "cameo\tfips\tiso_num\tname\taliases"

// maxCountryNameLen bounds every name and alias in the table, in bytes after case
// folding. CountryByName folds its argument into a stack buffer of this size, which
// keeps the lookup allocation-free; a longer argument cannot match anything.
const maxCountryNameLen = 96

// Country is one row of the country table.
type Country struct {
	// Code is the three-letter CAMEO country code as GDELT's actor fields carry
	// it ("ISR", "ROM" for Romania), or a CAMEO region or non-state code ("AFR",
	// "WSB").
	Code string
	// FIPS is the two-letter FIPS 10-4 code that GDELT's location fields use
	// ("IS" for Israel, "GM" for Germany), or "" when the row has none.
	FIPS string
	// ISONumeric is the ISO 3166-1 numeric code (376 for Israel), or 0 when the
	// row has none, as regions do.
	ISONumeric int
	// Name is the row's English name.
	Name string
	// Aliases are the other names the row is known by, including every spelling
	// ICEWS uses. The slice is shared with the table and must not be modified.
	Aliases []string
}

// countryIndex holds the parsed table and the maps that make each lookup a
// single map access.
type countryIndex struct {
	rows   []Country
	byCode map[string]int
	byFIPS map[string]int
	byISO  map[int]int
	byName map[string]int // keys folded with foldCountryName
}

// countryTable parses the embedded table on first use, so that programs that
// never look up a country pay nothing for it.
var countryTable = sync.OnceValue(func() *countryIndex {
	return mustParseCountries("countries.tsv", countriesTSV)
})

// mustParseCountries parses a country table in the countries.tsv format. It
// panics on any malformed row: the table is the project's own file, so a bad row
// is a programming error, and the package's tests make the panic happen in CI.
//
// Codes and names must be unique. FIPS and ISO numeric codes may repeat; the
// first row carrying one wins the lookup, so the main row must come first.
func mustParseCountries(file, text string) *countryIndex {
	ix := &countryIndex{
		byCode: map[string]int{},
		byFIPS: map[string]int{},
		byISO:  map[int]int{},
		byName: map[string]int{},
	}
	bad := func(line int, format string, args ...any) {
		panic(fmt.Sprintf("cameo: %s:%d: %s", file, line, fmt.Sprintf(format, args...)))
	}
	sawHeader := false
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if line == "" || line[0] == '#' {
			continue
		}
		if !sawHeader {
			if line != countriesHeader {
				bad(n, "want header %q, got %q", countriesHeader, line)
			}
			sawHeader = true
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			bad(n, "want 5 tab-separated fields, got %d in %q", len(f), line)
		}
		c := Country{Code: f[0], FIPS: f[1], Name: f[3]}
		if !isUpperLetters(c.Code, 3) {
			bad(n, "CAMEO code %q is not three upper-case letters", c.Code)
		}
		if c.FIPS != "" && !isUpperLetters(c.FIPS, 2) {
			bad(n, "FIPS code %q is not two upper-case letters", c.FIPS)
		}
		if f[2] != "" {
			v, err := strconv.Atoi(f[2])
			if err != nil || v < 1 || v > 999 {
				bad(n, "ISO numeric code %q is not a number from 1 to 999", f[2])
			}
			c.ISONumeric = v
		}
		if f[4] != "" {
			c.Aliases = strings.Split(f[4], "|")
			c.Aliases = c.Aliases[:len(c.Aliases):len(c.Aliases)] // an append by a caller copies
		}
		if _, dup := ix.byCode[c.Code]; dup {
			bad(n, "duplicate CAMEO code %q", c.Code)
		}
		row := len(ix.rows)
		ix.byCode[c.Code] = row
		if _, seen := ix.byFIPS[c.FIPS]; c.FIPS != "" && !seen {
			ix.byFIPS[c.FIPS] = row
		}
		if _, seen := ix.byISO[c.ISONumeric]; c.ISONumeric != 0 && !seen {
			ix.byISO[c.ISONumeric] = row
		}
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			if name == "" || name != strings.TrimSpace(name) {
				bad(n, "name %q is empty or has surrounding space", name)
			}
			var buf [maxCountryNameLen]byte
			key, ok := foldCountryName(buf[:0], name)
			if !ok {
				bad(n, "name %q is longer than %d bytes", name, maxCountryNameLen)
			}
			if prev, dup := ix.byName[string(key)]; dup {
				bad(n, "name %q already names %s", name, ix.rows[prev].Code)
			}
			ix.byName[string(key)] = row
		}
		ix.rows = append(ix.rows, c)
	}
	if !sawHeader {
		panic(fmt.Sprintf("cameo: %s: no header line %q", file, countriesHeader))
	}
	return ix
}

// isUpperLetters reports whether s is exactly n ASCII upper-case letters.
func isUpperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// foldCountryName appends the lower-cased form of name to dst, which the callers
// back with a stack array so that no allocation happens. It reports false when
// the result would not fit in maxCountryNameLen bytes. ASCII, the common case,
// is folded byte by byte; other runes go through unicode.ToLower so that
// "CÔTE D'IVOIRE" finds "Côte d'Ivoire".
func foldCountryName(dst []byte, name string) ([]byte, bool) {
	for i := 0; i < len(name); {
		b := name[i]
		if b < utf8.RuneSelf {
			if len(dst) >= maxCountryNameLen {
				return dst, false
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			dst = append(dst, b)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		r = unicode.ToLower(r)
		if len(dst)+utf8.RuneLen(r) > maxCountryNameLen {
			return dst, false
		}
		dst = utf8.AppendRune(dst, r)
		i += size
	}
	return dst, true
}

// CountryByCode returns the row for a three-letter CAMEO country or region code,
// as GDELT's Actor1CountryCode and Actor2CountryCode carry it. The match is exact:
// CAMEO codes are upper case in every dataset the project reads.
func CountryByCode(code string) (Country, bool) {
	ix := countryTable()
	if i, ok := ix.byCode[code]; ok {
		return ix.rows[i], true
	}
	return Country{}, false
}

// CountryByFIPS returns the country with a two-letter FIPS 10-4 code, as GDELT's
// location fields (ActionGeo_CountryCode and the actors' geo fields) carry it.
// FIPS codes differ from ISO alpha-2 codes ("GM" is Germany, not Gambia), which is
// why GDELT locations need this lookup rather than an ISO one. When several rows
// share a FIPS code the table's main row, the first, is returned. The match is
// exact and upper case, as GDELT writes the codes.
func CountryByFIPS(fips string) (Country, bool) {
	ix := countryTable()
	if i, ok := ix.byFIPS[fips]; ok {
		return ix.rows[i], true
	}
	return Country{}, false
}

// CountryByISONumeric returns the country with an ISO 3166-1 numeric code, the
// code datasets such as ACLED carry for countries.
func CountryByISONumeric(n int) (Country, bool) {
	ix := countryTable()
	if i, ok := ix.byISO[n]; ok {
		return ix.rows[i], true
	}
	return Country{}, false
}

// CountryByName returns the row whose name or one of whose aliases is name,
// ignoring case and surrounding white space. ICEWS identifies countries only by
// name ("Russian Federation", "Occupied Palestinian Territory"), so this is how
// its events are joined to CAMEO codes.
func CountryByName(name string) (Country, bool) {
	var buf [maxCountryNameLen]byte
	key, ok := foldCountryName(buf[:0], strings.TrimSpace(name))
	if !ok {
		return Country{}, false
	}
	ix := countryTable()
	if i, ok := ix.byName[string(key)]; ok {
		return ix.rows[i], true
	}
	return Country{}, false
}

// Countries returns every row of the table in table order. The result, aliases
// included, is a copy, so a caller may sort or edit it without disturbing the
// lookups.
func Countries() []Country {
	rows := countryTable().rows
	out := make([]Country, len(rows))
	for i, c := range rows {
		c.Aliases = append([]string(nil), c.Aliases...)
		out[i] = c
	}
	return out
}
