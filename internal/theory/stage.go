package theory

import (
	"fmt"
	"io"
	"math"
)

var stageParams = []Param{
	{Name: "pi", Range: unitRange, Meaning: "prior probability that a side is trustworthy, a security seeker"},
	{Name: "c", Range: positiveRange, Meaning: "cost of being struck first while holding: S = -c"},
	{Name: "tT", Range: belowOneRange, Meaning: "a trustworthy side's temptation to strike a side that holds, below R = 1"},
}

// QStar is the least probability q that the other side holds at which a side with
// temptation t holds too: q*(t) = c / (1 - t + c). Holding pays q - (1-q)c and striking
// pays q t, so a side holds iff q (1 - t + c) >= c. When 1 - t + c <= 0 no belief
// makes holding pay and QStar returns +Inf.
//
// Source: the security-dilemma game of Kydd, Trust and Mistrust in International
// Relations (2005) and "Trust, Reassurance, and Cooperation" (2000), after Jervis,
// "Cooperation under the Security Dilemma" (1978); reconstructed in our normalization
// (R = 1, P = 0, S = -c), not the book's payoff table.
func QStar(t, c float64) float64 {
	d := 1 - t + c
	if d <= 0 {
		return math.Inf(1)
	}
	return c / d
}

// PiStar is the prior at or above which the cooperative equilibrium exists:
// pi* = q*(tT) = c / (1 - tT + c). In that equilibrium trustworthy sides hold and
// untrustworthy ones strike, so the probability that the other holds is pi.
func PiStar(c, tT float64) float64 { return QStar(tT, c) }

// Outcome is a distribution over what happens between the two sides. Exploited and
// tragic outcomes are kinds of war: War includes them.
type Outcome struct {
	War       float64 `json:"p_war"`       // at least one side strikes
	Restraint float64 `json:"p_restraint"` // both hold
	Exploited float64 `json:"p_exploited"` // a side that holds is struck
	Tragic    float64 `json:"p_tragic"`    // war between two trustworthy sides, out of fear alone
}

// StageResult is the stage game solved: whether the cooperative equilibrium exists and
// what happens without a channel and with a credible, informed mediator.
type StageResult struct {
	PiStar      float64 `json:"pistar"`
	Cooperative bool    `json:"cooperative"`
	Without     Outcome `json:"without"`
	With        Outcome `json:"with"`
	pi          float64
}

// Stage solves the security-dilemma stage game (MODELS.md A1) for the prior pi that a
// side is trustworthy, the cost c of being struck first, and a trustworthy side's
// temptation tT. Untrustworthy sides (t > 1) always strike. Without a channel, when
// pi >= pi* trustworthy sides hold, and otherwise fear makes every side strike, so two
// trustworthy sides fight a war neither wants (the tragic case, with probability pi^2).
// A credible mediator who knows both types reveals them: trustworthy sides hold against
// each other and strike against an untrustworthy side, whatever pi.
//
// Source: Kydd 2005 and 2000, Jervis 1978; a reconstruction consistent with Kydd's
// claims in our notation, not the papers' payoff tables.
func Stage(pi, c, tT float64) (StageResult, error) {
	if err := checkAll(stageParams, pi, c, tT); err != nil {
		return StageResult{}, err
	}
	r := StageResult{PiStar: PiStar(c, tT), pi: pi}
	r.Cooperative = atLeast(pi, r.PiStar)
	both := pi * pi
	r.With = Outcome{War: 1 - both, Restraint: both}
	if r.Cooperative {
		r.Without = Outcome{War: 1 - both, Restraint: both, Exploited: 2 * pi * (1 - pi)}
	} else {
		r.Without = Outcome{War: 1, Tragic: both}
	}
	return r, nil
}

// WriteText writes the threshold, the equilibrium, and the two outcomes side by side.
func (r StageResult) WriteText(w io.Writer) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "pi*\t%s\tthe prior at which a trustworthy side holds\n", num(r.PiStar))
	if r.Cooperative {
		fmt.Fprintf(tw, "cooperative equilibrium\tyes\tpi = %s >= pi*: trustworthy sides hold, untrustworthy ones strike\n", gnum(r.pi))
	} else {
		fmt.Fprintf(tw, "cooperative equilibrium\tno\tpi = %s < pi*: without a channel fear makes every side strike\n", gnum(r.pi))
	}
	fmt.Fprint(tw, "\n\twithout channel\twith channel\n")
	rows := []struct {
		label   string
		without float64
		with    float64
	}{
		{"P(war)", r.Without.War, r.With.War},
		{"P(mutual restraint)", r.Without.Restraint, r.With.Restraint},
		{"P(exploited)", r.Without.Exploited, r.With.Exploited},
		{"P(tragic war)", r.Without.Tragic, r.With.Tragic},
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", row.label, num(row.without), num(row.with))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var err error
	switch {
	case r.Without.Tragic > 0:
		_, err = fmt.Fprintf(w, "\nThe channel prevents the tragic war between two trustworthy sides (%s -> 0)\nand lowers P(war) from %s to %s.\n",
			num(r.Without.Tragic), num(r.Without.War), num(r.With.War))
	case r.Without.Exploited > 0:
		_, err = fmt.Fprintf(w, "\nThe channel spares trustworthy sides from being struck while holding (P(exploited)\n%s -> 0); P(war) stays %s, since untrustworthy sides strike either way.\n",
			num(r.Without.Exploited), num(r.With.War))
	}
	return err
}
