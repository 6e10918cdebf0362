package assurance

import (
	"strings"
	"testing"

	"backchannel/internal/scenario"
)

// pair writes two reciprocal assurances, a (ISR) and b (IRN), each with the
// extra fields given.
func pair(aExtra, bExtra string, bFirst bool) string {
	a := `  - {id: a, issuer: ISR, beneficiary: IRN, refrain: [{source: ISR, target: IRN, roots: ["19"]}], reciprocal: b` + aExtra + "}\n"
	b := `  - {id: b, issuer: IRN, beneficiary: ISR, refrain: [{source: IRN, target: ISR, roots: ["19"]}], reciprocal: a` + bExtra + "}\n"
	head := "name: t\nstart: 2026-01-01\nactors: {ISR: {name: I}, IRN: {name: R}, RUS: {name: M}}\nchannel: {mediator: RUS, parties: [ISR, IRN]}\nassurances:\n"
	if bFirst {
		return head + b + a
	}
	return head + a + b
}

// TestClockOrder checks that transitions due at one instant follow the
// order of ASSURANCES.md whatever the file order: a withdrawal's reciprocal
// lapse comes before an expiry at the same time.
func TestClockOrder(t *testing.T) {
	for _, bFirst := range []bool{false, true} {
		res := run(t, compileText(t, pair(", withdrawn: 2026-02-01", ", until: 2026-02-01", bFirst)), []string{obs("2026-03-01T00:00:00Z", 60)})
		if a, b := status(res, "a"), status(res, "b"); a.Status != Withdrawn || b.Status != Lapsed || b.Trigger.Assurance != "a" {
			t.Errorf("b listed first %v: a %s, b %s (%+v); want a withdrawn, b lapsed by reciprocity", bFirst, a.Status, b.Status, b.Trigger)
		}
	}
	// Withdrawn at until: the withdrawal, not the expiry.
	res := run(t, compileText(t, pair(", withdrawn: 2026-02-01, until: 2026-02-01", "", false)), nil)
	if a, b := status(res, "a"), status(res, "b"); a.Status != Withdrawn || b.Status != Lapsed {
		t.Errorf("withdrawn == until: a %s, b %s; want withdrawn, lapsed", a.Status, b.Status)
	}
	// Every clock transition names the line where its time is written.
	a := status(res, "a")
	for _, h := range a.History {
		if h.Trigger == nil || h.Trigger.File != "test.yaml" || h.Trigger.Line != 6 {
			t.Errorf("clock transition %s: trigger %+v, want test.yaml:6", h.Status, h.Trigger)
		}
	}
}

// TestRefrainRedline checks a red line named in refrain: crossed before the
// assurance is in force it is no breach; crossed while in force it is one,
// at that record.
func TestRefrainRedline(t *testing.T) {
	text := `name: t
start: 2026-01-01
actors: {ISR: {name: I}, IRN: {name: R}, RUS: {name: M}}
channel: {mediator: RUS, parties: [ISR, IRN]}
indicators: {IRN.enrichment_pct: 60}
redlines:
  - {id: rl, owner: ISR, against: IRN, when: 'ind["IRN.enrichment_pct"] >= 90.0'}
assurances:
  - {id: a, issuer: IRN, beneficiary: ISR, refrain: [{redline: rl}], from: %s}
`
	before := run(t, compileText(t, strings.Replace(text, "%s", "2026-02-01", 1)),
		[]string{obs("2026-01-10T00:00:00Z", 91), strike("x", "2026-02-10T00:00:00Z", "USA", "FRA")})
	if a := status(before, "a"); a.Status != InForce {
		t.Errorf("crossed before from: a is %s (%+v), want in force", a.Status, a.Trigger)
	}
	during := run(t, compileText(t, strings.Replace(text, "%s", "2026-01-01", 1)),
		[]string{obs("2026-01-10T00:00:00Z", 80), obs("2026-01-20T00:00:00Z", 91), strike("x", "2026-02-10T00:00:00Z", "USA", "FRA")})
	if a := status(during, "a"); a.Status != Breached || a.Trigger.Line != 2 {
		t.Errorf("crossed while in force: a is %s by %+v, want breached by line 2", a.Status, a.Trigger)
	}
}

// TestEmptyValuesRefused checks that an empty expression, red line or
// reciprocal is a load error, not a condition silently dropped.
func TestEmptyValuesRefused(t *testing.T) {
	s, err := scenario.Parse("e.yaml", []byte(`start: 2026-01-01
assurances:
  - {id: a, issuer: ISR, beneficiary: IRN, refrain: [{cel: ''}], from: 2026-01-01}
  - {id: b, issuer: ISR, beneficiary: IRN, refrain: [{roots: ["19"]}], unless: [{redline: ''}], reciprocal: ''}
redlines:
  - {id: r, owner: ISR, against: IRN, when: ''}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(s)
	if err == nil {
		t.Fatal("empty values compiled")
	}
	for _, want := range []string{
		"e.yaml:3:60: assurance a.refrain[0].cel: empty; want a CEL expression",
		"e.yaml:4:91: assurance b.unless[0].redline: empty; want the id of a red line",
		"e.yaml:4:109: assurance b.reciprocal: empty; want the id of another assurance",
		"e.yaml:6:45: redline r.when: empty; want a CEL expression",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}
