package credibility_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"backchannel/internal/credibility"
	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

var bundled = filepath.Join("..", "..", "scenarios", "israel-iran-2026", "scenario.yaml")

// load reads a scenario and every record it names, the inline ones first, as
// the command does, and assesses it.
func load(t *testing.T, sc *scenario.Scenario, more ...string) *credibility.Assessor {
	t.Helper()
	recs := append([]event.Record(nil), sc.Inline...)
	for _, path := range append(sc.EventFiles, more...) {
		f, err := event.Open(path, event.FormatAuto)
		if err != nil {
			t.Fatal(err)
		}
		for {
			var r event.Record
			err := f.Next(&r)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			recs = append(recs, r)
		}
		f.Close()
	}
	a, err := credibility.FromScenario(sc, recs)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func find(t *testing.T, rep *credibility.Report, id string) *credibility.Assessment {
	t.Helper()
	for i := range rep.Assurances {
		if rep.Assurances[i].ID == id {
			return &rep.Assurances[i]
		}
	}
	t.Fatalf("no assurance %s", id)
	return nil
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestBundled checks that the assessment of the bundled scenario tells the
// story of the source documents: the assurances reassure when Russia conveys
// them (seeds 000, 001: "they reduce the probability that fear-driven
// miscalculation will trigger a spiral of escalation"), and over the winter US
// pressure on Iran and Iran's unrest wear them down ("Trump's escalating
// rhetoric ... became less credible"; "The internal instability of the Iranian
// regime has cast doubt on Iran's capacity", seed 000).
func TestBundled(t *testing.T) {
	sc, err := scenario.Load(bundled)
	if err != nil {
		t.Fatalf("the bundled scenario does not load:\n%v", err)
	}
	a := load(t, sc)
	mid := date("2026-01-15") // where the seeds end
	rep, err := a.Assess(mid)
	if err != nil {
		t.Fatal(err)
	}
	for _, as := range rep.Assurances {
		if !as.Mediator.Credible {
			t.Errorf("%s: the mediator is not credible: %s", as.ID, as.Mediator.Reason)
		}
		c := as.Conveyed
		if c == nil || c.Status != credibility.Reassures {
			t.Errorf("%s does not reassure when conveyed: %+v", as.ID, c)
			continue
		}
		before, _ := pointOn(as.Series, c.Time.Add(-24*time.Hour))
		if c.Intention <= before.Intention {
			t.Errorf("%s: conveying it did not raise trust: %.3f the day before, %.3f after", as.ID, before.Intention, c.Intention)
		}
		if as.Status != credibility.Reassures {
			t.Errorf("%s does not reassure in mid-January: %s", as.ID, as.Reason)
		}
		if as.Margin >= c.Margin {
			t.Errorf("%s: margin %+.3f in mid-January, not below %+.3f when conveyed", as.ID, as.Margin, c.Margin)
		}
	}
	// Iran's assurance to Israel: Iran's unrest lowers its capacity, US
	// pressure raises Israel's temptation and so the threshold.
	irn := find(t, rep, "irn-no-first-strike")
	if irn.Capacity >= irn.Conveyed.Capacity || irn.Threshold <= irn.Conveyed.Threshold {
		t.Errorf("irn-no-first-strike: capacity %.3f -> %.3f, threshold %.3f -> %.3f from conveyance to mid-January; want capacity down, threshold up",
			irn.Conveyed.Capacity, irn.Capacity, irn.Conveyed.Threshold, irn.Threshold)
	}
	if irn.Lowest == nil || irn.Lowest.Margin >= irn.Conveyed.Margin/2 {
		t.Errorf("irn-no-first-strike: lowest margin %+v, want less than half its margin %+.3f when conveyed", irn.Lowest, irn.Conveyed.Margin)
	}
	// Israel's assurance to Iran: its own public threats wear Iran's trust.
	isr := find(t, rep, "isr-no-first-strike")
	if isr.Intention >= isr.Conveyed.Intention {
		t.Errorf("isr-no-first-strike: intention %.3f in mid-January, not below %.3f when conveyed", isr.Intention, isr.Conveyed.Intention)
	}

	// The projection ends in war (April 2026): after it nothing is in force.
	end, err := a.Assess(a.Latest())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"isr-no-first-strike", "irn-no-first-strike"} {
		if as := find(t, end, id); as.Status != credibility.NotInForce || !as.Lifecycle.Terminal() {
			t.Errorf("%s at the end of the projection: %s, %s; want it ended", id, as.Lifecycle, as.Status)
		}
	}
}

func pointOn(ps []credibility.Point, t time.Time) (credibility.Point, bool) {
	for _, p := range ps {
		if p.Time.Equal(t) {
			return p, true
		}
	}
	return credibility.Point{}, false
}

// sharedData returns a file of ../shared/data, or skips when the folder is
// absent (a machine outside this workspace).
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/data not present (%v): the real-data checks run where it is", err)
	}
	return filepath.Join(dir, rel)
}

