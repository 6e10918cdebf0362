package theory

import "testing"

func TestFearon(t *testing.T) {
	for _, tc := range []struct{ p, cA, cbar, demand, pwar float64 }{
		{0.5, 0.1, 0.5, 0.7, 0.4},     // d = (0.5 - 0.1)/2 = 0.2; 0.2/0.5
		{0.3, 0, 0.6, 0.6, 0.5},       // d = 0.3; 0.3/0.6
		{0, 0.2, 1, 0.4, 0.4},         // d = 0.4; 0.4/1
		{0.2, 0.1, 0.3, 0.3, 1.0 / 3}, // d = 0.1; 0.1/0.3
		{0.5, 0.5, 0.4, 0.5, 0},       // cA > cbar: d = max(0, -0.05) = 0, no war
		{0.4, 0.2, 0.2, 0.4, 0},       // cA = cbar: d = 0
		{0.6, 0.1, 1.5, 1, 0.4 / 1.5}, // d = 0.7 held to the whole issue, 1 - 0.6 = 0.4
		{1, 0, 1, 1, 0},               // A wins for sure: it takes everything, B never fights
	} {
		r, err := Fearon(tc.p, tc.cA, tc.cbar)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "demand", r.Demand, tc.demand)
		checkNear(t, "p_war", r.PWar, tc.pwar)
	}
	_, err := Fearon(1.1, 0, 1)
	wantParamError(t, err, "p", "[0, 1]")
	_, err = Fearon(0.5, -0.1, 1)
	wantParamError(t, err, "cA", "[0, inf)")
	_, err = Fearon(0.5, 0.1, 0)
	wantParamError(t, err, "cbar", "(0, inf)")
}

func TestFirstStrikeFails(t *testing.T) {
	for _, tc := range []struct {
		pFirst, pSecond, cA, cB float64
		want                    bool
	}{
		{0.7, 0.4, 0.1, 0.1, true},  // 0.3 > 0.2
		{0.6, 0.4, 0.1, 0.1, false}, // 0.2 = 0.2 (0.19999999999999996): strict
		{0.5, 0.5, 0, 0, false},     // no advantage
		{0.9, 0.1, 0.5, 0.2, true},  // 0.8 > 0.7
		{0.9, 0.1, 0.5, 0.4, false}, // 0.8 < 0.9
	} {
		if got := FirstStrikeFails(tc.pFirst, tc.pSecond, tc.cA, tc.cB); got != tc.want {
			t.Errorf("FirstStrikeFails(%g, %g, %g, %g) = %v, want %v", tc.pFirst, tc.pSecond, tc.cA, tc.cB, got, tc.want)
		}
	}
}

// TestFirstStrikeFailsBoundary: the advantage must exceed cA + cB by more than Tol.
// pSecond = 0.25, cA = cB = 0.125 are exact in binary, so pFirst = 0.5 + e gives an
// advantage of 0.25 + e against costs of 0.25.
func TestFirstStrikeFailsBoundary(t *testing.T) {
	for _, tc := range []struct {
		e    float64
		want bool
	}{
		{0, false},     // 0.25 = 0.25: strict, bargains survive
		{5e-10, false}, // within Tol above: on the boundary, still no failure
		{-5e-10, false},
		{1e-8, true}, // beyond Tol above: every bargain fails
		{-1e-8, false},
	} {
		if got := FirstStrikeFails(0.5+tc.e, 0.25, 0.125, 0.125); got != tc.want {
			t.Errorf("FirstStrikeFails(0.5%+g, 0.25, 0.125, 0.125) = %v, want %v", tc.e, got, tc.want)
		}
	}
}

// TestFearonKinks: the demand has no tolerance to apply; it is continuous where its
// formula changes, and a point 1e-8 from a kink is not pulled onto it.
func TestFearonKinks(t *testing.T) {
	for _, tc := range []struct{ p, cA, cbar, demand, pwar float64 }{
		// cA = cbar: d = max(0, 0) = 0.
		{0.4, 0.2, 0.2, 0.4, 0},
		// cA 1e-8 below cbar: d = 1e-8/2 = 5e-9, P(war) = 5e-9/0.2 = 2.5e-8.
		{0.4, 0.2 - 1e-8, 0.2, 0.4 + 5e-9, 2.5e-8},
		// cA 1e-8 above: d = max(0, -5e-9) = 0.
		{0.4, 0.2 + 1e-8, 0.2, 0.4, 0},
		// (cbar - cA)/2 = (1.5 - 0.7)/2 = 0.4 = 1 - p: the whole issue, P(war) 0.4/1.5.
		{0.6, 0.7, 1.5, 1, 0.4 / 1.5},
		// cA 2e-8 above: d = 0.4 - 1e-8, below the cap; P(war) (0.4 - 1e-8)/1.5.
		{0.6, 0.7 + 2e-8, 1.5, 1 - 1e-8, (0.4 - 1e-8) / 1.5},
		// cA 2e-8 below: d = 0.4 + 1e-8, held to 0.4.
		{0.6, 0.7 - 2e-8, 1.5, 1, 0.4 / 1.5},
	} {
		r, err := Fearon(tc.p, tc.cA, tc.cbar)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "demand", r.Demand, tc.demand)
		checkNear(t, "p_war", r.PWar, tc.pwar)
	}
}
