package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/event"
)

// sections lists the top-level keys a scenario may have, in the order help
// text shows them.
var sections = []string{"name", "description", "start", "horizon_days", "actors", "relations",
	"channel", "indicators", "assurances", "redlines", "events", "model"}

// Load reads and checks the scenario file at path. On failure the error is an
// ErrorList (every problem found, in file order) or, when the file cannot be
// read at all, the *os.PathError.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse checks a scenario held in memory; path names it in errors and is the
// base for relative event file names. Event files are checked to exist but not
// read.
func Parse(path string, data []byte) (*Scenario, error) {
	l := &loader{file: path, s: &Scenario{Path: path, Dir: filepath.Dir(path), HorizonDays: 180}}
	l.parse(data)
	if len(l.errs) > 0 {
		slices.SortStableFunc(l.errs, func(a, b *Error) int {
			if a.Pos.Line != b.Pos.Line {
				return a.Pos.Line - b.Pos.Line
			}
			return a.Pos.Column - b.Pos.Column
		})
		return nil, l.errs
	}
	return l.s, nil
}

type loader struct {
	file string
	s    *Scenario
	errs ErrorList
}

func (l *loader) pos(n *yaml.Node) Pos { return Pos{File: l.file, Line: n.Line, Column: n.Column} }

func (l *loader) errorf(n *yaml.Node, format string, args ...any) {
	p := Pos{File: l.file}
	if n != nil {
		p = l.pos(n)
	}
	l.errs = append(l.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) parse(data []byte) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			l.errorf(nil, "empty file; a scenario needs at least name, start, actors and channel")
			return
		}
		l.yamlError(data, err)
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		l.errorf(&extra, "a second YAML document; a scenario is one document")
	case err.Error() != "EOF":
		l.yamlError(data, err)
	}
	resolveAliases(&doc, map[*yaml.Node]bool{})
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "a scenario is a mapping of sections (%s)", strings.Join(sections, ", "))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if _, dup := seen[k.Value]; dup {
			l.errorf(k, "section %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = v
		if !slices.Contains(sections, k.Value) {
			l.errorf(k, "unknown section %q; want one of %s", k.Value, strings.Join(sections, ", "))
		}
	}
	s := l.s
	if n := seen["name"]; n != nil {
		s.Name = l.str(n, "name")
	} else {
		l.errorf(root, "missing section \"name\" (the scenario's title)")
	}
	if n := seen["description"]; n != nil {
		s.Description = l.str(n, "description")
	}
	if n := seen["start"]; n != nil {
		s.Start = l.time(n, "start")
	} else {
		l.errorf(root, "missing section \"start\" (the first day of the analysis, e.g. 2025-12-01)")
	}
	if n := seen["horizon_days"]; n != nil {
		if v, ok := l.int(n, "horizon_days"); ok {
			if v < 1 || v > 36500 {
				l.errorf(n, "horizon_days: %d is out of range; want 1 to 36500 days", v)
			}
			s.HorizonDays = v
		}
	}
	if n := seen["actors"]; n != nil {
		l.actors(n)
	} else {
		l.errorf(root, "missing section \"actors\" (CAMEO country codes mapped to {name: ...})")
	}
	if n := seen["relations"]; n != nil {
		l.relations(n)
	}
	if n := seen["channel"]; n != nil {
		l.channel(n)
	} else {
		l.errorf(root, "missing section \"channel\" ({mediator: RUS, parties: [ISR, IRN]})")
	}
	if n := seen["indicators"]; n != nil {
		l.indicators(n)
	}
	if n := seen["events"]; n != nil {
		l.events(n)
	}
	s.Assurances, s.Redlines, s.Model = seen["assurances"], seen["redlines"], seen["model"]
}

// yamlError reports a syntax error. yaml.v3 names the line for most errors but
// not for bad characters, which are then found here so that every error still
// says where it is.
func (l *loader) yamlError(data []byte, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Pos{File: l.file}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		p.Line, p.Column = badChar(data)
	}
	l.errs = append(l.errs, &Error{Pos: p, Msg: "invalid YAML: " + msg})
}

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

