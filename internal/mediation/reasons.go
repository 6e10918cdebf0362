package mediation

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"backchannel/internal/scenario"
)

// reasons says in words what qualifies or disqualifies a candidate, in the order of
// the ranking rule: ties, standing with each party (the access), credibility.
func reasons(c Candidate, parties [2]scenario.Actor) []string {
	var out []string
	if c.Ties {
		out = append(out, "ties with both")
	}
	for i, r := range c.Relations {
		if !r.Ties {
			out = append(out, "no ties with "+name(parties[i]))
		}
	}
	standing := true
	for i, r := range c.Relations {
		if r.Value <= 0 {
			out = append(out, fmt.Sprintf("no standing with %s: relation %s", name(parties[i]), num(r.Value)))
			standing = false
		}
	}
	if standing {
		out = append(out, "standing with both: access "+num(c.Access))
	}
	return append(out, credibility(c, parties))
}

// credibility says whether the candidate's ideal point lies in the interval of A4,
// and if not, which party it leans to.
func credibility(c Candidate, parties [2]scenario.Actor) string {
	if !c.HasInterval {
		return fmt.Sprintf("cares more about peace than the terms: conflict cost %s above 0.50, no ideal point is credible", num(c.ConflictCost))
	}
	where := fmt.Sprintf("ideal %s outside %s%s", num(c.Ideal), c.Interval(), c.source())
	switch {
	case c.Credible:
		return fmt.Sprintf("ideal %s inside %s%s", num(c.Ideal), c.Interval(), c.source())
	case c.Ideal < c.Lo:
		return "aligned with " + name(parties[0]) + ": " + where
	}
	return "aligned with " + name(parties[1]) + ": " + where
}

// Interval writes the interval of credible ideal points, "[0.30, 0.70]", or "empty".
func (c Candidate) Interval() string {
	if !c.HasInterval {
		return "empty"
	}
	return "[" + num(c.Lo) + ", " + num(c.Hi) + "]"
}

// source says where the ideal point came from, for the end of a reason.
func (c Candidate) source() string {
	switch {
	case c.IdealSource == IdealGiven:
		return " (given)"
	case c.Ideal != c.Unclipped:
		return fmt.Sprintf(" (derived from relations: %s clipped to %s)", num(c.Unclipped), num(c.Ideal))
	}
	return " (derived from relations)"
}

// num writes a value to two decimals, or up to four when two would hide a
// difference (an ideal of 0.2995 beside a bound of 0.30).
func num(v float64) string {
	v = math.Round(v*1e4)/1e4 + 0 // + 0 turns -0 into 0
	s := strings.TrimRight(strconv.FormatFloat(v, 'f', 4, 64), "0")
	if i := strings.IndexByte(s, '.'); len(s)-i < 3 {
		s += strings.Repeat("0", 3-(len(s)-i))
	}
	return s
}
