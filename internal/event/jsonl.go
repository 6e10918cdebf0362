package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"backchannel/internal/cameo"
)

// wireRecord is the JSONL form of a record (EVENTS.md). "source" is an actor
// object for events and a string for observations, so it is decoded by kind.
type wireRecord struct {
	Kind      string          `json:"kind"`
	ID        string          `json:"id,omitempty"`
	Time      string          `json:"time"`
	Added     string          `json:"added,omitempty"`
	Source    json.RawMessage `json:"source,omitempty"`
	Target    *Actor          `json:"target,omitempty"`
	Code      string          `json:"code,omitempty"`
	Goldstein *float64        `json:"goldstein,omitempty"`
	Quad      *int            `json:"quad,omitempty"`
	Mentions  int             `json:"mentions,omitempty"`
	Sources   int             `json:"sources,omitempty"`
	Articles  int             `json:"articles,omitempty"`
	Tone      float64         `json:"tone,omitempty"`
	Location  *wireLocation   `json:"location,omitempty"`
	URL       string          `json:"url,omitempty"`
	Dataset   string          `json:"dataset,omitempty"`
	Public    *bool           `json:"public,omitempty"`
	Indicator string          `json:"indicator,omitempty"`
	Value     *float64        `json:"value,omitempty"`
	Note      string          `json:"note,omitempty"`
}

