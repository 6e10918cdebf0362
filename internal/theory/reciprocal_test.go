package theory

import (
	"math"
	"testing"
)

func TestReciprocalFear(t *testing.T) {
	for _, tc := range []struct {
		mu, d, cbar         float64
		cutoff, pArm, pBoth float64
		certain             bool
	}{
		// c = 0.2 / (1 - 0.5 + 0.2) = 0.2857: 0.2 + 0.3(0.2857) = 0.2857.
		{0.2, 0.5, 1, 0.2 / 0.7, 0.2 / 0.7, (0.2 / 0.7) * (0.2 / 0.7), false},
		// d = mu: fear and greed cancel, c = mu = 0.5.
		{0.5, 0.5, 1, 0.5, 0.5, 0.25, false},
		// d < mu: 0.6 / (1 - 0.2 + 0.6) = 0.4286; 0.6 - 0.4(0.4286) = 0.4286.
		{0.6, 0.2, 1, 0.6 / 1.4, 0.6 / 1.4, (0.6 / 1.4) * (0.6 / 1.4), false},
		// 1 * 2 / (2 - 1 + 1) = 1, F = 1/2.
		{1, 1, 2, 1, 0.5, 0.25, false},
		// 0.1 / (1 - 0.9 + 0.1) = 0.5: strong fear, still interior.
		{0.1, 0.9, 1, 0.5, 0.5, 0.25, false},
		// mu above cbar, d below: 3 / (1 - 0.5 + 3) = 0.8571; 3 - 2.5(0.8571) = 0.8571.
		{3, 0.5, 1, 3 / 3.5, 3 / 3.5, (3 / 3.5) * (3 / 3.5), false},
		// d >= cbar: fear feeds on itself until every type arms; c = d = 1.5.
		{0.2, 1.5, 1, 1.5, 1, 1, true},
		// d = cbar: c = 2 either way (0.5 * 2 / 0.5 = 2), certain.
		{0.5, 2, 2, 2, 1, 1, true},
		// mu = 0: the iteration stays at 0, nobody arms.
		{0, 0.5, 1, 0, 0, 0, false},
		{0, 3, 1, 0, 0, 0, false},
	} {
		r, err := ReciprocalFear(tc.mu, tc.d, tc.cbar)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "cutoff", r.Cutoff, tc.cutoff)
		checkNear(t, "p_arm", r.PArm, tc.pArm)
		checkNear(t, "p_both", r.PBoth, tc.pBoth)
		if r.Certain != tc.certain {
			t.Errorf("ReciprocalFear(%g, %g, %g).Certain = %v", tc.mu, tc.d, tc.cbar, r.Certain)
		}
		// Where the iteration of MODELS.md converges, it lands on the same point.
		if it, ok := iterateCutoff(tc.mu, tc.d, tc.cbar); ok && math.Abs(it-r.Cutoff) > 1e-9 {
			t.Errorf("iterating from mu gives %g, Cutoff %g", it, r.Cutoff)
		}
	}
	_, err := ReciprocalFear(-1, 0.5, 1)
	wantParamError(t, err, "mu", "[0, inf)")
	_, err = ReciprocalFear(0.1, -0.5, 1)
	wantParamError(t, err, "d", "[0, inf)")
	_, err = ReciprocalFear(0.1, 0.5, 0)
	wantParamError(t, err, "cbar", "(0, inf)")
}

// iterateCutoff is MODELS.md's recipe taken literally: c = mu + (d - mu) F(c) from
// c = mu, until it settles. ok is false when it does not settle (d < mu far enough
// below that the map circles its fixed point).
func iterateCutoff(mu, d, cbar float64) (float64, bool) {
	c := mu
	for range 100000 {
		next := mu + (d-mu)*math.Min(1, math.Max(0, c/cbar))
		if math.Abs(next-c) < 1e-14 {
			return next, true
		}
		c = next
	}
	return c, false
}

// TestReciprocalFearCertain: arming is certain when F(cutoff) = 1, within Tol. With
// mu = cbar = 1 the cut-off below d = cbar is 1/(1 - d + 1), so d = 1 - x gives
// F = 1/(1 + x) = 1 - x/(1 + x): d 5e-10 below cbar puts F within Tol of 1, 1e-8
// below puts it beyond. The tolerance is on F, not on d: with mu = 0.1 the same
// 5e-10 gives F = 0.1/(0.1 + 5e-10) ~ 1 - 5e-9, not certain.
func TestReciprocalFearCertain(t *testing.T) {
	for _, tc := range []struct {
		mu, d, cbar  float64
		cutoff, pArm float64
		certain      bool
	}{
		{1, 1, 1, 1, 1, true},                                                // d = cbar: c = d = 1, F = 1
		{1, 1 + 1e-8, 1, 1 + 1e-8, 1, true},                                  // d > cbar: c = d, F clipped at 1
		{1, 1 - 5e-10, 1, 1 / (1 + 5e-10), 1 / (1 + 5e-10), true},            // 1 - F = 4.99999999975e-10 <= Tol
		{1, 1 - 1e-8, 1, 1 / (1 + 1e-8), 1 / (1 + 1e-8), false},              // 1 - F = 9.9999999e-9 > Tol
		{0.1, 1 - 5e-10, 1, 0.1 / (0.1 + 5e-10), 0.1 / (0.1 + 5e-10), false}, // 1 - F ~ 5e-9
		// cbar = 2, mu = 0.5, d = 2 - 4e-9: c = 1/(0.5 + 4e-9), F = c/2 = 0.5/(0.5 + 4e-9)
		// = 1 - 8e-9 (to first order): beyond Tol.
		{0.5, 2 - 4e-9, 2, 1 / (0.5 + 4e-9), 0.5 / (0.5 + 4e-9), false},
		// d = 2 - 2e-10: F = 0.5/(0.5 + 2e-10) ~ 1 - 4e-10: within Tol, certain.
		{0.5, 2 - 2e-10, 2, 1 / (0.5 + 2e-10), 0.5 / (0.5 + 2e-10), true},
	} {
		r, err := ReciprocalFear(tc.mu, tc.d, tc.cbar)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "cutoff", r.Cutoff, tc.cutoff)
		checkNear(t, "p_arm", r.PArm, tc.pArm)
		checkNear(t, "p_both", r.PBoth, tc.pArm*tc.pArm)
		if r.Certain != tc.certain {
			t.Errorf("ReciprocalFear(%g, %.12g, %g).Certain = %v (F = %.15g), want %v", tc.mu, tc.d, tc.cbar, r.Certain, r.PArm, tc.certain)
		}
		if it, ok := iterateCutoff(tc.mu, tc.d, tc.cbar); ok && math.Abs(it-r.Cutoff) > 1e-9 {
			t.Errorf("iterating from mu gives %g, Cutoff %g", it, r.Cutoff)
		}
	}
}
