package event

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gdelt2Row builds a valid 61-column GDELT 2.0 row and lets a test change
// columns by their 0-based index.
func gdelt2Row(id string, edits map[int]string) string {
	f := make([]string, 61)
	f[0], f[1], f[2], f[3], f[4] = id, "20250613", "202506", "2025", "2025.4466"
	f[5], f[6], f[7], f[12] = "ISRMIL", "ISRAELI MILITARY", "ISR", "MIL"
	f[15], f[16], f[17], f[22] = "IRNGOV", "IRAN", "IRN", "GOV"
	f[25], f[26], f[27], f[28], f[29], f[30] = "1", "195", "195", "19", "4", "-10.0"
	f[31], f[32], f[33], f[34] = "10", "3", "10", "-5.2"
	f[51], f[52], f[53], f[54], f[56], f[57], f[58] = "4", "Tehran, Tehran, Iran", "IR", "IR26", "35.75", "51.5148", "-3071373"
	f[59], f[60] = "20250613030000", "https://example.org/a"
	for i, v := range edits {
		f[i] = v
	}
	return strings.Join(f, "\t")
}

// collect reads everything from r, sorting results into records and line errors.
func collect(t testing.TB, r Reader) (recs []Record, bad []*LineError) {
	t.Helper()
	for i := 0; i < 1e6; i++ {
		var rec Record
		err := r.Next(&rec)
		var le *LineError
		switch {
		case err == nil:
			recs = append(recs, rec)
		case errors.Is(err, io.EOF):
			return recs, bad
		case errors.As(err, &le):
			bad = append(bad, le)
		default:
			t.Fatalf("fatal error: %v", err)
		}
	}
	t.Fatal("reader did not stop")
	return
}

func TestGDELTMalformedLines(t *testing.T) {
	lines := []string{
		gdelt2Row("1", nil),
		gdelt2Row("2", nil)[:60],                          // truncated row
		gdelt2Row("3", nil) + "\textra",                   // wrong column count
		gdelt2Row("4", map[int]string{30: "minus ten"}),   // bad number
		gdelt2Row("5", map[int]string{1: "20250230"}),     // no such date
		gdelt2Row("6", map[int]string{6: "IRAN\xff\xfe"}), // invalid UTF-8
		gdelt2Row("7", map[int]string{26: "2a"}),          // bad code
		gdelt2Row("8", map[int]string{29: "5"}),           // bad quad
		gdelt2Row("9", map[int]string{56: "135.0"}),       // latitude out of range
		"", // blank line: no record, no report
		gdelt2Row("10", map[int]string{59: "2025061303"}), // bad DATEADDED
		"\x00\x01\x02binary\x00",
		gdelt2Row("11", nil),
	}
	recs, bad := collect(t, newGDELTReader("x.CSV", strings.NewReader(strings.Join(lines, "\n"))))
	if len(recs) != 2 || recs[0].Event.ID != "1" || recs[1].Event.ID != "11" {
		t.Fatalf("valid rows: got %d records %v", len(recs), recs)
	}
	want := []struct {
		line   int
		reason string
	}{
		{2, "has 8 tab-separated columns"},
		{3, "has 62 tab-separated columns"},
		{4, "GoldsteinScale (column 31)"},
		{5, "SQLDATE (column 2)"},
		{6, "invalid UTF-8"},
		{7, "EventCode (column 27)"},
		{8, "QuadClass (column 30)"},
		{9, "ActionGeo_Lat (column 57)"},
		{11, "DATEADDED (column 60)"},
		{12, "binary data"},
	}
	if len(bad) != len(want) {
		t.Fatalf("got %d line errors, want %d: %v", len(bad), len(want), bad)
	}
	for i, w := range want {
		if bad[i].Line != w.line || !strings.Contains(bad[i].Reason, w.reason) || bad[i].File != "x.CSV" {
			t.Errorf("error %d = %v, want line %d with %q", i, bad[i], w.line, w.reason)
		}
	}
	// The column of a field error points at the field's first byte.
	if c := bad[2].Column; c != strings.Index(lines[3], "minus ten")+1 {
		t.Errorf("GoldsteinScale error column %d, want %d", c, strings.Index(lines[3], "minus ten")+1)
	}
}

