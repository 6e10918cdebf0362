package main

import (
	"flag"
	"strconv"
	"strings"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
)

type filterOpts struct {
	convertOpts
	actors, codes, quads listFlag
	dyads                listFlag
	symmetric            bool
	from, to             string
	kind                 string
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
