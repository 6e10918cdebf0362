package main

import (
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestRunProgressOnTerminal: on a terminal (a pty here) the bar is drawn over
// itself and cleared when the runs are done.
func TestRunProgressOnTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine: %v", err)
	}
	defer ptmx.Close()
	// What the terminal shows, read as it comes; the read ends (EIO) when
	// the terminal's side is closed.
	chunks := make(chan string, 64)
	go func() {
		defer close(chunks)
		buf := make([]byte, 256)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				chunks <- string(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		tty.Close()
		for range chunks {
		}
	}()
	// read collects what comes until done says so, or nothing has come for
	// quiet, or 5 s have passed.
	read := func(done func(string) bool, quiet time.Duration) string {
		var seen strings.Builder
		deadline := time.After(5 * time.Second)
		for !done(seen.String()) {
			select {
			case c := <-chunks:
				seen.WriteString(c)
			case <-time.After(quiet):
				return seen.String()
			case <-deadline:
				return seen.String()
			}
		}
		return seen.String()
	}

	p := startRunProgress(tty, 10)
	p.add(5)
	seen := read(func(s string) bool { return strings.Contains(s, "5/10 runs") }, 5*time.Second)
	if !strings.Contains(seen, "\r\033[Ksimulating [###############...............]  50% 5/10 runs") {
		p.stop()
		t.Fatalf("no bar drawn over the line within 5 s: %q", seen)
	}
	p.stop() // returns once the drawing goroutine has written its last
	// Everything is written: read until the terminal has been quiet a while.
	rest := read(func(string) bool { return false }, 300*time.Millisecond)
	if !strings.HasSuffix(rest, "\r\033[K") {
		t.Errorf("the bar was not cleared at the end: %q", rest)
	}
}
