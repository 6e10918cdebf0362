package theory

import "testing"

func TestSpiral(t *testing.T) {
	for _, tc := range []struct{ pi, pT, pU, want float64 }{
		{0.6, 0.2, 0.8, 3.0 / 11}, // MODELS.md check: 0.12 / (0.12 + 0.32) = 0.2727
		{0.5, 0.9, 0.1, 0.9},      // 0.45 / (0.45 + 0.05)
		{0.6, 0.8, 0.2, 6.0 / 7},  // 0.48 / (0.48 + 0.08)
		{0.25, 0.6, 0.3, 0.4},     // 0.15 / (0.15 + 0.225)
		{0.3, 0.5, 0.5, 0.3},      // an action both types take alike teaches nothing
		{0.2, 1, 0, 1},            // only a trustworthy side takes it: 0.2 / 0.2
		{0.7, 0, 0.4, 0},          // only an untrustworthy side takes it
		{0, 0.5, 0.5, 0},          // a certain belief does not move
		{1, 0.2, 0.9, 1},          // 0.2 / 0.2
	} {
		r, err := Spiral(tc.pi, tc.pT, tc.pU)
		if err != nil {
			t.Fatalf("Spiral(%g, %g, %g): %v", tc.pi, tc.pT, tc.pU, err)
		}
		checkNear(t, "posterior", r.Posterior, tc.want)
		checkNear(t, "Bayes", Bayes(tc.pi, tc.pT, tc.pU), tc.want)
	}
}

func TestSpiralParams(t *testing.T) {
	for _, tc := range []struct {
		pi, pT, pU  float64
		param, rang string
	}{
		{1.5, 0.5, 0.5, "pi", "[0, 1]"},
		{0.5, -0.5, 0.5, "pT", "[0, 1]"},
		{0.5, 0.5, 2, "pU", "[0, 1]"},
		// The action has probability zero: the posterior is undefined.
		{0.5, 0, 0, "pU", ""},
		{1, 0, 0.5, "pT", ""},
		{0, 0.5, 0, "pU", ""},
	} {
		_, err := Spiral(tc.pi, tc.pT, tc.pU)
		wantParamError(t, err, tc.param, tc.rang)
	}
}
