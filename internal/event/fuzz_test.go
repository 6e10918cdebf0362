package event

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"backchannel/internal/cameo"
)

// The fuzz targets hold each reader to the Reader contract on any input: it
// never panics, it stops, every non-blank line gets exactly one answer (a
// record or a *LineError naming that line), and what it accepts is a
// well-formed record that survives a trip through the JSONL writer. Their seed
// corpus runs with the ordinary tests; crashers found by `go test -fuzz` are
// kept under testdata/fuzz/<Target>/.

// textLine is one line of a fuzz input as the readers' line splitter sees it.
type textLine struct {
	n    int    // 1-based line number
	text []byte // without "\n" and one trailing "\r"
	long bool   // too long for the line buffer: reported, never parsed
}

// splitInput cuts data into lines as lines.next does, independently of it, and
// returns those a reader must answer for: the lines that are not blank (blank
// is nothing but spaces and tabs).
func splitInput(data []byte) []textLine {
	var out []textLine
	for n := 1; len(data) > 0; n++ {
		seg := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			seg, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(seg) >= maxLine {
			out = append(out, textLine{n: n, long: true})
			continue
		}
		seg = bytes.TrimSuffix(seg, []byte("\r"))
		if len(bytes.Trim(seg, " \t\r")) == 0 {
			continue
		}
		out = append(out, textLine{n: n, text: seg})
	}
	return out
}

// lineBuffers saves each fuzz execution the allocation of a reader's line
// buffer; newLines takes over a *bufio.Reader that is large enough.
var lineBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, maxLine) }}

// fuzzInput returns data as a reader that newLines uses as it is, and a
// function that gives its buffer back.
func fuzzInput(data []byte) (*bufio.Reader, func()) {
	br := lineBuffers.Get().(*bufio.Reader)
	br.Reset(bytes.NewReader(data))
	return br, func() { lineBuffers.Put(br) }
}

// answer is what one call of Next gave: a record or a line error.
type answer struct {
	rec Record
	le  *LineError
}

// drain calls r.Next until io.EOF or a fatal error, at most limit times, and
// fails the test if the reader does not stop, returns a wrapped or foreign
// error type where the contract names io.EOF or *LineError, or forgets its
// io.EOF on the next call.
func drain(t *testing.T, r Reader, limit int) (answers []answer, fatal error) {
	t.Helper()
	for range limit {
		var rec Record
		err := r.Next(&rec)
		if err == nil {
			answers = append(answers, answer{rec: rec})
			continue
		}
		if err == io.EOF {
			if err := r.Next(&rec); err != io.EOF {
				t.Fatalf("Next after io.EOF returned %v, want io.EOF again", err)
			}
			return answers, nil
		}
		if le, ok := err.(*LineError); ok {
			answers = append(answers, answer{le: le})
			continue
		}
		return answers, err
	}
	t.Fatalf("reader did not reach io.EOF within %d calls of Next", limit)
	return nil, nil
}

// checkAnswers pairs answers with the non-blank lines, in order, and checks the
// line errors; it returns the records with the line each came from.
func checkAnswers(t *testing.T, file string, lines []textLine, answers []answer) (recs []Record, from []textLine) {
	t.Helper()
	if len(answers) != len(lines) {
		t.Fatalf("%d answers (records and line errors) for %d non-blank lines", len(answers), len(lines))
	}
	for i, a := range answers {
		ln := lines[i]
		if a.le == nil {
			if ln.long {
				t.Errorf("line %d: longer than %d bytes but gave a record", ln.n, maxLine)
			}
			recs, from = append(recs, a.rec), append(from, ln)
			continue
		}
		e := a.le
		switch {
		case e.File != file:
			t.Errorf("line error %q names file %q, want %q", e, e.File, file)
		case e.Line != ln.n:
			t.Errorf("line error %q names line %d, want %d (the %d-th non-blank line)", e, e.Line, ln.n, i+1)
		case e.Reason == "":
			t.Errorf("line error at line %d has no reason", e.Line)
		case e.Column < 0 || !ln.long && e.Column > len(ln.text)+1:
			t.Errorf("line error %q: column %d outside a line of %d bytes", e, e.Column, len(ln.text))
		}
	}
	return recs, from
}

