package mediation_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"backchannel/internal/mediation"
	"backchannel/internal/scenario"
)

func ptr(v float64) *float64 { return &v }

// between returns a scenario whose channel is Israel (A) and Iran (B), with the
// candidates and relations given.
func between(candidates []scenario.Actor, rels ...scenario.Relation) *scenario.Scenario {
	return &scenario.Scenario{
		Path:      "test.yaml",
		Actors:    append([]scenario.Actor{{Code: "ISR", Name: "Israel"}, {Code: "IRN", Name: "Iran"}}, candidates...),
		Relations: append([]scenario.Relation{{A: "ISR", B: "IRN", Value: -0.9}}, rels...),
		Channel:   scenario.Channel{Mediator: "RUS", Parties: []string{"ISR", "IRN"}},
	}
}

func rel(a, b string, v float64, ties bool) scenario.Relation {
	return scenario.Relation{A: a, B: b, Value: v, Ties: ties}
}

// The rows are computed by hand from MODELS.md D and A4: access = min(relA, relB),
// derived ideal = (1 + relB - relA) / 2 clipped to [0, 1], credible iff the ideal lies
// in [1/4 + kM/2, 3/4 - kM/2] within 1e-9, kM 0.1 unless given.
func TestAssess(t *testing.T) {
	tests := []struct {
		name      string
		ideal, kM *float64
		rels      []scenario.Relation // K's relations with ISR and IRN; a missing one is 0 without ties
		ties      bool
		access    float64
		ideal0    float64 // the ideal as ranked
		source    mediation.IdealSource
		unclipped float64
		credible  bool
		interval  string
		reasons   []string
	}{
		{"given ideal, standing with both", ptr(0.6), ptr(0.1),
			[]scenario.Relation{rel("K", "ISR", 0.3, true), rel("IRN", "K", 0.6, true)},
			true, 0.3, 0.6, mediation.IdealGiven, 0.6, true, "[0.30, 0.70]",
			[]string{"ties with both", "standing with both: access 0.30", "ideal 0.60 inside [0.30, 0.70] (given)"}},
		{"derived ideal leaning to A", nil, nil,
			[]scenario.Relation{rel("K", "ISR", 0.5, true), rel("K", "IRN", -0.4, true)},
			true, -0.4, 0.05, mediation.IdealDerived, 0.05, false, "[0.30, 0.70]",
			[]string{"ties with both", "no standing with Iran: relation -0.40", "aligned with Israel: ideal 0.05 outside [0.30, 0.70] (derived from relations)"}},
		{"derived ideal leaning to B", nil, nil,
			[]scenario.Relation{rel("K", "ISR", -0.1, true), rel("K", "IRN", 0.5, true)},
			true, -0.1, 0.8, mediation.IdealDerived, 0.8, false, "[0.30, 0.70]",
			[]string{"ties with both", "no standing with Israel: relation -0.10", "aligned with Iran: ideal 0.80 outside [0.30, 0.70] (derived from relations)"}},
		{"derived ideal inside, no ties with A", nil, nil,
			[]scenario.Relation{rel("K", "ISR", 0.1, false), rel("K", "IRN", -0.2, true)},
			false, -0.2, 0.35, mediation.IdealDerived, 0.35, true, "[0.30, 0.70]",
			[]string{"no ties with Israel", "no standing with Iran: relation -0.20", "ideal 0.35 inside [0.30, 0.70] (derived from relations)"}},
		{"derived ideal clipped to 0", nil, nil,
			[]scenario.Relation{rel("K", "ISR", 0.9, true), rel("K", "IRN", -0.8, false)},
			false, -0.8, 0, mediation.IdealDerived, -0.35, false, "[0.30, 0.70]",
			[]string{"no ties with Iran", "no standing with Iran: relation -0.80", "aligned with Israel: ideal 0.00 outside [0.30, 0.70] (derived from relations: -0.35 clipped to 0.00)"}},
		{"derived ideal clipped to 1", nil, nil,
			[]scenario.Relation{rel("K", "ISR", -0.9, false), rel("K", "IRN", 0.9, true)},
			false, -0.9, 1, mediation.IdealDerived, 1.4, false, "[0.30, 0.70]",
			[]string{"no ties with Israel", "no standing with Israel: relation -0.90", "aligned with Iran: ideal 1.00 outside [0.30, 0.70] (derived from relations: 1.40 clipped to 1.00)"}},
		{"no relations listed", nil, nil, nil,
			false, 0, 0.5, mediation.IdealDerived, 0.5, true, "[0.30, 0.70]",
			[]string{"no ties with Israel", "no ties with Iran", "no standing with Israel: relation 0.00", "no standing with Iran: relation 0.00", "ideal 0.50 inside [0.30, 0.70] (derived from relations)"}},
		{"derived ideal on the lower bound", nil, nil,
			[]scenario.Relation{rel("K", "ISR", 0.4, true), rel("K", "IRN", 0, true)},
			true, 0, 0.3, mediation.IdealDerived, 0.3, true, "[0.30, 0.70]",
			[]string{"ties with both", "no standing with Iran: relation 0.00", "ideal 0.30 inside [0.30, 0.70] (derived from relations)"}},
		{"given ideal 0.9e-9 below the lower bound", ptr(0.3 - 0.9e-9), nil,
			[]scenario.Relation{rel("K", "ISR", 0.2, true), rel("K", "IRN", 0.2, true)},
			true, 0.2, 0.3 - 0.9e-9, mediation.IdealGiven, 0.3 - 0.9e-9, true, "[0.30, 0.70]",
			[]string{"ties with both", "standing with both: access 0.20", "ideal 0.30 inside [0.30, 0.70] (given)"}},
		{"given ideal 1.1e-9 below the lower bound", ptr(0.3 - 1.1e-9), nil,
			[]scenario.Relation{rel("K", "ISR", 0.2, true), rel("K", "IRN", 0.2, true)},
			true, 0.2, 0.3 - 1.1e-9, mediation.IdealGiven, 0.3 - 1.1e-9, false, "[0.30, 0.70]",
			[]string{"ties with both", "standing with both: access 0.20", "aligned with Israel: ideal 0.30 outside [0.30, 0.70] (given)"}},
		{"given ideal 0.9e-9 above the upper bound", ptr(0.7 + 0.9e-9), ptr(0.1),
			[]scenario.Relation{rel("K", "ISR", 0.2, true), rel("K", "IRN", 0.2, true)},
			true, 0.2, 0.7 + 0.9e-9, mediation.IdealGiven, 0.7 + 0.9e-9, true, "[0.30, 0.70]",
			[]string{"ties with both", "standing with both: access 0.20", "ideal 0.70 inside [0.30, 0.70] (given)"}},
		{"given ideal 1.1e-9 above the upper bound", ptr(0.7 + 1.1e-9), ptr(0.1),
			[]scenario.Relation{rel("K", "ISR", 0.2, true), rel("K", "IRN", 0.2, true)},
			true, 0.2, 0.7 + 1.1e-9, mediation.IdealGiven, 0.7 + 1.1e-9, false, "[0.30, 0.70]",
			[]string{"ties with both", "standing with both: access 0.20", "aligned with Iran: ideal 0.70 outside [0.30, 0.70] (given)"}},
		{"no conflict cost: [0.25, 0.75]", ptr(0.25), ptr(0),
			[]scenario.Relation{rel("K", "ISR", 0.5, true), rel("K", "IRN", 0.7, true)},
			true, 0.5, 0.25, mediation.IdealGiven, 0.25, true, "[0.25, 0.75]",
			[]string{"ties with both", "standing with both: access 0.50", "ideal 0.25 inside [0.25, 0.75] (given)"}},
		{"conflict cost 1/2: the single point 1/2", ptr(0.5), ptr(0.5),
			[]scenario.Relation{rel("K", "ISR", 0.5, true), rel("K", "IRN", 0.5, true)},
			true, 0.5, 0.5, mediation.IdealGiven, 0.5, true, "[0.50, 0.50]",
			[]string{"ties with both", "standing with both: access 0.50", "ideal 0.50 inside [0.50, 0.50] (given)"}},
		{"conflict cost above 1/2: never credible", ptr(0.5), ptr(0.6),
			[]scenario.Relation{rel("K", "ISR", 0.5, true), rel("K", "IRN", 0.5, true)},
			true, 0.5, 0.5, mediation.IdealGiven, 0.5, false, "empty",
			[]string{"ties with both", "standing with both: access 0.50", "cares more about peace than the terms: conflict cost 0.60 above 0.50, no ideal point is credible"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := scenario.Actor{Code: "K", Name: "Kandidat", Ideal: tt.ideal, ConflictCost: tt.kM}
			r, err := mediation.Rank(between([]scenario.Actor{k}, tt.rels...))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Candidates) != 1 {
				t.Fatalf("%d candidates, want 1 (the parties are not candidates)", len(r.Candidates))
			}
			c := r.Candidates[0]
			if c.Actor != "K" || c.Name != "Kandidat" || c.Rank != 1 {
				t.Errorf("actor %s %q rank %d, want K \"Kandidat\" rank 1", c.Actor, c.Name, c.Rank)
			}
			if c.Ties != tt.ties || c.Access != tt.access || c.Credible != tt.credible {
				t.Errorf("ties %v access %g credible %v, want %v %g %v", c.Ties, c.Access, c.Credible, tt.ties, tt.access, tt.credible)
			}
			if c.Ideal != tt.ideal0 || c.IdealSource != tt.source || c.Unclipped != tt.unclipped {
				t.Errorf("ideal %v (%s, unclipped %v), want %v (%s, unclipped %v)", c.Ideal, c.IdealSource, c.Unclipped, tt.ideal0, tt.source, tt.unclipped)
			}
			if got := c.Interval(); got != tt.interval {
				t.Errorf("interval %s, want %s", got, tt.interval)
			}
			if !slices.Equal(c.Reasons, tt.reasons) {
				t.Errorf("reasons\n  %s\nwant\n  %s", strings.Join(c.Reasons, "\n  "), strings.Join(tt.reasons, "\n  "))
			}
		})
	}
}

