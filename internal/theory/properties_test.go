package theory

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// unit draws a probability, with the ends drawn often: the boundaries are where the
// models can go wrong.
func unit(t *rapid.T, label string) float64 {
	return rapid.OneOf(rapid.Float64Range(0, 1), rapid.SampledFrom([]float64{0, 0.5, 1})).Draw(t, label)
}

func TestPropStage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pi := unit(t, "pi")
		c := rapid.Float64Range(1e-6, 100).Draw(t, "c")
		tT := rapid.Float64Range(0, 0.999999).Draw(t, "tT")
		r, err := Stage(pi, c, tT)
		if err != nil {
			t.Fatal(err)
		}
		if r.PiStar <= 0 || r.PiStar >= 1 {
			t.Fatalf("pi* = %g outside (0, 1)", r.PiStar)
		}
		for _, o := range []Outcome{r.Without, r.With} {
			for _, p := range []float64{o.War, o.Restraint, o.Exploited, o.Tragic} {
				if p < 0 || p > 1 {
					t.Fatalf("probability %g outside [0, 1]: %+v", p, o)
				}
			}
			if math.Abs(o.War+o.Restraint-1) > 1e-12 || o.Exploited+o.Tragic > o.War+1e-12 {
				t.Fatalf("outcomes do not add up: %+v", o)
			}
		}
		// The channel never makes war likelier, and removes tragic war.
		if r.With.War > r.Without.War+1e-12 || r.With.Tragic != 0 || r.With.Exploited != 0 {
			t.Fatalf("with %+v, without %+v", r.With, r.Without)
		}
	})
}

func TestPropBayes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pi := unit(t, "pi")
		pT := rapid.Float64Range(0.001, 1).Draw(t, "pT")
		pU := rapid.Float64Range(0.001, 1).Draw(t, "pU")
		moreT := rapid.Float64Range(pT, 1).Draw(t, "pT2")
		moreU := rapid.Float64Range(pU, 1).Draw(t, "pU2")
		post := Bayes(pi, pT, pU)
		if post < 0 || post > 1 {
			t.Fatalf("posterior %g outside [0, 1]", post)
		}
		// Likelier under trust, more trust; likelier under mistrust, less.
		if Bayes(pi, moreT, pU) < post-1e-12 {
			t.Fatalf("not monotone in pT: pi %g pT %g->%g pU %g", pi, pT, moreT, pU)
		}
		if Bayes(pi, pT, moreU) > post+1e-12 {
			t.Fatalf("not monotone in pU: pi %g pT %g pU %g->%g", pi, pT, pU, moreU)
		}
		// Direction: the belief rises iff the action is likelier under trust.
		if pT > pU && post < pi-1e-12 || pT < pU && post > pi+1e-12 {
			t.Fatalf("Bayes(%g, %g, %g) = %g moves the wrong way", pi, pT, pU, post)
		}
	})
}

func TestPropMediatorInterval(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k1 := rapid.Float64Range(0, 1).Draw(t, "kM")
		k2 := rapid.Float64Range(k1, 1).Draw(t, "kM2")
		m := unit(t, "m")
		lo1, hi1, ok1 := MediatorInterval(k1)
		lo2, hi2, ok2 := MediatorInterval(k2)
		// A mediator that fears war more is credible at fewer ideal points.
		if ok2 && (!ok1 || lo2 < lo1 || hi2 > hi1) {
			t.Fatalf("kM %g: [%g, %g] %v; kM %g: [%g, %g] %v", k1, lo1, hi1, ok1, k2, lo2, hi2, ok2)
		}
		if MediatorCredible(m, k2) && !MediatorCredible(m, k1) {
			t.Fatalf("credible at kM %g but not at %g (m %g)", k2, k1, m)
		}
		// The model is symmetric between A and B.
		if MediatorCredible(m, k1) != MediatorCredible(1-m, k1) {
			t.Fatalf("m %g and %g differ at kM %g", m, 1-m, k1)
		}
	})
}

// TestPropMediatorUtilities checks the interval against the mediator's utilities
// directly: it is credible iff u(CC) >= u(DD) >= max(u(CD), u(DC)), away from the
// boundary (where the tolerance decides).
func TestPropMediatorUtilities(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := unit(t, "m")
		kM := rapid.Float64Range(0, 1).Draw(t, "kM")
		u := func(x float64, war bool) float64 {
			v := -math.Abs(x - m)
			if war {
				v -= kM
			}
			return v
		}
		cc, dd, cd, dc := u(0.5, false), u(0.5, true), u(0, false), u(1, false)
		margin := math.Min(cc-dd, dd-math.Max(cd, dc))
		if math.Abs(margin) < 1e-6 {
			return
		}
		if got := MediatorCredible(m, kM); got != (margin >= 0) {
			t.Fatalf("m %g kM %g: credible %v, utilities margin %g", m, kM, got, margin)
		}
	})
}

