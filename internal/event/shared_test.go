package event

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData returns the path of a file under ../shared/data, skipping the test
// when that folder is not beside the project (a user's machine). It runs
// whenever the folder is present, as in CI.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/data not present (%v): the real-data checks run where it is", err)
	}
	return filepath.Join(dir, rel)
}

// rawLines returns a file's lines split at tabs, as the raw text to check
// parsed fields against.
func rawLines(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readAll reads every record of a file, failing on any rejection.
func readAll(t testing.TB, path string, format Format) ([]Record, []error) {
	t.Helper()
	f, err := Open(path, format)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []Record
	var bad []error
	for {
		var r Record
		err := f.Next(&r)
		if err != nil {
			if err.Error() == "EOF" {
				return recs, bad
			}
			if _, ok := err.(*LineError); !ok {
				t.Fatalf("%s: fatal error: %v", path, err)
			}
			bad = append(bad, err)
			continue
		}
		recs = append(recs, r)
	}
}
