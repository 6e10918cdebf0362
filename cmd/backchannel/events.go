package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
)

const inputHelp = `Inputs are event files in any supported format, detected from their content: GDELT 1.0
(57 or 58 columns) and 2.0 (61 columns) exports, zipped GDELT exports (*.export.CSV.zip),
ICEWS (with its header), ACLED CSV, and JSONL (the project's normalized form). A scenario
file (*.yaml) stands for its event files and inline records. "-" reads standard input.
A malformed line is reported with its file and line and skipped; the rest is read.`

// formatFlag adds --format to a flag set.
func formatFlag(fs *flag.FlagSet, dst *string) {
	names := make([]string, len(event.Formats))
	for i, f := range event.Formats {
		names[i] = string(f)
	}
	fs.StringVar(dst, "format", "auto", "input format: auto, "+strings.Join(names, ", "))
}

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

func pct(n, of int) string {
	if of == 0 {
		return ""
	}
	return fmt.Sprintf(" (%.1f%%)", 100*float64(n)/float64(of))
}

func day(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// output opens -o's file (or standard output for "" and "-") and returns a
// buffered writer and a function that finishes it. A regular file is written
// beside its final name and renamed into place only when the command succeeds,
// so a failed run leaves no half-written output and no old file destroyed;
// anything else (a device such as /dev/null, a pipe) is written in place.
func output(e *env, path string) (*bufio.Writer, func(ok bool) error, error) {
	if path == "" || path == "-" {
		bw := bufio.NewWriterSize(e.stdout, 1<<16)
		return bw, func(bool) error { return bw.Flush() }, nil
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, nil, fmt.Errorf("-o %s: is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return nil, nil, err
		}
		bw := bufio.NewWriterSize(f, 1<<16)
		return bw, func(bool) error {
			err := bw.Flush()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, fmt.Errorf("-o %s: cannot create it: %w", path, err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<16)
	return bw, func(ok bool) error {
		err := bw.Flush()
		if err == nil {
			err = tmp.Chmod(0o644) // CreateTemp makes 0600; output is an ordinary file
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if !ok || err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), path)
	}, nil
}

type convertOpts struct {
	format string
	out    string
}

func (o *convertOpts) flags() *flag.FlagSet {
	fs := newFlagSet("events convert")
	formatFlag(fs, &o.format)
	fs.StringVar(&o.out, "o", "", "write to this file instead of standard output")
	return fs
}

var eventsConvertCmd = &command{
	name:    "events convert",
	summary: "convert event files to the normalized JSONL form",
	usage:   "backchannel events convert FILE... [--format F] [-o OUT.jsonl]",
	help: `Reads the files and writes every record in the project's normalized JSONL form
(EVENTS.md): one JSON object per line, events and observations, in input order. Rejected
lines are reported on standard error and counted.

` + inputHelp,
	flags: func() *flag.FlagSet { return new(convertOpts).flags() },
	run: func(e *env, args []string) error {
		var o convertOpts
		pos, err := parseFlags(o.flags(), args)
		if err != nil {
			return err
		}
		return writeRecords(e, pos, o.format, o.out, nil)
	},
}

// writeRecords streams the inputs to JSONL, keeping the records keep accepts
// (all when keep is nil).
func writeRecords(e *env, pos []string, formatName, out string, keep func(*event.Record) bool) error {
	format, err := event.ParseFormat(formatName)
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
	bw, finish, err := output(e, out)
	if err != nil {
		in.close()
		return err
	}
	wr := event.NewWriter(bw)
	rl := &rejectLog{w: e.stderr}
	written := 0
	err = in.each(func(_ *event.File, r *event.Record) error {
		if keep != nil && !keep(r) {
			return nil
		}
		written++
		return wr.Write(r)
	}, rl.add)
	rl.finish()
	if ferr := finish(err == nil); err == nil {
		err = ferr
	}
	if err == nil && out != "" && out != "-" {
		fmt.Fprintf(e.stderr, "wrote %d records to %s\n", written, out)
	}
	return err
}

type filterOpts struct {
	convertOpts
	actors, codes, quads listFlag
	dyads                listFlag
	symmetric            bool
	from, to             string
	kind                 string
}

// listFlag collects comma-separated values from one or more uses of a flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func (o *filterOpts) flags() *flag.FlagSet {
	fs := newFlagSet("events filter")
	formatFlag(fs, &o.format)
	fs.StringVar(&o.out, "o", "", "write to this file instead of standard output")
	fs.Var(&o.actors, "actor", "keep events with any of these countries as source or target, and their observations (ISR,IRN)")
	fs.Var((*dyadList)(&o.dyads), "dyad", "keep events from the first country to the second (ISR,IRN); repeat for more pairs")
	fs.BoolVar(&o.symmetric, "symmetric", false, "with --dyad, keep both directions")
	fs.Var(&o.codes, "code", "keep events whose CAMEO code starts with any of these (19 = all FIGHT, 195 = aerial)")
	fs.Var(&o.quads, "quad", "keep events of these quad classes (1-4)")
	fs.StringVar(&o.from, "from", "", "keep records at or after this date (2025-06-01) or time")
	fs.StringVar(&o.to, "to", "", "keep records before this date or time")
	fs.StringVar(&o.kind, "kind", "", "keep only events or only observations")
	return fs
}

// dyadList is a --dyad value: pairs "A,B", one pair per use.
type dyadList []string

func (d *dyadList) String() string { return strings.Join(*d, " ") }
func (d *dyadList) Set(s string) error {
	a, b, ok := strings.Cut(s, ",")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !ok || a == "" || b == "" || strings.Contains(b, ",") {
		return fmt.Errorf("%q is not a pair of countries; want SOURCE,TARGET such as ISR,IRN", s)
	}
	*d = append(*d, a+","+b)
	return nil
}

// parseWhen reads a --from/--to value: a date or an RFC 3339 time.
func parseWhen(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--%s: %q is not a date (2025-06-13) or an RFC 3339 time", flagName, s)
	}
	return t, nil
}