// checkEvent checks what every reader promises of an event it accepts.
func checkEvent(t *testing.T, ln textLine, rec *Record) {
	t.Helper()
	if rec.Kind != KindEvent {
		t.Errorf("line %d: kind %v, want event", ln.n, rec.Kind)
		return
	}
	e := &rec.Event
	switch {
	case !cameo.ValidSyntax(e.Code):
		t.Errorf("line %d: code %q is not a CAMEO code", ln.n, e.Code)
	case e.Quad < 1 || e.Quad > 4:
		t.Errorf("line %d: quad %d outside 1..4", ln.n, e.Quad)
	case !(e.Goldstein >= -10 && e.Goldstein <= 10):
		t.Errorf("line %d: Goldstein %v outside -10..10", ln.n, e.Goldstein)
	case e.Time.IsZero():
		t.Errorf("line %d: event accepted with the zero time (%q)", ln.n, ln.text)
	case e.Mentions < 0 || e.Sources < 0 || e.Articles < 0:
		t.Errorf("line %d: negative counts %d %d %d", ln.n, e.Mentions, e.Sources, e.Articles)
	case math.IsNaN(e.Tone) || math.IsInf(e.Tone, 0):
		t.Errorf("line %d: tone %v", ln.n, e.Tone)
	case e.Location.HasCoords && !(e.Location.Lat >= -90 && e.Location.Lat <= 90 && e.Location.Lon >= -180 && e.Location.Lon <= 180):
		t.Errorf("line %d: coordinates (%v, %v)", ln.n, e.Location.Lat, e.Location.Lon)
	}
}

// checkObservation checks what the JSONL reader promises of an observation.
func checkObservation(t *testing.T, ln textLine, rec *Record) {
	t.Helper()
	o := &rec.Observation
	switch {
	case ValidIndicatorName(o.Indicator) != nil:
		t.Errorf("line %d: observation of %q: %v", ln.n, o.Indicator, ValidIndicatorName(o.Indicator))
	case math.IsNaN(o.Value) || math.IsInf(o.Value, 0):
		t.Errorf("line %d: observation value %v", ln.n, o.Value)
	case o.Time.IsZero():
		t.Errorf("line %d: observation accepted with the zero time (%q)", ln.n, ln.text)
	}
}

// sameRecord reports whether two records are equal, times compared as instants.
func sameRecord(a, b Record) bool {
	if a.Event.Time.Equal(b.Event.Time) {
		b.Event.Time = a.Event.Time
	}
	if a.Event.Added.Equal(b.Event.Added) {
		b.Event.Added = a.Event.Added
	}
	if a.Observation.Time.Equal(b.Observation.Time) {
		b.Observation.Time = a.Observation.Time
	}
	return reflect.DeepEqual(a, b)
}

// roundTrip writes rec as JSONL, reads it back and checks nothing changed.
func roundTrip(t *testing.T, ln textLine, rec *Record) {
	t.Helper()
	var buf bytes.Buffer
	if err := NewWriter(&buf).Write(rec); err != nil {
		t.Errorf("line %d: writing the record it gave: %v", ln.n, err)
		return
	}
	out := buf.Bytes()
	if bytes.IndexByte(out, '\n') != len(out)-1 {
		t.Errorf("line %d: the writer wrote %q, not one line", ln.n, out)
		return
	}
	var back Record
	err := DecodeJSON("roundtrip.jsonl", 1, out[:len(out)-1], &back)
	if field := wireRefuses(rec); field != "" {
		// A dataset's row the JSONL form does not allow: the reader must say so.
		le, ok := err.(*LineError)
		if !ok || !strings.Contains(le.Reason, fmt.Sprintf("field %q", field)) {
			t.Errorf("line %d: %q\n  written as %s  read back: %v; want an error about field %q", ln.n, ln.text, out, err, field)
		}
		return
	}
	if err != nil {
		t.Errorf("line %d: %q\n  written as %s  read back: %v", ln.n, ln.text, out, err)
		return
	}
	if !sameRecord(*rec, back) {
		t.Errorf("line %d: round trip through JSONL changed the record\n  read:  %+v\n  wrote: %s  back:  %+v", ln.n, *rec, out, back)
	}
}

