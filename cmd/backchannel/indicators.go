package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"backchannel/internal/assurance"
	"backchannel/internal/chart"
	"backchannel/internal/event"
	"backchannel/internal/indicator"
)

type indicatorOpts struct {
	format           string
	dyad, actor      string
	window, halflife string
	step             string
	from, to         string
	mentions         bool
	json, csv        bool
	plot             string
}

func (o *indicatorOpts) flags() *flag.FlagSet {
	fs := newFlagSet("indicators")
	formatFlag(fs, &o.format)
	fs.StringVar(&o.dyad, "dyad", "", "show conflict, cooperation and net cooperation both ways between two countries (ISR,IRN)")
	fs.StringVar(&o.actor, "actor", "", "show one country's instability, the pressure on it from others, and its observed indicators")
	fs.StringVar(&o.window, "window", "30d", "sliding window: events older than this do not count (d = days, h = hours)")
	fs.StringVar(&o.halflife, "halflife", "7d", "half-life of an event's weight")
	fs.StringVar(&o.step, "step", "1d", "time between rows of the series")
	fs.StringVar(&o.from, "from", "", "first time of the series (default: the first record's day)")
	fs.StringVar(&o.to, "to", "", "last time of the series (default: the last record's day)")
	fs.BoolVar(&o.mentions, "mentions", false, "weigh events by log(1+mentions) (attention weighting)")
	fs.BoolVar(&o.json, "json", false, "print the series as JSON")
	fs.BoolVar(&o.csv, "csv", false, "print the series as CSV")
	fs.StringVar(&o.plot, "plot", "", "also draw the series to this file (.svg, .png or .pdf), one panel per kind of indicator")
	return fs
}

var indicatorsCmd = &command{
	name:    "indicators",
	summary: "tension, instability and pressure over time from events",
	usage:   "backchannel indicators FILE_OR_SCENARIO... [--dyad A,B | --actor A] [--window D] [--halflife D] [--step D] [--from T] [--to T] [--mentions] [--json|--csv] [--plot FILE]",
	help: `Computes the indicators of EVENTS.md over a sliding window with exponential decay (an
event's weight halves every half-life) and prints them day by day:

  A->B.conflict         sum of w * max(0, -goldstein)/10 over events from A to B
  A->B.cooperation      sum of w * max(0, goldstein)/10
  A->B.net_cooperation  cooperation - conflict
  A.instability         weighted share of material conflict and protest in A's events, 0..1
  K->A.pressure         conflict from a third party K toward A
  A->B.rhetoric_gap     public verbal hostility (quad 3) from A to B while A has an
                        assurance in force toward B (scenarios with assurances)
  A.name                a numeric observation as given (IRN.enrichment_pct)

Each row holds the values at the end of its interval (the row of a day counts that
day's events) and is labelled by the interval's start.

With a scenario and no --dyad or --actor it shows the channel's parties: the dyad between
them both ways, their instability, the pressure on them from the other actors, and the
declared indicators. With event files only it shows the most active country pair.
See docs/indicators.md for the formulas.

` + inputHelp,
	flags: func() *flag.FlagSet { return new(indicatorOpts).flags() },
	run:   runIndicators,
}

// parseSpan reads a duration in days ("30d", "30"), hours ("12h"), or weeks ("2w").
func parseSpan(flagName, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	unit := 24 * time.Hour
	num := s
	switch {
	case strings.HasSuffix(s, "d"):
		num = s[:len(s)-1]
	case strings.HasSuffix(s, "w"):
		num, unit = s[:len(s)-1], 7*24*time.Hour
	case strings.HasSuffix(s, "h"):
		num, unit = s[:len(s)-1], time.Hour
	}
	v, err := strconv.ParseFloat(num, 64)
	d := time.Duration(v * float64(unit))
	if err != nil || math.IsNaN(v) || v <= 0 || d < time.Minute || d > 36500*24*time.Hour {
		return 0, usagef("--%s: %q is not a duration from one minute to 100 years, such as 30d, 12h or 2w", flagName, s)
	}
	return d, nil
}

