package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes pins the exact exit status of each kind of outcome, which the
// scripts cannot: their "! exec" accepts any failure. 0 success, 1 failure
// (the input could not be used), 2 usage (the command line is wrong).
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sc := filepath.Join("..", "..", "scenarios", "israel-iran-2026", "scenario.yaml")
	good := write("good.jsonl", `{"kind":"event","time":"2025-06-13","source":{"country":"ISR"},"target":{"country":"IRN"},"code":"195"}`+"\n")
	missing := filepath.Join(dir, "missing.CSV")
	binary := write("blob.bin", "\x00\x01\x02\x03binary\x00\x05")
	odd := write("odd.txt", "a\tb\tc\n")
	zip := write("broken.zip", "PK\x03\x04 truncated")
	empty := write("empty.jsonl", "")
	broken := write("broken.yaml", "name: x\nstart: someday\n")
	for _, tc := range []struct {
		code int
		args string
	}{
		{0, "--help"},
		{0, "help events stats"},
		{0, "help events"},
		{0, "events --help"},
		{0, "version"},
		{0, "events stats " + sc},
		{0, "events stats " + empty},
		{0, "indicators " + sc + " --step 30d"},
		{0, "check " + sc},
		{0, "check " + sc + " --json --events " + good},
		{0, "assurances lint " + sc},
		{0, "help assurances lint"},

		{1, "events stats " + missing},
		{1, "events stats " + binary},
		{1, "events stats " + odd},
		{1, "events stats " + zip},
		{1, "events convert " + good + " -o " + filepath.Join(dir, "nodir", "x.jsonl")},
		{1, "indicators " + filepath.Join(dir, "missing.yaml")},
		{1, "indicators " + broken},
		{1, "indicators " + empty},
		{1, "check " + filepath.Join(dir, "missing.yaml")},
		{1, "check " + broken},
		{1, "check " + sc + " --events " + missing},
		{1, "assurances lint " + broken},
		{1, "assurances lint " + filepath.Join(dir, "missing.yaml")},

		{2, ""},
		{2, "frobnicate"},
		{2, "events"},
		{2, "help nothing"},
		{2, "version extra"},
		{2, "events stats"},
		{2, "events stats --bogus " + good},
		{2, "events stats " + good + " --format csv"},
		{2, "events convert"},
		{2, "events filter " + good + " --quad 5"},
		{2, "events filter " + good + " --dyad ISR"},
		{2, "events filter " + good + " --from yesterday"},
		{2, "events filter " + good + " --from 2025-07-01 --to 2025-06-01"},
		{2, "events filter " + good + " --code 2x"},
		{2, "events filter " + good + " --kind rumour"},
		{2, "indicators"},
		{2, "indicators " + sc + " --json --csv"},
		{2, "indicators " + sc + " --dyad ISR,IRN --actor IRN"},
		{2, "indicators " + sc + " --window 0d"},
		{2, "indicators " + sc + " --step 1e-20d"},
		{2, "indicators " + sc + " --dyad ISR,ISR"},
		{2, "indicators " + sc + " --from 2026-01-01 --to 2025-01-01"},
		{2, "indicators " + sc + " --from 2027-01-01"},
		{2, "indicators " + sc + " --plot out.gif"},
		{2, "indicators " + sc + " " + sc},
		{2, "check"},
		{2, "check " + good},
		{2, "check " + sc + " " + sc},
		{2, "check " + sc + " --format nope"},
		{2, "check " + sc + " --window 0"},
		{2, "check " + sc + " --bogus"},
		{2, "assurances"},
		{2, "assurances lint"},
		{2, "assurances lint --bogus " + sc},
	} {
		var out, errb bytes.Buffer
		got := run(strings.Fields(tc.args), strings.NewReader(""), &out, &errb)
		if got != tc.code {
			t.Errorf("backchannel %s: exit %d, want %d\nstderr: %s", tc.args, got, tc.code, errb.String())
		}
		if got != 0 && errb.Len() == 0 {
			t.Errorf("backchannel %s: exit %d with nothing on stderr", tc.args, got)
		}
	}
}
