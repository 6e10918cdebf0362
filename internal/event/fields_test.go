package event

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// splitTabsSimple is the obvious splitter, the reference for splitTabs.
func splitTabsSimple(line []byte, dst [][]byte) int {
	fields := bytes.Split(line, []byte{'\t'})
	for i, f := range fields {
		if i < len(dst) {
			dst[i] = f
		}
	}
	return len(fields)
}

func TestSplitTabsAgreesWithSimpleSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("\t\t\tab\x09\x89\x08\x0a\xff0")
	for range 20000 {
		line := make([]byte, rng.IntN(90))
		for i := range line {
			line[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var got, want [8][]byte
		n, m := splitTabs(line, got[:]), splitTabsSimple(line, want[:])
		if n != m {
			t.Fatalf("%q: %d fields, want %d", line, n, m)
		}
		for i := range min(n, len(got)) {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q: field %d = %q, want %q", line, i, got[i], want[i])
			}
		}
	}
}

func FuzzSplitTabs(f *testing.F) {
	f.Add([]byte("a\tb\t\tc"))
	f.Add([]byte("\t\t\t\t\t\t\t\t\t"))
	f.Add([]byte(gdelt2Row("1", nil)))
	f.Fuzz(func(t *testing.T, line []byte) {
		var got, want [64][]byte
		n, m := splitTabs(line, got[:]), splitTabsSimple(line, want[:])
		if n != m {
			t.Fatalf("%d fields, want %d", n, m)
		}
		for i := range min(n, len(got)) {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("field %d = %q, want %q", i, got[i], want[i])
			}
		}
	})
}
