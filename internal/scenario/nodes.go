package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/event"
)

// badChar returns the line and column of the first byte YAML refuses (invalid
// UTF-8 or a control character), or line 1 when there is none to point at.
func badChar(data []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 1, 0
}

// resolveAliases replaces every alias in the tree by the node it names, so the
// checks below see one kind of node whatever shorthand the author used. Shared
// nodes are walked once: an alias bomb costs no more than its text.
func resolveAliases(n *yaml.Node, seen map[*yaml.Node]bool) {
	if seen[n] {
		return
	}
	seen[n] = true
	for i, c := range n.Content {
		for c.Kind == yaml.AliasNode && c.Alias != nil {
			c = c.Alias
		}
		n.Content[i] = c
		resolveAliases(c, seen)
	}
}

// mapping iterates a mapping node's pairs, reporting a node of another kind.
func (l *loader) mapping(n *yaml.Node, what string, fn func(k, v *yaml.Node)) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s: want a mapping, got %s", what, describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			l.errorf(k, "%s: key %q appears twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, n.Content[i+1])
	}
}

// fields checks a mapping's keys against the known ones and returns the values
// by key.
func (l *loader) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	l.mapping(n, what, func(k, v *yaml.Node) {
		if !slices.Contains(known, k.Value) {
			l.errorf(k, "%s: unknown field %q; want %s", what, k.Value, strings.Join(known, ", "))
			return
		}
		out[k.Value] = v
	})
	return out
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (l *loader) scalar(n *yaml.Node, what, want string) bool {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errorf(n, "%s: want %s, got %s", what, want, describe(n))
		return false
	}
	return true
}

func (l *loader) str(n *yaml.Node, what string) string {
	if !l.scalar(n, what, "a string") {
		return ""
	}
	return n.Value
}

func (l *loader) int(n *yaml.Node, what string) (int, bool) {
	if !l.scalar(n, what, "a whole number") {
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		l.errorf(n, "%s: %q is not a whole number", what, n.Value)
		return 0, false
	}
	return v, true
}

func (l *loader) float(n *yaml.Node, what string, lo, hi float64) (float64, bool) {
	if !l.scalar(n, what, "a number") {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		l.errorf(n, "%s: %q is not a number", what, n.Value)
		return 0, false
	}
	if v < lo || v > hi {
		l.errorf(n, "%s: %v is out of range; want %v to %v", what, v, lo, hi)
		return v, false
	}
	return v, true
}

func (l *loader) bool(n *yaml.Node, what string) bool {
	if !l.scalar(n, what, "true or false") {
		return false
	}
	switch n.Value {
	case "true", "yes", "True":
		return true
	case "false", "no", "False":
		return false
	}
	l.errorf(n, "%s: %q is not true or false", what, n.Value)
	return false
}

// dateForms names the forms time accepts, for its error messages.
const dateForms = "a date YYYY-MM-DD (2025-12-01) or an RFC 3339 time (2025-12-01T10:00:00Z)"

// time reads a date as midnight UTC or an RFC 3339 time as UTC, within the
// years event records may carry, so that the scenario and its events share
// one calendar.
func (l *loader) time(n *yaml.Node, what string) time.Time {
	if !l.scalar(n, what, dateForms) {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", n.Value)
	if err != nil {
		t, err = time.Parse(time.RFC3339, n.Value)
	}
	if err != nil {
		l.errorf(n, "%s: %q is not a date; want %s", what, n.Value, dateForms)
		return time.Time{}
	}
	if !event.InRange(t) {
		l.errorf(n, "%s: %q is outside the years %d to %d", what, n.Value, event.MinYear, event.MaxYear)
		return time.Time{}
	}
	return t.UTC()
}
