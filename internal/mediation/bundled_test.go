package mediation_test

import (
	"path/filepath"
	"slices"
	"testing"

	"backchannel/internal/mediation"
	"backchannel/internal/scenario"
)

// TestBundled checks that the ranking on the bundled scenario tells the story of the
// source documents (seed 000): "Russia alone possessed the combination of legitimacy
// and access required"; Europe is aligned with the Western coalition of which Israel
// is a member; the Gulf states are aligned with Israel and suspicious of Iran (and
// Qatar has no ties with Israel); China lacks standing with Israel; the United States has no ties with Iran.
func TestBundled(t *testing.T) {
	s, err := scenario.Load(filepath.Join("..", "..", "scenarios", "israel-iran-2026", "scenario.yaml"))
	if err != nil {
		t.Fatalf("the bundled scenario does not load:\n%v", err)
	}
	r, err := mediation.Rank(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		actor    string
		rank     int
		ties     bool
		access   float64
		ideal    float64
		source   mediation.IdealSource
		credible bool
		reasons  []string // among its reasons
	}{
		{"RUS", 1, true, 0.3, 0.6, mediation.IdealGiven, true,
			[]string{"ties with both", "ideal 0.60 inside [0.30, 0.70] (given)"}},
		{"CHN", 2, true, -0.1, 0.8, mediation.IdealDerived, false,
			[]string{"no standing with Israel: relation -0.10", "aligned with Iran: ideal 0.80 outside [0.30, 0.70] (derived from relations)"}},
		{"FRA", 3, true, -0.4, 0.05, mediation.IdealDerived, false,
			[]string{"aligned with Israel: ideal 0.05 outside [0.30, 0.70] (derived from relations)"}},
		{"QAT", 4, false, -0.2, 0.25, mediation.IdealDerived, false,
			[]string{"no ties with Israel", "no standing with Iran: relation -0.20", "aligned with Israel: ideal 0.25 outside [0.30, 0.70] (derived from relations)"}},
		{"USA", 5, false, -0.8, 0, mediation.IdealDerived, false,
			[]string{"no ties with Iran", "aligned with Israel: ideal 0.00 outside [0.30, 0.70] (derived from relations: -0.35 clipped to 0.00)"}},
	}
	if len(r.Candidates) != len(want) {
		t.Fatalf("%d candidates, want %d", len(r.Candidates), len(want))
	}
	for i, w := range want {
		c := r.Candidates[i]
		if c.Actor != w.actor || c.Rank != w.rank || c.Ties != w.ties || c.Access != w.access ||
			c.Ideal != w.ideal || c.IdealSource != w.source || c.Credible != w.credible {
			t.Errorf("place %d: %s rank %d ties %v access %g ideal %g (%s) credible %v; want %+v",
				i+1, c.Actor, c.Rank, c.Ties, c.Access, c.Ideal, c.IdealSource, c.Credible, w)
		}
		for _, why := range w.reasons {
			if !slices.Contains(c.Reasons, why) {
				t.Errorf("%s: reasons %q lack %q", c.Actor, c.Reasons, why)
			}
		}
	}
}