// summit is the run-up to the Singapore summit of 12 June 2018: ICEWS's
// events of 1 and 2 June have the United States and North Korea trading
// cooperation (meetings, letters, praise).
const summit = `name: Singapore summit run-up, June 2018
start: 2018-06-01
actors:
  USA: {name: United States}
  PRK: {name: North Korea}
  KOR: {name: South Korea, ideal: 0.5}
channel: {mediator: KOR, parties: [USA, PRK]}
assurances:
  - id: prk-no-attack
    issuer: PRK
    beneficiary: USA
    via: KOR
    refrain: [{source: PRK, target: USA, roots: ["18", "19", "20"]}]
  - id: usa-no-attack
    issuer: USA
    beneficiary: PRK
    via: KOR
    refrain: [{source: USA, target: PRK, roots: ["18", "19", "20"]}]
    from: 2018-06-02
model:
  c: 1
  priors: {USA: 0.4, PRK: 0.2}
  temptation: {USA: 0.3, PRK: 0.3}
  hazard_untrustworthy: 0.01
  mediator: {accuracy: 0.8, every_days: 7}
  drivers:
    - {indicator: PRK.instability, lowers: capacity, of: PRK, alpha: 1, path: [{day: 0, value: 0}]}
`

// TestRealData assesses on real ICEWS events: cooperation both ways raises
// each side's trust in the other, one update per day and root, and the
// mediator's report adds to it.
func TestRealData(t *testing.T) {
	path := sharedData(t, "icews/events.2018.sample.tab")
	sc, err := scenario.Parse(filepath.Join(t.TempDir(), "summit.yaml"), []byte(summit))
	if err != nil {
		t.Fatal(err)
	}
	a := load(t, sc, path)
	if got := a.Latest(); !got.Equal(date("2018-06-02")) {
		t.Errorf("latest record %s, want 2018-06-02", got)
	}
	rep, err := a.Assess(a.Latest())
	if err != nil {
		t.Fatal(err)
	}
	// Count by hand what should move each belief: the distinct (day, root)
	// of the public events from the issuer to the beneficiary whose root has
	// a default ratio other than 1.
	want := map[string]map[[2]string]bool{"PRK": {}, "USA": {}}
	f, err := event.Open(path, event.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for {
		var r event.Record
		if err := f.Next(&r); err != nil {
			break
		}
		e := r.Event
		other := map[string]string{"PRK": "USA", "USA": "PRK"}[e.Source.Country]
		if ratio, ok := credibility.DefaultLikelihoodRatios[e.Root()]; ok && ratio != 1 && other != "" && e.Target.Country == other && e.Public {
			want[e.Source.Country][[2]string{e.Time.Format(time.DateOnly), e.Root()}] = true
		}
	}
	for _, as := range rep.Assurances {
		var acts, reports int
		for _, u := range as.Updates {
			if u.By == credibility.ByAction {
				acts++
				if !want[as.From][[2]string{u.Time.Format(time.DateOnly), u.Root}] {
					t.Errorf("%s: update %+v is not among the events", as.ID, u)
				}
			} else {
				reports++
			}
		}
		if acts != len(want[as.From]) || acts == 0 || reports != 1 {
			t.Errorf("%s: %d updates on acts and %d reports, want %d and 1", as.ID, acts, reports, len(want[as.From]))
		}
		if as.Intention <= as.Prior {
			t.Errorf("%s: cooperation and the mediator's report left trust at %.3f from %.3f", as.ID, as.Intention, as.Prior)
		}
		if as.Capacity > 1 || as.Capacity < 0 || as.Credibility != as.Intention*as.Capacity {
			t.Errorf("%s: capacity %g, credibility %g", as.ID, as.Capacity, as.Credibility)
		}
		t.Logf("%s: %s", as.ID, as.Reason)
	}
}
