package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	t, err := event.ParseTime(s)
	if err != nil {
		return time.Time{}, usagef("--%s: %v", flagName, err)
	}
	return t, nil
}
