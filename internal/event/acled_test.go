package event

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"backchannel/internal/cameo"
)

const acledSample = "testdata/acled/sample.csv"

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// acledSampleWant is what the rows of testdata/acled/sample.csv read as.
var acledSampleWant = []Event{
	{ID: "IRN31001", Time: day(2024, 1, 15),
		Source: Actor{Country: "IRN", Type: "OPP", Name: "Protesters (Iran)"},
		Code:   "141", Goldstein: -6.5, Quad: 3,
		Location: Location{Country: "IR", HasCoords: true, Lat: 35.6944, Lon: 51.4215, Name: "Tehran, Tehran, Iran"}},
	// An external force takes its country from its name, not from iso.
	{ID: "IRN31002", Time: day(2024, 4, 19),
		Source: Actor{Country: "ISR", Type: "MIL", Name: "Military Forces of Israel (2022-)"},
		Target: Actor{Country: "IRN", Type: "MIL", Name: "Military Forces of Iran (1989-)"},
		Code:   "195", Goldstein: -10, Quad: 4,
		Location: Location{Country: "IR", HasCoords: true, Lat: 32.6539, Lon: 51.666, Name: "Esfahan, Esfahan, Iran"}},
	// Text inter codes, a multi-line note, and the repressor made the source.
	{ID: "IRN31003", Time: day(2024, 2, 20),
		Source: Actor{Country: "IRN", Type: "COP", Name: "Police Forces of Iran (1989-)"},
		Target: Actor{Country: "IRN", Type: "OPP", Name: "Protesters (Iran)"},
		Code:   "175", Goldstein: -9, Quad: 4,
		Location: Location{Country: "IR", HasCoords: true, Lat: 35.3144, Lon: 46.9923, Name: "Sanandaj, Kordestan, Iran"}},
	// An old-style date.
	{ID: "ISR4004", Time: day(2023, 1, 15),
		Source: Actor{Country: "ISR", Type: "COP", Name: "Police Forces of Israel (2022-)"},
		Target: Actor{Country: "ISR", Type: "CVL", Name: "Civilians (Israel)"},
		Code:   "173", Goldstein: -5, Quad: 4,
		Location: Location{Country: "IS", HasCoords: true, Lat: 31.769, Lon: 35.2163, Name: "Jerusalem, Jerusalem, Israel"}},
	// iso 0: the country comes from its name; a UN mission has no country.
	{ID: "XKX505", Time: day(2023, 5, 29),
		Source: Actor{Country: "KSV", Type: "CVL", Name: "Rioters (Kosovo)"},
		Target: Actor{Type: "MIL", Name: "UN: United Nations Interim Administration Mission in Kosovo"},
		Code:   "145", Goldstein: -7.5, Quad: 3,
		Location: Location{Country: "KV", HasCoords: true, Lat: 42.9075, Lon: 20.8403, Name: "Zvecan, Mitrovica, Kosovo"}},
	{ID: "SDN36006", Time: day(2024, 12, 1),
		Source: Actor{Country: "SDN", Type: "REB", Name: "Rapid Support Forces"},
		Target: Actor{Country: "SDN", Type: "MIL", Name: "Military Forces of Sudan (2019-)"},
		Code:   "192", Goldstein: -9.5, Quad: 4,
		Location: Location{Country: "SU", HasCoords: true, Lat: 14.2, Lon: 24.6667, Name: "Kutum, North Darfur, Sudan"}},
	{ID: "IRN31007", Time: day(2024, 10, 26),
		Source: Actor{Country: "IRN", Type: "MIL", Name: "Military Forces of Iran (1989-)"},
		Code:   "010", Goldstein: 0, Quad: 1,
		Location: Location{Country: "IR", HasCoords: true, Lat: 35.6944, Lon: 51.4215, Name: "Tehran, Tehran, Iran"}},
}

