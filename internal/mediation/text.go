package mediation

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the ranking as a table for a person: one line per candidate,
// best first, with its reasons beneath it.
func (r *Ranking) WriteText(w io.Writer) error {
	a, b := r.Parties[0], r.Parties[1]
	fmt.Fprintf(w, "Who can mediate between %s (%s) and %s (%s)\n", name(a), a.Code, name(b), b.Code)
	fmt.Fprint(w, "ranked by ties with both parties, then credibility (MODELS.md A4), then access\n")
	fmt.Fprintf(w, "ideal: 0 is %s's position, 1 is %s's; credible when inside [1/4 + kM/2, 3/4 - kM/2],\n", name(a), name(b))
	fmt.Fprintf(w, "kM the actor's conflict_cost (%g when the scenario gives none)\n\n", DefaultConflictCost)
	if len(r.Candidates) == 0 {
		fmt.Fprint(w, "no actor but the parties: nobody to rank\n")
		return nil
	}
	// The rows are aligned first, then each is written with its reasons beneath,
	// starting under the actor: a line of reasons among the rows would end
	// tabwriter's columns.
	var rows strings.Builder
	tw := tabwriter.NewWriter(&rows, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "rank\tactor\tties\taccess\tideal\tcredible\n")
	for _, c := range r.Candidates {
		fmt.Fprintf(tw, "%d\t%s %s\t%s\t%s\t%s %s\t%s\n", c.Rank, c.Actor, c.Name, yesNo(c.Ties),
			signed(c.Access), num(c.Ideal), c.IdealSource, yesNo(c.Credible))
	}
	tw.Flush()
	lines := strings.Split(rows.String(), "\n")
	fmt.Fprintln(w, lines[0])
	indent := strings.Repeat(" ", strings.Index(lines[0], "actor"))
	for i, c := range r.Candidates {
		fmt.Fprintln(w, lines[i+1])
		for _, why := range c.Reasons {
			fmt.Fprintf(w, "%s- %s\n", indent, why)
		}
	}
	return nil
}

// signed writes a relation with its sign, so that the column reads as a scale.
func signed(v float64) string {
	s := num(v)
	if s[0] == '-' || s == "0.00" {
		return s
	}
	return "+" + s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
