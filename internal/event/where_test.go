package event

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"
)

// TestWhere checks that File.Where names the line each record begins on, in
// every format, blank lines and a zip member included.
func TestWhere(t *testing.T) {
	dir := t.TempDir()
	jsonl := "\n" +
		`{"kind":"observation","time":"2026-01-05T00:00:00Z","indicator":"IRN.enrichment_pct","value":60}` + "\n\n" +
		`{"kind":"observation","time":"2026-01-06T00:00:00Z","indicator":"IRN.enrichment_pct","value":61}` + "\n"
	plain := filepath.Join(dir, "obs.jsonl")
	if err := os.WriteFile(plain, []byte(jsonl), 0o644); err != nil {
		t.Fatal(err)
	}
	zipped := filepath.Join(dir, "obs.zip")
	zf, err := os.Create(zipped)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("inner.jsonl")
	w.Write([]byte(jsonl))
	zw.Close()
	zf.Close()
	acled := filepath.Join("testdata", "acled", "sample.csv")

	for _, tc := range []struct {
		path      string
		wantFile  string
		wantLines []int
	}{
		{plain, plain, []int{2, 4}},
		{zipped, zipped + "!inner.jsonl", []int{2, 4}},
		{acled, acled, nil},
	} {
		f, err := Open(tc.path, FormatAuto)
		if err != nil {
			t.Fatal(err)
		}
		if _, line := f.Where(); line != 0 {
			t.Errorf("%s: Where before the first record = line %d, want 0", tc.path, line)
		}
		var rec Record
		var lines []int
		for f.Next(&rec) == nil {
			file, line := f.Where()
			if file != tc.wantFile {
				t.Errorf("%s: Where file = %q, want %q", tc.path, file, tc.wantFile)
			}
			lines = append(lines, line)
		}
		f.Close()
		if tc.wantLines == nil {
			// ACLED: records start after the header, in increasing order.
			for i, l := range lines {
				if l < 2 || i > 0 && l <= lines[i-1] {
					t.Errorf("%s: record %d starts at line %d after %v", tc.path, i, l, lines[:i])
				}
			}
			if len(lines) == 0 {
				t.Errorf("%s: no records", tc.path)
			}
			continue
		}
		if len(lines) != len(tc.wantLines) || lines[0] != tc.wantLines[0] || lines[1] != tc.wantLines[1] {
			t.Errorf("%s: record lines %v, want %v", tc.path, lines, tc.wantLines)
		}
	}
}
