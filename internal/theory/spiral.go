package theory

import (
	"fmt"
	"io"
)

var spiralParams = []Param{
	{Name: "pi", Range: unitRange, Meaning: "prior probability that the other side is trustworthy"},
	{Name: "pT", Range: unitRange, Meaning: "probability of the observed action if the other side is trustworthy"},
	{Name: "pU", Range: unitRange, Meaning: "probability of the observed action if it is untrustworthy"},
}

// Bayes is the posterior that the other side is trustworthy after an action taken
// with probability pT by a trustworthy side and pU by an untrustworthy one:
// pi' = pi pT / (pi pT + (1 - pi) pU). It is NaN when the action has probability zero
// (pi pT + (1 - pi) pU = 0); Spiral reports that as an error.
func Bayes(pi, pT, pU float64) float64 {
	return pi * pT / (pi*pT + (1-pi)*pU)
}

// SpiralResult is the belief after one observed action.
type SpiralResult struct {
	Posterior float64 `json:"posterior"`
	pi        float64
}

// Spiral updates the prior pi on one action (MODELS.md A2). An action that a
// security seeker rarely takes and an aggressor often does (an arms build-up, pT < pU)
// lowers trust, the other side's reply lowers it again: the spiral of the spiral model
// is Bayesian updating on ambiguous moves.
//
// Source: Kydd, Trust and Mistrust in International Relations (2005), after Jervis
// (1978); a reconstruction consistent with Kydd's claims in our notation.
func Spiral(pi, pT, pU float64) (SpiralResult, error) {
	if err := checkAll(spiralParams, pi, pT, pU); err != nil {
		return SpiralResult{}, err
	}
	if pi*pT+(1-pi)*pU == 0 {
		return SpiralResult{}, impossibleAction(pi, pT, pU)
	}
	return SpiralResult{Posterior: Bayes(pi, pT, pU), pi: pi}, nil
}

// impossibleAction names the parameter that makes the observed action impossible, so
// that there is nothing to update on.
func impossibleAction(pi, pT, pU float64) error {
	p, why := spiralParams[2], "with pT = 0 too neither type takes the action"
	switch {
	case pT != 0:
		why = "with pi = 0 only untrustworthy sides exist and they never take the action"
	case pU != 0:
		p, why = spiralParams[1], "with pi = 1 only trustworthy sides exist and they never take the action"
	}
	return &ParamError{Param: p.Name, Range: p.Range.String(),
		Msg: fmt.Sprintf("%s = 0: %s, so the posterior is undefined; want pi*pT + (1-pi)*pU > 0", p.Name, why)}
}

// WriteText writes the posterior beside the prior.
func (r SpiralResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "prior pi\t%s\n", num(r.pi))
	fmt.Fprintf(tw, "posterior pi'\t%s\n", num(r.Posterior))
	if err := tw.Flush(); err != nil {
		return err
	}
	word := "leaves trust where it was"
	switch {
	case above(r.Posterior, r.pi):
		word = "raises trust: a trustworthy side takes it more often"
	case above(r.pi, r.Posterior):
		word = "lowers trust: an untrustworthy side takes it more often"
	}
	_, err := fmt.Fprintf(w, "\nThe action %s.\n", word)
	return err
}
