package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// progressMin is the input size below which no progress is shown: small files
// are done before a person would read it.
const progressMin = 32 << 20

// startProgress shows on w, when w is a terminal and the input is large, how
// far it has been read, as status reports it. The returned function stops it
// and clears the line.
func startProgress(w io.Writer, status func() (done, total int64)) (stop func()) {
	if _, total := status(); total < progressMin {
		return func() {}
	}
	start := time.Now()
	return showProgress(w, func() string {
		read, total := status()
		rate := float64(read) / time.Since(start).Seconds()
		return fmt.Sprintf("reading %s of %s (%.0f%%), %s/s", bytesize(read), bytesize(total),
			100*float64(read)/float64(total), bytesize(int64(rate)))
	})
}

// showProgress writes line() over itself on w a few times a second, when w
// is a terminal, until the returned function is called, which clears the
// line. Nothing is shown when the output is not a terminal (a pipe, a file,
// a test).
func showProgress(w io.Writer, line func() string) (stop func()) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(f, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprintf(f, "\r\033[K%s", line())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func bytesize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
