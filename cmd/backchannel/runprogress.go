package main

import (
	"fmt"
	"io"
	"strings"
	"sync/atomic"
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
	if total > 0 {
		p.end = showProgress(w, func() string { return bar(p.done.Load(), int64(total)) })
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