// wireRefuses returns the field for which the JSONL reader must refuse a record
// a dataset reader accepted, or "". The JSONL form is held to the project's
// tables (a code of the CAMEO table, a quad that agrees with it, country codes
// of the country table), which the dataset readers do not impose on the
// datasets' own files. The order is the order in which fromWire checks.
func wireRefuses(rec *Record) string {
	if rec.Kind != KindEvent {
		return ""
	}
	e := &rec.Event
	code, ok := cameo.Lookup(e.Code)
	switch {
	case !ok:
		return "code"
	case e.Quad != code.Quad:
		return "quad"
	}
	for _, a := range [...]struct{ field, country string }{{"source.country", e.Source.Country}, {"target.country", e.Target.Country}} {
		if _, ok := cameo.CountryByCode(a.country); a.country != "" && !ok {
			return a.field
		}
	}
	if c := e.Location.Country; c != "" {
		if _, ok := cameo.CountryByFIPS(c); !ok && c != "OS" && c != "YI" {
			return "location.country"
		}
	}
	return ""
}

// sharedHead returns the first n lines of a file under ../shared/data, and
// false when that folder is not beside the project.
func sharedHead(rel string, n int) ([]byte, bool) {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "data", rel))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, maxLine)
	var out []byte
	for range n {
		line, err := br.ReadBytes('\n')
		out = append(out, line...)
		if err != nil {
			break
		}
	}
	return out, len(out) > 0
}

// gdelt1Row turns gdelt2Row's row into GDELT 1.0 layout: no ADM2Code columns
// and an 8-digit DATEADDED, with SOURCEURL (58 columns, daily files) or without
// (57, back files).
func gdelt1Row(id string, daily bool) string {
	f := strings.Split(gdelt2Row(id, map[int]string{59: "20250613"}), "\t")
	f = slices.Delete(f, 55, 56) // ActionGeo_ADM2Code
	f = slices.Delete(f, 47, 48) // Actor2Geo_ADM2Code
	f = slices.Delete(f, 39, 40) // Actor1Geo_ADM2Code
	if !daily {
		f = f[:57]
	}
	return strings.Join(f, "\t")
}

// malformedSeeds adds, for one valid line of a format, the damaged variants
// every reader must survive.
func malformedSeeds(f *testing.F, valid string) {
	for _, s := range []string{
		valid + "\n",
		valid, // no trailing newline
		valid + "\r\n" + valid + "\r\n",
		valid[:len(valid)/2] + "\n" + valid + "\n", // truncated
		valid + "\textra\n",
		strings.Replace(valid, "\t", "\t\xff\xfe", 3) + "\n",
		strings.Replace(valid, "\t", "\t\x00", 2) + "\n",
		"\n \t\n" + valid + "\n\n",
		strings.Repeat(valid+"\n", 3),
	} {
		f.Add([]byte(s))
	}
}

// icewsHeaderLine is the header of an ICEWS file.
var icewsHeaderLine = strings.Join(icewsHeader, "\t")

// icewsRow builds a valid ICEWS row, with columns changed by 0-based index.
func icewsRow(edits map[int]string) string {
	f := []string{"32889836", "2018-06-01", "Foreign Affairs (Bangladesh)", "Executive,Foreign Ministry,Government",
		"Bangladesh", "Consult", "040", "1", "High Ranking Military Personnel (Vietnam)", "Military,Government",
		"Vietnam", "47400351", "2", "Vietnam News Agency Bulletin", "Hanoi", "NA", "Thanh Pho Ha Noi", "Vietnam",
		"21.0245", "105.841"}
	for i, v := range edits {
		f[i] = v
	}
	return strings.Join(f, "\t")
}

// fuzzGDELTName and the others are the file names the targets give readers,
// which every line error must repeat.
const (
	fuzzGDELTName = "fuzz.export.CSV"
	fuzzICEWSName = "fuzz.tab"
	fuzzJSONLName = "fuzz.jsonl"
)

