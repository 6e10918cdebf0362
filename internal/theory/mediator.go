package theory

import (
	"fmt"
	"io"
)

var mediatorParams = []Param{
	{Name: "m", Range: unitRange, Meaning: "the mediator's ideal point: 0 is A's position, 1 is B's"},
	{Name: "kM", Range: nonNegRange, Meaning: "the mediator's own cost of a war between A and B"},
	{Name: "G", Range: nonNegRange, Optional: true, Meaning: "with delta, Vc, Vb: the mediator's one-shot gain from lying"},
	{Name: "delta", Range: belowOneRange, Optional: true, Meaning: "with G, Vc, Vb: the mediator's discount factor"},
	{Name: "Vc", Range: realRange, Optional: true, Meaning: "with G, delta, Vb: the mediator's value per period of a credible reputation"},
	{Name: "Vb", Range: realRange, Optional: true, Meaning: "with G, delta, Vc: its value per period once known to have lied"},
}

// MediatorInterval is the set [lo, hi] of ideal points m at which a mediator with
// conflict cost kM tells the truth: lo = 1/4 + kM/2, hi = 3/4 - kM/2. It is empty
// (ok false) when kM > 1/2 by more than Tol; at kM = 1/2 it is the single point 1/2.
func MediatorInterval(kM float64) (lo, hi float64, ok bool) {
	lo, hi = 0.25+kM/2, 0.75-kM/2
	if lo > hi+Tol {
		return 0, 0, false
	}
	if lo > hi { // kM within Tol above 1/2
		lo, hi = 0.5, 0.5
	}
	return lo, hi, true
}

// MediatorCredible reports whether a mediator with ideal point m and conflict cost kM
// is believed when it tells each side whether the other is trustworthy: whether m lies
// in MediatorInterval(kM), boundaries included within Tol.
func MediatorCredible(m, kM float64) bool {
	lo, hi, ok := MediatorInterval(kM)
	return ok && atLeast(m, lo) && atLeast(hi, m)
}

// MediatorHonest reports whether a mediator whose one-shot gain from lying is G stays
// honest for its reputation: G <= delta / (1 - delta) * (Vc - Vb), within Tol, where
// delta is its discount factor, Vc its value per period while credible and Vb once
// caught.
func MediatorHonest(G, delta, Vc, Vb float64) bool {
	return atLeast(delta/(1-delta)*(Vc-Vb), G)
}

// MediatorResult says whether a mediator's report is believed.
type MediatorResult struct {
	Credible bool `json:"credible"`
	// Lo and Hi bound the ideal points at which a mediator is credible; both are nil
	// when no ideal point is (kM > 1/2).
	Lo *float64 `json:"lo"`
	Hi *float64 `json:"hi"`
	// Honest is set by MediatorReputation only.
	Honest *bool `json:"honest,omitempty"`
	m      float64
}

// Mediator solves the mediator's truth-telling problem (MODELS.md A4). The mediator
// knows both types and tells each side whether the other is trustworthy. Mutual
// restraint settles the issue at x = 1/2, A exploited at 0, B exploited at 1, and war
// at 1/2 with the mediator's conflict cost kM; its utility is -|x - m| - kM [war].
// Truth-telling is an equilibrium iff u(CC) >= u(DD) >= max(u(CD), u(DC)), which is
// m in [1/4 + kM/2, 3/4 - kM/2]: a mediator is believed only if it would rather see a
// war than either side exploited, so it cares about the terms more than about peace
// itself (kM <= 1/2), and does not lean so far toward one side that it would lie for
// it. A mediator that cares only about peace (large kM) is never credible.
//
// Source: Kydd, "When Can Mediators Build Trust?" (American Political Science
// Review, 2006); a reconstruction consistent with Kydd's claims in our notation, not
// the paper's payoff table.
func Mediator(m, kM float64) (MediatorResult, error) {
	if err := checkAll(mediatorParams, m, kM); err != nil {
		return MediatorResult{}, err
	}
	r := MediatorResult{Credible: MediatorCredible(m, kM), m: m}
	if lo, hi, ok := MediatorInterval(kM); ok {
		r.Lo, r.Hi = &lo, &hi
	}
	return r, nil
}

// MediatorReputation is Mediator with the repeated game added: a mediator whose
// one-shot gain from lying is G stays honest iff G <= delta/(1-delta) (Vc - Vb)
// (MediatorHonest).
func MediatorReputation(m, kM, G, delta, Vc, Vb float64) (MediatorResult, error) {
	r, err := Mediator(m, kM)
	if err != nil {
		return r, err
	}
	if err := checkAll(mediatorParams[2:], G, delta, Vc, Vb); err != nil {
		return MediatorResult{}, err
	}
	honest := MediatorHonest(G, delta, Vc, Vb)
	r.Honest = &honest
	return r, nil
}

// WriteText writes the verdict and the interval of credible ideal points.
func (r MediatorResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	interval := "empty: no ideal point makes the mediator credible (kM > 1/2)"
	if r.Lo != nil {
		interval = fmt.Sprintf("[%s, %s]", num(*r.Lo), num(*r.Hi))
	}
	fmt.Fprintf(tw, "credible ideal points\t%s\n", interval)
	why := "m lies in the interval: it tells the truth about both sides"
	if !r.Credible {
		why = "m lies outside the interval: it would lie to steer the outcome"
	}
	fmt.Fprintf(tw, "credible at m = %s\t%s\t%s\n", gnum(r.m), yesNo(r.Credible), why)
	if r.Honest != nil {
		why := "G <= delta/(1-delta) (Vc - Vb): its reputation is worth more than a lie"
		if !*r.Honest {
			why = "G > delta/(1-delta) (Vc - Vb): one lie pays more than its reputation"
		}
		fmt.Fprintf(tw, "honest for its reputation\t%s\t%s\n", yesNo(*r.Honest), why)
	}
	return tw.Flush()
}
