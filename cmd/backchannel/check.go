package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"

	"backchannel/internal/assurance"
	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
	"backchannel/internal/yamldoc"
)

type checkOpts struct {
	events   listFlag
	format   string
	json     bool
	window   string
	halflife string
}

func (o *checkOpts) flags() *flag.FlagSet {
	fs := newFlagSet("check")
	fs.Var(&o.events, "events", "more event files to check against (repeat the flag, or separate with commas)")
	formatFlag(fs, &o.format)
	fs.BoolVar(&o.json, "json", false, "print the result as JSON (the contract of ASSURANCES.md)")
	fs.StringVar(&o.window, "window", "30d", "sliding window of the indicators conditions read through ind")
	fs.StringVar(&o.halflife, "halflife", "7d", "half-life of an event's weight in those indicators")
	return fs
}

var checkCmd = &command{
	name:    "check",
	summary: "watch assurances and red lines against events: lapsed, breached, expired",
	usage:   "backchannel check SCENARIO_OR_ASSURANCE_FILE [--events FILE...] [--json]",
	help: `Runs the lifecycle of ASSURANCES.md over the records, in time order (records at the
same time keep their input order), and says where each assurance stands:

  in_force   from its from date, until something happens
  lapsed     the issuer was released: an unless condition matched (it was provoked,
             or a red line it names was crossed), or its reciprocal assurance fell
  breached   the issuer did what it promised not to, unprovoked
  withdrawn  the issuer withdrew it
  expired    it reached its until date

and whether each red line was crossed, with the record that did it (file, line, id).
Red lines are watched from the scenario's start.

The records are the scenario's own (its events section) and those of --events. An
assurance file holds only assurances, redlines and, optionally, start, indicators and
events; give it --events to check it against any event data. Without --json the result
is a timeline to read. Exit status: 0 when the check ran, whatever it found; 1 when an
input cannot be used; 2 for a usage error.

` + inputHelp,
	flags: func() *flag.FlagSet { return new(checkOpts).flags() },
	run:   runCheck,
}

// sourced is a record with where it came from, held until all are read and
// sorted.
type sourced struct {
	rec event.Record
	src assurance.Source
}

func runCheck(e *env, args []string) error {
	var o checkOpts
	pos, err := parseFlags(o.flags(), args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("no scenario or assurance file")
	case !isScenarioPath(pos[0]):
		return usagef("%q is not a scenario or assurance file (*.yaml); event files go after --events", pos[0])
	}
	format, err := event.ParseFormat(o.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	opts := indicator.Options{}
	if opts.Window, err = parseSpan("window", o.window); err != nil {
		return err
	}
	if opts.HalfLife, err = parseSpan("halflife", o.halflife); err != nil {
		return err
	}
	files := slices.Concat(pos[1:], o.events)
	for _, f := range files {
		if isScenarioPath(f) {
			return usagef("give one scenario or assurance file; %s is another", f)
		}
	}
	in, err := openInputs(e, slices.Concat(pos[:1], files), format)
	if err != nil {
		return err
	}
	set, err := assurance.Compile(in.scenario)
	if err != nil {
		in.close()
		return loadError(in.scenario.Path, err)
	}
	warnModel(e, in.scenario)
	res, err := check(e, in, set, opts)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "ISR->IRN", "x > 1.0" as written
		return enc.Encode(res)
	}
	return assurance.WriteTimeline(e.stdout, in.scenario.Path, res)
}

// loadError says how many problems a file has and lists them.
func loadError(path string, err error) error {
	var list yamldoc.ErrorList
	if errors.As(err, &list) {
		return fmt.Errorf("%s has %d problem(s):\n%w", path, len(list), err)
	}
	return err
}

// warnModel reports, on standard error, the problems of a scenario's model
// section, which the check itself does not read: so that the file is known
// to be whole before simulate, assess or mediators refuse it.
func warnModel(e *env, s *scenario.Scenario) {
	if s.Model == nil {
		return
	}
	if _, err := s.ModelConfig(); err != nil {
		fmt.Fprintf(e.stderr, "warning: the model section is not usable (simulate, assess and mediators refuse it); the check goes on without it.\n%v\n", loadError(s.Path, err))
	}
}

// check replays the records through the engine and returns its result with
// the rejected lines.
func check(e *env, in *inputs, set *assurance.Set, opts indicator.Options) (*assurance.Result, error) {
	eng, rej, err := replay(e, in, set, opts)
	if err != nil {
		return nil, err
	}
	res := eng.Finish(set.End)
	if rej.listed != nil {
		res.Rejected = rej.listed
	}
	res.RejectedTotal = rej.total
	return res, nil
}

// rejections are the lines a replay skipped: the first MaxRejectedListed
// in full, and how many in all.
type rejections struct {
	listed []assurance.Rejection
	total  int
}

// replay reads every record, sorts them by time (stably: equal times keep
// their input order) and steps an engine through them. Rejected lines are
// reported on standard error as they are met.
func replay(e *env, in *inputs, set *assurance.Set, opts indicator.Options) (*assurance.Engine, *rejections, error) {
	var recs []sourced
	rej := &rejections{}
	log := &rejectLog{w: e.stderr}
	inline := 0
	s := in.scenario
	err := in.each(func(f *event.File, r *event.Record) error {
		var src assurance.Source
		if f == nil {
			src = assurance.Source{File: s.Path, Line: s.InlinePos[inline].Line}
			inline++
		} else {
			src.File, src.Line = f.Where()
		}
		if r.Kind == event.KindEvent {
			src.ID = r.Event.ID
		}
		recs = append(recs, sourced{*r, src})
		return nil
	}, func(f *event.File, err error) {
		rej.total++
		log.add(f, err)
		var le *event.LineError
		if errors.As(err, &le) && len(rej.listed) < event.MaxRejectedListed {
			rej.listed = append(rej.listed, assurance.Rejection{File: le.File, Line: le.Line, Column: le.Column, Reason: le.Reason})
		}
	})
	log.finish()
	if err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(recs, func(a, b sourced) int { return a.rec.Time().Compare(b.rec.Time()) })
	eng, err := assurance.NewEngine(set, opts)
	if err != nil {
		return nil, nil, err
	}
	for i := range recs {
		if err := eng.Step(&recs[i].rec, recs[i].src); err != nil {
			return nil, nil, err
		}
	}
	return eng, rej, nil
}