func TestACLEDSample(t *testing.T) {
	f, err := os.Open(acledSample)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad := collect(t, newACLEDReader(acledSample, f))
	if len(bad) > 0 {
		t.Fatalf("valid rows rejected: %v", bad)
	}
	if len(recs) != len(acledSampleWant) {
		t.Fatalf("read %d records, want %d", len(recs), len(acledSampleWant))
	}
	for i, want := range acledSampleWant {
		want.Dataset, want.Public = "acled", true
		if recs[i].Kind != KindEvent {
			t.Errorf("%s: kind %v", want.ID, recs[i].Kind)
		}
		got := recs[i].Event
		g, w := reflect.ValueOf(got), reflect.ValueOf(want)
		for j := range g.NumField() {
			if !reflect.DeepEqual(g.Field(j).Interface(), w.Field(j).Interface()) {
				t.Errorf("%s: %s = %+v, want %+v", want.ID, g.Type().Field(j).Name, g.Field(j), w.Field(j))
			}
		}
	}
}

func TestACLEDOpenDetects(t *testing.T) {
	f, err := Open(acledSample, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Format != FormatACLED {
		t.Fatalf("detected %q, want %q", f.Format, FormatACLED)
	}
	recs, bad := collect(t, f)
	if len(recs) != len(acledSampleWant) || len(bad) != 0 {
		t.Fatalf("read %d records and %d errors, want %d and 0", len(recs), len(bad), len(acledSampleWant))
	}
}

// acledSampleRows returns the sample file's header and rows.
func acledSampleRows(t testing.TB) (header []string, rows [][]string) {
	t.Helper()
	b, err := os.ReadFile(acledSample)
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:]
}

func TestACLEDMalformedRows(t *testing.T) {
	header, rows := acledSampleRows(t)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	// row returns sample row 0 with an id and edits, as one CSV line without
	// quoting, so that bad bytes and quotes reach the reader as written.
	row := func(id string, edits map[string]string) string {
		f := append([]string(nil), rows[0]...)
		f[col["event_id_cnty"]] = id
		f[col["notes"]] = "A note without commas."
		for k, v := range edits {
			f[col[k]] = v
		}
		return strings.Join(f, ",")
	}
	multi := strings.Join(rows[2], ",") // the multi-line note, quoted by hand
	multi = strings.Replace(multi, rows[2][col["notes"]], `"`+strings.ReplaceAll(rows[2][col["notes"]], `"`, `""`)+`"`, 1)
	lines := []string{
		strings.Join(header, ","), // 1
		row("A1", nil),            // 2
		row("B3", nil)[:strings.LastIndex(row("B3", nil), ",")], // 3: 30 columns
		row("A2", nil), // 4
		row("B5", map[string]string{"event_date": "2024-02-30"}),  // 5
		row("B6", map[string]string{"event_type": "Parades"}),     // 6
		row("B7", map[string]string{"latitude": "35.6.9"}),        // 7
		row("B8", map[string]string{"actor1": "Protesters \xff"}), // 8
		row("B9", map[string]string{"actor1": `Protest"ers`}),     // 9
		row("A3", nil), // 10
		multi,          // 11-13
		row("B14", map[string]string{"iso": "IRN"}), // 14
		row("", nil), // 15
		row("B16", map[string]string{"longitude": "200"}),          // 16
		row("A4", map[string]string{"event_date": "3 March 2021"}), // 17
		row("A5", map[string]string{"sub_event_type": "Sit-in"}),   // 18: default code
	}
	text := strings.Join(lines, "\r\n") // CRLF, as exports from Windows have
	recs, bad := collect(t, newACLEDReader("bad.csv", strings.NewReader(text)))

	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Event.ID)
	}
	if want := []string{"A1", "A2", "A3", "IRN31003", "A4", "A5"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("read %v, want %v", ids, want)
	}
	if len(recs) == 6 && (recs[4].Event.Time != day(2021, 3, 3) || recs[5].Event.Code != "141") {
		t.Errorf("A4 time %v, A5 code %s", recs[4].Event.Time, recs[5].Event.Code)
	}
	// colOf is the byte column at which the field holding value starts.
	colOf := func(l, value string) int {
		i := strings.Index(l, ","+value)
		if i < 0 {
			t.Fatalf("%q not in %q", value, l)
		}
		return i + 2
	}
	for i, want := range []struct {
		line, column int
		reason       []string
	}{
		{3, 0, []string{"has 30 columns, want 31"}},
		{5, colOf(lines[4], "2024-02-30"), []string{"event_date (column 2)", "2024-02-30"}},
		{6, colOf(lines[5], "Parades"), []string{"event_type (column 6)", `"Parades"`, "Battles, Explosions/Remote violence"}},
		{7, colOf(lines[6], "35.6.9"), []string{"latitude (column 23)", "35.6.9"}},
		{8, colOf(lines[7], "Protesters \xff"), []string{"actor1 (column 8)", "UTF-8", "0xff", "byte 12"}},
		{9, colOf(lines[8], `Protest"ers`) + 7, []string{"bare \" in non-quoted-field"}},
		{14, colOf(lines[11], "IRN,"), []string{"iso (column 16)", `"IRN"`}},
		{15, 1, []string{"event_id_cnty (column 1)"}},
		{16, colOf(lines[13], "200,"), []string{"longitude (column 24)"}},
	} {
		if i >= len(bad) {
			t.Errorf("missing error for line %d", want.line)
			continue
		}
		got := bad[i]
		if got.File != "bad.csv" || got.Line != want.line || got.Column != want.column {
			t.Errorf("error %d at %s:%d:%d, want bad.csv:%d:%d (%v)", i, got.File, got.Line, got.Column, want.line, want.column, got)
		}
		for _, s := range want.reason {
			if !strings.Contains(got.Reason, s) {
				t.Errorf("line %d: reason %q lacks %q", want.line, got.Reason, s)
			}
		}
	}
	if len(bad) != 9 {
		t.Errorf("%d errors, want 9: %v", len(bad), bad)
	}
}

