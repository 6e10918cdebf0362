package cameo

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed types.tsv
var typesTSV string

var types = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for i, line := range strings.Split(typesTSV, "\n") {
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "code\t") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 2 || len(f[0]) != 3 {
			panic(fmt.Sprintf("cameo: types.tsv:%d: malformed row %q", i+1, line))
		}
		m[f[0]] = f[1]
	}
	return m
})

// TypeLabel returns the label of a CAMEO actor type code ("MIL" -> "Military").
func TypeLabel(code string) (string, bool) {
	l, ok := types()[code]
	return l, ok
}
