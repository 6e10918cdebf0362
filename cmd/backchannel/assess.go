package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"

	"backchannel/internal/credibility"
	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

type assessOpts struct {
	events    listFlag
	format    string
	at        string
	json, csv bool
}

func (o *assessOpts) flags() *flag.FlagSet {
	fs := newFlagSet("assess")
	fs.Var(&o.events, "events", "more event files (repeat the flag, or separate with commas)")
	formatFlag(fs, &o.format)
	fs.StringVar(&o.at, "at", "", "time of the assessment, 2026-01-15 or 2026-01-15T12:00:00Z (default: the last record's)")
	fs.BoolVar(&o.json, "json", false, "print the assessment as JSON, with each assurance's daily series")
	fs.BoolVar(&o.csv, "csv", false, "print the daily series as CSV: a row per day and assurance")
	return fs
}

var assessCmd = &command{
	name:    "assess",
	summary: "credibility of each assurance, intention x capacity, against the threshold it must reach",
	usage:   "backchannel assess SCENARIO [--events FILE...] [--at TIME] [--json|--csv]",
	help: `Assesses each assurance of the scenario at a time (MODELS.md part B): whether its
beneficiary, holding it, can afford to hold its own fire.

  intention    the beneficiary's belief that the issuer is trustworthy: the model's prior
               at the scenario's start, moved by Bayes' rule once a day per CAMEO root on
               the issuer's public acts toward it (likelihood ratios: model.likelihood_ratios,
               or the defaults: threats and force posture lower trust, cooperation raises
               it), and by each reassurance a mediator credible by A4 conveys, right with
               its accuracy a: pi' = pi a / (pi a + (1 - pi)(1 - a))
  capacity     kappa0 x (1 - x)^alpha for each driver that lowers the issuer's capacity
               (IRN.instability), read from the events
  credibility  intention x capacity
  temptation   the beneficiary's tT0 + beta x for each driver that raises it
               (USA->IRN.pressure)
  threshold    q*(temptation) = c / (1 - tT + c) (A1)
  margin       credibility - threshold
  status       "reassures" while in force and credibility >= threshold, "does not
               reassure", or "not in force"

The text shows, for each assurance, the numbers at the time, when it was conveyed and
on its worst day in force, a sentence saying whether it reassures and why (which of
intention or capacity is short), the indicators and the steps of belief behind it.
--json adds the daily series from the scenario's start; --csv prints that series alone.
The scenario needs a model section (MODELS.md). See docs/MODELS.md.

` + inputHelp,
	flags: func() *flag.FlagSet { return new(assessOpts).flags() },
	run:   runAssess,
}

func runAssess(e *env, args []string) error {
	var o assessOpts
	pos, err := parseFlags(o.flags(), args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("no scenario")
	case !isScenarioPath(pos[0]):
		return usagef("%q is not a scenario file (*.yaml); event files go after --events", pos[0])
	case o.json && o.csv:
		return usagef("--json and --csv exclude each other")
	}
	at, err := parseWhen("at", o.at)
	if err != nil {
		return err
	}
	format, err := event.ParseFormat(o.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	files := slices.Concat(pos[1:], o.events)
	for _, f := range files {
		if isScenarioPath(f) {
			return usagef("give one scenario; %s is another", f)
		}
	}
	in, err := openInputs(e, slices.Concat(pos[:1], files), format)
	if err != nil {
		return err
	}
	a, err := assessor(e, in)
	if err != nil {
		return err
	}
	if at.IsZero() {
		at = a.Latest()
	}
	rep, err := a.Assess(at)
	if errors.Is(err, credibility.ErrLongSeries) {
		return usagef("--at: %v; give a time within 100 years of the start", err)
	}
	if err != nil {
		return err
	}
	rep.Scenario = in.scenario.Name
	switch {
	case o.json:
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "USA->IRN.pressure" as written
		return enc.Encode(rep)
	case o.csv:
		return rep.WriteCSV(e.stdout)
	}
	return rep.WriteText(e.stdout)
}

// assessor reads every record and hands them with the scenario to the
// credibility package.
func assessor(e *env, in *inputs) (*credibility.Assessor, error) {
	var recs []event.Record
	rl := &rejectLog{w: e.stderr}
	err := in.each(func(_ *event.File, r *event.Record) error {
		recs = append(recs, *r)
		return nil
	}, rl.add)
	rl.finish()
	if err != nil {
		return nil, err
	}
	sc := in.scenario
	a, err := credibility.FromScenario(sc, recs)
	switch {
	case errors.Is(err, scenario.ErrNoModel):
		return nil, fmt.Errorf("%s has no model section; assess needs at least model.c, model.priors and model.temptation (MODELS.md, the scenario model: section)", sc.Path)
	case err != nil:
		return nil, loadError(sc.Path, err)
	}
	return a, nil
}