func TestGDELTMissingValuesFromTable(t *testing.T) {
	recs, bad := collect(t, newGDELTReader("x", strings.NewReader(gdelt2Row("1", map[int]string{29: "", 30: "", 26: "1951"}))))
	if len(bad) != 0 || len(recs) != 1 {
		t.Fatal(bad)
	}
	if e := recs[0].Event; e.Goldstein != -10 || e.Quad != 4 {
		t.Errorf("missing Goldstein/quad of extension code 1951: got %v %v, want root 19's -10, 4", e.Goldstein, e.Quad)
	}
}

func TestLongLineSkipped(t *testing.T) {
	in := gdelt2Row("1", nil) + "\n" + strings.Repeat("x", maxLine+10) + "\n" + gdelt2Row("2", nil) + "\n"
	recs, bad := collect(t, newGDELTReader("x", strings.NewReader(in)))
	if len(recs) != 2 || len(bad) != 1 || bad[0].Line != 2 || !strings.Contains(bad[0].Reason, "longer than") {
		t.Fatalf("recs %d bad %v", len(recs), bad)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := Open(filepath.Join(dir, "missing.CSV"), FormatAuto); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(write("bad.zip", []byte("PK\x03\x04 not really a zip")), FormatAuto); err == nil || !strings.Contains(err.Error(), "unreadable zip") {
		t.Errorf("bad zip: %v", err)
	}
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	if _, err := Open(write("blob.bin", bin), FormatAuto); !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "binary") {
		t.Errorf("binary file: %v", err)
	}
	if _, err := Open(write("odd.txt", []byte("a\tb\tc\n")), FormatAuto); !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "3 tab-separated columns") {
		t.Errorf("unknown text: %v", err)
	}
	if _, err := Open(dir, FormatAuto); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
	// An empty file is no error: it has no records.
	f, err := Open(write("empty.CSV", nil), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if recs, bad := collect(t, f); len(recs)+len(bad) != 0 {
		t.Errorf("empty file gave %v %v", recs, bad)
	}
	f.Close()
	// A binary file read with an explicit format is reported line by line.
	f, err = Open(write("blob2.bin", append(bin, []byte("\n"+gdelt2Row("7", nil)+"\n")...)), FormatGDELT2)
	if err != nil {
		t.Fatal(err)
	}
	recs, bad := collect(t, f)
	if len(recs) != 1 || len(bad) == 0 {
		t.Errorf("binary with --format: %d records, %d errors", len(recs), len(bad))
	}
	f.Close()
}

func TestOpenZip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range []struct{ name, body string }{
		{"20250613030000.export.CSV", gdelt2Row("1", nil) + "\n" + gdelt2Row("2", nil) + "\n"},
		{"more.jsonl", `{"kind":"observation","time":"2025-06-14","indicator":"IRN.enrichment_pct","value":60}` + "\nnot json\n"},
	} {
		w, err := zw.Create(m.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, m.body)
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "x.export.CSV.zip")
	os.WriteFile(p, buf.Bytes(), 0o600)
	f, err := Open(p, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Format != FormatGDELT2 {
		t.Errorf("format %q", f.Format)
	}
	recs, bad := collect(t, f)
	if len(recs) != 3 || recs[2].Kind != KindObservation {
		t.Fatalf("records %v", recs)
	}
	if len(bad) != 1 || bad[0].File != p+"!more.jsonl" || bad[0].Line != 2 {
		t.Fatalf("errors %v", bad)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		head string
		want Format
		ok   bool
	}{
		{gdelt2Row("1", nil), FormatGDELT2, true},
		{strings.Repeat("x\t", 56) + "x", FormatGDELT1, true},
		{strings.Repeat("x\t", 57) + "x", FormatGDELT1, true},
		{"Event ID\tEvent Date\tSource Name", FormatICEWS, true},
		{"event_id_cnty,event_date,year", FormatACLED, true},
		{"\n  {\"kind\":\"event\"}", FormatJSONL, true},
		{"garbage\n" + gdelt2Row("1", nil), FormatGDELT2, true},
		{"a,b,c", "", false},
		{"", "", false},
	} {
		f, ok := Detect([]byte(tc.head))
		if f != tc.want || ok != tc.ok {
			t.Errorf("Detect(%.30q) = %q %v, want %q %v", tc.head, f, ok, tc.want, tc.ok)
		}
	}
	if _, err := ParseFormat("csv"); err == nil || !strings.Contains(err.Error(), "gdelt2") {
		t.Errorf("ParseFormat(csv) = %v", err)
	}
}
