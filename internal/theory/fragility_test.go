package theory

import (
	"math"
	"testing"
)

func TestFragility(t *testing.T) {
	nan := math.NaN() // no delta: no P(war)
	for _, tc := range []struct {
		pi, c, tT, delta      float64
		without, with         float64 // Delta*
		pWarWithout, pWarWith float64
	}{
		// Delta* = 1 - 0.5 + 1 - 1/0.8 = 0.25 without, 1 - 0.5 = 0.5 with.
		{0.8, 1, 0.5, nan, 0.25, 0.5, 0, 0},
		// delta 0.1 < 0.25: both hold, P(war) = 1 - 0.64 = 0.36.
		{0.8, 1, 0.5, 0.1, 0.25, 0.5, 0.36, 0.36},
		// delta = Delta* = 0.25: the boundary holds (A1's q >= q*).
		{0.8, 1, 0.5, 0.25, 0.25, 0.5, 0.36, 0.36},
		// within the tolerance above it, still holds; beyond it, fails.
		{0.8, 1, 0.5, 0.25 + 5e-10, 0.25, 0.5, 0.36, 0.36},
		{0.8, 1, 0.5, 0.25 + 2e-9, 0.25, 0.5, 1, 0.36},
		// delta 0.3: fails without (war 1), holds with.
		{0.8, 1, 0.5, 0.3, 0.25, 0.5, 1, 0.36},
		// delta 0.5 = 1 - tT: the channel holds at its bound.
		{0.8, 1, 0.5, 0.5, 0.25, 0.5, 1, 0.36},
		// delta 0.6: both fail.
		{0.8, 1, 0.5, 0.6, 0.25, 0.5, 1, 1},
		// 1.5 - 1/0.6 = -1/6 < 0: without fails under no pressure; with: 1 - 0.36.
		{0.6, 1, 0.5, 0, 1.5 - 1/0.6, 0.5, 1, 0.64},
		// 0.8 + 2 - 2/1 = 0.8, as with the channel: pi = 1 needs no channel.
		{1, 2, 0.2, nan, 0.8, 0.8, 0, 0},
		// 1 + 0.5 - 0.5/0.5 = 0.5, with 1.
		{0.5, 0.5, 0, nan, 0.5, 1, 0, 0},
		// 0.3 + 0.1 - 0.1/0.9 = 0.28889, with 0.3.
		{0.9, 0.1, 0.7, nan, 0.4 - 0.1/0.9, 0.3, 0, 0},
	} {
		var r FragilityResult
		var err error
		if math.IsNaN(tc.delta) {
			r, err = Fragility(tc.pi, tc.c, tc.tT)
		} else {
			r, err = FragilityAt(tc.pi, tc.c, tc.tT, tc.delta)
		}
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "delta_star_without", r.DeltaStarWithout, tc.without)
		checkNear(t, "delta_star_with", r.DeltaStarWith, tc.with)
		if math.IsNaN(tc.delta) {
			if r.PWarWithout != nil || r.PWarWith != nil {
				t.Errorf("Fragility(%g, %g, %g) gives P(war) without a delta", tc.pi, tc.c, tc.tT)
			}
			continue
		}
		checkNear(t, "p_war_without", *r.PWarWithout, tc.pWarWithout)
		checkNear(t, "p_war_with", *r.PWarWith, tc.pWarWith)
	}
}

func TestCapacity(t *testing.T) {
	for _, tc := range []struct {
		pi, c, tT     float64
		without, with float64
	}{
		{0.8, 1, 0.5, (2.0 / 3) / 0.8, 2.0 / 3}, // pi* = 2/3; 0.8333 without
		{0.6, 1, 0.5, (2.0 / 3) / 0.6, 2.0 / 3}, // 1.1111 > 1: no control is enough
		{1, 1, 0, 0.5, 0.5},                     // pi* = 0.5; pi = 1 changes nothing
		{0.5, 0.25, 0.5, 2.0 / 3, 1.0 / 3},      // pi* = 0.25/0.75 = 1/3
		{0.9, 2, 0.8, (2 / 2.2) / 0.9, 2 / 2.2}, // pi* = 0.9091; 1.0101
		{0.25, 0.1, 0.9, 2, 0.5},                // pi* = 0.1/0.2 = 0.5; 0.5/0.25
	} {
		r, err := Capacity(tc.pi, tc.c, tc.tT)
		if err != nil {
			t.Fatal(err)
		}
		checkNear(t, "kappa_star_without", r.KappaStarWithout, tc.without)
		checkNear(t, "kappa_star_with", r.KappaStarWith, tc.with)
	}
}

func TestFragilityCapacityParams(t *testing.T) {
	_, err := Fragility(0, 1, 0.5)
	wantParamError(t, err, "pi", "(0, 1]")
	_, err = FragilityAt(0.5, 1, 0.5, -0.1)
	wantParamError(t, err, "delta", "[0, inf)")
	_, err = Fragility(0.5, 1, 1)
	wantParamError(t, err, "tT", "[0, 1)")
	_, err = Capacity(0, 1, 0.5)
	wantParamError(t, err, "pi", "(0, 1]")
	_, err = Capacity(0.5, 0, 0.5)
	wantParamError(t, err, "c", "(0, inf)")
}