func runIndicators(e *env, args []string) error {
	var o indicatorOpts
	pos, err := parseFlags(o.flags(), args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("no input: give event files or a scenario")
	}
	if o.json && o.csv {
		return usagef("--json and --csv exclude each other")
	}
	if o.plot != "" {
		if _, err := chart.FormatOf(o.plot); err != nil {
			return usagef("--plot: %v", err)
		}
	}
	if o.dyad != "" && o.actor != "" {
		return usagef("give --dyad or --actor, not both")
	}
	var dyad [2]string
	if o.dyad != "" {
		var d dyadList
		if err := d.Set(o.dyad); err != nil {
			return usagef("--dyad: %v", err)
		}
		dyad[0], dyad[1], _ = strings.Cut(d[0], ",")
		if dyad[0] == dyad[1] {
			return usagef("--dyad: %q names one country twice; want two, such as ISR,IRN", o.dyad)
		}
		if _, err := indicator.ParseName(dyad[0] + "->" + dyad[1] + ".conflict"); err != nil {
			return usagef("--dyad: %v", err)
		}
	}
	o.actor = strings.TrimSpace(o.actor)
	if o.actor != "" {
		if _, err := indicator.ParseName(o.actor + ".instability"); err != nil {
			return usagef("--actor: %v", err)
		}
	}
	opts := indicator.Options{Mentions: o.mentions}
	if opts.Window, err = parseSpan("window", o.window); err != nil {
		return err
	}
	if opts.HalfLife, err = parseSpan("halflife", o.halflife); err != nil {
		return err
	}
	step, err := parseSpan("step", o.step)
	if err != nil {
		return err
	}
	from, err := parseWhen("from", o.from)
	if err != nil {
		return err
	}
	to, err := parseWhen("to", o.to)
	if err != nil {
		return err
	}
	format, err := event.ParseFormat(o.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	calc, err := indicator.New(opts)
	if err != nil {
		return usagef("%v", err)
	}
	in, err := openInputs(e, pos, format)
	if err != nil {
		return err
	}
	sc := in.scenario
	if sc != nil && (sc.Assurances != nil || sc.Redlines != nil) {
		// The rhetoric gap needs to know when each assurance was in
		// force: the records go through the assurance engine, whose
		// calculator then holds them all.
		set, err := assurance.Compile(sc)
		if err != nil {
			in.close()
			return loadError(sc.Path, err)
		}
		eng, _, err := replay(e, in, set, opts)
		if err != nil {
			return err
		}
		eng.Finish(set.End)
		calc = eng.Calculator()
	} else {
		if sc != nil {
			for _, d := range sc.Indicators {
				calc.Declare(d.Name, d.Value, sc.Start)
			}
		}
		rl := &rejectLog{w: e.stderr}
		err = in.each(func(_ *event.File, r *event.Record) error {
			calc.Add(r)
			return nil
		}, rl.add)
		rl.finish()
		if err != nil {
			return err
		}
	}
	first, last, ok := calc.Span()
	if !ok {
		return fmt.Errorf("no records in the input; nothing to compute")
	}
	if from.IsZero() {
		from = first.Truncate(24 * time.Hour)
	}
	switch {
	case to.IsZero() && last.Before(from):
		return usagef("--from %s is after the last record (%s)", day(from), day(last))
	case to.IsZero():
		to = last
	case to.Before(from):
		return usagef("--to %s is before --from %s", day(to), day(from))
	}
	if n := to.Sub(from) / step; n > 200000 {
		return usagef("the series would have %d rows; give a larger --step or a shorter --from/--to", n)
	}

	sel := indicator.Selection{Dyad: dyad, Actor: o.actor}
	if sc != nil {
		sel.Parties, sel.Mediator = sc.Channel.Parties, sc.Channel.Mediator
	}
	names := calc.Choose(sel)
	if len(names) == 0 {
		return fmt.Errorf("no country pairs in the input; give --actor to see instability or observed indicators")
	}
	// Each row holds the values at the end of its interval, so that the row of
	// 13 June 2025 counts that day's strikes; rows are labelled by the
	// interval's start.
	end := step - time.Nanosecond
	series, err := calc.Series(names, from.Add(end), to.Add(end), step)
	if err != nil {
		return usagef("%v", err)
	}
	for i := range series.Times {
		series.Times[i] = series.Times[i].Add(-end)
	}
	if o.plot != "" {
		title := "Indicators"
		if sc != nil {
			title = sc.Name
		}
		if err := plotSeries(o.plot, title, series, calc.Options()); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "plotted %d indicators to %s\n", len(series.Names), o.plot)
	}
	switch {
	case o.json:
		return writeSeriesJSON(e.stdout, series, calc.Options())
	case o.csv:
		return writeSeriesCSV(e.stdout, series)
	}
	writeSeriesTable(e.stdout, series, calc.Options())
	return nil
}

