package theory

import (
	"math"
	"testing"
)

func TestQStar(t *testing.T) {
	for _, tc := range []struct{ t, c, want float64 }{
		{0.5, 1, 2.0 / 3},   // 1 / (1 - 0.5 + 1) = 1/1.5
		{0, 3, 0.75},        // 3 / (1 + 3)
		{-1, 1, 1.0 / 3},    // 1 / (1 + 1 + 1)
		{1, 1, 1},           // t = R: only certainty of restraint makes holding pay
		{1.5, 1, 2},         // 1 / 0.5: above 1, so an untrustworthy type never holds
		{2, 1, math.Inf(1)}, // 1 - 2 + 1 = 0: no belief makes holding pay
		{3, 1, math.Inf(1)}, // negative denominator, the same
	} {
		if got := QStar(tc.t, tc.c); !near(got, tc.want) {
			t.Errorf("QStar(%g, %g) = %g, want %g", tc.t, tc.c, got, tc.want)
		}
	}
}

func TestStage(t *testing.T) {
	for _, tc := range []struct {
		pi, c, tT   float64
		pistar      float64
		cooperative bool
		without     Outcome
		with        Outcome
	}{
		// MODELS.md check: pi* = 1/(1 - 0.5 + 1) = 2/3 > 0.6, so every side strikes:
		// war 1 -> 1 - 0.36 = 0.64, tragic 0.6^2 = 0.36 -> 0.
		{0.6, 1, 0.5, 2.0 / 3, false, Outcome{War: 1, Tragic: 0.36}, Outcome{War: 0.64, Restraint: 0.36}},
		// pi* = 2/3 <= 0.8: restraint 0.64, exploited 2(0.8)(0.2) = 0.32, war 0.36.
		{0.8, 1, 0.5, 2.0 / 3, true, Outcome{War: 1 - 0.64, Restraint: 0.64, Exploited: 0.32}, Outcome{War: 1 - 0.64, Restraint: 0.64}},
		// pi* = 1/(1 + 1) = 0.5 = pi: the boundary is inclusive. Restraint 0.25,
		// exploited 2(0.5)(0.5) = 0.5, war 0.75.
		{0.5, 1, 0, 0.5, true, Outcome{War: 0.75, Restraint: 0.25, Exploited: 0.5}, Outcome{War: 0.75, Restraint: 0.25}},
		// 5e-10 below pi* = 0.5 is within the tolerance: still cooperative.
		{0.5 - 5e-10, 1, 0, 0.5, true,
			Outcome{War: 1 - (0.5-5e-10)*(0.5-5e-10), Restraint: (0.5 - 5e-10) * (0.5 - 5e-10), Exploited: 2 * (0.5 - 5e-10) * (0.5 + 5e-10)},
			Outcome{War: 1 - (0.5-5e-10)*(0.5-5e-10), Restraint: (0.5 - 5e-10) * (0.5 - 5e-10)}},
		// 2e-9 below is outside it: war 1, tragic pi^2.
		{0.5 - 2e-9, 1, 0, 0.5, false,
			Outcome{War: 1, Tragic: (0.5 - 2e-9) * (0.5 - 2e-9)},
			Outcome{War: 1 - (0.5-2e-9)*(0.5-2e-9), Restraint: (0.5 - 2e-9) * (0.5 - 2e-9)}},
		// pi* = 2/(1 - 0.8 + 2) = 2/2.2 = 0.9091 > 0.9: tragic 0.81, with: war 0.19.
		{0.9, 2, 0.8, 2 / 2.2, false, Outcome{War: 1, Tragic: 0.81}, Outcome{War: 1 - 0.81, Restraint: 0.81}},
		// pi* = 0.25/0.75 = 1/3 > 0.3: tragic 0.09, with: war 0.91.
		{0.3, 0.25, 0.5, 1.0 / 3, false, Outcome{War: 1, Tragic: 0.09}, Outcome{War: 1 - 0.09, Restraint: 0.09}},
		// pi* = 0.1/(1 - 0.9 + 0.1) = 0.5 > 0.4: tragic 0.16, with: war 0.84.
		{0.4, 0.1, 0.9, 0.5, false, Outcome{War: 1, Tragic: 0.16}, Outcome{War: 1 - 0.16, Restraint: 0.16}},
		// Everyone trustworthy: restraint for sure, with or without.
		{1, 1, 0.5, 2.0 / 3, true, Outcome{Restraint: 1}, Outcome{Restraint: 1}},
		// No one trustworthy: war for sure and no tragedy (no T-T pair).
		{0, 1, 0.5, 2.0 / 3, false, Outcome{War: 1}, Outcome{War: 1}},
	} {
		r, err := Stage(tc.pi, tc.c, tc.tT)
		if err != nil {
			t.Fatalf("Stage(%g, %g, %g): %v", tc.pi, tc.c, tc.tT, err)
		}
		checkNear(t, "pistar", r.PiStar, tc.pistar)
		if r.Cooperative != tc.cooperative {
			t.Errorf("Stage(%g, %g, %g).Cooperative = %v, want %v", tc.pi, tc.c, tc.tT, r.Cooperative, tc.cooperative)
		}
		checkOutcome(t, "without", r.Without, tc.without)
		checkOutcome(t, "with", r.With, tc.with)
	}
}

func checkOutcome(t *testing.T, arm string, got, want Outcome) {
	t.Helper()
	checkNear(t, arm+".p_war", got.War, want.War)
	checkNear(t, arm+".p_restraint", got.Restraint, want.Restraint)
	checkNear(t, arm+".p_exploited", got.Exploited, want.Exploited)
	checkNear(t, arm+".p_tragic", got.Tragic, want.Tragic)
}

func TestStageParams(t *testing.T) {
	for _, tc := range []struct {
		pi, c, tT   float64
		param, rang string
	}{
		{-0.1, 1, 0.5, "pi", "[0, 1]"},
		{1.1, 1, 0.5, "pi", "[0, 1]"},
		{math.NaN(), 1, 0.5, "pi", "[0, 1]"},
		{0.5, 0, 0.5, "c", "(0, inf)"},
		{0.5, -1, 0.5, "c", "(0, inf)"},
		{0.5, math.Inf(1), 0.5, "c", "(0, inf)"},
		{0.5, 1, 1, "tT", "[0, 1)"},
		{0.5, 1, -0.1, "tT", "[0, 1)"},
	} {
		_, err := Stage(tc.pi, tc.c, tc.tT)
		wantParamError(t, err, tc.param, tc.rang)
	}
}