func FuzzGDELT(f *testing.F) {
	for _, row := range []string{
		gdelt2Row("1", nil),
		gdelt1Row("2", true),
		gdelt1Row("3", false),
	} {
		malformedSeeds(f, row)
	}
	for _, s := range []string{
		"",
		gdelt1Row("1", false) + "\n" + gdelt1Row("2", true) + "\n" + gdelt2Row("3", nil) + "\n",
		gdelt2Row("1", map[int]string{30: "minus ten"}),
		gdelt2Row("1", map[int]string{31: "-3", 34: "1e999"}),
		gdelt2Row("1", map[int]string{29: "", 30: "", 26: "1951"}),
		gdelt2Row("1", map[int]string{1: "20250230", 59: "2025061303"}),
		gdelt2Row("1", map[int]string{56: "135.0", 57: ""}),
		gdelt2Row("1", map[int]string{51: "0", 56: "", 57: ""}),
		gdelt2Row("1", map[int]string{26: "2a", 29: "5"}),
		"\x00\x01\x02binary\x00\n" + gdelt2Row("1", nil),
	} {
		f.Add([]byte(s))
	}
	for _, rel := range []string{"gdelt2/20191024143000.export.CSV", "gdelt1/reed9999_sample_events_20160728.tsv"} {
		if head, ok := sharedHead(rel, 5); ok {
			f.Add(head)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := splitInput(data)
		in, done := fuzzInput(data)
		defer done()
		answers, fatal := drain(t, newGDELTReader(fuzzGDELTName, in), len(data)+10)
		if fatal != nil {
			t.Fatalf("fatal error from an in-memory input: %v", fatal)
		}
		recs, from := checkAnswers(t, fuzzGDELTName, lines, answers)
		for i := range recs {
			rec, ln := &recs[i], from[i]
			checkEvent(t, ln, rec)
			cols := strings.Split(string(ln.text), "\t")
			e := &rec.Event
			dataset, url := "gdelt1", ""
			switch len(cols) {
			case 58:
				url = cols[57]
			case 61:
				dataset, url = "gdelt2", cols[60]
			}
			if e.Time.Format("20060102") != cols[1] || !e.Time.Equal(e.Time.Truncate(24*time.Hour)) {
				t.Errorf("line %d: SQLDATE %q read as %v, want 00:00 UTC of a date given as YYYYMMDD", ln.n, cols[1], e.Time)
			}
			if e.ID != cols[0] || e.Code != cols[26] ||
				e.Source.Code != cols[5] || e.Target.Code != cols[15] || e.URL != url || e.Dataset != dataset || !e.Public {
				t.Errorf("line %d: record %+v does not hold the row's id, code, actors, url and dataset", ln.n, *e)
			}
			roundTrip(t, ln, rec)
		}
	})
}

func FuzzICEWS(f *testing.F) {
	row := icewsRow(nil)
	malformedSeeds(f, row)
	malformedSeeds(f, icewsHeaderLine+"\n"+row)
	for _, s := range []string{
		"",
		icewsHeaderLine + "\n",
		icewsHeaderLine + "\tExtra\n" + row + "\n",
		icewsHeaderLine + "\r\n" + row + "\r\n" + row,
		icewsHeaderLine + "\n" + icewsRow(map[int]string{7: "NA", 18: "NA", 19: "NA", 4: "NA", 10: "Atlantis"}),
		icewsHeaderLine + "\n" + icewsRow(map[int]string{7: "-11", 1: "2018-02-30"}),
		icewsHeaderLine + "\n" + icewsRow(map[int]string{6: "20a", 18: "91"}),
		icewsHeaderLine + "\n" + icewsRow(map[int]string{18: "45", 19: "NA"}),
		icewsHeaderLine + "\n" + icewsHeaderLine + "\n" + row,
	} {
		f.Add([]byte(s))
	}
	if head, ok := sharedHead("icews/events.2018.sample.tab", 5); ok {
		f.Add(head)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := splitInput(data)
		// The first non-blank line (past any too long to read) is the header
		// when it starts like one; a header of the wrong width stops the file.
		var header *textLine
		for i, ln := range lines {
			if !ln.long {
				if bytes.HasPrefix(ln.text, []byte("Event ID\t")) {
					header = &lines[i]
					lines = slices.Delete(slices.Clone(lines), i, i+1)
				}
				break
			}
		}
		in, done := fuzzInput(data)
		defer done()
		answers, fatal := drain(t, newICEWSReader(fuzzICEWSName, in), len(data)+10)
		if fatal != nil {
			if header == nil || bytes.Count(header.text, []byte("\t"))+1 == icewsFields {
				t.Fatalf("fatal error from an in-memory input: %v", fatal)
			}
			if want := fmt.Sprintf("%s:%d: ", fuzzICEWSName, header.n); !strings.HasPrefix(fatal.Error(), want) {
				t.Fatalf("header error %q does not start %q", fatal, want)
			}
			return
		}
		if header != nil && bytes.Count(header.text, []byte("\t"))+1 != icewsFields {
			t.Fatalf("header of %d columns accepted", bytes.Count(header.text, []byte("\t"))+1)
		}
		recs, from := checkAnswers(t, fuzzICEWSName, lines, answers)
		for i := range recs {
			rec, ln := &recs[i], from[i]
			checkEvent(t, ln, rec)
			cols := strings.Split(string(ln.text), "\t")
			e := &rec.Event
			if e.Time.Format("2006-01-02") != cols[1] || !e.Time.Equal(e.Time.Truncate(24*time.Hour)) {
				t.Errorf("line %d: Event Date %q read as %v, want 00:00 UTC of that date", ln.n, cols[1], e.Time)
			}
			if e.ID != cols[0] || e.Code != cols[6] || e.Dataset != "icews" || !e.Public {
				t.Errorf("line %d: record %+v does not hold the row's id, code and dataset", ln.n, *e)
			}
			roundTrip(t, ln, rec)
		}
	})
}