// TestACLEDHeaderByName reads the sample with its columns reversed, unused
// columns dropped and one added: the events must not change.
func TestACLEDHeaderByName(t *testing.T) {
	header, rows := acledSampleRows(t)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	reorder := func(r []string, extra string) []string {
		var out []string
		for i := len(r) - 1; i >= 0; i-- {
			if h := header[i]; h != "year" && h != "tags" && h != "timestamp" {
				out = append(out, r[i])
			}
		}
		return append(out, extra)
	}
	w.Write(reorder(header, "Extra_Column"))
	for _, r := range rows {
		w.Write(reorder(r, "x"))
	}
	w.Flush()
	text := "\ufeff" + buf.String() // and a byte-order mark, as Excel writes
	recs, bad := collect(t, newACLEDReader("reordered.csv", strings.NewReader(text)))
	if len(bad) > 0 || len(recs) != len(acledSampleWant) {
		t.Fatalf("read %d records, errors %v", len(recs), bad)
	}
	f, _ := os.Open(acledSample)
	defer f.Close()
	orig, _ := collect(t, newACLEDReader(acledSample, f))
	for i := range recs {
		if !reflect.DeepEqual(recs[i], orig[i]) {
			t.Errorf("row %d: %+v, want %+v", i, recs[i].Event, orig[i].Event)
		}
	}
}

func TestACLEDHeaderErrors(t *testing.T) {
	header, rows := acledSampleRows(t)
	for _, tc := range []struct {
		name, text string
		want       []string // in the error; nil: io.EOF
	}{
		{"empty", "", nil},
		{"blank", "\n\n", nil},
		{"header only", strings.Join(header, ",") + "\n", nil},
		{"no iso", strings.Replace(strings.Join(header, ","), ",iso,", ",isocode,", 1) + "\n" + strings.Join(rows[0], ","),
			[]string{"acled.csv:1:", "lacks the column(s) iso"}},
		{"not ACLED", "a,b,c\n1,2,3\n", []string{"event_id_cnty", "longitude"}},
		{"broken header", "event_id_cnty,event\"_date\n", []string{"bad ACLED header", "bare"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newACLEDReader("acled.csv", strings.NewReader(tc.text))
			var rec Record
			err := r.Next(&rec)
			if tc.want == nil {
				if err != io.EOF {
					t.Fatalf("Next = %v, want EOF", err)
				}
				return
			}
			var le *LineError
			if err == nil || errors.As(err, &le) || !errors.Is(err, errACLEDHeader) {
				t.Fatalf("Next = %#v, want a header error", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q lacks %q", err, s)
				}
			}
			if err2 := r.Next(&rec); err2 != err {
				t.Errorf("second Next = %v, want the same error", err2)
			}
		})
	}
}

