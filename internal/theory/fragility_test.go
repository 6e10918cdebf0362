package theory

import (
	"math"
	"regexp"
	"strings"
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

// The verdicts of `backchannel model capacity`: cooperation holds without a channel iff
// kappa >= kappa*_without and with one iff kappa >= kappa*_with, within Tol (A7), and
// no control is enough without a channel iff kappa*_without > 1 by more than Tol.
const (
	bothHold    = "holds with or without a channel"
	withOnly    = "fails without a channel and holds with one"
	neitherHold = "fails with or without a channel"
	noControl   = "Without a channel no control is enough (kappa* > 1)."
)

var kappaLine = regexp.MustCompile(`(?m)^At kappa = (\S+) cooperation (.+)\.$`)

// capacityText evaluates the capacity model as the CLI does, by name, and returns
// its text.
func capacityText(t *testing.T, v map[string]float64) string {
	t.Helper()
	m, _ := Lookup("capacity")
	res, err := m.Eval(v)
	if err != nil {
		t.Fatalf("capacity %v: %v", v, err)
	}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCapacityKappa(t *testing.T) {
	for _, tc := range []struct {
		pi, c, tT, kappa float64
		verdict          string
		noControl        bool
	}{
		// pi* = 1/(1 - 0 + 1) = 0.5; kappa* = 0.5/0.625 = 0.8 without, 0.5 with.
		{0.625, 1, 0, 1, bothHold, false},             // 1 >= 0.8
		{0.625, 1, 0, 0.9, bothHold, false},           // 0.9 >= 0.8
		{0.625, 1, 0, 0.8, bothHold, false},           // 0.8 = 0.8: inclusive
		{0.625, 1, 0, 0.8 - 5e-10, bothHold, false},   // within Tol below: on the boundary
		{0.625, 1, 0, 0.8 + 5e-10, bothHold, false},   // within Tol above
		{0.625, 1, 0, 0.8 - 1e-8, withOnly, false},    // beyond Tol below: fails without
		{0.625, 1, 0, 0.8 + 1e-8, bothHold, false},    // beyond Tol above
		{0.625, 1, 0, 0.65, withOnly, false},          // 0.5 <= 0.65 < 0.8
		{0.625, 1, 0, 0.5, withOnly, false},           // 0.5 = 0.5: the channel's bound, inclusive
		{0.625, 1, 0, 0.5 - 5e-10, withOnly, false},   // within Tol below
		{0.625, 1, 0, 0.5 + 5e-10, withOnly, false},   // within Tol above
		{0.625, 1, 0, 0.5 - 1e-8, neitherHold, false}, // beyond Tol below: fails with too
		{0.625, 1, 0, 0.5 + 1e-8, withOnly, false},    // beyond Tol above
		{0.625, 1, 0, 0, neitherHold, false},          // no control at all
		// pi* = 1/(1 - 0.5 + 1) = 2/3; kappa* = (2/3)/0.8 = 0.8333 without, 0.6667 with.
		{0.8, 1, 0.5, 0.85, bothHold, false},   // 0.85 >= 0.8333
		{0.8, 1, 0.5, 0.8, withOnly, false},    // 0.6667 <= 0.8 < 0.8333
		{0.8, 1, 0.5, 0.6, neitherHold, false}, // 0.6 < 0.6667
		// pi* = 0.25/(1 - 0.5 + 0.25) = 1/3; kappa* = (1/3)/0.5 = 2/3 without, 1/3 with.
		{0.5, 0.25, 0.5, 0.7, bothHold, false},    // 0.7 >= 0.6667
		{0.5, 0.25, 0.5, 0.5, withOnly, false},    // 0.3333 <= 0.5 < 0.6667
		{0.5, 0.25, 0.5, 0.3, neitherHold, false}, // 0.3 < 0.3333
		// pi = 1: kappa* = 0.5 both ways, the channel adds nothing.
		{1, 1, 0, 0.5, bothHold, false},     // 0.5 >= 0.5
		{1, 1, 0, 0.49, neitherHold, false}, // 0.49 < 0.5
		// pi* = 2/3, kappa* = (2/3)/0.6 = 10/9 = 1.1111 > 1 without: no control is
		// enough; with, 2/3.
		{0.6, 1, 0.5, 1, withOnly, true},      // 2/3 <= 1 < 1.1111
		{0.6, 1, 0.5, 0.5, neitherHold, true}, // 0.5 < 2/3
		// pi* = 2/(1 - 0.8 + 2) = 10/11; kappa* = (10/11)/0.9 = 1.0101 without: no control
		// is enough; with, 0.9091.
		{0.9, 2, 0.8, 1, withOnly, true},      // 0.9091 <= 1
		{0.9, 2, 0.8, 0.9, neitherHold, true}, // 0.9 < 0.9091
		// kappa*_without = 1 exactly (pi* = 0.5 = pi): full control is just enough.
		{0.5, 1, 0, 1, bothHold, false},
		// kappa*_without = 0.5/(0.5/(1 + 5e-10)) = 1 + 5e-10: within Tol of 1, so it
		// counts as 1: full control is enough, and the text does not say otherwise.
		{0.5 / (1 + 5e-10), 1, 0, 1, bothHold, false},
		// 1 + 1e-8: beyond Tol, no control is enough without a channel.
		{0.5 / (1 + 1e-8), 1, 0, 1, withOnly, true},
	} {
		text := capacityText(t, map[string]float64{"pi": tc.pi, "c": tc.c, "tT": tc.tT, "kappa": tc.kappa})
		m := kappaLine.FindStringSubmatch(text)
		if m == nil {
			t.Errorf("capacity pi=%g c=%g tT=%g kappa=%g: no verdict in\n%s", tc.pi, tc.c, tc.tT, tc.kappa, text)
			continue
		}
		if m[1] != gnum(tc.kappa) || m[2] != tc.verdict {
			t.Errorf("capacity pi=%g c=%g tT=%g kappa=%g: kappa %s, cooperation %q; want %q",
				tc.pi, tc.c, tc.tT, tc.kappa, m[1], m[2], tc.verdict)
		}
		if got := strings.Contains(text, noControl); got != tc.noControl {
			t.Errorf("capacity pi=%g c=%g tT=%g: says no control is enough %v, want %v\n%s", tc.pi, tc.c, tc.tT, got, tc.noControl, text)
		}
	}
	// Without kappa there is no verdict.
	if text := capacityText(t, map[string]float64{"pi": 0.625, "c": 1, "tT": 0}); kappaLine.MatchString(text) {
		t.Errorf("capacity without kappa gives a verdict:\n%s", text)
	}
}
