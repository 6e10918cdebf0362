package theory

import (
	"fmt"
	"io"
	"math"
)

var advisorParams = []Param{
	{Name: "p", Range: unitRange, Meaning: "the probability that side 1 wins a war"},
	{Name: "c1", Range: nonNegRange, Meaning: "side 1's cost of war"},
	{Name: "c2w", Range: nonNegRange, Meaning: "side 2's cost of war if it is weak"},
	{Name: "c2r", Range: nonNegRange, Meaning: "side 2's cost of war if it is resolute, at most c2w"},
	{Name: "rho", Range: unitRange, Meaning: "the probability that side 2 is resolute"},
	{Name: "xM", Range: unitRange, Meaning: "the mediator's ideal point on the issue (side 1's share)"},
	{Name: "kM", Range: nonNegRange, Meaning: "the mediator's own cost of a war"},
}

// AdvisorGame is a bargain over an issue x in [0, 1], side 1's share, with a mediator
// who knows side 2's type and advises side 1. Field names follow MODELS.md A5.
type AdvisorGame struct {
	P        float64 // side 1 wins a war with probability P
	C1       float64 // side 1's cost of war
	C2w, C2r float64 // side 2's cost of war, weak and resolute (C2r <= C2w)
	Rho      float64 // side 2 is resolute with probability Rho
	XM, KM   float64 // the mediator's ideal point and its cost of war
}

// AdvisorResult is side 1's offer without the mediator and whether its advice is
// believed.
type AdvisorResult struct {
	Vw          float64 `json:"v_w"`   // the least share a weak side 2 accepts
	Vr          float64 `json:"v_r"`   // the least share a resolute side 2 accepts
	Safe        float64 `json:"safe"`  // side 1's share in the offer both types accept, 1 - v_r
	Risky       float64 `json:"risky"` // its share in the offer only a weak side 2 accepts, 1 - v_w
	Offer       string  `json:"offer"` // "safe" or "risky", without a mediator
	PWarWithout float64 `json:"p_war_without"`
	// Threshold is the least ideal point at which the mediator's "side 2 is weak" is
	// believed: the midpoint of the two offers.
	Threshold float64 `json:"threshold"`
	Credible  bool    `json:"credible"`
	PWarWith  float64 `json:"p_war_with"`
	xM        float64
}

// Advisor solves mediation by a biased advisor (MODELS.md A5). Side 2 of type theta
// accepts a share of at least v_theta = 1 - p - c2_theta (at least 0: shares lie in
// [0, 1]). Without a mediator side 1 takes the risky offer 1 - v_w iff
// (1 - rho)(1 - v_w) + rho (p - c1) > 1 - v_r, and then a resolute side 2 fights:
// P(war) = rho. A mediator who knows side 2's type is believed iff (i) it leans toward
// side 1, the side it advises: xM >= ((1 - v_w) + (1 - v_r))/2, so that it would not
// call a weak side 2 resolute to win it the larger share; and (ii) it prefers the
// concession to the war that a lie about a resolute side 2 would bring:
// -|1 - v_r - xM| >= -(p |1 - xM| + (1 - p) |xM|) - kM. Believed, it removes war.
//
// Source: Kydd, "Which Side Are You On? Bias, Credibility, and Mediation" (American
// Journal of Political Science, 2003); a reconstruction consistent with Kydd's claims
// in our notation, not the paper's payoff tables. The floor of v at 0 is ours.
func Advisor(g AdvisorGame) (AdvisorResult, error) {
	if err := checkAll(advisorParams, g.P, g.C1, g.C2w, g.C2r, g.Rho, g.XM, g.KM); err != nil {
		return AdvisorResult{}, err
	}
	if g.C2r > g.C2w {
		return AdvisorResult{}, &ParamError{Param: "c2r", Range: fmt.Sprintf("[0, c2w] = [0, %g]", g.C2w),
			Msg: fmt.Sprintf("c2r = %g is out of range: want a number in [0, c2w] = [0, %g] (the resolute side 2 is the one that pays less for war)", g.C2r, g.C2w)}
	}
	r := AdvisorResult{
		Vw:    math.Max(0, 1-g.P-g.C2w),
		Vr:    math.Max(0, 1-g.P-g.C2r),
		Offer: "safe",
		xM:    g.XM,
	}
	r.Safe, r.Risky = 1-r.Vr, 1-r.Vw
	if above((1-g.Rho)*r.Risky+g.Rho*(g.P-g.C1), r.Safe) {
		r.Offer, r.PWarWithout = "risky", g.Rho
	}
	r.Threshold = (r.Risky + r.Safe) / 2
	concession := -math.Abs(r.Safe - g.XM)
	war := -(g.P*math.Abs(1-g.XM) + (1-g.P)*math.Abs(g.XM)) - g.KM
	r.Credible = atLeast(g.XM, r.Threshold) && atLeast(concession, war)
	if !r.Credible {
		r.PWarWith = r.PWarWithout
	}
	return r, nil
}

// WriteText writes the two offers, side 1's choice, and the mediator's verdict.
func (r AdvisorResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "v_w\t%s\tthe least share a weak side 2 accepts\n", num(r.Vw))
	fmt.Fprintf(tw, "v_r\t%s\tthe least share a resolute side 2 accepts\n", num(r.Vr))
	fmt.Fprintf(tw, "safe offer\t%s\tside 1 keeps 1 - v_r; both types accept\n", num(r.Safe))
	fmt.Fprintf(tw, "risky offer\t%s\tside 1 keeps 1 - v_w; a resolute side 2 fights\n", num(r.Risky))
	fmt.Fprintf(tw, "offer without mediator\t%s\tP(war) = %s\n", r.Offer, num(r.PWarWithout))
	fmt.Fprintf(tw, "threshold\t%s\tthe least ideal point at which the mediator is believed\n", num(r.Threshold))
	why := "it leans toward side 1 and prefers the concession to war"
	switch {
	case r.Credible:
	case !atLeast(r.xM, r.Threshold):
		why = fmt.Sprintf("xM = %s is below the threshold: it would call a weak side 2 resolute", gnum(r.xM))
	default:
		why = "it would rather risk war than see side 1 concede"
	}
	fmt.Fprintf(tw, "mediator credible\t%s\t%s\n", yesNo(r.Credible), why)
	fmt.Fprintf(tw, "P(war) with mediator\t%s\n", num(r.PWarWith))
	return tw.Flush()
}
