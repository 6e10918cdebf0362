package scenario

import (
	"backchannel/internal/yamldoc"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
//
// A file with none of the sections name, actors and channel is read as an
// assurance file: assurances and red lines with, optionally, the start,
// indicators and events they are checked against. Its Standalone is true and
// none of the scenario's required sections is required.
func Parse(path string, data []byte) (*Scenario, error) {
	l := &loader{Checker: yamldoc.Checker{File: path}, s: &Scenario{Path: path, Dir: filepath.Dir(path), HorizonDays: 180, Source: data}}
	l.parse(data)
	if len(l.Errs) > 0 {
		l.Errs.Sort()
		return nil, l.Errs
	}
	return l.s, nil
}

type loader struct {
	yamldoc.Checker
	s *Scenario
}

func (l *loader) parse(data []byte) {
	root, errs := yamldoc.Decode(l.File, data)
	l.Errs = append(l.Errs, errs...)
	if root == nil {
		if len(errs) == 0 {
			l.Errorf(nil, "empty file; a scenario needs at least name, start, actors and channel")
		}
		return
	}
	if root.Kind != yaml.MappingNode {
		l.Errorf(root, "a scenario is a mapping of sections (%s)", strings.Join(sections, ", "))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if _, dup := seen[k.Value]; dup {
			l.Errorf(k, "section %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = v
		if !slices.Contains(sections, k.Value) {
			l.Errorf(k, "unknown section %q; want one of %s", k.Value, strings.Join(sections, ", "))
		}
	}
	standalone := seen["name"] == nil && seen["actors"] == nil && seen["channel"] == nil &&
		(seen["assurances"] != nil || seen["redlines"] != nil)
	l.s.Standalone = standalone
	if standalone {
		l.standalone(seen)
	}
	s := l.s
	if n := seen["name"]; n != nil {
		s.Name = l.Str(n, "name")
	} else if !standalone {
		l.Errorf(root, "missing section \"name\" (the scenario's title)")
	}
	if n := seen["description"]; n != nil {
		s.Description = l.Str(n, "description")
	}
	if n := seen["start"]; n != nil {
		s.Start = l.Time(n, "start")
	} else if !standalone {
		l.Errorf(root, "missing section \"start\" (the first day of the analysis, e.g. 2025-12-01)")
	}
	if n := seen["horizon_days"]; n != nil {
		if v, ok := l.Int(n, "horizon_days"); ok {
			if v < 1 || v > 36500 {
				l.Errorf(n, "horizon_days: %d is out of range; want 1 to 36500 days", v)
			}
			s.HorizonDays = v
		}
	}
	if n := seen["actors"]; n != nil {
		l.actors(n)
	} else if !standalone {
		l.Errorf(root, "missing section \"actors\" (CAMEO country codes mapped to {name: ...})")
	}
	if n := seen["relations"]; n != nil {
		l.relations(n)
	}
	if n := seen["channel"]; n != nil {
		l.channel(n)
	} else if !standalone {
		l.Errorf(root, "missing section \"channel\" ({mediator: RUS, parties: [ISR, IRN]})")
	}
	if n := seen["indicators"]; n != nil {
		l.indicators(n)
	}
	if n := seen["events"]; n != nil {
		l.events(n)
	}
	s.Assurances, s.Redlines, s.Model = seen["assurances"], seen["redlines"], seen["model"]
}

// standalone reports the sections an assurance file cannot use: relations and
// the model need the actors only a scenario declares.
func (l *loader) standalone(seen map[string]*yaml.Node) {
	for _, key := range []string{"relations", "model", "horizon_days"} {
		if n := seen[key]; n != nil {
			l.Errorf(n, "%s: an assurance file (no name, actors or channel) takes only start, description, indicators, assurances, redlines and events; write a scenario to use %s", key, key)
		}
	}
}
