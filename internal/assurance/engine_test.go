package assurance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
)

// base is a scenario with the two reciprocal no-first-strike assurances of
// ASSURANCES.md and the enrichment red line; tests append to it or replace
// parts with extra.
const base = `name: test
start: 2026-01-01
actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia}, USA: {name: US}}
channel: {mediator: RUS, parties: [ISR, IRN]}
indicators: {IRN.enrichment_pct: 60}
redlines:
  - id: irn-enrichment-90
    owner: ISR
    against: IRN
    when: 'ind["IRN.enrichment_pct"] >= 90.0'
  - id: irn-threat
    owner: ISR
    against: IRN
    when: 'e.kind == "event" && e.source.country == "IRN" && e.code == "1385"'
assurances:
  - id: isr
    issuer: ISR
    beneficiary: IRN
    refrain: [{source: ISR, target: IRN, roots: ["18", "19", "20"]}]
    unless:
      - {source: IRN, target: ISR, roots: ["18", "19", "20"]}
      - {redline: irn-enrichment-90}
      - {redline: irn-threat}
    from: %s
    reciprocal: irn
%s
  - id: irn
    issuer: IRN
    beneficiary: ISR
    refrain: [{source: IRN, target: ISR, roots: ["18", "19", "20"]}]
    unless: [{source: ISR, target: IRN, roots: ["18", "19", "20"]}]
    reciprocal: isr
`

// strike, obs and threat write JSONL records.
func strike(id, at, src, tgt string) string {
	return fmt.Sprintf(`{"kind":"event","id":%q,"time":%q,"source":{"country":%q},"target":{"country":%q},"code":"190"}`, id, at, src, tgt)
}

func obs(at string, v float64) string {
	return fmt.Sprintf(`{"kind":"observation","time":%q,"indicator":"IRN.enrichment_pct","value":%v}`, at, v)
}

func threat(id, at, src, tgt, code string) string {
	return fmt.Sprintf(`{"kind":"event","id":%q,"time":%q,"source":{"country":%q},"target":{"country":%q},"code":%q,"public":true}`, id, at, src, tgt, code)
}

func compileText(t testing.TB, text string) *Set {
	t.Helper()
	s, err := scenario.Parse("test.yaml", []byte(text))
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	set, err := Compile(s)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return set
}