// jsonlEvent and jsonlObservation are the records of EVENTS.md, as JSONL lines.
const (
	jsonlEvent = `{"kind":"event","id":"1234567","time":"2025-06-13T03:00:00Z",` +
		`"source":{"country":"ISR","type":"MIL","name":"ISRAELI MILITARY"},` +
		`"target":{"country":"IRN","type":"GOV","name":"IRAN"},` +
		`"code":"195","goldstein":-10,"quad":4,` +
		`"mentions":10,"sources":3,"articles":10,"tone":-5.2,` +
		`"location":{"country":"IR","lat":35.7,"lon":51.4,"name":"Tehran"},` +
		`"url":"https://...","dataset":"gdelt2","public":true}`
	jsonlObservation = `{"kind":"observation","time":"2026-01-05T00:00:00Z","indicator":"IRN.enrichment_pct","value":60,"source":"IAEA report"}`
)

func FuzzJSONL(f *testing.F) {
	event, obs := jsonlEvent, jsonlObservation
	malformedSeeds(f, event)
	malformedSeeds(f, obs)
	var written bytes.Buffer
	for _, row := range []string{gdelt2Row("1", nil), gdelt1Row("2", true)} {
		var rec Record
		if err := newGDELTReader("seed", strings.NewReader(row)).Next(&rec); err == nil {
			NewWriter(&written).Write(&rec)
		}
	}
	for _, s := range []string{
		"",
		written.String(),
		event + "\n" + obs + "\n",
		`{"time":"2025-06-13","code":"0841"}`,
		`{"time":"2026-01-05","indicator":"ISR->IRN.conflict","value":-0.5,"note":"estimate"}`,
		`{"kind":"event","time":"2025-06-13T05:00:00+02:00","added":"2025-06-13T03:00:00.123456789Z","code":"20","public":false,"note":"n"}`,
		`{"kind":"event","time":"2025-06-13","code":"195","goldstein":null,"quad":null,"source":null,"location":{}}`,
		`{"kind":"observation","time":"9999-12-31T18:59:59-05:00","indicator":"A.b","value":1e308}`,
		`{"kind":"event","time":"0000-01-01T00:00:00Z","added":"0001-01-02T00:00:00+23:00","code":"01"}`,
		event[:len(event)/2],
		event + event,
		event + " 1",
		`{"kind":"event","time":"2025-06-13","code":"1a"}`,
		`{"kind":"event","time":"2025-06-13","code":"195","goldstein":11,"quad":5}`,
		`{"kind":"event","time":"2025-06-13","code":"195","location":{"lat":1}}`,
		`{"kind":"event","time":"2025-06-13","code":"195","source":"ISR"}`,
		`{"kind":"event","time":"2025-06-13","code":"195","mentions":-1,"extra":1}`,
		`{"kind":"observation","time":"2026-01-05","indicator":"enrichment"}`,
		`{"kind":"observation","time":"13 June","indicator":"IRN.x","value":"60"}`,
		`{"kind":"note"}`,
		`{"kind":"observation","time":"2026-01-05","indicator":"IRN.x","value":1,"code":"195","quad":4}`,
		`{"time":"2025-06-13","code":"195","value":1}`,
		`{"time":"2025-06-13","code":"1999"}`,
		`{"time":"2025-06-13","code":"195","quad":1}`,
		`{"time":"2025-06-13","code":"195","source":{"country":"isr"},"target":{"country":"Iran"}}`,
		`{"time":"2025-06-13","code":"195","location":{"country":"IRN"}}`,
		`{"time":"2025-06-13","code":"195","location":{"country":"OS"}}`,
		`{"time":"2025-06-13","\u0063ode":"195","source":{"name":"a\"}{,\\","c\u006Funtry":"ISR"},"note":"\\"}`,
		`{"time":"2025-06-13","code":"195","note":[{"a":"}"},[]],"Url":1}`,
		"\ufeff" + event,
		`[1,2]`,
		`null`,
		"\r\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := splitInput(data)
		in, done := fuzzInput(data)
		defer done()
		answers, fatal := drain(t, newJSONLReader(fuzzJSONLName, in), len(data)+10)
		if fatal != nil {
			t.Fatalf("fatal error from an in-memory input: %v", fatal)
		}
		recs, from := checkAnswers(t, fuzzJSONLName, lines, answers)
		for _, ln := range lines {
			checkMembers(t, ln)
		}
		for i := range recs {
			rec, ln := &recs[i], from[i]
			if !json.Valid(ln.text) {
				t.Errorf("line %d: %q is not one JSON value, yet it gave a record", ln.n, ln.text)
			}
			switch rec.Kind {
			case KindEvent:
				checkEvent(t, ln, rec)
			case KindObservation:
				checkObservation(t, ln, rec)
			default:
				t.Errorf("line %d: record of kind %v", ln.n, rec.Kind)
			}
			roundTrip(t, ln, rec)
		}
	})
}