func (o *filterOpts) filter() (*event.Filter, error) {
	f := &event.Filter{Actors: o.actors, Codes: o.codes, Symmetric: o.symmetric}
	for _, d := range o.dyads {
		a, b, _ := strings.Cut(d, ",")
		f.Dyads = append(f.Dyads, [2]string{a, b})
	}
	for _, c := range o.codes {
		if len(c) < 2 || !cameo.ValidSyntax(c[:2]) || strings.Trim(c, "0123456789") != "" || len(c) > 4 {
			return nil, usagef("--code: %q is not a CAMEO code or prefix (01 to 20, then up to two more digits)", c)
		}
	}
	for _, q := range o.quads {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 4 {
			return nil, usagef("--quad: %q is not a quad class 1-4", q)
		}
		f.Quads = append(f.Quads, n)
	}
	var err error
	if f.From, err = parseWhen("from", o.from); err != nil {
		return nil, err
	}
	if f.To, err = parseWhen("to", o.to); err != nil {
		return nil, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, usagef("--from %s is not before --to %s", o.from, o.to)
	}
	switch o.kind {
	case "":
	case "event", "events":
		f.Kind = event.KindEvent
	case "observation", "observations":
		f.Kind = event.KindObservation
	default:
		return nil, usagef("--kind: %q; want event or observation", o.kind)
	}
	return f, nil
}

var eventsFilterCmd = &command{
	name:    "events filter",
	summary: "select records by actor, dyad, CAMEO code, quad class and time",
	usage:   "backchannel events filter FILE... [--actor A,B] [--dyad A,B [--symmetric]] [--code C] [--quad Q] [--from T] [--to T] [--kind K] [--format F] [-o OUT]",
	help: `Reads the files and writes, as JSONL, the records that pass every filter given. Lists
are comma-separated and flags may be repeated. Observations pass --actor when the
indicator belongs to one of the actors (IRN.enrichment_pct is IRN's) and never pass
--dyad, --code or --quad.

Example: the Israeli-Iranian material conflict of June 2025 in the bundled scenario:

  backchannel events filter scenarios/israel-iran-2026/scenario.yaml \
      --dyad ISR,IRN --symmetric --quad 4 --from 2025-06-01 --to 2025-07-01

` + inputHelp,
	flags: func() *flag.FlagSet { return new(filterOpts).flags() },
	run: func(e *env, args []string) error {
		var o filterOpts
		pos, err := parseFlags(o.flags(), args)
		if err != nil {
			return err
		}
		f, err := o.filter()
		if err != nil {
			return err
		}
		return writeRecords(e, pos, o.format, o.out, f.Match)
	},
}
