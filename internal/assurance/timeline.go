package assurance

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"backchannel/internal/textwrap"
)

// WriteTimeline writes res as a person reads it: where each assurance and red
// line stands, then every transition and crossing in time order with the
// record that caused it and that record's note.
func WriteTimeline(w io.Writer, file string, res *Result) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "Check of %s: %d records", file, res.Records)
	if !res.From.IsZero() {
		fmt.Fprintf(b, " from %s to %s", short(res.From), short(res.To))
	}
	fmt.Fprintf(b, ", %d rejected.\n\n", res.RejectedTotal)

	tw := tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
	if len(res.Assurances) == 0 {
		b.WriteString("No assurances.\n")
	} else {
		fmt.Fprintln(tw, "ASSURANCE\tWHO\tSTATUS\tSINCE\tPUBLIC HOSTILITY WHILE IN FORCE")
		for _, a := range res.Assurances {
			since := "-"
			if !a.Since.IsZero() {
				since = short(a.Since)
			}
			fmt.Fprintf(tw, "%s\t%s -> %s via %s\t%s\t%s\t%d\n", a.ID, a.Issuer, a.Beneficiary, orDash(a.Via), a.Status, since, a.PublicHostility)
		}
		tw.Flush()
	}
	if len(res.Redlines) > 0 {
		b.WriteByte('\n')
		tw = tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "RED LINE\tDRAWN BY\tCROSSED")
		for _, r := range res.Redlines {
			crossed := "no"
			if r.Crossed {
				crossed = short(r.Time)
			}
			fmt.Fprintf(tw, "%s\t%s against %s\t%s\n", r.ID, r.Owner, r.Against, crossed)
		}
		tw.Flush()
	}

	b.WriteString("\nTimeline\n")
	entries := timeline(res)
	if len(entries) == 0 {
		b.WriteString("  nothing happened: no assurance came into force\n")
	}
	const indent = "                    "
	var prev *Trigger
	for _, e := range entries {
		fmt.Fprintf(b, "  %-16s  %s\n", short(e.at), e.what)
		if e.trig == nil {
			continue
		}
		if s := describeTrigger(e.trig, filepath.Dir(file)); s != "" {
			b.WriteString(indent + s + "\n")
		}
		// A record that does several things is quoted once.
		if e.trig.Note != "" && (prev == nil || prev.Source != e.trig.Source || prev.Note != e.trig.Note) {
			textwrap.Write(b, indent+"  ", "\u201c"+e.trig.Note+"\u201d")
		}
		prev = e.trig
	}
	gap := rhetoricGap(res)
	if len(gap) > 0 {
		b.WriteString("\nRhetoric gap (public hostility beside private assurance)\n")
		for _, g := range gap {
			textwrap.Write(b, "  ", g)
		}
	}
	if len(res.EvalErrors) > 0 {
		b.WriteString("\n\nConditions that failed to evaluate (counted as not matched):\n")
		for _, e := range res.EvalErrors {
			fmt.Fprintf(b, "  %s: %d record(s), first %s: %s\n", e.Where, e.Count, describeSource(e.Record), e.First)
		}
	}
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type entry struct {
	at   time.Time
	seq  int
	what string
	trig *Trigger
}

func timeline(res *Result) []entry {
	var out []entry
	for _, r := range res.Redlines {
		if r.Crossed {
			out = append(out, entry{at: r.Time, seq: r.seq, trig: r.Trigger,
				what: fmt.Sprintf("RED LINE %s (%s against %s) crossed", r.ID, r.Owner, r.Against)})
		}
	}
	for _, a := range res.Assurances {
		for _, h := range a.History {
			what := fmt.Sprintf("%s: %s", a.ID, strings.ToUpper(strings.ReplaceAll(string(h.Status), "_", " ")))
			if h.Status == InForce {
				what += fmt.Sprintf(" (%s assures %s via %s)", a.Issuer, a.Beneficiary, orDash(a.Via))
			}
			out = append(out, entry{at: h.Time, seq: h.seq, trig: h.Trigger, what: what})
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		return cmp.Or(a.at.Compare(b.at), a.seq-b.seq)
	})
	return out
}

// rhetoricGap says, for each issuer and beneficiary, how many publicly
// hostile statements the issuer made while assuring the other privately.
func rhetoricGap(res *Result) []string {
	type pair struct{ from, to string }
	count := map[pair]int{}
	ids := map[pair][]string{}
	var order []pair
	for _, a := range res.Assurances {
		if a.PublicHostility == 0 {
			continue
		}
		p := pair{a.Issuer, a.Beneficiary}
		if _, ok := count[p]; !ok {
			order = append(order, p)
		}
		count[p] = max(count[p], a.PublicHostility)
		ids[p] = append(ids[p], a.ID)
	}
	var out []string
	for _, p := range order {
		out = append(out, fmt.Sprintf("%s made %d publicly hostile statement(s) toward %s while privately assuring it (%s).",
			p.from, count[p], p.to, strings.Join(ids[p], ", ")))
	}
	return out
}

// describeTrigger names the record, its file relative to dir when it lies
// within, and the condition it met.
func describeTrigger(t *Trigger, dir string) string {
	var parts []string
	src := t.Source
	if rel, err := filepath.Rel(dir, src.File); err == nil && !strings.HasPrefix(rel, "..") {
		src.File = rel
	}
	if src := describeSource(src); src != "a record" {
		if t.ID != "" && t.Line > 0 {
			src += " (" + t.ID + ")"
		}
		parts = append(parts, "by "+src)
	}
	if t.Condition != "" {
		parts = append(parts, t.Condition)
	}
	return strings.Join(parts, ": ")
}

func short(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