func TestACLEDLookup(t *testing.T) {
	for _, tc := range []struct{ typ, sub, want string }{
		{"Battles", "Armed clash", "190"},
		{"Explosions/Remote violence", "Suicide bomb", "1831"},
		{"explosions/remote violence ", " air/drone strike", "195"},
		{"Violence against civilians", "Sexual violence", "1821"},
		{"Protests", "Excessive force against protesters", "175"},
		{"Strategic developments", "Looting/property destruction", "171"},
		{"Strategic developments", "Non-violent transfer of territory", "192"},
		{"Riots", "Sit-in", "145"}, // unknown sub-event type: the type's default
		{"Violence against civilians", "", "180"},
		{"Parades", "Armed clash", ""},
		{"", "", ""},
	} {
		got := ""
		if c := acledLookup(tc.typ, tc.sub); c != nil {
			got = c.code
		}
		if got != tc.want {
			t.Errorf("acledLookup(%q, %q) = %q, want %q", tc.typ, tc.sub, got, tc.want)
		}
	}
}

func TestACLEDActor(t *testing.T) {
	a := newACLEDReader("x", strings.NewReader("")).(*acledReader)
	for _, tc := range []struct {
		name, inter string
		want        Actor
	}{
		{"Military Forces of Iran (1989-)", "1", Actor{Country: "IRN", Type: "MIL"}},
		{"Police Forces of Iran (1989-) Prison Guards", "State forces", Actor{Country: "IRN", Type: "COP"}},
		{"Rebels (Iran)", "2", Actor{Country: "IRN", Type: "REB"}},
		{"Jaish al-Adl", "Political militia", Actor{Country: "IRN", Type: "UAF"}},
		{"Baloch Ethnic Militia (Iran)", "4", Actor{Country: "IRN", Type: "UAF"}},
		{"Rioters (Iran)", "RIOTERS", Actor{Country: "IRN", Type: "CVL"}},
		{"Protesters (Iran)", "6", Actor{Country: "IRN", Type: "OPP"}},
		{"Civilians (Iran)", "Civilians", Actor{Country: "IRN", Type: "CVL"}},
		{"Military Forces of Israel (2022-) Air Force", "8", Actor{Country: "ISR", Type: "MIL"}},
		{"Military Forces of the United States (2021-)", "External/Other forces", Actor{Country: "USA", Type: "MIL"}},
		{"Police Forces of Israel (2022-)", "8", Actor{Country: "ISR", Type: "COP"}},
		{"Military Forces of Atlantis", "8", Actor{Type: "MIL"}},
		{"Private Security Forces (Iran)", "8", Actor{Type: "MIL"}},
		{"Unidentified Armed Group (Iran)", "0", Actor{Country: "IRN"}},
		{"Somebody", "9", Actor{Country: "IRN"}},
		{"", "1", Actor{}},
	} {
		want := tc.want
		if tc.name != "" {
			want.Name = tc.name
		}
		if got := a.actor(tc.name, acledInter(tc.inter), "IRN"); got != want {
			t.Errorf("actor(%q, %q) = %+v, want %+v", tc.name, tc.inter, got, want)
		}
	}
}

// TestACLEDUnclosedQuote checks that a quote never closed costs one bounded
// skip, not the rest of the file held in memory as one field.
func TestACLEDUnclosedQuote(t *testing.T) {
	header, rows := acledSampleRows(t)
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(header)
	w.Write(rows[0])
	w.Flush()
	b.WriteString(`IRN1,2024-01-15,"runaway` + "\n")
	for i := range 200 {
		r := append([]string(nil), rows[0]...)
		r[0] = fmt.Sprint("R", i)
		r[27] = "A quiet day." // notes: no quote to close the runaway field
		w.Write(r)
	}
	w.Flush()
	ar := newACLEDReader("runaway.csv", iotest.OneByteReader(strings.NewReader(b.String()))).(*acledReader)
	ar.guard.limit = 4000 // a few rows, where the real limit is 1 MiB
	recs, bad := collect(t, ar)
	if len(recs) < 150 || recs[len(recs)-1].Event.ID != "R199" {
		t.Errorf("read %d records, the last %+v", len(recs), recs[len(recs)-1].Event.ID)
	}
	if len(bad) == 0 || bad[0].Line != 3 || !strings.Contains(bad[0].Reason, "longer than") {
		t.Errorf("errors %v, want first a long record at line 3", bad)
	}
}

