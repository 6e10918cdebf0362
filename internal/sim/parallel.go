package sim

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// blockRuns is how many runs one block holds. Blocks, not workers, are the unit
// of merging, so the sums come out the same whatever the number of workers.
const blockRuns = 256

// Options are the settings of one simulation.
type Options struct {
	// Runs is the number of runs; each is run in both arms.
	Runs int
	// Seed chooses the random streams: run i's stream is a function of (Seed, i).
	Seed uint64
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is told each time more runs are done, with their
	// number; it is called from the goroutine that called Run.
	Progress func(runs int)
}

// counts are the wars of one arm, by kind.
type counts struct {
	wars, tragic, deliberate, lossOfControl, temptation, preemptive, miscalculation, exploited int64
}

func (c *counts) add(o *counts) {
	c.wars += o.wars
	c.tragic += o.tragic
	c.deliberate += o.deliberate
	c.lossOfControl += o.lossOfControl
	c.temptation += o.temptation
	c.preemptive += o.preemptive
	c.miscalculation += o.miscalculation
	c.exploited += o.exploited
}

// acc gathers the runs of one block, and in the end of all blocks.
type acc struct {
	block int
	arm   [2]counts
	// onlyWithout and onlyWith count the runs at war in one arm only.
	onlyWithout, onlyWith int64
	channelEnded          int64
	runDays               int64
	// By arm and day: wars begun, runs at peace when the day began.
	warDay, peace [2][]int64
	// By arm, side and day, summed over runs at peace: the side's credibility in
	// the other's eyes, and the other's threshold q* (capped at 1).
	cred, thr [2][2][]float64
}

func newAcc(horizon int) *acc {
	a := &acc{}
	for j := range 2 {
		a.warDay[j] = make([]int64, horizon)
		a.peace[j] = make([]int64, horizon)
		for i := range 2 {
			a.cred[j][i] = make([]float64, horizon)
			a.thr[j][i] = make([]float64, horizon)
		}
	}
	return a
}

func (a *acc) reset() {
	*a = acc{warDay: a.warDay, peace: a.peace, cred: a.cred, thr: a.thr}
	for j := range 2 {
		clear(a.warDay[j])
		clear(a.peace[j])
		for i := range 2 {
			clear(a.cred[j][i])
			clear(a.thr[j][i])
		}
	}
}

// add merges b into a.
func (a *acc) add(b *acc) {
	for j := range 2 {
		a.arm[j].add(&b.arm[j])
		addInts(a.warDay[j], b.warDay[j])
		addInts(a.peace[j], b.peace[j])
		for i := range 2 {
			addFloats(a.cred[j][i], b.cred[j][i])
			addFloats(a.thr[j][i], b.thr[j][i])
		}
	}
	a.onlyWithout += b.onlyWithout
	a.onlyWith += b.onlyWith
	a.channelEnded += b.channelEnded
	a.runDays += b.runDays
}

func addInts(a, b []int64) {
	for i, v := range b {
		a[i] += v
	}
}

func addFloats(a, b []float64) {
	for i, v := range b {
		a[i] += v
	}
}

// observe records a day of arm j at peace: credibility is belief x capacity.
func (a *acc) observe(j, day int, belief *[2]float64, k, q *[2]float64) {
	a.peace[j][day]++
	for i := range 2 {
		a.cred[j][i][day] += belief[1-i] * k[i]
		a.thr[j][i][day] += min(q[1-i], 1)
	}
}

// simulate runs o.Runs runs on o.Workers goroutines and merges their blocks in
// order. It returns ctx's error if ctx ends first.
func (s *Sim) simulate(ctx context.Context, o Options) (*acc, error) {
	if o.Runs < 1 {
		return nil, errors.New("sim: want at least one run")
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	blocks := (o.Runs + blockRuns - 1) / blockRuns
	workers = min(workers, blocks)
	// At most window blocks are out at once, so the blocks waiting to be merged
	// in order stay few.
	window := 2 * workers
	tokens := make(chan struct{}, window)
	done := make(chan *acc, window)
	free := make(chan *acc, window)
	ctx, cancel := context.WithCancel(ctx)
	var next atomic.Int64
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	for range workers {
		wg.Go(func() {
			w := newWorker(s, o.Seed)
			for {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				var a *acc
				select {
				case a = <-free:
					a.reset()
				default:
					a = newAcc(s.horizon)
				}
				a.block = b
				for i := b * blockRuns; i < min(o.Runs, (b+1)*blockRuns); i++ {
					w.run(i, a)
				}
				done <- a
			}
		})
	}
	total := newAcc(s.horizon)
	pending := map[int]*acc{}
	for merged := 0; merged < blocks; {
		select {
		case a := <-done:
			pending[a.block] = a
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		for a, ok := pending[merged]; ok; a, ok = pending[merged] {
			delete(pending, merged)
			total.add(a)
			free <- a
			<-tokens
			if o.Progress != nil {
				o.Progress(min(o.Runs, (merged+1)*blockRuns) - merged*blockRuns)
			}
			merged++
		}
	}
	return total, nil
}
