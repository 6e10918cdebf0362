package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"backchannel/internal/scenario"
	"backchannel/internal/sim"
)

const maxRuns = 100_000_000

type simulateOpts struct {
	runs, horizon, workers int
	seed                   uint64
	json                   bool
	out                    string
}

func (o *simulateOpts) flags() *flag.FlagSet {
	fs := newFlagSet("simulate")
	fs.IntVar(&o.runs, "runs", 10000, "number of runs, each in both arms, and again for each level of each driver")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same result, whatever --workers")
	fs.IntVar(&o.horizon, "horizon", 0, "days per run, 1 to 36500 (default: the model's horizon_days)")
	fs.IntVar(&o.workers, "workers", 0, "goroutines to run on (default: GOMAXPROCS, the usable cores)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.StringVar(&o.out, "out", "", "write an HTML report (index.html, SVG plots, CSV files) into this directory")
	return fs
}

var simulateCmd = &command{
	name:    "simulate",
	summary: "Monte Carlo crisis simulation: the risk of war with and without the channel",
	usage:   "backchannel simulate SCENARIO [--runs N] [--seed S] [--horizon D] [--workers W] [--json] [--out DIR]",
	help: `Runs the crisis simulator of docs/MODELS.md (design: MODELS.md part C) on the scenario's
model section. Each run draws both sides' types from the priors and steps day by day:
drivers move temptation and capacity, incidents arrive and are read by Bayes, the
mediator reports each side's type to the other (with the channel), and each side
strikes or holds. Every run is made twice on the same random numbers, without and with
the channel, so the difference is the channel's.

It prints, for both arms: P(war) with its 95% Wilson interval, the kinds of war by who
struck first (deliberate, loss of control, temptation, preemptive, miscalculation),
P(tragic war) between two trustworthy sides, the median day of war and the share at
peace over time; then the risk the channel removes, and P(war) as each driver's effect
is scaled from 0 to 2 (its beta or alpha multiplied). --json prints the same as JSON, survival and credibility by day
included. --out DIR also writes an HTML report with plots (survival, sensitivity to each
driver, credibility over time) and CSV files.

A progress bar is shown on standard error when it is a terminal.

Example:
  backchannel simulate scenarios/israel-iran-2026/scenario.yaml --out report`,
	flags: func() *flag.FlagSet { return new(simulateOpts).flags() },
	run:   runSimulate,
}

func runSimulate(e *env, args []string) error {
	var o simulateOpts
	pos, err := parseFlags(o.flags(), args)
	if err != nil {
		return err
	}
	if err := o.check(pos); err != nil {
		return err
	}
	sc, err := scenario.Load(pos[0])
	if err != nil {
		return loadError(pos[0], err)
	}
	s, err := sim.FromScenario(sc, o.horizon)
	switch {
	case errors.Is(err, scenario.ErrNoModel):
		return fmt.Errorf("%s has no model section; add one with the parameters of docs/MODELS.md", sc.Path)
	case err != nil:
		return loadError(sc.Path, err)
	}
	opts := sim.Options{Runs: o.runs, Seed: o.seed, Workers: o.workers}
	bar := startRunProgress(e.stderr, o.runs+s.SensitivityRuns(opts, sim.Levels))
	opts.Progress = bar.add
	ctx := context.Background()
	r, err := s.Run(ctx, opts)
	if err == nil {
		_, err = s.Sensitivity(ctx, opts, sim.Levels, r)
	}
	bar.stop()
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := r.WriteReport(o.out); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "USA->IRN.pressure" as written
		return enc.Encode(r)
	}
	if err := r.WriteText(e.stdout); err != nil {
		return err
	}
	if o.out != "" {
		fmt.Fprintf(e.stdout, "\nReport: %s (plots and CSV files beside it)\n", filepath.Join(o.out, "index.html"))
	}
	return nil
}

// check refuses flags out of range and anything but one scenario.
func (o *simulateOpts) check(pos []string) error {
	if err := oneScenario(pos); err != nil {
		return err
	}
	switch {
	case o.runs < 1 || o.runs > maxRuns:
		return usagef("--runs: %d is out of range; want 1 to %d", o.runs, maxRuns)
	case o.horizon < 0 || o.horizon > sim.MaxHorizonDays:
		return usagef("--horizon: %d is out of range; want 1 to %d days (or leave it out for the model's)", o.horizon, sim.MaxHorizonDays)
	case o.workers < 0:
		return usagef("--workers: %d is out of range; want 1 or more (or leave it out for GOMAXPROCS)", o.workers)
	}
	return nil
}
