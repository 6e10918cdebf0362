package main

import (
	"flag"
	"fmt"

	"backchannel/internal/event"
)

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
