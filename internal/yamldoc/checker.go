package yamldoc

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/event"
)

// Checker reads values out of a node tree and collects, in Errs, a located
// message for every value that is not what the reader asked for. Each method
// takes what, the field's name as the author would look for it, to start its
// messages. A method that finds a bad value records the error and returns the
// zero value (and false where it returns a flag), so a loader can go on and
// find the next problem.
type Checker struct {
	File string
	Errs ErrorList
}

// Pos returns where n is.
func (c *Checker) Pos(n *yaml.Node) Pos { return Pos{File: c.File, Line: n.Line, Column: n.Column} }

// Errorf records an error at n, or at the file itself when n is nil.
func (c *Checker) Errorf(n *yaml.Node, format string, args ...any) {
	p := Pos{File: c.File}
	if n != nil {
		p = c.Pos(n)
	}
	c.Errs = append(c.Errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// Mapping calls fn for each pair of a mapping node, reporting a node of
// another kind and keys that appear twice.
func (c *Checker) Mapping(n *yaml.Node, what string, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		c.Errorf(n, "%s: want a mapping, got %s", what, Describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			c.Errorf(k, "%s: key %q appears twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, n.Content[i+1])
	}
}

// Fields checks a mapping's keys against the known ones and returns the
// values by key.
func (c *Checker) Fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	c.Mapping(n, what, func(k, v *yaml.Node) {
		if !slices.Contains(known, k.Value) {
			c.Errorf(k, "%s: unknown field %q; want %s", what, k.Value, strings.Join(known, ", "))
			return
		}
		out[k.Value] = v
	})
	return out
}

// Sequence returns the items of a list node, reporting a node of another
// kind.
func (c *Checker) Sequence(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		c.Errorf(n, "%s: want a list, got %s", what, Describe(n))
		return nil
	}
	return n.Content
}

// Describe names what a node holds, for messages saying what was found.
func Describe(n *yaml.Node) string {
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

// Scalar reports whether n is a non-null scalar, recording an error saying
// that want was expected when it is not.
func (c *Checker) Scalar(n *yaml.Node, what, want string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		c.Errorf(n, "%s: want %s, got %s", what, want, Describe(n))
		return false
	}
	return true
}

// Str returns a scalar's text.
func (c *Checker) Str(n *yaml.Node, what string) string {
	if !c.Scalar(n, what, "a string") {
		return ""
	}
	return n.Value
}

// Items returns a scalar as a list of one, or the scalars of a list, for a
// field that takes one value or several. An empty list is refused: a field
// named with no values would read as unset. Items that are not scalars are
// reported and left out.
func (c *Checker) Items(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []*yaml.Node{n}
	}
	if n.Kind != yaml.SequenceNode {
		c.Errorf(n, "%s: want a string or a list of strings, got %s", what, Describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		c.Errorf(n, "%s: empty list; name at least one value, or leave the field out", what)
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, item := range n.Content {
		if c.Scalar(item, what, "a string") {
			out = append(out, item)
		}
	}
	return out
}

// Strings returns the values of Items.
func (c *Checker) Strings(n *yaml.Node, what string) []string {
	var out []string
	for _, item := range c.Items(n, what) {
		out = append(out, item.Value)
	}
	return out
}

// Int returns a whole number.
func (c *Checker) Int(n *yaml.Node, what string) (int, bool) {
	if !c.Scalar(n, what, "a whole number") {
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		c.Errorf(n, "%s: %q is not a whole number", what, n.Value)
		return 0, false
	}
	return v, true
}

// Float returns a finite number within [lo, hi]; a number out of range is
// returned with false.
func (c *Checker) Float(n *yaml.Node, what string, lo, hi float64) (float64, bool) {
	if !c.Scalar(n, what, "a number") {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		c.Errorf(n, "%s: %q is not a number", what, n.Value)
		return 0, false
	}
	if v < lo || v > hi {
		c.Errorf(n, "%s: %v is out of range; want %v to %v", what, v, lo, hi)
		return v, false
	}
	return v, true
}

// Bool returns true or false (YAML 1.1's yes and no included).
func (c *Checker) Bool(n *yaml.Node, what string) bool {
	if !c.Scalar(n, what, "true or false") {
		return false
	}
	switch n.Value {
	case "true", "yes", "True":
		return true
	case "false", "no", "False":
		return false
	}
	c.Errorf(n, "%s: %q is not true or false", what, n.Value)
	return false
}

// DateForms names the forms Time accepts, for messages.
const DateForms = "a date YYYY-MM-DD (2025-12-01) or an RFC 3339 time (2025-12-01T10:00:00Z)"

// Time reads a date as midnight UTC or an RFC 3339 time as UTC, within the
// years event records may carry, so that files and their events share one
// calendar.
func (c *Checker) Time(n *yaml.Node, what string) time.Time {
	if !c.Scalar(n, what, DateForms) {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", n.Value)
	if err != nil {
		t, err = time.Parse(time.RFC3339, n.Value)
	}
	if err != nil {
		c.Errorf(n, "%s: %q is not a date; want %s", what, n.Value, DateForms)
		return time.Time{}
	}
	if !event.InRange(t) {
		c.Errorf(n, "%s: %q is outside the years %d to %d", what, n.Value, event.MinYear, event.MaxYear)
		return time.Time{}
	}
	return t.UTC()
}