// TestACLEDTableInDoc checks that docs/acled.md shows every row of the
// mapping table as the code has it, and no row the code lacks.
func TestACLEDTableInDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/acled.md")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ typ, sub, code, source string }
	inDoc := map[row]string{} // row -> its label
	for line := range strings.SplitSeq(string(doc), "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 5 || acledLookup(cells[0], "") == nil {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		inDoc[row{cells[0], cells[1], cells[2], cells[4]}] = cells[3]
	}
	squash := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
	for _, c := range acledCodes {
		r := row{c.eventType, c.subEventType, c.code, "actor1"}
		if r.sub == "" {
			r.sub = "*(any other)*"
		}
		if c.protestersTarget {
			r.source = "the non-protester"
		}
		label, ok := inDoc[r]
		if !ok {
			t.Errorf("docs/acled.md lacks the row | %s | %s | %s | ... | %s |", r.typ, r.sub, r.code, r.source)
			continue
		}
		delete(inDoc, r)
		if cc, ok := cameo.Lookup(c.code); !ok {
			t.Errorf("%s / %s: code %s is not in the CAMEO table", c.eventType, c.subEventType, c.code)
		} else if squash(cc.Label) != squash(label) {
			t.Errorf("docs/acled.md labels %s %q, the CAMEO table %q", c.code, label, cc.Label)
		}
	}
	for r := range inDoc {
		t.Errorf("docs/acled.md has a row the code lacks: %+v", r)
	}
}

// FuzzACLED feeds the reader arbitrary text: it must not panic, must reach
// the end, and may report only line errors and header errors.
func FuzzACLED(f *testing.F) {
	sample, err := os.ReadFile(acledSample)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	lines := strings.SplitAfter(string(sample), "\n")
	for _, l := range lines[1:] {
		f.Add(lines[0] + l)
	}
	f.Add(lines[0] + "IRN1,15 January 2024,\"x\n")
	f.Add(lines[0] + "IRN1,2024-01-15,a\"b,\"c\"d\n" + lines[1])
	f.Add(lines[0] + strings.Replace(lines[1], "Tehran", "Teh\xffran", 1))
	f.Add("\ufeff" + strings.ToUpper(lines[0]) + lines[2])
	f.Add("event_id_cnty,event_date\n")
	f.Fuzz(func(t *testing.T, text string) {
		r := newACLEDReader("fuzz.csv", strings.NewReader(text))
		// Each call consumes at least a byte, so this bounds a reader that works.
		for range len(text) + 2 {
			var rec Record
			err := r.Next(&rec)
			var le *LineError
			switch {
			case err == io.EOF:
				if err := r.Next(&rec); err != io.EOF {
					t.Fatalf("Next after EOF = %v", err)
				}
				return
			case errors.Is(err, errACLEDHeader):
				return
			case errors.As(err, &le):
				if le.Line < 1 || le.File != "fuzz.csv" {
					t.Fatalf("bad LineError %+v", le)
				}
			case err != nil:
				t.Fatalf("unexpected error %T: %v", err, err)
			default:
				e := &rec.Event
				if rec.Kind != KindEvent || e.ID == "" || e.Time.IsZero() || !cameo.ValidSyntax(e.Code) ||
					e.Quad < 1 || e.Quad > 4 || e.Dataset != "acled" || (e.Location.HasCoords && (e.Location.Lat < -90 || e.Location.Lat > 90)) {
					t.Fatalf("bad record %+v", rec)
				}
			}
		}
		t.Fatalf("no end after %d calls", len(text)+2)
	})
}
