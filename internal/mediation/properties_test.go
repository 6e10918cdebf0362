package mediation_test

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"backchannel/internal/mediation"
	"backchannel/internal/scenario"
	"backchannel/internal/theory"
)

// randomScenario draws up to eight candidates with random relations to the parties
// (from a few values often, so that equal access is common), ideals and conflict
// costs given or not.
func randomScenario(t *rapid.T) *scenario.Scenario {
	value := rapid.OneOf(rapid.SampledFrom([]float64{-1, -0.4, 0, 0.3, 1}), rapid.Float64Range(-1, 1))
	var actors []scenario.Actor
	var rels []scenario.Relation
	n := rapid.IntRange(0, 8).Draw(t, "n")
	for i := range n {
		k := scenario.Actor{Code: fmt.Sprintf("K%d", i)}
		if rapid.Bool().Draw(t, "ideal given") {
			k.Ideal = ptr(rapid.OneOf(rapid.SampledFrom([]float64{0.3, 0.5, 0.7}), rapid.Float64Range(0, 1)).Draw(t, "ideal"))
		}
		if rapid.Bool().Draw(t, "conflict cost given") {
			k.ConflictCost = ptr(rapid.OneOf(rapid.SampledFrom([]float64{0, 0.1, 0.5}), rapid.Float64Range(0, 0.7)).Draw(t, "kM"))
		}
		actors = append(actors, k)
		for _, p := range []string{"ISR", "IRN"} {
			if rapid.IntRange(0, 4).Draw(t, "listed") > 0 {
				rels = append(rels, rel(k.Code, p, value.Draw(t, "value"), rapid.Bool().Draw(t, "ties")))
			}
		}
	}
	s := between(actors, rels...)
	// The parties may be listed anywhere among the actors.
	s.Actors = rapid.Permutation(s.Actors).Draw(t, "actor order")
	return s
}

// better is the ranking rule of MODELS.md D, written out: ties with both first,
// then credible, then higher access.
func better(x, y mediation.Candidate) bool {
	if x.Ties != y.Ties {
		return x.Ties
	}
	if x.Credible != y.Credible {
		return x.Credible
	}
	return x.Access > y.Access
}

func TestPropRankOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := randomScenario(t)
		r, err := mediation.Rank(s)
		if err != nil {
			t.Fatal(err)
		}
		var want []string // the non-party actors in file order
		for _, a := range s.Actors {
			if a.Code != "ISR" && a.Code != "IRN" {
				want = append(want, a.Code)
			}
		}
		if len(r.Candidates) != len(want) {
			t.Fatalf("%d candidates, want %d", len(r.Candidates), len(want))
		}
		for i, c := range r.Candidates {
			if !slices.Contains(want, c.Actor) || slices.IndexFunc(r.Candidates, func(d mediation.Candidate) bool { return d.Actor == c.Actor }) != i {
				t.Fatalf("candidate %s is not a non-party actor listed once", c.Actor)
			}
			checkCandidate(t, s, c)
			if i == 0 {
				if c.Rank != 1 {
					t.Fatalf("the first candidate has rank %d", c.Rank)
				}
				continue
			}
			prev := r.Candidates[i-1]
			switch {
			case better(c, prev):
				t.Fatalf("%+v is ranked below %+v", c, prev)
			case better(prev, c) && c.Rank != i+1:
				t.Fatalf("%s has rank %d after %d candidates ranked above it", c.Actor, c.Rank, i)
			case !better(prev, c) && c.Rank != prev.Rank:
				t.Fatalf("%s and %s are equal by the rule but ranked %d and %d", prev.Actor, c.Actor, prev.Rank, c.Rank)
			case !better(prev, c) && slices.Index(want, prev.Actor) > slices.Index(want, c.Actor):
				t.Fatalf("%s and %s share a rank out of the actors' order", prev.Actor, c.Actor)
			}
		}
	})
}

// checkCandidate checks one candidate's numbers against the scenario and A4.
func checkCandidate(t *rapid.T, s *scenario.Scenario, c mediation.Candidate) {
	ra, rb := s.Relation(c.Actor, "ISR"), s.Relation(c.Actor, "IRN")
	if c.Access != min(ra.Value, rb.Value) || c.Ties != (ra.Ties && rb.Ties) {
		t.Fatalf("%s: access %g ties %v from relations %+v, %+v", c.Actor, c.Access, c.Ties, ra, rb)
	}
	k, _ := s.Actor(c.Actor)
	kM := mediation.DefaultConflictCost
	if k.ConflictCost != nil {
		kM = *k.ConflictCost
	}
	if c.Ideal < 0 || c.Ideal > 1 || (k.Ideal != nil && c.Ideal != *k.Ideal) {
		t.Fatalf("%s: ideal %g", c.Actor, c.Ideal)
	}
	if c.Credible != theory.MediatorCredible(c.Ideal, kM) {
		t.Fatalf("%s: credible %v at ideal %g, kM %g", c.Actor, c.Credible, c.Ideal, kM)
	}
	if len(c.Reasons) < 2 {
		t.Fatalf("%s: reasons %q", c.Actor, c.Reasons)
	}
}
