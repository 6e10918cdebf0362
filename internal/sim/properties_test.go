package sim

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"pgregory.net/rapid"

	"backchannel/internal/scenario"
)

// genModel draws a model from the whole of its ranges, with a short horizon to
// keep the runs quick.
func genModel(t *rapid.T) *scenario.Model {
	unit := func(name string) float64 { return rapid.Float64Range(0, 1).Draw(t, name) }
	m := &scenario.Model{
		HorizonDays:         rapid.IntRange(1, 40).Draw(t, "horizon"),
		C:                   rapid.Float64Range(0.01, 5).Draw(t, "c"),
		Priors:              map[string]float64{"ISR": unit("priorISR"), "IRN": unit("priorIRN")},
		Temptation:          map[string]float64{"ISR": rapid.Float64Range(0, 0.99).Draw(t, "tISR"), "IRN": rapid.Float64Range(0, 0.99).Draw(t, "tIRN")},
		Capacity:            map[string]float64{"ISR": unit("kISR"), "IRN": unit("kIRN")},
		HazardUntrustworthy: unit("hazard"),
		IncidentsPerDay:     rapid.Float64Range(0, 3).Draw(t, "incidents"),
		Misperception:       scenario.Misperception{Trustworthy: unit("misT"), Untrustworthy: unit("misU")},
		Mediator: &scenario.ModelMediator{Actor: "RUS", Ideal: unit("ideal"), ConflictCost: rapid.Float64Range(0, 0.6).Draw(t, "kM"),
			Accuracy: rapid.Float64Range(0.5, 1).Draw(t, "accuracy"), EveryDays: rapid.IntRange(1, 10).Draw(t, "every")},
	}
	for range rapid.IntRange(0, 3).Draw(t, "drivers") {
		d := scenario.Driver{Indicator: "X.y", Of: parties[rapid.IntRange(0, 1).Draw(t, "of")],
			Effect: rapid.SampledFrom([]scenario.Effect{scenario.RaisesTemptation, scenario.LowersCapacity}).Draw(t, "effect"),
			Coef:   rapid.Float64Range(0, 2).Draw(t, "coef"), Noise: rapid.SampledFrom([]float64{0, 0, 0.05, 0.3}).Draw(t, "noise")}
		day := 0
		for range rapid.IntRange(1, 4).Draw(t, "points") {
			day += rapid.IntRange(0, 20).Draw(t, "gap")
			d.Path = append(d.Path, scenario.PathPoint{Day: day, Value: unit("value")})
			day++
		}
		m.Drivers = append(m.Drivers, d)
	}
	for range rapid.IntRange(0, 2).Draw(t, "redlines") {
		m.RedlineHazards = append(m.RedlineHazards, scenario.RedlineHazard{Redline: "r", PerDay: rapid.Float64Range(0, 0.2).Draw(t, "perDay")})
	}
	return m
}

func genSim(t *rapid.T, m *scenario.Model) *Sim {
	s, err := New(Config{Model: m, Parties: parties})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A fixed seed reproduces the simulation exactly with 1, 2 and 8 workers.
func TestPropertyWorkers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSim(t, genModel(t))
		o := Options{Runs: rapid.IntRange(1, 3*blockRuns+7).Draw(t, "runs"), Seed: rapid.Uint64().Draw(t, "seed")}
		var first string
		for _, workers := range []int{1, 2, 8} {
			o.Workers = workers
			r, err := s.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(r)
			if first == "" {
				first = string(b)
			} else if string(b) != first {
				t.Fatalf("%d workers differ from 1", workers)
			}
		}
	})
}

// With a credible mediator that is always right, the channel never raises the
// chance of a tragic war: common random numbers make it hold run by run, so it
// holds exactly, not only within error.
func TestPropertyAccurateMediatorNoMoreTragic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		kM := rapid.Float64Range(0, 0.5).Draw(t, "credible kM")
		lo, hi := 0.25+kM/2, 0.75-kM/2
		m.Mediator.ConflictCost, m.Mediator.Ideal, m.Mediator.Accuracy = kM, rapid.Float64Range(lo, hi).Draw(t, "credible m"), 1
		s := genSim(t, m)
		r, err := s.Run(context.Background(), Options{Runs: 600, Seed: rapid.Uint64().Draw(t, "seed")})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Mediator.Credible {
			t.Fatalf("m = %v, kM = %v not credible", m.Mediator.Ideal, kM)
		}
		if r.With.PTragic > r.Without.PTragic {
			t.Fatalf("p_tragic %v with the channel, %v without", r.With.PTragic, r.Without.PTragic)
		}
	})
}

// Whatever the model: the kinds of war add up to p_war, survival falls from 1 to
// 1 - p_war, the interval holds the estimate, credibility and thresholds are
// probabilities.
func TestPropertyResultConsistent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSim(t, genModel(t))
		r, err := s.Run(context.Background(), Options{Runs: 300, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []Arm{r.Without, r.With} {
			sum := a.PDeliberate + a.PLossOfControl + a.PTemptation + a.PPreemptive + a.PMiscalculation
			if math.Abs(sum-a.PWar) > 1e-9 || a.PTragic > a.PWar || a.PExploited > a.PWar {
				t.Fatalf("kinds %v, tragic %v, exploited %v, p_war %v", sum, a.PTragic, a.PExploited, a.PWar)
			}
			if a.PWarCI[0] > a.PWar || a.PWar > a.PWarCI[1] {
				t.Fatalf("p_war %v outside %v", a.PWar, a.PWarCI)
			}
			prev := 1.0
			for _, v := range a.Survival {
				if v > prev+1e-12 {
					t.Fatal("survival rises")
				}
				prev = v
			}
			if math.Abs(prev-(1-a.PWar)) > 1e-9 {
				t.Fatalf("survival ends at %v, p_war %v", prev, a.PWar)
			}
			if want := runDays(r); math.Abs(r.RunDays-want) > 1e-6*want {
				t.Fatalf("run_days %v, want %v", r.RunDays, want)
			}
			for _, p := range parties {
				for d, c := range a.Credibility[p] {
					if th := a.Threshold[p][d]; !math.IsNaN(c) && (c < 0 || c > 1+1e-12 || th <= 0 || th > 1) {
						t.Fatalf("day %d: credibility %v, threshold %v", d, c, th)
					}
				}
			}
		}
	})
}
