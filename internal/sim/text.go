package sim

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"backchannel/internal/theory"
)

// WriteText writes the result for a person: both arms side by side, the risk the
// channel removes, and how p_war moves with each driver.
func (r *Result) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "Crisis simulation: %s and %s, %d runs of %d days", r.Parties[0], r.Parties[1], r.Runs, r.HorizonDays)
	if r.Start != "" {
		fmt.Fprintf(w, " from %s", r.Start)
	}
	fmt.Fprintf(w, " (seed %d)\n", r.Seed)
	m := r.Mediator
	verdict := "credible"
	if !m.Credible {
		verdict = "NOT credible, so the channel moves no belief"
	}
	fmt.Fprintf(w, "Mediator %s: %s (ideal %s, conflict cost %s: %s), accuracy %s, reports every %d days",
		m.Actor, verdict, g(m.Ideal), g(m.ConflictCost), interval(m.ConflictCost), g(m.Accuracy), m.EveryDays)
	if first := m.EveryDays - 1; m.EveryDays > 1 && first < r.HorizonDays {
		fmt.Fprintf(w, ", the first on day %s", r.day(&first))
	}
	fmt.Fprint(w, "\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "\twithout channel\twith channel\n")
	row := func(label string, f func(a *Arm) string) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", label, f(&r.Without), f(&r.With))
	}
	row("P(war)", func(a *Arm) string { return fmt.Sprintf("%s [%s, %s]", p3(a.PWar), p3(a.PWarCI[0]), p3(a.PWarCI[1])) })
	row("  deliberate", func(a *Arm) string { return p3(a.PDeliberate) })
	row("  loss of control", func(a *Arm) string { return p3(a.PLossOfControl) })
	row("  temptation", func(a *Arm) string { return p3(a.PTemptation) })
	row("  preemptive", func(a *Arm) string { return p3(a.PPreemptive) })
	row("  miscalculation", func(a *Arm) string { return p3(a.PMiscalculation) })
	row("P(tragic war)", func(a *Arm) string { return p3(a.PTragic) })
	row("P(exploited)", func(a *Arm) string { return p3(a.PExploited) })
	row("median day of war", func(a *Arm) string { return r.day(a.MedianDayOfWar) })
	for _, d := range r.checkpoints() {
		row(fmt.Sprintf("at peace after %d days", d), func(a *Arm) string { return p3(a.Survival[d-1]) })
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	rr := r.RiskReduction
	fmt.Fprintf(w, "\nThe channel takes %s off P(war) (standard error %s, 95%% [%s, %s])", p3(rr.Absolute), p3(rr.SE), p3(rr.CI[0]), p3(rr.CI[1]))
	if rr.Relative != nil {
		fmt.Fprintf(w, ": %.0f%% of the risk without it", 100**rr.Relative)
	}
	fmt.Fprintf(w, ".\nP(miscalculation war) %s -> %s, P(tragic war) %s -> %s.\n", p3(r.Without.PMiscalculation), p3(r.With.PMiscalculation),
		p3(r.Without.PTragic), p3(r.With.PTragic))
	if r.PChannelEnded > 0 {
		fmt.Fprintf(w, "A red line ended the channel in %.1f%% of runs.\n", 100*r.PChannelEnded)
	}
	r.writeFirstReport(w)
	if len(r.Sensitivity) > 0 {
		fmt.Fprint(w, "\nP(war) as each driver's effect is scaled (1 = as written, 2 = doubled), without / with the channel:\n")
		for _, ds := range r.Sensitivity {
			fmt.Fprintf(w, "\n  %s (%s of %s)\n", ds.Indicator, effectVerb(ds.Effect), ds.Of)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			cells := []string{"  scale"}
			without, with := []string{"  without"}, []string{"  with"}
			for _, l := range ds.Levels {
				cells = append(cells, g(l.Scale))
				without = append(without, p3(l.PWarWithout))
				with = append(with, p3(l.PWarWith))
			}
			for _, line := range [][]string{cells, without, with} {
				fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprint(w, "\nKinds of war by who struck first: deliberate (an untrustworthy side), loss of control (a\n"+
		"trustworthy side out of control), temptation (one whose temptation reached 1), preemptive (a\n"+
		"trustworthy side, in fear, against an untrustworthy one), miscalculation (in fear, against a\n"+
		"trustworthy one). Tragic: war between two trustworthy sides. See docs/MODELS.md.\n")
	return err
}

// writeFirstReport says, when it is so, that the mediator's first report
// brings wars forward: on that day a trustworthy side told that the other is
// untrustworthy strikes at once (A1), so for a while fewer runs are at peace
// with the channel than without it.
func (r *Result) writeFirstReport(w io.Writer) {
	first := r.Mediator.EveryDays - 1
	if !r.Mediator.Credible || first >= r.HorizonDays {
		return
	}
	started := func(a *Arm) float64 {
		if first == 0 {
			return 1 - a.Survival[0]
		}
		return a.Survival[first-1] - a.Survival[first]
	}
	with, without := started(&r.With), started(&r.Without)
	if with < 0.01 || with < 2*without {
		return
	}
	until := "to the horizon"
	for d := first; d < r.HorizonDays; d++ {
		if r.With.Survival[d] >= r.Without.Survival[d] {
			until = "until day " + r.day(&d)
			break
		}
	}
	fmt.Fprintf(w, "\nThe mediator's first report, on day %s, started a war in %.1f%% of runs (%.1f%% without the\n"+
		"channel that day): a trustworthy side told that the other is untrustworthy strikes at once (A1),\n"+
		"rightly when it is (a preemptive war) and wrongly when the report errs (a miscalculation). So the\n"+
		"channel brings wars forward: fewer runs are at peace with it than without it %s.\n",
		r.day(&first), 100*with, 100*without, until)
}

// checkpoints are the days the text reports survival at.
func (r *Result) checkpoints() []int {
	var out []int
	for _, d := range []int{30, 90} {
		if d < r.HorizonDays {
			out = append(out, d)
		}
	}
	return append(out, r.HorizonDays)
}

// day writes a day of the run with its date.
func (r *Result) day(d *int) string {
	if d == nil {
		return "no war"
	}
	if r.start.IsZero() {
		return strconv.Itoa(*d)
	}
	return fmt.Sprintf("%d (%s)", *d, r.start.AddDate(0, 0, *d).Format(time.DateOnly))
}

func interval(kM float64) string {
	lo, hi, ok := theory.MediatorInterval(kM)
	if !ok {
		return "no ideal point is credible"
	}
	return fmt.Sprintf("credible in [%s, %s]", strconv.FormatFloat(lo, 'f', 2, 64), strconv.FormatFloat(hi, 'f', 2, 64))
}

func effectVerb(effect string) string {
	if effect == "temptation" {
		return "raises the temptation"
	}
	return "lowers the capacity"
}

func p3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func g(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
