package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
)

type statsOpts struct {
	format string
	json   bool
}

func (o *statsOpts) flags() *flag.FlagSet {
	fs := newFlagSet("events stats")
	formatFlag(fs, &o.format)
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	return fs
}

var eventsStatsCmd = &command{
	name:    "events stats",
	summary: "summarize event files: counts, quad classes, Goldstein, dyads",
	usage:   "backchannel events stats FILE... [--format F] [--json]",
	help: `Reads the files and prints what they hold: records, events and observations, the lines
rejected (file, line, reason), counts per quad class and per root code, the mean Goldstein
value (plain and weighted by mentions), the instability index (the share of events that
are material conflict or protest), the time span, and every ordered country pair (dyad)
with its events, Goldstein sum and conflict events.

` + inputHelp,
	flags: func() *flag.FlagSet { return new(statsOpts).flags() },
	run: func(e *env, args []string) error {
		var o statsOpts
		pos, err := parseFlags(o.flags(), args)
		if err != nil {
			return err
		}
		format, err := event.ParseFormat(o.format)
		if err != nil {
			return usagef("--format: %v", err)
		}
		if len(pos) == 0 {
			return usagef("no input files")
		}
		in, err := openInputs(e, pos, format)
		if err != nil {
			return err
		}
		sum := event.NewSummary()
		fileStat := func() *event.FileStat { return &sum.Files[len(sum.Files)-1] }
		if in.scenario != nil && len(in.scenario.Inline) > 0 {
			sum.Files = append(sum.Files, event.FileStat{Name: in.scenario.Path + " (inline records)", Format: event.FormatJSONL})
		}
		in.opened = func(f *event.File) {
			sum.Files = append(sum.Files, event.FileStat{Name: f.Name, Format: f.Format})
		}
		err = in.each(func(f *event.File, r *event.Record) error {
			fileStat().Records++
			sum.Add(r)
			return nil
		}, func(f *event.File, err error) {
			fileStat().Rejected++
			sum.Reject(err)
		})
		if err != nil {
			return err
		}
		for _, f := range sum.Files {
			switch {
			case f.Records == 0 && f.Rejected > 0:
				fmt.Fprintf(e.stderr, "warning: every line of %s was rejected (%d); is it %s? --format names the format\n", f.Name, f.Rejected, f.Format)
			case f.Records == 0:
				fmt.Fprintf(e.stderr, "warning: %s holds no records\n", f.Name)
			}
		}
		sum.Finish()
		if o.json {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(sum)
		}
		printStats(e.stdout, sum)
		return nil
	},
}

var quadNames = [...]string{"", "verbal cooperation", "material cooperation", "verbal conflict", "material conflict"}

func printStats(w io.Writer, s *event.Summary) {
	fmt.Fprintf(w, "records   %d (%d events, %d observations), %d lines rejected\n", s.Records, s.Events, s.Observations, s.RejectedTotal)
	if s.First != nil {
		fmt.Fprintf(w, "span      %s .. %s\n", day(*s.First), day(*s.Last))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	if s.GoldsteinMean != nil {
		fmt.Fprintf(tw, "goldstein mean\t%+.3f\t\n", *s.GoldsteinMean)
	}
	if s.GoldsteinMeanWeighted != nil {
		fmt.Fprintf(tw, "  by mentions\t%+.3f\t\n", *s.GoldsteinMeanWeighted)
	}
	if s.InstabilityIndex != nil {
		fmt.Fprintf(tw, "instability index\t%.3f\t(share of events in quad 4 or root 14)\n", *s.InstabilityIndex)
	}
	for q := 1; q <= 4; q++ {
		n := s.Quad[strconv.Itoa(q)]
		fmt.Fprintf(tw, "quad %d\t%d\t%s%s\n", q, n, quadNames[q], pct(n, s.Events))
	}
	roots := make([]string, 0, len(s.Root))
	for r := range s.Root {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	for _, r := range roots {
		label := ""
		if c, ok := cameo.Lookup(r); ok {
			label = strings.ToLower(c.Label)
		}
		fmt.Fprintf(tw, "root %s\t%d\t%s%s\n", r, s.Root[r], label, pct(s.Root[r], s.Events))
	}
	tw.Flush()
	if len(s.Dyads) > 0 {
		fmt.Fprintf(w, "\ndyads (%d ordered country pairs", len(s.Dyads))
		shown := s.Dyads
		if len(shown) > 20 {
			shown = shown[:20]
			fmt.Fprint(w, "; the 20 with most events, --json for all")
		}
		fmt.Fprint(w, ")\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "source\ttarget\tevents\tgoldstein_sum\tconflict_events\t")
		for _, d := range shown {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%d\t\n", d.Source, d.Target, d.Events, d.GoldsteinSum, d.ConflictEvents)
		}
		tw.Flush()
	}
	if len(s.Files) > 1 {
		fmt.Fprintln(w, "\nfiles")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, f := range s.Files {
			fmt.Fprintf(tw, "  %s\t%s\t%d records\t%d rejected\n", f.Name, f.Format, f.Records, f.Rejected)
		}
		tw.Flush()
	}
	if len(s.Rejected) > 0 {
		fmt.Fprintln(w, "\nrejected lines")
		for i, r := range s.Rejected {
			if i == 20 {
				fmt.Fprintf(w, "  ... %d more (--json lists up to %d)\n", s.RejectedTotal-20, event.MaxRejectedListed)
				break
			}
			loc := fmt.Sprintf("%s:%d", r.File, r.Line)
			if r.Column > 0 {
				loc += fmt.Sprintf(":%d", r.Column)
			}
			fmt.Fprintf(w, "  %s: %s\n", loc, r.Reason)
		}
	}
}