type wireLocation struct {
	Country string   `json:"country,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Lon     *float64 `json:"lon,omitempty"`
	Name    string   `json:"name,omitempty"`
}

// jsonlReader reads the project's normalized form: one JSON object per line,
// events and observations mixed.
type jsonlReader struct {
	file string
	ln   *lines
}

func newJSONLReader(file string, r io.Reader) *jsonlReader {
	return &jsonlReader{file: file, ln: newLines(file, r)}
}

// Next implements Reader.
func (j *jsonlReader) Next(rec *Record) error {
	for {
		line, err := j.ln.next()
		if err != nil {
			return err
		}
		if blank(line) {
			continue
		}
		if e := checkUTF8(j.file, j.ln.n, line); e != nil {
			return e
		}
		return DecodeJSON(j.file, j.ln.n, line, rec)
	}
}

// DecodeJSON decodes one JSON record (as a JSONL line holds it) into rec,
// checking it as a reader checks a line. file and line only label errors, which
// are *LineError.
func DecodeJSON(file string, line int, data []byte, rec *Record) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return &LineError{File: file, Line: line, Column: 1, Reason: "want a JSON object, one record per line"}
	}
	var w wireRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	fail := func(col int, format string, args ...any) error {
		return &LineError{File: file, Line: line, Column: col, Reason: fmt.Sprintf(format, args...)}
	}
	if err := dec.Decode(&w); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fail(int(se.Offset), "invalid JSON: %v", se)
		case errors.As(err, &te):
			return fail(int(te.Offset), "field %q: got JSON %s, want %s", te.Field, te.Value, te.Type)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fail(len(data), "truncated JSON object")
		}
		return fail(0, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return fail(int(dec.InputOffset())+1, "unexpected %q after the JSON object; one record per line", firstRune(rest))
	}
	fields, err := checkKeys(data)
	if err != nil {
		return fail(0, "%v", err)
	}
	return fromWire(&w, fields, rec, func(field, format string, args ...any) error {
		return fail(0, "field %q: %s", field, fmt.Sprintf(format, args...))
	})
}

func firstRune(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	return string(r)
}

// fromWire checks a decoded line and fills rec. A line without "kind" is an
// observation when it has an "indicator" field and an event otherwise.
func fromWire(w *wireRecord, fields lineFields, rec *Record, fail func(field, format string, args ...any) error) error {
	kind := w.Kind
	if kind == "" {
		kind = "event"
		if fields.indicator {
			kind = "observation"
		}
	}
	t, err := ParseTime(w.Time)
	if err != nil {
		return fail("time", "%v", err)
	}
	*rec = Record{}
	switch kind {
	case "observation":
		if f := fields.eventOnly; f != nil {
			return fail(f.name, "belongs to events, not observations; an observation has kind, time, indicator, value, source and note")
		}
		o := &rec.Observation
		rec.Kind = KindObservation
		if err := ValidIndicatorName(w.Indicator); err != nil {
			return fail("indicator", "%v", err)
		}
		if w.Value == nil {
			return fail("value", "missing; an observation needs a numeric value")
		}
		var src string
		if len(w.Source) > 0 && string(w.Source) != "null" {
			if err := json.Unmarshal(w.Source, &src); err != nil {
				return fail("source", "an observation's source is a string naming where the figure comes from")
			}
		}
		*o = Observation{Time: t, Indicator: w.Indicator, Value: *w.Value, Source: src, Note: w.Note}
		return nil
	case "event":
		if f := fields.observationOnly; f != nil {
			return fail(f.name, "belongs to observations, not events; write a figure as its own line, {\"kind\":\"observation\",\"indicator\":...,\"value\":...}")
		}
	default:
		return fail("kind", "%q is not a kind of record; want \"event\" or \"observation\"", w.Kind)
	}
	rec.Kind = KindEvent
	ev := &rec.Event
	ev.ID, ev.Time, ev.Code, ev.URL, ev.Note = w.ID, t, w.Code, w.URL, w.Note
	if w.Added != "" {
		a, err := ParseTime(w.Added)
		if err != nil {
			return fail("added", "%v", err)
		}
		ev.Added = a
	}
	if len(w.Source) > 0 && string(w.Source) != "null" {
		dec := json.NewDecoder(bytes.NewReader(w.Source))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev.Source); err != nil {
			return fail("source", "an event's source is an actor object {country, type, name, code}: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if w.Target != nil {
		ev.Target = *w.Target
	}
	if !cameo.ValidSyntax(ev.Code) {
		return fail("code", "%q is not a CAMEO event code (a string of 2 to 4 digits, root 01-20)", ev.Code)
	}
	code, err := lookupCode(ev.Code)
	if err != nil {
		return fail("code", "%v", err)
	}
	ev.Goldstein, ev.Quad = code.Goldstein, code.Quad
	if w.Goldstein != nil {
		if *w.Goldstein < -10 || *w.Goldstein > 10 {
			return fail("goldstein", "%v is outside the Goldstein scale, -10 to 10", *w.Goldstein)
		}
		ev.Goldstein = *w.Goldstein // a dataset may weigh an event its own way
	}
	if w.Quad != nil {
		if *w.Quad < 1 || *w.Quad > 4 {
			return fail("quad", "%d is not a quad class 1-4", *w.Quad)
		}
		if *w.Quad != code.Quad {
			return fail("quad", "%d (%s) contradicts code %q: its root %s is quad %d (%s); leave quad out to take it from the code",
				*w.Quad, quadNames[*w.Quad], code.Code, code.Root, code.Quad, quadNames[code.Quad])
		}
	}
	for _, a := range [...]struct {
		field   string
		country string
	}{{"source.country", ev.Source.Country}, {"target.country", ev.Target.Country}} {
		if err := checkActorCountry(a.country); err != nil {
			return fail(a.field, "%v", err)
		}
	}
	if w.Mentions < 0 || w.Sources < 0 || w.Articles < 0 {
		return fail("mentions", "counts cannot be negative")
	}
	ev.Mentions, ev.Sources, ev.Articles, ev.Tone = w.Mentions, w.Sources, w.Articles, w.Tone
	if l := w.Location; l != nil {
		if err := checkLocationCountry(l.Country); err != nil {
			return fail("location.country", "%v", err)
		}
		ev.Location = Location{Country: l.Country, Name: l.Name}
		if (l.Lat == nil) != (l.Lon == nil) {
			return fail("location", "lat and lon go together")
		}
		if l.Lat != nil {
			if *l.Lat < -90 || *l.Lat > 90 || *l.Lon < -180 || *l.Lon > 180 {
				return fail("location", "(%v, %v) is not a latitude and longitude", *l.Lat, *l.Lon)
			}
			ev.Location.Lat, ev.Location.Lon, ev.Location.HasCoords = *l.Lat, *l.Lon, true
		}
	}
	ev.Dataset = w.Dataset
	if ev.Dataset == "" {
		ev.Dataset = "jsonl"
	}
	ev.Public = w.Public == nil || *w.Public
	return nil
}

// ValidIndicatorName checks the "ACTOR.name" shape of a numeric indicator
// declared or observed by the user ("IRN.enrichment_pct").
func ValidIndicatorName(s string) error {
	dot := strings.IndexByte(s, '.')
	if s == "" || dot <= 0 || dot == len(s)-1 {
		return fmt.Errorf("%q is not an indicator name; want ACTOR.name, e.g. IRN.enrichment_pct", s)
	}
	for _, r := range s {
		if !(r == '.' || r == '_' || r == '-' || r == '>' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("%q is not an indicator name: %q is not allowed (letters, digits, '_', '.')", s, r)
		}
	}
	return nil
}

// toWire converts a record to its JSONL form.
func toWire(rec *Record) wireRecord {
	if rec.Kind == KindObservation {
		o := &rec.Observation
		src, _ := json.Marshal(o.Source)
		if o.Source == "" {
			src = nil
		}
		v := o.Value
		return wireRecord{Kind: "observation", Time: formatTime(o.Time), Indicator: o.Indicator, Value: &v, Source: src, Note: o.Note}
	}
	e := &rec.Event
	g, q, pub := e.Goldstein, e.Quad, e.Public
	w := wireRecord{Kind: "event", ID: e.ID, Time: formatTime(e.Time), Code: e.Code, Goldstein: &g, Quad: &q,
		Mentions: e.Mentions, Sources: e.Sources, Articles: e.Articles, Tone: e.Tone,
		URL: e.URL, Dataset: e.Dataset, Public: &pub, Note: e.Note}
	if !e.Added.IsZero() {
		w.Added = formatTime(e.Added)
	}
	if e.Source != (Actor{}) {
		w.Source, _ = json.Marshal(e.Source)
	}
	if e.Target != (Actor{}) {
		t := e.Target
		w.Target = &t
	}
	if l := e.Location; l != (Location{}) {
		wl := &wireLocation{Country: l.Country, Name: l.Name}
		if l.HasCoords {
			lat, lon := l.Lat, l.Lon
			wl.Lat, wl.Lon = &lat, &lon
		}
		w.Location = wl
	}
	return w
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Writer writes records as JSONL, the project's normalized form.
type Writer struct {
	enc *json.Encoder
}

// NewWriter returns a Writer on w. Callers buffer w themselves if they want.
func NewWriter(w io.Writer) *Writer {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &Writer{enc: enc}
}

// Write writes one record as one line.
func (w *Writer) Write(rec *Record) error {
	if rec.Kind == KindObservation && (math.IsNaN(rec.Observation.Value) || math.IsInf(rec.Observation.Value, 0)) {
		return fmt.Errorf("observation %s at %s: value %v cannot be written as JSON", rec.Observation.Indicator, formatTime(rec.Observation.Time), rec.Observation.Value)
	}
	wr := toWire(rec)
	return w.enc.Encode(&wr)
}
