package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// runProgress is a bar of simulation runs done on a terminal. startProgress shows
// bytes read; a simulation counts runs, and is worth a bar from the first second.
type runProgress struct {
	done atomic.Int64
	end  func()
}

// add counts n more runs done.
func (p *runProgress) add(n int) { p.done.Add(int64(n)) }

// stop clears the bar.
func (p *runProgress) stop() { p.end() }

// startRunProgress shows on w, when w is a terminal, a bar of the runs done out
// of total, refreshed a few times a second; on anything else it shows nothing.
func startRunProgress(w io.Writer, total int) *runProgress {
	p := &runProgress{end: func() {}}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || total <= 0 {
		return p
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				fmt.Fprint(f, "\r\033[K")
				return
			case <-tick.C:
				fmt.Fprintf(f, "\r\033[K%s", bar(p.done.Load(), int64(total)))
			}
		}
	}()
	p.end = func() {
		close(quit)
		<-finished
	}
	return p
}

// bar draws "simulating [#####.....] 50% 5000/10000 runs".
func bar(done, total int64) string {
	const width = 30
	n := int(width * done / total)
	return fmt.Sprintf("simulating [%s%s] %3d%% %d/%d runs", strings.Repeat("#", n), strings.Repeat(".", width-n),
		100*done/total, done, total)
}
