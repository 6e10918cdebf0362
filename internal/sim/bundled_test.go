package sim

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"backchannel/internal/scenario"
)

// bundledSim is the simulation of the scenario shipped with the project.
func bundledSim(t testing.TB) *Sim {
	t.Helper()
	sc, err := scenario.Load(filepath.Join("..", "..", "scenarios", "israel-iran-2026", "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromScenario(sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBundledScenarioStory: on the bundled scenario the simulator tells the
// story of the source documents. The channel lowers the risk of a miscalculation
// war without removing it, and rising US pressure or Iranian instability wear its
// effect down: gradually, with P(war) rising smoothly in both arms, until, doubled,
// the effect is gone.
func TestBundledScenarioStory(t *testing.T) {
	s := bundledSim(t)
	o := Options{Runs: 4000, Seed: 1}
	r := mustRun(t, s, o)
	if r.Parties != [2]string{"ISR", "IRN"} || r.HorizonDays != 180 || r.Start != "2025-12-01" || !r.Mediator.Credible {
		t.Fatalf("result of %+v", r)
	}
	if lo := r.RiskReduction.CI[0]; lo <= 0.1 {
		t.Errorf("the channel takes only %v (95%% low %v) off p_war", r.RiskReduction.Absolute, lo)
	}
	if w, wo := r.With.PMiscalculation, r.Without.PMiscalculation; w <= 0 || w > wo/2 {
		t.Errorf("miscalculation %v with the channel, %v without: want lower, not gone", w, wo)
	}
	if r.With.PTragic <= 0 || r.With.PTragic >= r.Without.PTragic {
		t.Errorf("tragic war %v with, %v without", r.With.PTragic, r.Without.PTragic)
	}
	sens, err := s.Sensitivity(context.Background(), o, Levels, r)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(o.Runs)
	// se is the standard error of a share p of the runs.
	se := func(p float64) float64 { return math.Sqrt(max(p*(1-p), 1/n) / n) }
	for _, ds := range sens {
		L := ds.Levels
		if len(L) != len(Levels) || L[4].Scale != 1 {
			t.Fatalf("%s: levels %+v", ds.Indicator, L)
		}
		for i := 1; i < len(L); i++ {
			a, b := L[i-1], L[i]
			arms := []struct {
				name   string
				pa, pb float64
			}{{"without", a.PWarWithout, b.PWarWithout}, {"with", a.PWarWith, b.PWarWith}}
			for _, arm := range arms {
				// More of the driver, more war (the levels share their random
				// numbers, so a fall beyond 3 standard errors is the model's).
				if arm.pb < arm.pa-3*max(se(arm.pa), se(arm.pb)) {
					t.Errorf("%s %s the channel: p_war falls from %.3f at scale %v to %.3f at %v", ds.Indicator, arm.name, arm.pa, a.Scale, arm.pb, b.Scale)
				}
				// Smoothly: no cliff between neighbouring scales.
				if arm.pb-arm.pa > 0.2 {
					t.Errorf("%s %s the channel: p_war jumps from %.3f at scale %v to %.3f at %v", ds.Indicator, arm.name, arm.pa, a.Scale, arm.pb, b.Scale)
				}
			}
			// Beyond the documents' level, more of the driver wears the channel's
			// effect down: the reduction does not grow beyond Monte Carlo error
			// (two standard errors of the difference of the two levels' paired
			// reductions, taken as independent, which overstates it).
			if a.Scale >= 1 && b.Reduction > a.Reduction+2*math.Hypot(a.ReductionSE, b.ReductionSE) {
				t.Errorf("%s: the channel takes %.3f off p_war at scale %v and more, %.3f, at %v", ds.Indicator, a.Reduction, a.Scale, b.Reduction, b.Scale)
			}
		}
		// A quarter more than the documents' level leaves war short of certain.
		if l := L[5]; l.Scale != 1.25 || l.PWarWithout > 0.95 || l.PWarWith > 0.95 {
			t.Errorf("%s at scale 1.25: p_war %.3f without, %.3f with the channel: pinned near 1", ds.Indicator, l.PWarWithout, l.PWarWith)
		}
		first, one, last := L[0], L[4], L[len(L)-1]
		if last.PWarWithout <= first.PWarWithout || last.PWarWith <= first.PWarWith {
			t.Errorf("%s: p_war does not rise with the driver: %+v to %+v", ds.Indicator, first, last)
		}
		if first.Reduction < 0.05 || last.Reduction > one.Reduction/3 {
			t.Errorf("%s: the channel's effect %.3f without the driver, %.3f as written, %.3f with it doubled", ds.Indicator,
				first.Reduction, one.Reduction, last.Reduction)
		}
	}
}

// TestBundledWorkers: the bundled scenario gives the same result with 1, 2 and 8
// workers.
func TestBundledWorkers(t *testing.T) {
	s := bundledSim(t)
	var first string
	for _, workers := range []int{1, 2, 8} {
		b, _ := json.Marshal(mustRun(t, s, Options{Runs: 2000, Seed: 11, Workers: workers}))
		if first == "" {
			first = string(b)
		} else if string(b) != first {
			t.Errorf("%d workers give another result", workers)
		}
	}
}
