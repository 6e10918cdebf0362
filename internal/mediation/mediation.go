// Package mediation ranks who could mediate between the two parties of a scenario's
// channel (MODELS.md part D). A mediator needs access to both sides (diplomatic ties
// and a working relation with each) and credibility: by Kydd's model (MODELS.md A4,
// theory.MediatorCredible) a mediator is believed only if its ideal point is close
// enough to the middle that it would not lie for either side, and it does not care so
// much about peace that it would lie to avert a war. The ranking puts the actors that
// have both first, and says in words why each of the others falls short.
package mediation

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"backchannel/internal/scenario"
	"backchannel/internal/theory"
)

// DefaultConflictCost is the conflict cost kM of a candidate whose scenario entry
// gives no conflict_cost (MODELS.md D).
const DefaultConflictCost = 0.1

// IdealSource says where a candidate's ideal point came from.
type IdealSource string

const (
	// IdealGiven is an ideal written in the scenario's actors section.
	IdealGiven IdealSource = "given"
	// IdealDerived is an ideal derived from the candidate's relations with the two
	// parties: (1 + rel(k, B) - rel(k, A)) / 2, clipped to [0, 1].
	IdealDerived IdealSource = "derived"
)

// Candidate is an actor that is not a party, assessed as a mediator between the
// parties A and B. The JSON form has exactly the keys of MODELS.md D.
type Candidate struct {
	// Actor is the candidate's code; Name its name in the scenario.
	Actor string `json:"actor"`
	Name  string `json:"-"`
	// Rank is 1 for the best candidates; candidates equal by the ranking rule
	// share a rank, and the next rank skips as many places (1, 2, 2, 4).
	Rank int `json:"rank"`
	// Ties says whether the candidate has diplomatic ties with both parties.
	Ties bool `json:"ties"`
	// Access is the worse of its relations with the two parties, -1 to +1.
	Access float64 `json:"access"`
	// Ideal is its ideal point, 0 (A's position) to 1 (B's); IdealSource says
	// where it came from, and Unclipped is a derived ideal before clipping.
	Ideal       float64     `json:"ideal"`
	IdealSource IdealSource `json:"-"`
	Unclipped   float64     `json:"-"`
	// Credible says whether the parties would believe its reports (A4): whether
	// Ideal lies in [Lo, Hi], the interval for its ConflictCost; HasInterval is
	// false when no ideal point is credible (a conflict cost above 1/2).
	Credible     bool    `json:"credible"`
	ConflictCost float64 `json:"-"`
	Lo, Hi       float64 `json:"-"`
	HasInterval  bool    `json:"-"`
	// Relations are the candidate's relations with A and B, in that order.
	Relations [2]scenario.Relation `json:"-"`
	// Reasons say in words what qualifies or disqualifies it: ties, standing,
	// then credibility.
	Reasons []string `json:"reasons"`
}

// Ranking is every candidate of a scenario, best first.
type Ranking struct {
	// Parties are A and B, the channel's parties in the order the scenario
	// lists them.
	Parties    [2]scenario.Actor `json:"-"`
	Candidates []Candidate       `json:"candidates"`
}

// Rank assesses every actor of s that is not a party of its channel and ranks them:
// candidates with ties to both parties first, then credible ones, then by access,
// highest first. Candidates equal on all three share a rank and keep the order of
// the scenario's actors section. Rank fails when the channel does not name exactly
// two parties, since the ideal point and the credibility model are for two.
func Rank(s *scenario.Scenario) (*Ranking, error) {
	if len(s.Channel.Parties) != 2 {
		return nil, fmt.Errorf("%s: a mediator is ranked between two parties; the channel names %d", s.Path, len(s.Channel.Parties))
	}
	r := &Ranking{Candidates: []Candidate{}}
	for i, code := range s.Channel.Parties {
		a, ok := s.Actor(code)
		if !ok {
			return nil, fmt.Errorf("%s: channel party %s is not among the actors", s.Path, code)
		}
		r.Parties[i] = a
	}
	for _, a := range s.Actors {
		if !slices.Contains(s.Channel.Parties, a.Code) {
			r.Candidates = append(r.Candidates, assess(s, a, r.Parties))
		}
	}
	slices.SortStableFunc(r.Candidates, compare)
	for i := range r.Candidates {
		if i > 0 && compare(r.Candidates[i-1], r.Candidates[i]) == 0 {
			r.Candidates[i].Rank = r.Candidates[i-1].Rank
		} else {
			r.Candidates[i].Rank = i + 1
		}
	}
	return r, nil
}

// compare orders candidates by the ranking rule: ties with both first, then credible,
// then access, highest first. Access is compared exactly: relations are written to
// a few decimals and their minimum is one of them, so equal values are equal floats.
func compare(x, y Candidate) int {
	if c := cmpTrueFirst(x.Ties, y.Ties); c != 0 {
		return c
	}
	if c := cmpTrueFirst(x.Credible, y.Credible); c != 0 {
		return c
	}
	return cmp.Compare(y.Access, x.Access)
}

func cmpTrueFirst(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return -1
	}
	return 1
}

// assess computes one candidate's ties, access, ideal point and credibility.
func assess(s *scenario.Scenario, k scenario.Actor, parties [2]scenario.Actor) Candidate {
	ra, rb := s.Relation(k.Code, parties[0].Code), s.Relation(k.Code, parties[1].Code)
	c := Candidate{
		Actor:        k.Code,
		Name:         name(k),
		Ties:         ra.Ties && rb.Ties,
		Access:       min(ra.Value, rb.Value),
		Relations:    [2]scenario.Relation{ra, rb},
		ConflictCost: DefaultConflictCost,
	}
	if k.Ideal != nil {
		c.Ideal, c.Unclipped, c.IdealSource = *k.Ideal, *k.Ideal, IdealGiven
	} else {
		c.Unclipped = derivedIdeal(ra.Value, rb.Value)
		c.Ideal, c.IdealSource = min(max(c.Unclipped, 0), 1), IdealDerived
	}
	if k.ConflictCost != nil {
		c.ConflictCost = *k.ConflictCost
	}
	c.Lo, c.Hi, c.HasInterval = theory.MediatorInterval(c.ConflictCost)
	c.Credible = theory.MediatorCredible(c.Ideal, c.ConflictCost)
	c.Reasons = reasons(c, parties)
	return c
}

// derivedIdeal places a candidate between A (0) and B (1) by how much better it
// stands with B than with A: (1 + relB - relA) / 2, before clipping. It is rounded
// to 12 decimals so that relations written to a few decimals give the ideal a
// person computes (0.35, not 0.35000000000000003); that is far inside theory.Tol.
func derivedIdeal(relA, relB float64) float64 {
	return math.Round((1+relB-relA)/2*1e12) / 1e12
}

// name is an actor's name, or its code when the scenario gives none.
func name(a scenario.Actor) string {
	if a.Name == "" {
		return a.Code
	}
	return a.Name
}
