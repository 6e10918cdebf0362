package hub

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestWorkersReusedAndIdleEnd: a free worker takes the next request rather
// than a new goroutine, requests at once get workers of their own, and idle
// workers end after idleWorker.
func TestWorkersReusedAndIdleEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorkers()
		var ran atomic.Int32
		for range 5 { // one after another: one worker
			done := make(chan struct{})
			w.run(func() { ran.Add(1); close(done) })
			<-done
			synctest.Wait() // the worker is back at its select
		}
		if n := live(w); n != 1 {
			t.Fatalf("%d workers after five sequential requests, want 1", n)
		}
		var wg sync.WaitGroup
		release := make(chan struct{})
		for range 3 { // at once: three workers
			wg.Add(1)
			w.run(func() { defer wg.Done(); <-release; ran.Add(1) })
		}
		synctest.Wait()
		if n := live(w); n != 3 {
			t.Fatalf("%d workers with three requests in progress, want 3", n)
		}
		close(release)
		wg.Wait()
		time.Sleep(idleWorker + time.Millisecond)
		synctest.Wait()
		if n := live(w); n != 0 {
			t.Fatalf("%d workers after %v idle, want 0", n, idleWorker)
		}
		if ran.Load() != 8 {
			t.Fatalf("%d requests ran, want 8", ran.Load())
		}
		w.stop()
	})
}

// TestWorkersStop: stop ends idle workers at once, and run after stop still
// runs its request.
func TestWorkersStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorkers()
		done := make(chan struct{})
		w.run(func() { close(done) })
		<-done
		w.stop() // returns without waiting for idleWorker
		after := make(chan struct{})
		w.run(func() { close(after) })
		<-after
		w.stop()
	})
}

// live counts the running workers.
func live(w *workers) int { return int(w.n.Load()) }