// checkMembers checks the key scanner against encoding/json's tokenizer: on a
// line that is one JSON object, members must yield the same keys, in order, at
// the top level and in each nested object. (encoding/json turns invalid UTF-8
// into U+FFFD where members keeps the bytes; such lines are refused before
// their keys are looked at.)
func checkMembers(t *testing.T, ln textLine) {
	t.Helper()
	if ln.long || !utf8.Valid(ln.text) || !json.Valid(ln.text) || bytes.TrimSpace(ln.text)[0] != '{' {
		return
	}
	var want []string
	dec := json.NewDecoder(bytes.NewReader(ln.text))
	type frame struct{ obj, key bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].obj && stack[top].key {
			if s, ok := tok.(string); ok {
				if top <= 1 {
					want = append(want, fmt.Sprint(top, s))
				}
				stack[top].key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, frame{obj: tok == json.Delim('{'), key: true})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
		}
		if n := len(stack); n > 0 {
			stack[n-1].key = true // a value ended: a key is next in an object
		}
	}
	var got []string
	for k, v := range members(ln.text) {
		got = append(got, fmt.Sprint(0, string(k)))
		if len(v) > 0 && v[0] == '{' {
			for k := range members(v) {
				got = append(got, fmt.Sprint(1, string(k)))
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("line %d: members found keys %q, encoding/json %q", ln.n, got, want)
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"",
		gdelt2Row("1", nil),
		gdelt1Row("1", true) + "\n",
		gdelt1Row("1", false) + "\r\n",
		"garbage\n" + gdelt2Row("1", nil),
		icewsHeaderLine + "\n" + icewsRow(nil),
		"event_id_cnty,event_date,year\n",
		"\"event_id_cnty\",\"event_date\"\n",
		"\n  {\"kind\":\"event\"}",
		"a,b,c",
		strings.Repeat("\n", 25) + "{}",
		"\x00\x01PK\x03\x04",
	} {
		f.Add([]byte(s), []byte("{}\n"))
	}
	for _, rel := range []string{"gdelt2/20191024143000.export.CSV", "gdelt1/reed9999_sample_events_20160728.tsv", "icews/events.2018.sample.tab"} {
		if head, ok := sharedHead(rel, 5); ok {
			f.Add(head, []byte(nil))
		}
	}
	f.Fuzz(func(t *testing.T, head, tail []byte) {
		orig := bytes.Clone(head)
		f1, ok1 := Detect(head)
		if !bytes.Equal(head, orig) {
			t.Fatalf("Detect changed its input")
		}
		if f2, ok2 := Detect(head); f2 != f1 || ok2 != ok1 {
			t.Fatalf("Detect(%q) gave %q %v, then %q %v", head, f1, ok1, f2, ok2)
		}
		if ok1 != (f1 != FormatAuto) || ok1 && !slices.Contains(Formats, f1) {
			t.Fatalf("Detect(%q) = %q %v", head, f1, ok1)
		}
		// Once decided on whole lines, more data after them changes nothing:
		// Open peeks at a prefix of the file.
		if ok1 && bytes.HasSuffix(head, []byte("\n")) {
			if f3, ok3 := Detect(append(bytes.Clone(head), tail...)); f3 != f1 || !ok3 {
				t.Fatalf("Detect(%q) = %q, but with %q after it %q %v", head, f1, tail, f3, ok3)
			}
		}
	})
}
