package theory

import (
	"fmt"
	"io"
	"math"
)

var reciprocalParams = []Param{
	{Name: "mu", Range: nonNegRange, Meaning: "the gain of arming against an unarmed side"},
	{Name: "d", Range: nonNegRange, Meaning: "the loss from being unarmed against an armed side"},
	{Name: "cbar", Range: positiveRange, Meaning: "each side's cost of arming is private, uniform on [0, cbar]"},
}

// Cutoff is the cost of arming below which a side arms: the fixed point of
// c = mu + (d - mu) F(c), F(c) = min(1, max(0, c/cbar)), reached by iterating from
// c = mu. It is solved in closed form: 0 when mu = 0 (the iteration never leaves 0);
// d when d >= cbar and mu > 0 (fear feeds on itself until every type arms); otherwise
// mu cbar / (cbar - d + mu), in [0, cbar). When d >= mu the map rises and the
// iteration climbs to that point; when d < mu it falls and has that one fixed point,
// which the iteration may circle instead of reaching.
func Cutoff(mu, d, cbar float64) float64 {
	switch {
	case mu == 0:
		return 0
	case d >= cbar:
		return d
	}
	return mu * cbar / (cbar - d + mu)
}

// ReciprocalFearResult is the equilibrium of the arming game.
type ReciprocalFearResult struct {
	Cutoff float64 `json:"cutoff"`
	PArm   float64 `json:"p_arm"`  // the probability that a side arms, F(cutoff)
	PBoth  float64 `json:"p_both"` // the probability that both do, costs being independent
	// Certain is true when every type arms: F(cutoff) = 1.
	Certain bool `json:"certain"`
}

// ReciprocalFear solves the reciprocal fear of surprise attack (MODELS.md A9): each
// side's cost of arming is private, uniform on [0, cbar]; arming gains mu against an
// unarmed side and avoids the loss d of being unarmed against an armed one. A side
// arms iff its cost is below mu + (d - mu) P(the other arms); the cut-off is Cutoff,
// P(arm) = F(cutoff). When fear outweighs greed (d > mu) each side's arming makes the
// other's more likely, and the spiral can make arming certain though most types would
// rather stay unarmed.
//
// Source: Baliga and Sjöström, "Arms Races and Negotiations" (Review of Economic
// Studies, 2004); the phrase is Schelling's.
func ReciprocalFear(mu, d, cbar float64) (ReciprocalFearResult, error) {
	if err := checkAll(reciprocalParams, mu, d, cbar); err != nil {
		return ReciprocalFearResult{}, err
	}
	c := Cutoff(mu, d, cbar)
	f := math.Min(1, math.Max(0, c/cbar))
	return ReciprocalFearResult{Cutoff: c, PArm: f, PBoth: f * f, Certain: atLeast(f, 1)}, nil
}

// WriteText writes the cut-off and the arming probabilities.
func (r ReciprocalFearResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "cut-off cost\t%s\ta side arms when its cost of arming is below this\n", num(r.Cutoff))
	fmt.Fprintf(tw, "P(a side arms)\t%s\n", num(r.PArm))
	fmt.Fprintf(tw, "P(both arm)\t%s\n", num(r.PBoth))
	fmt.Fprintf(tw, "arming certain\t%s\n", yesNo(r.Certain))
	return tw.Flush()
}
