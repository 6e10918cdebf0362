package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

// inputs are the record sources a command was given: event files in any
// supported format, and at most one scenario, whose event files and inline
// records join them.
type inputs struct {
	scenario *scenario.Scenario
	files    []*event.File
	// progress is where to show how far the files have been read, when it
	// is a terminal.
	progress io.Writer
}

func isScenarioPath(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// openInputs opens every named input before any is read, so that a missing file
// fails the command before it prints anything.
func openInputs(e *env, args []string, format event.Format) (*inputs, error) {
	in := &inputs{progress: e.stderr}
	var paths []string
	for _, a := range args {
		if !isScenarioPath(a) {
			paths = append(paths, a)
			continue
		}
		if in.scenario != nil {
			in.close()
			return nil, usagef("give one scenario at a time (%s and %s)", in.scenario.Path, a)
		}
		s, err := scenario.Load(a)
		if err != nil {
			in.close()
			var list scenario.ErrorList
			if errors.As(err, &list) {
				return nil, fmt.Errorf("scenario has %d problem(s):\n%w", len(list), err)
			}
			return nil, err
		}
		in.scenario = s
		// A scenario's own files are detected by content: --format speaks of
		// the files on the command line.
		for _, p := range s.EventFiles {
			f, err := event.Open(p, event.FormatAuto)
			if err != nil {
				in.close()
				return nil, err
			}
			in.files = append(in.files, f)
		}
	}
	for _, p := range paths {
		f, err := event.Open(p, format)
		if err != nil {
			in.close()
			return nil, err
		}
		in.files = append(in.files, f)
	}
	return in, nil
}

func (in *inputs) close() {
	for _, f := range in.files {
		f.Close()
	}
}

// each streams every record to fn and every rejected line to reject. It stops
// at the first error that is not about one line, or that fn returns.
func (in *inputs) each(fn func(f *event.File, r *event.Record) error, reject func(f *event.File, err error)) error {
	defer in.close()
	defer startProgress(in.progress, in.files)()
	var rec event.Record
	if s := in.scenario; s != nil {
		for i := range s.Inline {
			rec = s.Inline[i]
			if err := fn(nil, &rec); err != nil {
				return err
			}
		}
	}
	for _, f := range in.files {
		for {
			err := f.Next(&rec)
			if err == nil {
				if err := fn(f, &rec); err != nil {
					return err
				}
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			var le *event.LineError
			if !errors.As(err, &le) {
				return err
			}
			reject(f, err)
		}
	}
	return nil
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
