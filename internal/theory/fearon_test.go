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
