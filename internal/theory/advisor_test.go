package theory

import "testing"

func TestAdvisor(t *testing.T) {
	for _, tc := range []struct {
		g                      AdvisorGame
		vw, vr, safe, risky    float64
		offer                  string
		pWarWithout, threshold float64
		credible               bool
		pWarWith               float64
	}{
		// v_w = 1 - 0.5 - 0.3 = 0.2, v_r = 0.4; safe 0.6, risky 0.8. Risky pays
		// 0.7(0.8) + 0.3(0.5 - 0.1) = 0.68 > 0.6, so P(war) = rho = 0.3. Threshold
		// (0.8 + 0.6)/2 = 0.7 = xM (inclusive); (ii) -|0.6 - 0.7| = -0.1 >=
		// -(0.5(0.3) + 0.5(0.7)) - 0.1 = -0.6. Believed: no war.
		{AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.3, C2r: 0.1, Rho: 0.3, XM: 0.7, KM: 0.1},
			0.2, 0.4, 0.6, 0.8, "risky", 0.3, 0.7, true, 0},
		// The same with xM = 0.6 < 0.7: it would call a weak side 2 resolute.
		{AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.3, C2r: 0.1, Rho: 0.3, XM: 0.6, KM: 0.1},
			0.2, 0.4, 0.6, 0.8, "risky", 0.3, 0.7, false, 0.3},
		// rho = 0.8: risky pays 0.2(0.8) + 0.8(0.4) = 0.48 < 0.6, the safe offer.
		{AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.3, C2r: 0.1, Rho: 0.8, XM: 0.7, KM: 0.1},
			0.2, 0.4, 0.6, 0.8, "safe", 0, 0.7, true, 0},
		// v_w = 1 - 0.7 - 0.4 < 0, floored at 0: risky 1; v_r = 0.2, safe 0.8.
		// Risky pays 0.5(1) + 0.5(0.7 - 0.2) = 0.75 < 0.8. Threshold 0.9 = xM.
		{AdvisorGame{P: 0.7, C1: 0.2, C2w: 0.4, C2r: 0.1, Rho: 0.5, XM: 0.9, KM: 0},
			0, 0.2, 0.8, 1, "safe", 0, 0.9, true, 0},
		// v_w = 0.3, v_r = 0.4; risky pays 0.8(0.7) + 0.2(0.35) = 0.63 > 0.6; P(war)
		// 0.2. Threshold 0.65 > xM = 0.5: not believed.
		{AdvisorGame{P: 0.4, C1: 0.05, C2w: 0.3, C2r: 0.2, Rho: 0.2, XM: 0.5, KM: 0.2},
			0.3, 0.4, 0.6, 0.7, "risky", 0.2, 0.65, false, 0.2},
		// One type in effect (c2w = c2r): both offers 0.7, risky pays 0.5(0.7) +
		// 0.5(0.4) = 0.55 < 0.7; no war with or without, whatever the mediator.
		{AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.2, C2r: 0.2, Rho: 0.5, XM: 0.3, KM: 0},
			0.3, 0.3, 0.7, 0.7, "safe", 0, 0.7, false, 0},
		// rho = 2/3 makes the risky offer pay 0.8 - 0.3 rho = 0.6, the safe share:
		// strict, so safe.
		{AdvisorGame{P: 0.5, C1: 0, C2w: 0.3, C2r: 0.1, Rho: 2.0 / 3, XM: 0.8, KM: 0},
			0.2, 0.4, 0.6, 0.8, "safe", 0, 0.7, true, 0},
		// rho = 0.66: 0.8 - 0.198 = 0.602 > 0.6, risky; P(war) 0.66.
		{AdvisorGame{P: 0.5, C1: 0, C2w: 0.3, C2r: 0.1, Rho: 0.66, XM: 0.8, KM: 0},
			0.2, 0.4, 0.6, 0.8, "risky", 0.66, 0.7, true, 0},
		// A resolute side 2 for sure: risky pays p - c1 = 0.4 < 0.6.
		{AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.3, C2r: 0.1, Rho: 1, XM: 0.7, KM: 0},
			0.2, 0.4, 0.6, 0.8, "safe", 0, 0.7, true, 0},
	} {
		r, err := Advisor(tc.g)
		if err != nil {
			t.Fatalf("Advisor(%+v): %v", tc.g, err)
		}
		checkNear(t, "v_w", r.Vw, tc.vw)
		checkNear(t, "v_r", r.Vr, tc.vr)
		checkNear(t, "safe", r.Safe, tc.safe)
		checkNear(t, "risky", r.Risky, tc.risky)
		checkNear(t, "p_war_without", r.PWarWithout, tc.pWarWithout)
		checkNear(t, "threshold", r.Threshold, tc.threshold)
		checkNear(t, "p_war_with", r.PWarWith, tc.pWarWith)
		if r.Offer != tc.offer || r.Credible != tc.credible {
			t.Errorf("Advisor(%+v): offer %s, credible %v; want %s, %v", tc.g, r.Offer, r.Credible, tc.offer, tc.credible)
		}
	}
}

