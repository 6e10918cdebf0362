package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"
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
	// yaml.v3 names no column for a syntax error; goccy/go-yaml's parser does,
	// so when it finds the same kind of fault its position and words are used.
	var se *goccy.SyntaxError
	if _, gerr := goccyparser.ParseBytes(data, 0); errors.As(gerr, &se) && se.Token != nil && se.Token.Position != nil {
		p.Line, p.Column = se.Token.Position.Line, se.Token.Position.Column
		msg = se.Message
	}
	l.errs = append(l.errs, &Error{Pos: p, Msg: "invalid YAML: " + msg})
}
