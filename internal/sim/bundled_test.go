package sim

import (
	"context"
	"encoding/json"
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
// effect down until, doubled, it is gone.
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
	for _, ds := range sens {
		first, last := ds.Levels[0], ds.Levels[len(ds.Levels)-1]
		if last.PWarWithout <= first.PWarWithout || last.PWarWith <= first.PWarWith {
			t.Errorf("%s: p_war does not rise with the driver: %+v to %+v", ds.Indicator, first, last)
		}
		if last.Reduction > 0.02 || first.Reduction < 0.05 {
			t.Errorf("%s: the channel's effect %v without the driver, %v with it doubled", ds.Indicator, first.Reduction, last.Reduction)
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
