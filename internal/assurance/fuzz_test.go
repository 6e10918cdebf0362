package assurance

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
	"backchannel/internal/yamldoc"
)

// bundledScenario is the scenario shipped with the project. Fuzz inputs are
// parsed as if they were this file, so that the event files it names exist.
const bundledScenario = "../../scenarios/israel-iran-2026/scenario.yaml"

// FuzzCompile checks that Compile survives any scenario that parses, and
// keeps its promise: a Set that runs, or a yamldoc.ErrorList of errors each
// placed at a line of the file, in file order.
func FuzzCompile(f *testing.F) {
	data, err := os.ReadFile(bundledScenario)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	good := fmt.Sprintf(base, "2026-01-01", "")
	f.Add([]byte(good))
	f.Add([]byte(fmt.Sprintf(base, "2026-02-01", "    withdrawn: 2026-03-01\n    until: 2026-04-01")))
	for _, broken := range [][2]string{
		{`'ind["IRN.enrichment_pct"] >= 90.0'`, `'ind["IRN.enrichment_pct"] >= '`},
		{`'ind["IRN.enrichment_pct"] >= 90.0'`, `'ind["IRN.nope"] >= 90.0'`},
		{`'ind["IRN.enrichment_pct"] >= 90.0'`, `'ind[e.code] >= 90.0'`},
		{`'ind["IRN.enrichment_pct"] >= 90.0'`, "|\n      ind[\"IRN.enrichment_pct\"] >=\n      == 90.0"},
		{`e.code == "1385"'`, `e.code + 1'`},
		{`{redline: irn-threat}`, `{redline: nope}`},
		{`{redline: irn-threat}`, `{cel: "e.goldstein"}`},
		{`{redline: irn-threat}`, `{}`},
		{`roots: ["18", "19", "20"]}]`, `roots: ["18", "99"], quad: [5]}]`},
		{`reciprocal: isr`, `reciprocal: irn`},
		{`from: %s`, `from: 2026-01-01\n    until: 2025-01-01`},
		{"  - id: irn\n", "  - id: isr\n"},
		{"assurances:", "assurances: &a\n  - {id: x, issuer: ISR, beneficiary: IRN, refrain: *a}\nnothing:"},
	} {
		f.Add([]byte(strings.Replace(good, broken[0], broken[1], 1)))
	}
	for _, c := range loadErrorCases {
		f.Add([]byte(c.yaml))
	}
	f.Add([]byte(text(
		"start: 2026-01-01",
		"indicators: {IRN.enrichment_pct: 60}",
		"assurances: [{id: a, issuer: ISR, beneficiary: IRN, refrain: {cel: 'now > timestamp(\"2026-02-01T00:00:00Z\")'}}]",
		"redlines: [{id: r, owner: ISR, against: IRN, when: 'e.kind == \"observation\" && e.value > 1.0'}]",
	)))

	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(bundledScenario, data)
		if err != nil {
			return // scenario's own fuzz target covers Parse
		}
		set, err := Compile(s)
		if err != nil {
			checkCompileErrors(t, err)
			return
		}
		checkSet(t, set)
	})
}

// checkCompileErrors checks that err is a non-empty ErrorList whose every
// error names the file and a line, in file order.
func checkCompileErrors(t *testing.T, err error) {
	t.Helper()
	list, ok := err.(yamldoc.ErrorList)
	if !ok || len(list) == 0 {
		t.Fatalf("Compile returned %T %q, want a non-empty yamldoc.ErrorList", err, err)
	}
	for i, e := range list {
		if e == nil {
			t.Fatalf("error %d is nil", i)
		}
		if e.Pos.File != bundledScenario || e.Pos.Line <= 0 || e.Pos.Column < 0 || strings.TrimSpace(e.Msg) == "" {
			t.Errorf("error %d is not placed at a line and worded: %#v", i, e)
		}
		if i > 0 {
			p, q := list[i-1].Pos, e.Pos
			if q.Line < p.Line || q.Line == p.Line && q.Column < p.Column {
				t.Errorf("errors out of file order: %v before %v", p, q)
			}
		}
	}
}

// checkSet checks that a compiled set is whole (every condition compiled or
// linked) and that the engine runs it over a few records.
func checkSet(t *testing.T, set *Set) {
	t.Helper()
	for _, r := range set.Redlines {
		if r.prg == nil {
			t.Errorf("red line %q has no program", r.ID)
		}
	}
	for _, a := range set.Assurances {
		if a.From.IsZero() {
			t.Errorf("assurance %q has no from", a.ID)
		}
		if !a.Until.IsZero() && !a.Until.After(a.From) {
			t.Errorf("assurance %q: until %v not after from %v", a.ID, a.Until, a.From)
		}
		for _, c := range append(append([]*Condition{}, a.Refrain...), a.Unless...) {
			if c.prg == nil && c.redline == nil {
				t.Errorf("assurance %q: condition %s neither compiled nor linked", a.ID, c)
			}
		}
	}
	e, err := NewEngine(set, indicator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range []string{
		obs("2025-12-01T00:00:00Z", 60),
		strike("a", "2026-01-05T00:00:00Z", "ISR", "IRN"),
		threat("b", "2026-01-05T00:00:00Z", "IRN", "ISR", "1385"),
		obs("2026-02-01T00:00:00Z", 95),
		strike("c", "2026-03-01T00:00:00Z", "IRN", "ISR"),
	} {
		var rec event.Record
		if err := event.DecodeJSON("rec.jsonl", i+1, []byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if err := e.Step(&rec, Source{File: "rec.jsonl", Line: i + 1}); err != nil && !errors.Is(err, ErrOutOfOrder) {
			t.Fatal(err)
		}
	}
	res := e.Finish(set.End)
	for _, a := range res.Assurances {
		checkHistory(t, a)
	}
}
