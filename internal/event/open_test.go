package event

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// zipOf returns a zip archive holding the members, name and content in turn.
func zipOf(t testing.TB, members ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(members); i += 2 {
		w, err := zw.Create(members[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, members[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTemp writes data to a file named name in a new temporary folder.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// openSamples are small valid inputs of each format.
func openSamples(t testing.TB) []struct {
	format Format
	text   string
} {
	acled, err := os.ReadFile(acledSample)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		format Format
		text   string
	}{
		{FormatGDELT2, gdelt2Row("1", nil) + "\n" + gdelt2Row("2", nil) + "\n"},
		{FormatGDELT1, gdelt1Row("1", true) + "\n" + gdelt1Row("2", false) + "\n"},
		{FormatICEWS, icewsHeaderLine + "\n" + icewsRow(nil) + "\n"},
		{FormatACLED, string(acled)},
		{FormatJSONL, jsonlEvent + "\n" + jsonlObservation + "\n"},
	}
}

// TestOpenByteOrderMark reads each format with a UTF-8 byte-order mark in
// front, as Excel and Notepad write files: the mark must change nothing, in a
// plain file or in a zip member, detected or with the format given.
func TestOpenByteOrderMark(t *testing.T) {
	for _, s := range openSamples(t) {
		t.Run(string(s.format), func(t *testing.T) {
			want, bad := collectFile(t, writeTemp(t, "plain", []byte(s.text)), FormatAuto, s.format)
			if len(bad) > 0 || len(want) == 0 {
				t.Fatalf("without a BOM: %d records, errors %v", len(want), bad)
			}
			withBOM := "\ufeff" + s.text
			for _, c := range []struct {
				name   string
				data   []byte
				format Format
			}{
				{"detected", []byte(withBOM), FormatAuto},
				{"given", []byte(withBOM), s.format},
				{"zip member", zipOf(t, "data", withBOM), FormatAuto},
			} {
				got, bad := collectFile(t, writeTemp(t, "bom", c.data), c.format, s.format)
				if len(bad) > 0 || !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %d records (want %d), errors %v", c.name, len(got), len(want), bad)
				}
			}
		})
	}
	// A file that is nothing but the mark is empty.
	if recs, bad := collectFile(t, writeTemp(t, "bom", []byte("\ufeff")), FormatAuto, FormatJSONL); len(recs)+len(bad) > 0 {
		t.Errorf("BOM alone: %v %v", recs, bad)
	}
}

// collectFile opens path, checks the format Open reports and reads it all.
func collectFile(t *testing.T, path string, format, want Format) ([]Record, []*LineError) {
	t.Helper()
	f, err := Open(path, format)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Format != want {
		t.Errorf("%s: format %q, want %q", path, f.Format, want)
	}
	return collect(t, f)
}

// TestOpenZipSkipsBadMembers checks that a member that cannot be read is
// reported, as line 0 of the member, and that the others are still read.
func TestOpenZipSkipsBadMembers(t *testing.T) {
	blob := string(bytes.Repeat([]byte{0, 1, 2, 0xff}, 100))
	p := writeTemp(t, "archive.zip", zipOf(t,
		"README.txt", "GDELT export of 13 June 2025.\nSee the codebook.\n",
		"a.export.CSV", gdelt2Row("1", nil)+"\n"+gdelt2Row("2", nil)+"\n",
		"notes.txt", "nothing here",
		"logo.png", blob,
		"bad.tab", "Event ID\tEvent Date\tSource Name\n"+icewsRow(nil)+"\n",
		"b.jsonl", jsonlObservation+"\nnot json\n",
		"empty.jsonl", "",
	))
	f, err := Open(p, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Format != FormatGDELT2 {
		t.Errorf("format %q, want the first readable member's, gdelt2", f.Format)
	}
	recs, bad := collect(t, f)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Event.ID+r.Observation.Indicator)
	}
	if want := []string{"1", "2", "IRN.enrichment_pct"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("records %q, want %q", ids, want)
	}
	for i, want := range []struct {
		member string
		line   int
		reason string
	}{
		{"README.txt", 0, "unknown format; member skipped: the first line has 1 tab-separated columns"},
		{"notes.txt", 0, "unknown format; member skipped"},
		{"logo.png", 0, "unknown format; member skipped: binary content"},
		{"bad.tab", 1, "ICEWS header has 3 columns, want 20"},
		{"b.jsonl", 2, "want a JSON object"},
	} {
		if i >= len(bad) {
			t.Errorf("no error for %s", want.member)
			continue
		}
		e := bad[i]
		if e.File != p+"!"+want.member || e.Line != want.line || !strings.Contains(e.Reason, want.reason) {
			t.Errorf("error %d = %s:%d %q, want %s!%s:%d %q", i, e.File, e.Line, e.Reason, p, want.member, want.line, want.reason)
		}
	}
	if len(bad) != 5 {
		t.Errorf("%d errors, want 5: %v", len(bad), bad)
	}
	if len(bad) > 0 {
		if got, want := bad[0].Error(), p+"!README.txt: unknown format; member skipped"; !strings.HasPrefix(got, want) {
			t.Errorf("error text %q, want it to start %q", got, want)
		}
	}
	if len(bad) > 3 && !strings.HasSuffix(bad[3].Reason, "; rest of the member skipped") {
		t.Errorf("header error %q does not say the member was skipped", bad[3].Reason)
	}

	// An archive with nothing readable fails to open, as a plain file of
	// no known format does.
	p = writeTemp(t, "docs.zip", zipOf(t, "README.txt", "just text\n", "logo.png", blob))
	_, err = Open(p, FormatAuto)
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), p+": no member") || !strings.Contains(err.Error(), "README.txt") {
		t.Errorf("archive of nothing readable: %v", err)
	}
}

