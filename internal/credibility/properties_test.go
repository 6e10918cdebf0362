package credibility

import (
	"testing"

	"pgregory.net/rapid"

	"backchannel/internal/assurance"
)

// world is one drawn history: Iran assures Israel, Israel watches Iran's acts
// and hears Russia, Iran's unrest lowers its capacity.
type world struct {
	prior, kappa0, instability, alpha, accuracy float64
	conveyed                                    int // day of the conveyance
	acts                                        []drawnAct
}

type drawnAct struct {
	day  int
	code string
}

var drawnCodes = []string{"010", "036", "042", "057", "061", "073", "0871", "130", "138", "1384", "154", "172", "182", "190", "195", "202"}

func drawWorld(t *rapid.T) world {
	w := world{
		prior:       rapid.Float64Range(0, 1).Draw(t, "prior"),
		kappa0:      rapid.Float64Range(0, 1).Draw(t, "kappa0"),
		instability: rapid.Float64Range(0, 1).Draw(t, "instability"),
		alpha:       rapid.Float64Range(0, 3).Draw(t, "alpha"),
		accuracy:    rapid.Float64Range(0.5, 1).Draw(t, "accuracy"),
		conveyed:    rapid.IntRange(0, 30).Draw(t, "conveyed"),
	}
	for range rapid.IntRange(0, 12).Draw(t, "acts") {
		w.acts = append(w.acts, drawnAct{rapid.IntRange(0, 30).Draw(t, "day"), rapid.SampledFrom(drawnCodes).Draw(t, "code")})
	}
	return w
}

// assess returns the point at day 30.
func (w world) assess(t *rapid.T) Point {
	m := testModel()
	m.Priors["IRN"] = w.prior
	m.Capacity["IRN"] = w.kappa0
	m.Drivers[1].Coef = w.alpha
	m.Mediator.Accuracy = w.accuracy
	a, err := New(Config{Model: m, Start: start, Indicators: fixed{"IRN.instability": w.instability, "USA->IRN.pressure": 0.3},
		Assurances: []assurance.AssuranceResult{inForce("irn", "IRN", "ISR", "RUS", w.conveyed)}})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range w.acts {
		a.Observe(act(string(rune('a'+i)), dayN(x.day), "IRN", "ISR", x.code))
	}
	p, _, err := a.point(0, dayN(30))
	if err != nil {
		t.Fatal(err)
	}
	if p.Credibility != p.Intention*p.Capacity {
		t.Fatalf("credibility %g is not intention %g x capacity %g", p.Credibility, p.Intention, p.Capacity)
	}
	return p
}

const slack = 1e-12

func TestPropertyZeroIntentionOrCapacity(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		switch rapid.IntRange(0, 2).Draw(t, "which") {
		case 0:
			w.prior = 0
		case 1:
			w.kappa0 = 0
		case 2:
			w.instability, w.alpha = 1, rapid.Float64Range(0.01, 3).Draw(t, "alpha>0")
		}
		if p := w.assess(t); p.Credibility != 0 || p.Status == Reassures {
			t.Fatalf("credibility %g (intention %g, capacity %g), status %s; want 0 and no reassurance", p.Credibility, p.Intention, p.Capacity, p.Status)
		}
	})
}

func TestPropertyMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		base := w.assess(t)
		more := w
		switch rapid.IntRange(0, 2).Draw(t, "which") {
		case 0: // more trust to start from: more intention after the same history
			more.prior = rapid.Float64Range(w.prior, 1).Draw(t, "higher prior")
		case 1:
			more.kappa0 = rapid.Float64Range(w.kappa0, 1).Draw(t, "higher kappa0")
		case 2:
			more.instability = rapid.Float64Range(0, w.instability).Draw(t, "less instability")
		}
		up := more.assess(t)
		if up.Intention < base.Intention-slack || up.Capacity < base.Capacity-slack || up.Credibility < base.Credibility-slack {
			t.Fatalf("more intention or capacity lowered credibility: %+v -> %+v", base, up)
		}
		if base.Status == Reassures && up.Status != Reassures {
			t.Fatalf("more credibility stopped reassuring: %+v -> %+v", base, up)
		}
	})
}

// TestPropertyHostileActsLowerTrust: an act a defender rarely takes never
// raises trust, a cooperative one never lowers it.
func TestPropertyActsMoveTrustTheirWay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		base := w.assess(t)
		code := rapid.SampledFrom(drawnCodes).Draw(t, "new act")
		w.acts = append(w.acts, drawnAct{rapid.IntRange(0, 30).Draw(t, "its day"), code})
		after := w.assess(t)
		r, ok := DefaultLikelihoodRatios[code[:2]]
		switch {
		case !ok || r == 1:
			if after.Intention != base.Intention {
				t.Fatalf("%s moved trust %g -> %g", code, base.Intention, after.Intention)
			}
		case r > 1 && after.Intention > base.Intention+slack, r < 1 && after.Intention < base.Intention-slack:
			t.Fatalf("%s (ratio %g) moved trust the wrong way: %g -> %g", code, r, base.Intention, after.Intention)
		}
	})
}