func TestAdvisorParams(t *testing.T) {
	ok := AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.3, C2r: 0.1, Rho: 0.3, XM: 0.7, KM: 0.1}
	for _, tc := range []struct {
		mutate      func(*AdvisorGame)
		param, rang string
	}{
		{func(g *AdvisorGame) { g.P = 1.2 }, "p", "[0, 1]"},
		{func(g *AdvisorGame) { g.C1 = -1 }, "c1", "[0, inf)"},
		{func(g *AdvisorGame) { g.C2w = -0.1 }, "c2w", "[0, inf)"},
		{func(g *AdvisorGame) { g.C2r = -0.1 }, "c2r", "[0, inf)"},
		{func(g *AdvisorGame) { g.C2r = 0.4 }, "c2r", "[0, c2w] = [0, 0.3]"},
		{func(g *AdvisorGame) { g.Rho = 2 }, "rho", "[0, 1]"},
		{func(g *AdvisorGame) { g.XM = -0.5 }, "xM", "[0, 1]"},
		{func(g *AdvisorGame) { g.KM = -0.5 }, "kM", "[0, inf)"},
	} {
		g := ok
		tc.mutate(&g)
		_, err := Advisor(g)
		wantParamError(t, err, tc.param, tc.rang)
	}
}

// TestAdvisorBoundaries puts each of A5's comparisons on its boundary, within Tol of
// it (±5e-10: on the boundary) and beyond it (±1e-8). Condition (i), xM >= threshold,
// is inclusive; the risky offer needs its payoff to beat the safe share strictly, by
// more than Tol; condition (ii) is inclusive but cannot be missed with valid
// parameters (see TestPropAdvisor), so only its boundary and its inside are tested.
func TestAdvisorBoundaries(t *testing.T) {
	// (i): v_w = 1 - 0.5 - 0.3 = 0.2, v_r = 1 - 0.5 - 0.1 = 0.4; safe 0.6, risky 0.8;
	// threshold (0.8 + 0.6)/2 = 0.7. Risky pays 0.7(0.8) + 0.3(0.5 - 0.1) = 0.68 >
	// 0.6, so P(war) without = rho = 0.3; (ii) holds with room: -|0.6 - xM| ~ -0.1 >=
	// -(0.5(1 - xM) + 0.5 xM) - 0.1 = -0.6.
	xm := func(xM float64) AdvisorGame {
		return AdvisorGame{P: 0.5, C1: 0.1, C2w: 0.3, C2r: 0.1, Rho: 0.3, XM: xM, KM: 0.1}
	}
	// The offer: rho = 0.5, c1 = 0.1 - 2e makes the risky offer pay
	// 0.5(0.8) + 0.5(0.5 - 0.1 + 2e) = 0.6 + e against the safe 0.6. xM = 0.8 >= 0.7
	// and (ii) -|0.6 - 0.8| = -0.2 >= -(0.5(0.2) + 0.5(0.8)) = -0.5: credible.
	c1 := func(c1 float64) AdvisorGame {
		return AdvisorGame{P: 0.5, C1: c1, C2w: 0.3, C2r: 0.1, Rho: 0.5, XM: 0.8, KM: 0}
	}
	// (ii) on its boundary: c2w = 0.5, c2r = 0 give v_w = max(0, 0) = 0, v_r = 0.5;
	// safe 0.5, risky 1, threshold 0.75 <= xM = 1. Concession -|0.5 - 1| = -0.5,
	// war -(0.5(0) + 0.5(1)) - kM = -0.5 - kM. Risky pays 0.5(1) + 0.5(0.5 - 0) = 0.75
	// > 0.5: P(war) without = rho = 0.5.
	km := func(kM float64) AdvisorGame {
		return AdvisorGame{P: 0.5, C1: 0, C2w: 0.5, C2r: 0, Rho: 0.5, XM: 1, KM: kM}
	}
	for _, tc := range []struct {
		name                  string
		g                     AdvisorGame
		offer                 string
		credible              bool
		pWarWithout, pWarWith float64
	}{
		{"xM = threshold", xm(0.7), "risky", true, 0.3, 0},
		{"xM = threshold - 5e-10", xm(0.7 - 5e-10), "risky", true, 0.3, 0},
		{"xM = threshold + 5e-10", xm(0.7 + 5e-10), "risky", true, 0.3, 0},
		{"xM = threshold - 1e-8", xm(0.7 - 1e-8), "risky", false, 0.3, 0.3},
		{"xM = threshold + 1e-8", xm(0.7 + 1e-8), "risky", true, 0.3, 0},

		{"risky pays the safe share", c1(0.1), "safe", true, 0, 0},
		{"risky pays 5e-10 more", c1(0.1 - 1e-9), "safe", true, 0, 0},
		{"risky pays 5e-10 less", c1(0.1 + 1e-9), "safe", true, 0, 0},
		{"risky pays 1e-8 more", c1(0.1 - 2e-8), "risky", true, 0.5, 0},
		{"risky pays 1e-8 less", c1(0.1 + 2e-8), "safe", true, 0, 0},

		{"(ii) concession = war", km(0), "risky", true, 0.5, 0},
		{"(ii) war 5e-10 worse", km(5e-10), "risky", true, 0.5, 0},
		{"(ii) war 1e-8 worse", km(1e-8), "risky", true, 0.5, 0},
	} {
		r, err := Advisor(tc.g)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.Offer != tc.offer || r.Credible != tc.credible {
			t.Errorf("%s: offer %s, credible %v; want %s, %v", tc.name, r.Offer, r.Credible, tc.offer, tc.credible)
		}
		checkNear(t, tc.name+": p_war_without", r.PWarWithout, tc.pWarWithout)
		checkNear(t, tc.name+": p_war_with", r.PWarWith, tc.pWarWith)
	}
}
