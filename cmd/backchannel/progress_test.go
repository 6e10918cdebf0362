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
	defer tty.Close()
	p := startRunProgress(tty, 10)
	p.add(5)
	var seen strings.Builder
	buf := make([]byte, 256)
	ptmx.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !strings.Contains(seen.String(), "5/10 runs") {
		n, err := ptmx.Read(buf)
		if err != nil {
			t.Fatalf("no bar on the terminal after 5 s (%v); it showed %q", err, seen.String())
		}
		seen.Write(buf[:n])
	}
	if !strings.Contains(seen.String(), "\r\033[Ksimulating [###############...............]  50% 5/10 runs") {
		t.Errorf("the bar is not drawn over the line: %q", seen.String())
	}
	p.stop()
	seen.Reset()
	for !strings.HasSuffix(seen.String(), "\r\033[K") {
		n, err := ptmx.Read(buf)
		if err != nil {
			t.Fatalf("the bar was not cleared (%v): %q", err, seen.String())
		}
		seen.Write(buf[:n])
	}
}
