package textwrap

import (
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var b strings.Builder
	words := strings.Repeat("word ", 50)
	Write(&b, "  ", words)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("250 columns of words on %d line(s)", len(lines))
	}
	for i, l := range lines {
		if len(l) > Width || !strings.HasPrefix(l, "  word") {
			t.Errorf("line %d (%d columns): %q", i, len(l), l)
		}
	}
	if got := strings.Join(strings.Fields(b.String()), " "); got != strings.TrimSpace(words) {
		t.Errorf("words changed: %q", got)
	}
	b.Reset()
	long := strings.Repeat("x", 150)
	Write(&b, "> ", "a "+long+" b")
	if b.String() != "> a\n> "+long+"\n> b\n" {
		t.Errorf("a word longer than a line: %q", b.String())
	}
	b.Reset()
	Write(&b, "  ", "")
	if b.String() != "  \n" {
		t.Errorf("empty text: %q", b.String())
	}
}