// plotSeries draws the series as stacked panels, one per kind of indicator, so
// that values of different scales (a decayed conflict sum, a share, a
// percentage) each get an axis of their own.
func plotSeries(path, title string, s *indicator.Series, o indicator.Options) error {
	format, err := chart.FormatOf(path)
	if err != nil {
		return err
	}
	panelOf := map[indicator.Kind]int{}
	var panels []chart.Panel
	for j, name := range s.Names {
		n, err := indicator.ParseName(name)
		if err != nil {
			return err
		}
		kind := n.Kind
		if kind == indicator.Cooperation || kind == indicator.NetCooperation {
			kind = indicator.Conflict // the dyad's three parts share one panel
		}
		i, ok := panelOf[kind]
		if !ok {
			i = len(panels)
			panelOf[kind] = i
			panels = append(panels, panelFor(kind, o))
		}
		values := make([]float64, len(s.Times))
		for t := range s.Times {
			values[t] = s.Values[t][j]
		}
		panels[i].Series = append(panels[i].Series, chart.Series{Name: name, Times: s.Times, Values: values})
	}
	var buf bytes.Buffer
	if err := chart.Write(&buf, format, title, panels); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func panelFor(k indicator.Kind, o indicator.Options) chart.Panel {
	decay := fmt.Sprintf("window %s, half-life %s", days(o.Window), days(o.HalfLife))
	switch k {
	case indicator.Conflict:
		return chart.Panel{Title: "Conflict and cooperation between the parties (" + decay + ")", YLabel: "decayed Goldstein sum / 10"}
	case indicator.Instability:
		return chart.Panel{Title: "Internal instability: share of material conflict and protest (" + decay + ")", YLabel: "share, 0..1"}
	case indicator.Pressure:
		return chart.Panel{Title: "Pressure from third parties (" + decay + ")", YLabel: "decayed conflict / 10"}
	case indicator.RhetoricGap:
		return chart.Panel{Title: "Rhetoric gap: public verbal hostility while assuring privately (" + decay + ")", YLabel: "decayed Goldstein sum / 10"}
	}
	return chart.Panel{Title: "Observed indicators", YLabel: "value as reported"}
}

func writeSeriesTable(w io.Writer, s *indicator.Series, o indicator.Options) {
	fmt.Fprintf(w, "# window %s, half-life %s%s\n", days(o.Window), days(o.HalfLife), map[bool]string{true: ", weighted by log(1+mentions)"}[o.Mentions])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "time\t")
	for _, n := range s.Names {
		fmt.Fprintf(tw, "%s\t", n)
	}
	fmt.Fprintln(tw)
	for i, t := range s.Times {
		fmt.Fprintf(tw, "%s\t", day(t))
		for _, v := range s.Values[i] {
			if math.IsNaN(v) {
				fmt.Fprint(tw, "-\t")
			} else {
				fmt.Fprintf(tw, "%.3f\t", v)
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func writeSeriesCSV(w io.Writer, s *indicator.Series) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"time"}, s.Names...))
	row := make([]string, len(s.Names)+1)
	for i, t := range s.Times {
		row[0] = t.Format(time.RFC3339)
		for j, v := range s.Values[i] {
			row[j+1] = ""
			if !math.IsNaN(v) {
				row[j+1] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

func writeSeriesJSON(w io.Writer, s *indicator.Series, o indicator.Options) error {
	type point struct {
		Time   time.Time           `json:"time"`
		Values map[string]*float64 `json:"values"`
	}
	out := struct {
		Window   string   `json:"window"`
		HalfLife string   `json:"halflife"`
		Mentions bool     `json:"mentions"`
		Names    []string `json:"names"`
		Series   []point  `json:"series"`
	}{Window: days(o.Window), HalfLife: days(o.HalfLife), Mentions: o.Mentions, Names: s.Names, Series: []point{}}
	for i, t := range s.Times {
		p := point{Time: t, Values: map[string]*float64{}}
		for j, v := range s.Values[i] {
			if !math.IsNaN(v) {
				v := v
				p.Values[s.Names[j]] = &v
			} else {
				p.Values[s.Names[j]] = nil
			}
		}
		out.Series = append(out.Series, p)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