// Candidates equal on ties, credibility and access share a rank, the next rank skips
// as many places, and equals keep the order of the actors section.
func TestRankShared(t *testing.T) {
	credible, lopsided := ptr(0.5), ptr(0.1)
	s := between([]scenario.Actor{
		{Code: "USA", Ideal: lopsided}, // no ties with B, not credible, access 0.9
		{Code: "FRA", Ideal: credible}, // no ties with B, credible, access 0.9
		{Code: "CHN", Ideal: lopsided}, // ties, not credible, access 0.8
		{Code: "GBR", Ideal: credible}, // ties, credible, access 0.3
		{Code: "DEU", Ideal: credible}, // ties, credible, access 0.3: shares GBR's rank
		{Code: "QAT", Ideal: lopsided}, // as USA: shares its rank
		{Code: "TUR", Ideal: credible}, // ties, credible, access 0.4: first
	},
		rel("USA", "ISR", 0.9, true), rel("USA", "IRN", 0.9, false),
		rel("FRA", "ISR", 0.9, true), rel("FRA", "IRN", 0.9, false),
		rel("CHN", "ISR", 0.8, true), rel("CHN", "IRN", 0.8, true),
		rel("GBR", "ISR", 0.3, true), rel("GBR", "IRN", 0.5, true),
		rel("DEU", "ISR", 0.6, true), rel("DEU", "IRN", 0.3, true),
		rel("QAT", "ISR", 0.9, true), rel("QAT", "IRN", 0.9, false),
		rel("TUR", "ISR", 0.4, true), rel("TUR", "IRN", 0.4, true),
	)
	r, err := mediation.Rank(s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Candidates {
		got = append(got, fmt.Sprintf("%s %d", c.Actor, c.Rank))
	}
	want := []string{"TUR 1", "GBR 2", "DEU 2", "CHN 4", "FRA 5", "USA 6", "QAT 6"}
	if !slices.Equal(got, want) {
		t.Errorf("ranking %q, want %q", got, want)
	}
	if r.Candidates[1].Name != "GBR" {
		t.Errorf("an actor without a name is named by its code; got %q", r.Candidates[1].Name)
	}
}

func TestRankErrors(t *testing.T) {
	three := between(nil)
	three.Actors = append(three.Actors, scenario.Actor{Code: "LBN", Name: "Lebanon"})
	three.Channel.Parties = append(three.Channel.Parties, "LBN")
	missing := between(nil)
	missing.Channel.Parties = []string{"ISR", "SYR"}
	for _, tt := range []struct {
		s    *scenario.Scenario
		want string
	}{
		{three, "test.yaml: a mediator is ranked between two parties; the channel names 3"},
		{missing, "test.yaml: channel party SYR is not among the actors"},
	} {
		if _, err := mediation.Rank(tt.s); err == nil || err.Error() != tt.want {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
	r, err := mediation.Rank(between(nil))
	if err != nil || len(r.Candidates) != 0 {
		t.Errorf("no candidates: %+v, %v", r, err)
	}
}