func (l *loader) time(n *yaml.Node, what string) time.Time {
	if !l.scalar(n, what, "a date") {
		return time.Time{}
	}
	if t, err := time.Parse("2006-01-02", n.Value); err == nil {
		return t
	}
	t, err := time.Parse(time.RFC3339, n.Value)
	if err != nil {
		l.errorf(n, "%s: %q is not a date (2025-12-01) or an RFC 3339 time", what, n.Value)
	}
	return t.UTC()
}

var actorCode = regexp.MustCompile(`^[A-Z]{3}$`)

func (l *loader) actors(n *yaml.Node) {
	l.mapping(n, "actors", func(k, v *yaml.Node) {
		a := Actor{Code: k.Value, Pos: l.pos(k)}
		if !actorCode.MatchString(k.Value) {
			l.errorf(k, "actors: %q is not an actor code; want a three-letter CAMEO code in capitals (ISR, IRN, RUS)", k.Value)
		}
		what := "actors." + k.Value
		f := l.fields(v, what, "name", "ideal", "conflict_cost")
		if f["name"] != nil {
			a.Name = l.str(f["name"], what+".name")
		} else if v.Kind == yaml.MappingNode {
			l.errorf(v, "%s: missing name", what)
		}
		if f["ideal"] != nil {
			if x, ok := l.float(f["ideal"], what+".ideal", 0, 1); ok {
				a.Ideal = &x
			}
		}
		if f["conflict_cost"] != nil {
			if x, ok := l.float(f["conflict_cost"], what+".conflict_cost", 0, math.MaxFloat64); ok {
				a.ConflictCost = &x
			}
		}
		l.s.Actors = append(l.s.Actors, a)
	})
}

// actorRef checks that a value names a declared actor.
func (l *loader) actorRef(n *yaml.Node, what string) string {
	if !l.scalar(n, what, "an actor code") {
		return ""
	}
	code := n.Value
	if code == "" {
		l.errorf(n, "%s: empty; want an actor of this scenario (have %s)", what, l.actorList())
		return ""
	}
	if _, ok := l.s.Actor(code); !ok {
		l.errorf(n, "%s: %q is not an actor of this scenario; declare it under actors (have %s)", what, code, l.actorList())
	}
	return code
}

func (l *loader) actorList() string {
	codes := make([]string, len(l.s.Actors))
	for i, a := range l.s.Actors {
		codes[i] = a.Code
	}
	if len(codes) == 0 {
		return "none"
	}
	return strings.Join(codes, ", ")
}

func (l *loader) relations(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "relations: want a list of {a, b, value, ties}, got %s", describe(n))
		return
	}
	seen := map[[2]string]bool{}
	for i, item := range n.Content {
		what := fmt.Sprintf("relations[%d]", i)
		f := l.fields(item, what, "a", "b", "value", "ties")
		if item.Kind != yaml.MappingNode {
			continue
		}
		r := Relation{Pos: l.pos(item)}
		for _, key := range []string{"a", "b", "value"} {
			if f[key] == nil {
				l.errorf(item, "%s: missing %s", what, key)
			}
		}
		if f["a"] != nil {
			r.A = l.actorRef(f["a"], what+".a")
		}
		if f["b"] != nil {
			r.B = l.actorRef(f["b"], what+".b")
		}
		if f["value"] != nil {
			r.Value, _ = l.float(f["value"], what+".value", -1, 1)
		}
		if f["ties"] != nil {
			r.Ties = l.bool(f["ties"], what+".ties")
		}
		if r.A != "" && r.A == r.B {
			l.errorf(item, "%s: an actor's relation with itself means nothing", what)
		}
		key := [2]string{min(r.A, r.B), max(r.A, r.B)}
		if r.A != "" && r.B != "" && seen[key] {
			l.errorf(item, "%s: the relation %s-%s is already given (relations are symmetric)", what, r.A, r.B)
		}
		seen[key] = true
		l.s.Relations = append(l.s.Relations, r)
	}
}

