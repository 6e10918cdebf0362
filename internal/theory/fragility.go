package theory

import (
	"fmt"
	"io"
)

// The fragility and capacity models read the stage game with pi > 0: both divide by it.
var (
	fragilityParams = []Param{
		{Name: "pi", Range: aboveZeroUnit, Meaning: "prior probability that a side is trustworthy"},
		stageParams[1],
		stageParams[2],
		{Name: "delta", Range: nonNegRange, Optional: true, Meaning: "third-party pressure: it raises a trustworthy side's temptation to tT + delta"},
	}
	capacityParams = []Param{
		fragilityParams[0],
		stageParams[1],
		stageParams[2],
		{Name: "kappa", Range: unitRange, Optional: true, Meaning: "the chance that a trustworthy leader controls its forces"},
	}
)

// DeltaStar is the most third-party pressure under which the stage game's cooperation
// survives: without a channel Delta* = 1 - tT + c - c/pi (where pi reaches
// pi*(tT + Delta)), with a credible channel 1 - tT (where a trustworthy side stops
// preferring restraint to striking a side that holds).
func DeltaStar(pi, c, tT float64) (without, with float64) {
	return 1 - tT + c - c/pi, 1 - tT
}

// KappaStar is the least capacity kappa (the chance that a trustworthy leader controls
// its forces) at which cooperation holds: the effective belief that the other holds is
// pi kappa, so kappa* = pi*/pi without a channel and pi* with one (types known, a
// trustworthy side holds iff kappa >= q*). Without a channel kappa* may exceed 1: no
// control suffices.
func KappaStar(pi, c, tT float64) (without, with float64) {
	ps := PiStar(c, tT)
	return ps / pi, ps
}

// FragilityResult is how much pressure the cooperative equilibrium absorbs, and, for a
// given pressure, P(war) without and with a channel.
type FragilityResult struct {
	DeltaStarWithout float64 `json:"delta_star_without"`
	DeltaStarWith    float64 `json:"delta_star_with"`
	// PWarWithout and PWarWith are set by FragilityAt only.
	PWarWithout *float64 `json:"p_war_without,omitempty"`
	PWarWith    *float64 `json:"p_war_with,omitempty"`
	delta       float64
}

// Fragility solves fragility under third-party pressure (MODELS.md A6): pressure Delta
// raises a trustworthy side's temptation to tT + Delta, and cooperation survives while
// Delta <= Delta* (DeltaStar), within Tol. MODELS.md writes the bound as strict; we
// keep A1's rule that a side holds at q = q*, so that Fragility agrees with Stage at
// tT + Delta on the boundary. The channel absorbs more pressure than mutual belief
// alone: Delta* with it is at least Delta* without.
//
// Source: an extension of the security-dilemma game of Kydd, Trust and Mistrust in
// International Relations (2005), in the spirit of Jervis (1978), where outside
// factors move the payoff to striking; a reconstruction in our notation.
func Fragility(pi, c, tT float64) (FragilityResult, error) {
	if err := checkAll(fragilityParams, pi, c, tT); err != nil {
		return FragilityResult{}, err
	}
	var r FragilityResult
	r.DeltaStarWithout, r.DeltaStarWith = DeltaStar(pi, c, tT)
	return r, nil
}

// FragilityAt is Fragility with P(war) under pressure delta: 1 - pi^2 (only an
// untrustworthy side strikes) while cooperation survives, 1 once it fails.
func FragilityAt(pi, c, tT, delta float64) (FragilityResult, error) {
	r, err := Fragility(pi, c, tT)
	if err != nil {
		return r, err
	}
	if err := fragilityParams[3].check(delta); err != nil {
		return FragilityResult{}, err
	}
	pwar := func(deltaStar float64) *float64 {
		v := 1.0
		if atLeast(deltaStar, delta) {
			v = 1 - pi*pi
		}
		return &v
	}
	r.PWarWithout, r.PWarWith, r.delta = pwar(r.DeltaStarWithout), pwar(r.DeltaStarWith), delta
	return r, nil
}

// CapacityResult is the least control of its forces a trustworthy leader needs for
// cooperation, without and with a channel.
type CapacityResult struct {
	KappaStarWithout float64 `json:"kappa_star_without"`
	KappaStarWith    float64 `json:"kappa_star_with"`
	kappa            *float64
}

// Capacity solves credibility as capacity (MODELS.md A7): a trustworthy leader
// controls its forces with probability kappa, so the other side's effective belief
// that it holds is pi kappa, and cooperation needs kappa >= KappaStar, within Tol.
// Assurances need both intention (pi) and capacity (kappa): the channel lowers the
// capacity needed from pi*/pi to pi*.
//
// Source: an extension of Kydd, Trust and Mistrust in International Relations (2005);
// a reconstruction in our notation.
func Capacity(pi, c, tT float64) (CapacityResult, error) {
	if err := checkAll(capacityParams, pi, c, tT); err != nil {
		return CapacityResult{}, err
	}
	var r CapacityResult
	r.KappaStarWithout, r.KappaStarWith = KappaStar(pi, c, tT)
	return r, nil
}

// WriteText writes the pressure each arm absorbs and, given a pressure, P(war).
func (r FragilityResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprint(tw, "\twithout channel\twith channel\n")
	fmt.Fprintf(tw, "Delta*\t%s\t%s\n", num(r.DeltaStarWithout), num(r.DeltaStarWith))
	if r.PWarWithout != nil {
		fmt.Fprintf(tw, "P(war) at delta = %s\t%s\t%s\n", gnum(r.delta), num(*r.PWarWithout), num(*r.PWarWith))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprint(w, "\nDelta* is the most third-party pressure under which cooperation survives.\n")
	if above(0, r.DeltaStarWithout) {
		fmt.Fprint(w, "Without a channel it fails even with no pressure (pi < pi*).\n")
	}
	if r.PWarWithout != nil {
		fmt.Fprintf(w, "At delta = %s cooperation %s.\n", gnum(r.delta),
			verdict(atLeast(r.DeltaStarWithout, r.delta), atLeast(r.DeltaStarWith, r.delta)))
	}
	return nil
}

// WriteText writes the capacity each arm needs and, given kappa, whether cooperation
// holds.
func (r CapacityResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprint(tw, "\twithout channel\twith channel\n")
	fmt.Fprintf(tw, "kappa*\t%s\t%s\n", num(r.KappaStarWithout), num(r.KappaStarWith))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprint(w, "\nkappa* is the least control of its forces a trustworthy leader needs for cooperation.\n")
	if r.KappaStarWithout > 1+Tol {
		fmt.Fprint(w, "Without a channel no control is enough (kappa* > 1).\n")
	}
	if r.kappa != nil {
		k := *r.kappa
		fmt.Fprintf(w, "At kappa = %s cooperation %s.\n", gnum(k),
			verdict(atLeast(k, r.KappaStarWithout), atLeast(k, r.KappaStarWith)))
	}
	return nil
}

// verdict says whether cooperation holds in each arm.
func verdict(without, with bool) string {
	switch {
	case without && with:
		return "holds with or without a channel"
	case with:
		return "fails without a channel and holds with one"
	case without: // not reached: the channel never needs more
		return "holds without a channel and fails with one"
	}
	return "fails with or without a channel"
}