// FuzzOpen holds Open and the File it returns to their contracts on any file,
// plain and as the one member of a zip archive: no panic, an end, an Open
// error that names the path, and from Next only records, io.EOF, *LineErrors
// naming the file or one of its members, or a fatal error naming the file.
func FuzzOpen(f *testing.F) {
	for _, s := range openSamples(f) {
		f.Add([]byte(s.text))
		f.Add([]byte("\ufeff" + s.text))
	}
	for _, s := range []string{
		"",
		"\ufeff",
		"\x00\x01\x02binary\x00\n" + gdelt2Row("1", nil),
		"PK\x03\x04 not really a zip",
		"Event ID\tEvent Date\n" + icewsRow(nil),
		"event_id_cnty,event_date\n1,2\n",
		`{"kind":"observation","time":"2026-01-05","indicator":"IRN.x","value":1,"code":"195"}`,
		"a\tb\tc\n",
		string(zipOf(f, "README.txt", "read me\n", "a.export.CSV", gdelt2Row("1", nil)+"\n", "b.jsonl", "\ufeff"+jsonlEvent)),
		string(zipOf(f, "README.txt", "read me\n")),
		string(zipOf(f)),
	} {
		f.Add([]byte(s))
	}
	for _, rel := range []string{"gdelt2/20191024143000.export.CSV", "icews/events.2018.sample.tab"} {
		if head, ok := sharedHead(rel, 3); ok {
			f.Add(head)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "input")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkOpen(t, path, len(data))
		if !bytes.HasPrefix(data, []byte("PK")) {
			path = filepath.Join(dir, "input.zip")
			if err := os.WriteFile(path, zipOf(t, "member", string(data)), 0o600); err != nil {
				t.Fatal(err)
			}
			checkOpen(t, path, len(data))
		}
	})
}

// checkOpen opens path and reads it to the end, checking the contracts of
// Open and Next. size bounds the number of answers.
func checkOpen(t *testing.T, path string, size int) {
	t.Helper()
	f, err := Open(path, FormatAuto)
	if err != nil {
		if !strings.Contains(err.Error(), path) {
			t.Fatalf("Open error %q does not name %s", err, path)
		}
		return
	}
	defer f.Close()
	if f.Name != path || f.Format == FormatAuto {
		t.Fatalf("Open gave name %q, format %q", f.Name, f.Format)
	}
	for range size + 10 {
		var rec Record
		err := f.Next(&rec)
		switch e := err.(type) {
		case nil:
			ln := textLine{}
			switch rec.Kind {
			case KindEvent:
				checkEvent(t, ln, &rec)
			case KindObservation:
				checkObservation(t, ln, &rec)
			default:
				t.Fatalf("record of kind %v", rec.Kind)
			}
			roundTrip(t, ln, &rec)
		case *LineError:
			if e.File != path && !strings.HasPrefix(e.File, path+"!") || e.Line < 0 || e.Reason == "" {
				t.Fatalf("line error %+v for %s", e, path)
			}
		default:
			if err == io.EOF {
				if err := f.Next(&rec); err != io.EOF {
					t.Fatalf("Next after io.EOF = %v", err)
				}
				return
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name %s", err, path)
			}
			return
		}
	}
	t.Fatalf("%s: no end after %d calls of Next", path, size+10)
}
