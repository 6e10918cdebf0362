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
	// armDays counts the days each arm was stepped (at peace when the day
	// began), over both arms: a day on which one arm is already at war counts
	// once, not twice.
	armDays int64
	// days holds, by arm, what happened each day.
	days [2][]dayAcc
}

// dayAcc is one day of one arm, summed over runs: wars begun, runs at peace when
// the day began, and over those, each side's credibility in the other's eyes
// and the other's threshold q* (capped at 1).
type dayAcc struct {
	wars, peace int64
	cred, thr   [2]float64
}

func newAcc(horizon int) *acc {
	return &acc{days: [2][]dayAcc{make([]dayAcc, horizon), make([]dayAcc, horizon)}}
}

func (a *acc) reset() {
	*a = acc{days: a.days}
	clear(a.days[0])
	clear(a.days[1])
}

// add merges b into a.
func (a *acc) add(b *acc) {
	for j := range 2 {
		a.arm[j].add(&b.arm[j])
		for d := range a.days[j] {
			x, y := &a.days[j][d], &b.days[j][d]
			x.wars += y.wars
			x.peace += y.peace
			for i := range 2 {
				x.cred[i] += y.cred[i]
				x.thr[i] += y.thr[i]
			}
		}
	}
	a.onlyWithout += b.onlyWithout
	a.onlyWith += b.onlyWith
	a.channelEnded += b.channelEnded
	a.armDays += b.armDays
}

// observe records a day of arm j at peace: credibility is belief x capacity.
func (a *acc) observe(j, day int, belief *[2]float64, k, q *[2]float64) {
	d := &a.days[j][day]
	d.peace++
	for i := range 2 {
		d.cred[i] += belief[1-i] * k[i]
		d.thr[i] += min(q[1-i], 1)
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
