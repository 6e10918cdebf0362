package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"

	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

// inputs are the record sources a command was given: event files in any
// supported format, and at most one scenario, whose event files and inline
// records join them.
//
// Every file is checked (opened, its format detected, closed) before any is
// read, so that a missing or unreadable file fails the command before it
// prints anything; then the files are opened one at a time while reading, so
// that thousands of GDELT exports need neither thousands of file handles nor a
// buffer each.
type inputs struct {
	scenario *scenario.Scenario
	files    []input
	// progress is where to show how far the files have been read, when it
	// is a terminal.
	progress io.Writer
	// opened, when set, is told of each file as reading begins, before any
	// of its records.
	opened func(f *event.File)
}

// input is one file to read; stdin, when set, is standard input, opened once.
type input struct {
	path   string
	format event.Format
	size   int64
	stdin  *event.File
}

func isScenarioPath(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// oneScenario refuses anything but one scenario file among a command's
// arguments.
func oneScenario(pos []string) error {
	switch {
	case len(pos) == 0:
		return usagef("no scenario")
	case len(pos) > 1:
		return usagef("give one scenario; %q is another argument", pos[1])
	case !isScenarioPath(pos[0]):
		return usagef("%q is not a scenario file (*.yaml)", pos[0])
	}
	return nil
}

// openInputs loads the scenario, if one is named, and checks every file.
func openInputs(e *env, args []string, format event.Format) (*inputs, error) {
	in := &inputs{progress: e.stderr}
	var paths []string
	for _, a := range args {
		if !isScenarioPath(a) {
			paths = append(paths, a)
			continue
		}
		if in.scenario != nil {
			return nil, usagef("give one scenario at a time (%s and %s)", in.scenario.Path, a)
		}
		s, err := scenario.Load(a)
		if err != nil {
			return nil, loadError(a, err)
		}
		in.scenario = s
		// A scenario's own files are detected by content: --format speaks of
		// the files on the command line.
		for _, p := range s.EventFiles {
			if err := in.check(p, event.FormatAuto); err != nil {
				return nil, err
			}
		}
	}
	stdin := 0
	for _, p := range paths {
		if p == "-" {
			if stdin++; stdin > 1 {
				in.close()
				return nil, usagef("standard input (-) can be read only once")
			}
		}
		if err := in.check(p, format); err != nil {
			in.close()
			return nil, err
		}
	}
	return in, nil
}

// check opens a file to see that it can be read and what it holds, and closes
// it again; standard input stays open, as it cannot be opened twice.
func (in *inputs) check(path string, format event.Format) error {
	f, err := event.Open(path, format)
	if err != nil {
		return err
	}
	_, size := f.Progress()
	it := input{path: path, format: format, size: size}
	if path == "-" {
		it.stdin = f
	} else {
		f.Close()
	}
	in.files = append(in.files, it)
	return nil
}

func (in *inputs) close() {
	for _, it := range in.files {
		if it.stdin != nil {
			it.stdin.Close()
		}
	}
}

// each streams every record to fn and every rejected line to reject: the
// scenario's inline records first, then the files in order. It stops at the
// first error that is not about one line, or that fn returns.
func (in *inputs) each(fn func(f *event.File, r *event.Record) error, reject func(f *event.File, err error)) error {
	defer in.close()
	var total int64
	for _, it := range in.files {
		total += it.size
	}
	var before atomic.Int64
	var cur atomic.Pointer[event.File]
	defer startProgress(in.progress, func() (int64, int64) {
		done := before.Load()
		if f := cur.Load(); f != nil {
			n, _ := f.Progress()
			done += n
		}
		return done, total
	})()

	var rec event.Record
	if s := in.scenario; s != nil {
		for i := range s.Inline {
			rec = s.Inline[i]
			if err := fn(nil, &rec); err != nil {
				return err
			}
		}
	}
	for _, it := range in.files {
		f := it.stdin
		if f == nil {
			var err error
			if f, err = event.Open(it.path, it.format); err != nil {
				return err
			}
		}
		cur.Store(f)
		if in.opened != nil {
			in.opened(f)
		}
		err := readFile(f, &rec, fn, reject)
		f.Close()
		cur.Store(nil)
		before.Add(it.size)
		if err != nil {
			return err
		}
	}
	return nil
}

func readFile(f *event.File, rec *event.Record, fn func(*event.File, *event.Record) error, reject func(*event.File, error)) error {
	for {
		err := f.Next(rec)
		if err == nil {
			if err := fn(f, rec); err != nil {
				return err
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		var le *event.LineError
		if !errors.As(err, &le) {
			return err
		}
		reject(f, err)
	}
}

// rejectLog reports rejected lines on standard error: the first few in full,
// then only a count, so a file of garbage does not flood the terminal.
type rejectLog struct {
	w     io.Writer
	n     int
	shown int
}

const rejectsShown = 20

func (l *rejectLog) add(_ *event.File, err error) {
	l.n++
	if l.shown < rejectsShown {
		l.shown++
		fmt.Fprintf(l.w, "skipped: %v\n", err)
	}
}

func (l *rejectLog) finish() {
	if l.n > l.shown {
		fmt.Fprintf(l.w, "skipped %d more bad lines (%d in all)\n", l.n-l.shown, l.n)
	} else if l.n > 0 {
		fmt.Fprintf(l.w, "%d bad line(s) skipped\n", l.n)
	}
}
