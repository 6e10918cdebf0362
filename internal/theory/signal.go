package theory

import (
	"fmt"
	"io"
)

var signalParams = []Param{
	{Name: "dVT", Range: nonNegRange, Meaning: "what being believed trustworthy is worth to a trustworthy side"},
	{Name: "dVU", Range: nonNegRange, Meaning: "what being believed trustworthy is worth to an untrustworthy side"},
	{Name: "kT", Range: positiveRange, Meaning: "a trustworthy side's cost per unit of gesture"},
	{Name: "kU", Range: positiveRange, Meaning: "an untrustworthy side's cost per unit of gesture"},
}

// SignalResult says whether a costly gesture can tell the types apart, and the least
// gesture that does.
type SignalResult struct {
	Separating bool `json:"separating"`
	// GMin = dVU / kU is the least gesture an untrustworthy side will not mimic. It is
	// a separating gesture only when Separating; otherwise a trustworthy side would
	// not pay that much (it pays at most dVT / kT).
	GMin float64 `json:"g_min"`
	gMax float64
}

// Signal solves reassurance by a costly signal (MODELS.md A3): a gesture g costs a
// side of type theta k_theta g, and being believed trustworthy is worth dV_theta to
// it. A trustworthy side will pay up to dVT/kT and an untrustworthy one up to dVU/kU,
// so a gesture that only the trustworthy make exists iff dVT/kT > dVU/kU (by more than
// Tol), and the least such gesture is g_min = dVU/kU. The prior plays no part:
// reassurance can work under deep mistrust.
//
// Source: Kydd, "Trust, Reassurance, and Cooperation" (International Organization,
// 2000) and Trust and Mistrust in International Relations (2005); a reconstruction
// consistent with Kydd's claims in our notation, not the papers' payoff tables.
func Signal(dVT, dVU, kT, kU float64) (SignalResult, error) {
	if err := checkAll(signalParams, dVT, dVU, kT, kU); err != nil {
		return SignalResult{}, err
	}
	r := SignalResult{GMin: dVU / kU, gMax: dVT / kT}
	r.Separating = above(r.gMax, r.GMin)
	return r, nil
}

// WriteText writes the verdict and the two limits of the gesture.
func (r SignalResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "separating gesture exists\t%s\n", yesNo(r.Separating))
	fmt.Fprintf(tw, "g_min = dVU/kU\t%s\tthe least gesture an untrustworthy side will not mimic\n", num(r.GMin))
	fmt.Fprintf(tw, "dVT/kT\t%s\tthe most a trustworthy side will pay\n", num(r.gMax))
	if err := tw.Flush(); err != nil {
		return err
	}
	msg := "\nA gesture from g_min up to dVT/kT reassures: only a trustworthy side makes it,\nwhatever the prior.\n"
	if !r.Separating {
		msg = "\nNo gesture reassures: any gesture a trustworthy side would make, an untrustworthy\none would mimic.\n"
	}
	_, err := io.WriteString(w, msg)
	return err
}