func (l *loader) channel(n *yaml.Node) {
	f := l.fields(n, "channel", "mediator", "parties")
	if n.Kind != yaml.MappingNode {
		return
	}
	c := &l.s.Channel
	if f["mediator"] == nil {
		l.errorf(n, "channel: missing mediator")
	} else {
		c.Mediator = l.actorRef(f["mediator"], "channel.mediator")
	}
	p := f["parties"]
	if p == nil {
		l.errorf(n, "channel: missing parties (a list of two or more actors)")
		return
	}
	if p.Kind != yaml.SequenceNode {
		l.errorf(p, "channel.parties: want a list of actors, got %s", describe(p))
		return
	}
	for i, item := range p.Content {
		code := l.actorRef(item, fmt.Sprintf("channel.parties[%d]", i))
		switch {
		case code == "":
		case code == c.Mediator:
			l.errorf(item, "channel.parties[%d]: %s is the mediator; the mediator is not a party", i, code)
		case slices.Contains(c.Parties, code):
			l.errorf(item, "channel.parties[%d]: %s is listed twice", i, code)
		}
		c.Parties = append(c.Parties, code)
	}
	if len(p.Content) < 2 {
		l.errorf(p, "channel.parties: want at least two parties, got %d", len(p.Content))
	}
}

func (l *loader) indicators(n *yaml.Node) {
	l.mapping(n, "indicators", func(k, v *yaml.Node) {
		what := "indicators." + k.Value
		if err := event.ValidIndicatorName(k.Value); err != nil {
			l.errorf(k, "indicators: %v", err)
			return
		}
		actor, _, _ := strings.Cut(k.Value, ".")
		if _, ok := l.s.Actor(actor); !ok {
			l.errorf(k, "indicators: %q belongs to %s, which is not an actor of this scenario (have %s)", k.Value, actor, l.actorList())
		}
		if x, ok := l.float(v, what, -math.MaxFloat64, math.MaxFloat64); ok {
			l.s.Indicators = append(l.s.Indicators, Indicator{Name: k.Value, Value: x, Pos: l.pos(k)})
		}
	})
}

func (l *loader) events(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "events: want a list of event files and inline records, got %s", describe(n))
		return
	}
	for i, item := range n.Content {
		what := fmt.Sprintf("events[%d]", i)
		switch {
		case item.Kind == yaml.ScalarNode && item.Tag != "!!null":
			name := item.Value
			if name == "" {
				l.errorf(item, "%s: empty file name", what)
				continue
			}
			path := name
			if !filepath.IsAbs(path) {
				path = filepath.Join(l.s.Dir, name)
			}
			if st, err := os.Stat(path); err != nil {
				l.errorf(item, "%s: event file %s: %v", what, name, unwrapPath(err))
				continue
			} else if st.IsDir() {
				l.errorf(item, "%s: %s is a directory; name event files", what, name)
				continue
			}
			l.s.EventFiles = append(l.s.EventFiles, path)
		case item.Kind == yaml.MappingNode:
			l.inline(item, what)
		default:
			l.errorf(item, "%s: want a file name or an inline record, got %s", what, describe(item))
		}
	}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// inline decodes a record written in the scenario through the same checks as
// a JSONL line, so both forms mean the same.
func (l *loader) inline(n *yaml.Node, what string) {
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		l.errorf(n, "%s: %v", what, err)
		return
	}
	for k, v := range m {
		switch v := v.(type) {
		case time.Time: // YAML reads 2025-06-13 as a timestamp
			m[k] = v.UTC().Format(time.RFC3339)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				l.errorf(n, "%s: field %q: %v is not a finite number", what, k, v)
				return
			}
		}
	}
	if c, ok := m["code"]; ok {
		if _, isString := c.(string); !isString {
			l.errorf(n, "%s: field \"code\": write CAMEO codes in quotes (code: \"195\"); YAML reads %v as a number and would drop leading zeros", what, c)
			return
		}
	}
	data, err := json.Marshal(m)
	if err != nil {
		l.errorf(n, "%s: %v", what, err)
		return
	}
	var rec event.Record
	if err := event.DecodeJSON(l.file, n.Line, data, &rec); err != nil {
		var le *event.LineError
		msg := err.Error()
		if errors.As(err, &le) {
			msg = le.Reason
		}
		l.errorf(n, "%s: %s", what, msg)
		return
	}
	l.s.Inline = append(l.s.Inline, rec)
}