// run checks the records (JSONL lines, already in time order) against set
// and returns the result, the records' lines being their sources.
func run(t *testing.T, set *Set, lines []string) *Result {
	t.Helper()
	e, err := NewEngine(set, indicator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		var rec event.Record
		if err := event.DecodeJSON("rec.jsonl", i+1, []byte(l), &rec); err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		if err := e.Step(&rec, Source{File: "rec.jsonl", Line: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	return e.Finish(set.End)
}

func status(res *Result, id string) AssuranceResult {
	for _, a := range res.Assurances {
		if a.ID == id {
			return a
		}
	}
	panic("no assurance " + id)
}

func tm(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type want struct {
	id     string
	status Status
	since  string // RFC 3339
	line   int    // trigger's line, 0 for none
}

func TestLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		from   string // isr's from
		extra  string // more fields of isr
		recs   []string
		want   []want
		redTo  map[string]string // red line id -> crossing time
		events func(t *testing.T, res *Result)
	}{{
		name: "lapse on provocation",
		recs: []string{strike("a", "2026-02-01T10:00:00Z", "IRN", "ISR")},
		want: []want{
			{"isr", Lapsed, "2026-02-01T10:00:00Z", 1},
			// Iran struck unprovoked: its own assurance is breached.
			{"irn", Breached, "2026-02-01T10:00:00Z", 1},
		},
	}, {
		name: "breach on unprovoked action, reciprocal lapses at the same record",
		recs: []string{
			threat("t", "2026-01-20T00:00:00Z", "ISR", "IRN", "1384"),
			strike("a", "2026-02-01T10:00:00Z", "ISR", "IRN"),
			strike("b", "2026-02-02T10:00:00Z", "IRN", "ISR"),
		},
		want: []want{
			{"isr", Breached, "2026-02-01T10:00:00Z", 2},
			{"irn", Lapsed, "2026-02-01T10:00:00Z", 2},
		},
	}, {
		name:  "reciprocal lapse on withdrawal",
		extra: "    withdrawn: 2026-02-01",
		recs:  []string{strike("late", "2026-03-01T00:00:00Z", "ISR", "IRN")},
		want: []want{
			{"isr", Withdrawn, "2026-02-01T00:00:00Z", 0},
			{"irn", Lapsed, "2026-02-01T00:00:00Z", 0},
		},
	}, {
		name: "red line crossed by an observation",
		recs: []string{obs("2026-01-10T00:00:00Z", 75), obs("2026-02-10T00:00:00Z", 90), obs("2026-02-11T00:00:00Z", 95)},
		want: []want{
			{"isr", Lapsed, "2026-02-10T00:00:00Z", 2},
			{"irn", InForce, "2026-01-01T00:00:00Z", 0},
		},
		redTo: map[string]string{"irn-enrichment-90": "2026-02-10T00:00:00Z"},
	}, {
		name: "red line crossed by an event",
		recs: []string{
			threat("t1", "2026-01-10T00:00:00Z", "IRN", "ISR", "1384"),
			threat("t2", "2026-01-12T00:00:00Z", "IRN", "ISR", "1385"),
		},
		want:  []want{{"isr", Lapsed, "2026-01-12T00:00:00Z", 2}},
		redTo: map[string]string{"irn-threat": "2026-01-12T00:00:00Z"},
	}, {
		name: "red line crossed before from",
		from: "2026-03-01",
		recs: []string{obs("2026-02-01T00:00:00Z", 91), strike("s", "2026-03-05T00:00:00Z", "ISR", "IRN")},
		want: []want{
			// In force at from, and released at once by the red line
			// crossed before: the trigger is the crossing record.
			{"isr", Lapsed, "2026-03-01T00:00:00Z", 1},
			// Israel's strike on 5 March is then no breach, but it
			// provokes: Iran is released.
			{"irn", Lapsed, "2026-03-05T00:00:00Z", 2},
		},
		redTo: map[string]string{"irn-enrichment-90": "2026-02-01T00:00:00Z"},
	}, {
		name:  "expiry exactly at until with no record at that time",
		extra: "    until: 2026-03-01",
		recs:  []string{threat("t", "2026-02-15T00:00:00Z", "ISR", "IRN", "1384"), strike("s", "2026-03-10T00:00:00Z", "ISR", "IRN")},
		want: []want{
			{"isr", Expired, "2026-03-01T00:00:00Z", 0},
			{"irn", Lapsed, "2026-03-10T00:00:00Z", 2},
		},
	}, {
		name:  "a record at until finds the assurance expired",
		extra: "    until: 2026-03-01",
		recs:  []string{strike("s", "2026-03-01T00:00:00Z", "ISR", "IRN")},
		want:  []want{{"isr", Expired, "2026-03-01T00:00:00Z", 0}},
	}, {
		name: "a record at from is checked",
		from: "2026-02-01",
		recs: []string{strike("s", "2026-02-01T00:00:00Z", "ISR", "IRN")},
		want: []want{{"isr", Breached, "2026-02-01T00:00:00Z", 1}},
	}, {
		name: "equal timestamps keep input order: provocation first",
		recs: []string{strike("i", "2026-02-01T00:00:00Z", "IRN", "ISR"), strike("s", "2026-02-01T00:00:00Z", "ISR", "IRN")},
		want: []want{{"isr", Lapsed, "2026-02-01T00:00:00Z", 1}, {"irn", Breached, "2026-02-01T00:00:00Z", 1}},
	}, {
		name: "equal timestamps keep input order: strike first",
		recs: []string{strike("s", "2026-02-01T00:00:00Z", "ISR", "IRN"), strike("i", "2026-02-01T00:00:00Z", "IRN", "ISR")},
		want: []want{{"isr", Breached, "2026-02-01T00:00:00Z", 1}, {"irn", Lapsed, "2026-02-01T00:00:00Z", 1}},
	}, {
		name: "records before from ignored",
		from: "2026-02-01",
		recs: []string{strike("s", "2026-01-15T00:00:00Z", "ISR", "IRN")},
		want: []want{
			{"isr", InForce, "2026-02-01T00:00:00Z", 0},
			// Iran's assurance was in force from the start: the strike
			// of 15 January released it.
			{"irn", Lapsed, "2026-01-15T00:00:00Z", 1},
		},
	}, {
		name: "terminal states are final",
		recs: []string{strike("i", "2026-02-01T00:00:00Z", "IRN", "ISR"), strike("s", "2026-02-05T00:00:00Z", "ISR", "IRN")},
		want: []want{{"isr", Lapsed, "2026-02-01T00:00:00Z", 1}, {"irn", Breached, "2026-02-01T00:00:00Z", 1}},
	}, {
		name: "reciprocal breached before from",
		from: "2026-03-01",
		recs: []string{strike("i", "2026-02-01T00:00:00Z", "IRN", "ISR")},
		want: []want{{"isr", Lapsed, "2026-03-01T00:00:00Z", 1}, {"irn", Breached, "2026-02-01T00:00:00Z", 1}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.from
			if from == "" {
				from = "2026-01-01"
			}
			set := compileText(t, fmt.Sprintf(base, from, tc.extra))
			res := run(t, set, tc.recs)
			for _, w := range tc.want {
				got := status(res, w.id)
				if got.Status != w.status || !got.Since.Equal(tm(w.since)) {
					t.Errorf("%s: %s since %s, want %s since %s\nhistory %+v", w.id, got.Status, got.Since.Format(time.RFC3339), w.status, w.since, got.History)
				}
				// Records are rec.jsonl's lines; a transition that
				// comes with the clock names the line of test.yaml
				// where its from, until or withdrawn is written.
				line := 0
				if got.Trigger != nil && got.Trigger.File == "rec.jsonl" {
					line = got.Trigger.Line
				}
				if got.Trigger != nil && got.Trigger.File != "rec.jsonl" && (got.Trigger.File != "test.yaml" || got.Trigger.Line == 0) {
					t.Errorf("%s: trigger %+v names neither a record nor a line of test.yaml", w.id, got.Trigger)
				}
				if line != w.line {
					t.Errorf("%s: trigger line %d, want %d (%+v)", w.id, line, w.line, got.Trigger)
				}
				checkHistory(t, got)
			}
			for _, r := range res.Redlines {
				want, crossed := tc.redTo[r.ID]
				if r.Crossed != crossed || crossed && !r.Time.Equal(tm(want)) {
					t.Errorf("red line %s: crossed %v at %v, want %v at %q", r.ID, r.Crossed, r.Time, crossed, want)
				}
			}
		})
	}
}

// checkHistory checks what every history must satisfy: it starts in force,
// times never go back, nothing follows a terminal state, and the last entry
// is the status.
func checkHistory(t *testing.T, a AssuranceResult) {
	t.Helper()
	h := a.History
	if len(h) == 0 {
		if a.Status != Acknowledged {
			t.Errorf("%s: status %s with no history", a.ID, a.Status)
		}
		return
	}
	if h[0].Status != InForce {
		t.Errorf("%s: history starts %s", a.ID, h[0].Status)
	}
	for i := 1; i < len(h); i++ {
		if h[i].Time.Before(h[i-1].Time) {
			t.Errorf("%s: history goes back in time: %+v", a.ID, h)
		}
		if h[i-1].Status.Terminal() {
			t.Errorf("%s: transition after terminal %s: %+v", a.ID, h[i-1].Status, h)
		}
	}
	if last := h[len(h)-1]; last.Status != a.Status || !last.Time.Equal(a.Since) {
		t.Errorf("%s: status %s since %v, history ends %+v", a.ID, a.Status, a.Since, last)
	}
}

func TestOutOfOrder(t *testing.T) {
	set := compileText(t, fmt.Sprintf(base, "2026-01-01", ""))
	e, _ := NewEngine(set, indicator.Options{})
	var r1, r2 event.Record
	event.DecodeJSON("x", 1, []byte(obs("2026-02-01T00:00:00Z", 60)), &r1)
	event.DecodeJSON("x", 2, []byte(obs("2026-01-01T00:00:00Z", 95)), &r2)
	if err := e.Step(&r1, Source{}); err != nil {
		t.Fatal(err)
	}
	err := e.Step(&r2, Source{File: "x", Line: 2})
	if err == nil || !strings.Contains(err.Error(), "x:2") {
		t.Fatalf("out-of-order record: err = %v, want ErrOutOfOrder naming x:2", err)
	}
	if res := e.Finish(time.Time{}); res.Records != 1 || res.Redlines[0].Crossed {
		t.Errorf("the refused record was applied: %+v", res)
	}
}

func TestPublicHostilityAndRhetoricGap(t *testing.T) {
	set := compileText(t, fmt.Sprintf(base, "2026-01-10", ""))
	res := run(t, set, []string{
		threat("before", "2026-01-05T00:00:00Z", "ISR", "IRN", "1384"), // before from: not counted
		threat("t1", "2026-01-12T00:00:00Z", "ISR", "IRN", "1384"),
		threat("t2", "2026-01-13T00:00:00Z", "ISR", "IRN", "111"),
		threat("other", "2026-01-13T00:00:00Z", "USA", "IRN", "1384"),
	})
	if got := status(res, "isr").PublicHostility; got != 2 {
		t.Errorf("isr public hostility = %d, want 2", got)
	}
	if got := status(res, "irn").PublicHostility; got != 0 {
		t.Errorf("irn public hostility = %d, want 0", got)
	}
}

func TestEvalErrorsCounted(t *testing.T) {
	text := strings.Replace(fmt.Sprintf(base, "2026-01-01", ""),
		`when: 'e.kind == "event" && e.source.country == "IRN" && e.code == "1385"'`,
		`when: 'e.source.country == "IRN" && e.code == "1385"'`, 1)
	set := compileText(t, text)
	res := run(t, set, []string{obs("2026-01-05T00:00:00Z", 60), obs("2026-01-06T00:00:00Z", 61)})
	if len(res.EvalErrors) != 1 || res.EvalErrors[0].Count != 2 || res.EvalErrors[0].Record.Line != 1 ||
		!strings.Contains(res.EvalErrors[0].First, "observation") {
		t.Errorf("eval errors = %+v, want one, twice, first at line 1, naming the observation", res.EvalErrors)
	}
}
