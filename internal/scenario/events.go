package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/event"
	"backchannel/internal/yamldoc"
)

func (l *loader) events(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "events: want a list of event files and inline records, got %s", yamldoc.Describe(n))
		return
	}
	for i, item := range n.Content {
		what := fmt.Sprintf("events[%d]", i)
		switch {
		case item.Kind == yaml.ScalarNode && item.Tag != "!!null":
			name := item.Value
			if name == "" {
				l.Errorf(item, "%s: empty file name", what)
				continue
			}
			path := name
			if !filepath.IsAbs(path) {
				path = filepath.Join(l.s.Dir, name)
			}
			if st, err := os.Stat(path); err != nil {
				l.Errorf(item, "%s: event file %s: %v", what, name, unwrapPath(err))
				continue
			} else if st.IsDir() {
				l.Errorf(item, "%s: %s is a directory; name event files", what, name)
				continue
			}
			l.s.EventFiles = append(l.s.EventFiles, path)
		case item.Kind == yaml.MappingNode:
			l.inline(item, what)
		default:
			l.Errorf(item, "%s: want a file name or an inline record, got %s", what, yamldoc.Describe(item))
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
		l.Errorf(n, "%s: %v", what, err)
		return
	}
	for k, v := range m {
		switch v := v.(type) {
		case time.Time: // YAML reads 2025-06-13 as a timestamp
			m[k] = v.UTC().Format(time.RFC3339)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				l.Errorf(n, "%s: field %q: %v is not a finite number", what, k, v)
				return
			}
		}
	}
	if c, ok := m["code"]; ok {
		if _, isString := c.(string); !isString {
			l.Errorf(n, "%s: field \"code\": write CAMEO codes in quotes (code: \"195\"); YAML reads %v as a number and would drop leading zeros", what, c)
			return
		}
	}
	data, err := json.Marshal(m)
	if err != nil {
		l.Errorf(n, "%s: %v", what, err)
		return
	}
	var rec event.Record
	if err := event.DecodeJSON(l.File, n.Line, data, &rec); err != nil {
		var le *event.LineError
		msg := err.Error()
		if errors.As(err, &le) {
			msg = le.Reason
		}
		l.Errorf(n, "%s: %s", what, msg)
		return
	}
	l.s.Inline = append(l.s.Inline, rec)
	l.s.InlinePos = append(l.s.InlinePos, l.Pos(n))
}