func TestPropFearon(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := unit(t, "p")
		cA := rapid.Float64Range(0, 5).Draw(t, "cA")
		cbar := rapid.Float64Range(1e-6, 5).Draw(t, "cbar")
		r, err := Fearon(p, cA, cbar)
		if err != nil {
			t.Fatal(err)
		}
		if r.PWar < 0 || r.PWar > 1 || r.Demand < p-1e-12 || r.Demand > 1+1e-12 {
			t.Fatalf("Fearon(%g, %g, %g) = %+v", p, cA, cbar, r)
		}
		// No demand does better for A (checked on a grid of d).
		payoff := func(d float64) float64 { return (p+d)*(1-d/cbar) + d/cbar*(p-cA) }
		best := payoff(r.Demand - p)
		for i := range 101 {
			d := math.Min(cbar, 1-p) * float64(i) / 100
			if payoff(d) > best+1e-9 {
				t.Fatalf("Fearon(%g, %g, %g): d = %g pays %g > %g at the optimum", p, cA, cbar, d, payoff(d), best)
			}
		}
	})
}

func TestPropFragility(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pi := rapid.Float64Range(0.01, 1).Draw(t, "pi")
		c := rapid.Float64Range(0.01, 10).Draw(t, "c")
		tT := rapid.Float64Range(0, 0.99).Draw(t, "tT")
		delta := rapid.Float64Range(0, 1).Draw(t, "delta")
		r, err := FragilityAt(pi, c, tT, delta)
		if err != nil {
			t.Fatal(err)
		}
		// The channel absorbs at least as much pressure, and never raises P(war).
		if r.DeltaStarWith < r.DeltaStarWithout-1e-12 || *r.PWarWith > *r.PWarWithout {
			t.Fatalf("%+v", r)
		}
		// Pressure is a higher temptation: the stage game at tT + delta agrees.
		if tT+delta < 1 && math.Abs(delta-r.DeltaStarWithout) > 1e-6 {
			s, err := Stage(pi, c, tT+delta)
			if err != nil {
				t.Fatal(err)
			}
			if !near(s.Without.War, *r.PWarWithout) {
				t.Fatalf("stage at tT + delta: P(war) %g, fragility %g", s.Without.War, *r.PWarWithout)
			}
		}
		k, err := Capacity(pi, c, tT)
		if err != nil {
			t.Fatal(err)
		}
		if k.KappaStarWith > k.KappaStarWithout+1e-12 {
			t.Fatalf("the channel needs more capacity: %+v", k)
		}
	})
}

func TestPropAdvisor(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := AdvisorGame{
			P:   unit(t, "p"),
			C1:  rapid.Float64Range(0, 1).Draw(t, "c1"),
			C2w: rapid.Float64Range(0, 1).Draw(t, "c2w"),
			Rho: unit(t, "rho"),
			XM:  unit(t, "xM"),
			KM:  rapid.Float64Range(0, 1).Draw(t, "kM"),
		}
		g.C2r = rapid.Float64Range(0, g.C2w).Draw(t, "c2r")
		r, err := Advisor(g)
		if err != nil {
			t.Fatal(err)
		}
		if r.PWarWith > r.PWarWithout || r.Safe > r.Risky {
			t.Fatalf("%+v: %+v", g, r)
		}
		// In this normalization condition (ii) never binds once (i) holds: the safe
		// share is at least p, so a mediator leaning to side 1 never prefers the war.
		if r.Credible != atLeast(g.XM, r.Threshold) {
			t.Fatalf("%+v: credible %v, threshold %g", g, r.Credible, r.Threshold)
		}
	})
}

func TestPropReciprocalFear(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mu := rapid.Float64Range(0, 3).Draw(t, "mu")
		d := rapid.Float64Range(0, 3).Draw(t, "d")
		cbar := rapid.Float64Range(0.01, 3).Draw(t, "cbar")
		r, err := ReciprocalFear(mu, d, cbar)
		if err != nil {
			t.Fatal(err)
		}
		// The cut-off is a fixed point of c = mu + (d - mu) F(c).
		g := mu + (d-mu)*r.PArm
		if math.Abs(g-r.Cutoff) > 1e-9*math.Max(1, r.Cutoff) {
			t.Fatalf("ReciprocalFear(%g, %g, %g): %+v, map gives %g", mu, d, cbar, r, g)
		}
		if r.PArm < 0 || r.PArm > 1 || !near(r.PBoth, r.PArm*r.PArm) {
			t.Fatalf("%+v", r)
		}
		// More fear, more arming.
		more, err := ReciprocalFear(mu, d+rapid.Float64Range(0, 1).Draw(t, "more"), cbar)
		if err != nil {
			t.Fatal(err)
		}
		if mu > 0 && more.PArm < r.PArm-1e-12 {
			t.Fatalf("more fear, less arming: %+v -> %+v", r, more)
		}
	})
}
