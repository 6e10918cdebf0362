package hub

import (
	"sync"
	"sync/atomic"
	"time"
)

// workers runs the sessions' requests on goroutines that outlive one request.
// A request reaches deep (crypto/rand, JSON, the store's publish), and a new
// goroutine per request grew its stack to that depth every time; a worker
// keeps the stack it grew for the next request. A worker waits idleWorker
// for its next request and then ends, so an idle hub keeps none.
type workers struct {
	jobs chan func() // unbuffered: a send succeeds only when a worker is free
	quit chan struct{}
	once sync.Once
	wg   sync.WaitGroup
	n    atomic.Int32 // workers running
}

const idleWorker = 2 * time.Second

func newWorkers() *workers {
	return &workers{jobs: make(chan func()), quit: make(chan struct{})}
}

// run runs f on a free worker, or on a new one when none is free. The
// caller bounds how many run at once (the sessions' in-flight limits).
func (w *workers) run(f func()) {
	select {
	case w.jobs <- f:
	default:
		w.wg.Add(1)
		w.n.Add(1)
		go w.loop(f)
	}
}

func (w *workers) loop(f func()) {
	defer w.wg.Done()
	defer w.n.Add(-1)
	t := time.NewTimer(idleWorker)
	defer t.Stop()
	for {
		f()
		t.Reset(idleWorker)
		select {
		case f = <-w.jobs:
		case <-t.C:
			return
		case <-w.quit:
			return
		}
	}
}

// stop ends the idle workers and waits for every worker to end. Calls to
// run after stop still run their function, on a worker that ends after it.
func (w *workers) stop() {
	w.once.Do(func() { close(w.quit) })
	w.wg.Wait()
}
