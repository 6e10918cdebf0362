package theory

import "testing"

func TestSignal(t *testing.T) {
	for _, tc := range []struct {
		dVT, dVU, kT, kU float64
		separating       bool
		gmin             float64
	}{
		{2, 1, 1, 2, true, 0.5},             // 2/1 = 2 > 1/2 = 0.5
		{1, 4, 0.5, 3, true, 4.0 / 3},       // 1/0.5 = 2 > 4/3
		{0.3, 0.1, 0.1, 1.0 / 3, true, 0.3}, // 3 > 0.1 * 3 = 0.3
		{1, 0, 1, 1, true, 0},               // an untrustworthy side gains nothing from trust
		{1, 1, 1, 1, false, 1},              // 1 = 1: strict, no separation at equality
		{1, 2, 1, 1, false, 2},              // 1 < 2
		{3, 3, 2, 1, false, 3},              // 1.5 < 3
		{0, 0, 1, 1, false, 0},              // nothing to gain, nothing to show
		{1 + 5e-10, 1, 1, 1, false, 1},      // a margin within the tolerance is equality
		{1 + 2e-9, 1, 1, 1, true, 1},        // a margin beyond it separates
	} {
		r, err := Signal(tc.dVT, tc.dVU, tc.kT, tc.kU)
		if err != nil {
			t.Fatal(err)
		}
		if r.Separating != tc.separating {
			t.Errorf("Signal(%g, %g, %g, %g).Separating = %v, want %v", tc.dVT, tc.dVU, tc.kT, tc.kU, r.Separating, tc.separating)
		}
		checkNear(t, "g_min", r.GMin, tc.gmin)
	}
}

func TestSignalParams(t *testing.T) {
	for _, tc := range []struct {
		dVT, dVU, kT, kU float64
		param, rang      string
	}{
		{-1, 1, 1, 1, "dVT", "[0, inf)"},
		{1, -1, 1, 1, "dVU", "[0, inf)"},
		{1, 1, 0, 1, "kT", "(0, inf)"},
		{1, 1, 1, -2, "kU", "(0, inf)"},
	} {
		_, err := Signal(tc.dVT, tc.dVU, tc.kT, tc.kU)
		wantParamError(t, err, tc.param, tc.rang)
	}
}
