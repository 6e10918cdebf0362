package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
)

// The JSONL form's field names are exact. encoding/json matches a name to a
// struct field regardless of case, so without a check of its own "Code" or
// "TIME" would read as if spelled right and a typo could pass unnoticed. The
// check walks the raw bytes of a line the decoder has already accepted, once,
// without decoding values; it also notes which fields the line has, which is
// how a field of the other kind of record is caught (encoding/json would fill
// it in and fromWire would drop it).

// fieldKinds says which kinds of record a field of the JSONL form belongs to.
type fieldKinds uint8

const (
	onEvent fieldKinds = 1 << iota
	onObservation
)

// wireField is one top-level field of the JSONL form.
type wireField struct {
	name  string
	kinds fieldKinds
	// inner lists the fields of a nested object: source (of an event),
	// target and location.
	inner map[string]bool
}

var (
	actorKeys    = set("code", "country", "type", "name")
	locationKeys = set("country", "lat", "lon", "name")
)

// wireFields are the fields of wireRecord, by exact name.
var wireFields = func() map[string]*wireField {
	const both = onEvent | onObservation
	fields := []*wireField{
		{name: "kind", kinds: both},
		{name: "time", kinds: both},
		{name: "source", kinds: both, inner: actorKeys}, // a string for observations
		{name: "note", kinds: both},
		{name: "id", kinds: onEvent},
		{name: "added", kinds: onEvent},
		{name: "target", kinds: onEvent, inner: actorKeys},
		{name: "code", kinds: onEvent},
		{name: "goldstein", kinds: onEvent},
		{name: "quad", kinds: onEvent},
		{name: "mentions", kinds: onEvent},
		{name: "sources", kinds: onEvent},
		{name: "articles", kinds: onEvent},
		{name: "tone", kinds: onEvent},
		{name: "location", kinds: onEvent, inner: locationKeys},
		{name: "url", kinds: onEvent},
		{name: "dataset", kinds: onEvent},
		{name: "public", kinds: onEvent},
		{name: "indicator", kinds: onObservation},
		{name: "value", kinds: onObservation},
	}
	m := make(map[string]*wireField, len(fields))
	for _, f := range fields {
		m[f.name] = f
	}
	return m
}()

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// lineFields is what checkKeys learns of a line: the first field, in line
// order, that only events have and the first that only observations have (nil
// when there is none), and whether it names an indicator.
type lineFields struct {
	eventOnly, observationOnly *wireField
	indicator                  bool
}

// checkKeys reports the first field name, at the top level or in source,
// target or location, that is not spelled exactly as the JSONL form spells it.
// data must be one JSON object that encoding/json has accepted.
func checkKeys(data []byte) (lineFields, error) {
	var lf lineFields
	for key, value := range members(data) {
		f := wireFields[string(key)]
		if f == nil {
			return lf, fmt.Errorf("unknown field %q", key)
		}
		switch {
		case f.kinds == onEvent && lf.eventOnly == nil:
			lf.eventOnly = f
		case f.kinds == onObservation && lf.observationOnly == nil:
			lf.observationOnly = f
		}
		lf.indicator = lf.indicator || f.name == "indicator"
		if f.inner == nil || len(value) == 0 || value[0] != '{' {
			continue // an observation's source is a string; a type error the decoder reports
		}
		for k := range members(value) {
			if !f.inner[string(k)] {
				return lf, fmt.Errorf("%s: unknown field %q", f.name, k)
			}
		}
	}
	return lf, nil
}

// members yields the key and raw value of each member of the JSON object data
// starts with (after white space), with escapes in keys resolved. data must be
// valid JSON; on anything else members stops early rather than fail.
func members(data []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(key, value []byte) bool) {
		i := skipSpace(data, 0)
		if i >= len(data) || data[i] != '{' {
			return
		}
		i++
		for {
			i = skipSpace(data, i)
			if i >= len(data) || data[i] != '"' {
				return // '}': the end
			}
			end := skipString(data, i)
			key := data[i+1 : max(i+1, end-1)]
			if bytes.IndexByte(key, '\\') >= 0 {
				var s string
				if json.Unmarshal(data[i:end], &s) != nil {
					return
				}
				key = []byte(s)
			}
			i = skipSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return
			}
			start := skipSpace(data, i+1)
			i = skipValue(data, start)
			if !yield(key, data[start:i]) {
				return
			}
			i = skipSpace(data, i)
			if i >= len(data) || data[i] != ',' {
				return
			}
			i++
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at data[i] ('"').
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// skipValue returns the index after the JSON value that starts at data[i].
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) && strings.IndexByte(",}] \t\r\n", data[i]) < 0 {
		i++ // a number, true, false or null
	}
	return i
}
