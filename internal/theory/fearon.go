package theory

import (
	"fmt"
	"io"
	"math"
)

var fearonParams = []Param{
	{Name: "p", Range: unitRange, Meaning: "the probability that A wins a war"},
	{Name: "cA", Range: nonNegRange, Meaning: "A's cost of war"},
	{Name: "cbar", Range: positiveRange, Meaning: "B's cost of war is private, uniform on [0, cbar]"},
}

// FearonResult is A's optimal demand and the war it risks.
type FearonResult struct {
	Demand float64 `json:"demand"`
	PWar   float64 `json:"p_war"`
	d      float64
}

// Fearon solves bargaining under private information about costs (MODELS.md A8): A
// demands x of an issue in [0, 1] from B, whose cost of war is private, uniform on
// [0, cbar]; A wins a war with probability p and pays cA. B accepts iff x <= p + cB, so a
// demand p + d is refused with probability d/cbar, and A's expected payoff
// (p + d)(1 - d/cbar) + (d/cbar)(p - cA) is highest at d = max(0, (cbar - cA)/2), at
// most cbar. P(war) = d/cbar: war happens between rational sides because B has reason
// to hide how little it fears war. We also hold the demand to the whole issue,
// d <= 1 - p, which MODELS.md leaves unsaid.
//
// Source: Fearon, "Rationalist Explanations for War" (International Organization,
// 1995), the risk-return trade-off under private information.
func Fearon(p, cA, cbar float64) (FearonResult, error) {
	if err := checkAll(fearonParams, p, cA, cbar); err != nil {
		return FearonResult{}, err
	}
	d := math.Min(math.Max(0, (cbar-cA)/2), math.Min(cbar, 1-p))
	return FearonResult{Demand: p + d, PWar: d / cbar, d: d}, nil
}

// FirstStrikeFails reports whether a first-strike advantage makes every bargain fail:
// when striking first raises a side's chance of winning from pSecond to pFirst by more
// than the two sides' costs of war together, pFirst - pSecond > cA + cB, no division
// of the issue leaves both sides preferring peace to striking first (Fearon 1995, the
// commitment problem of preemption).
func FirstStrikeFails(pFirst, pSecond, cA, cB float64) bool {
	return above(pFirst-pSecond, cA+cB)
}

// WriteText writes the demand and P(war).
func (r FearonResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "demand\t%s\tp + d, with d = %s above A's expected share of a war\n", num(r.Demand), num(r.d))
	fmt.Fprintf(tw, "P(war)\t%s\tthe chance that B's cost is below d, so that it fights\n", num(r.PWar))
	return tw.Flush()
}
