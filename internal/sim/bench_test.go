package sim

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// The benchmarks report simulated run-days per second (a run-day is one day of
// one run, both arms stepped; a day on which one arm is already at war counts
// half: Result.RunDays) for the bundled scenario, on one worker and on two, and
// the same for the random draws alone (the floor): every day's draws, for the
// whole horizon, with nothing done with them.
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/sim/

const benchRuns = 1 << 15

func BenchmarkSimulate(b *testing.B) {
	s := bundledSim(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var days float64
			for b.Loop() {
				r, err := s.Run(context.Background(), Options{Runs: benchRuns, Seed: 1, Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				days += r.RunDays
			}
			b.ReportMetric(days/b.Elapsed().Seconds(), "run-days/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/days, "ns/run-day")
		})
	}
}

// BenchmarkFloor makes the draws of benchRuns runs, each worker on its own share,
// as the simulation splits them; its scaling from one worker to two is what the
// machine allows.
func BenchmarkFloor(b *testing.B) {
	s := bundledSim(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var days atomic.Int64
			for b.Loop() {
				var wg sync.WaitGroup
				for k := range workers {
					wg.Go(func() {
						w, n := newWorker(s, 1), 0
						for i := k; i < benchRuns; i += workers {
							n += w.floor(i)
						}
						days.Add(int64(n))
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(days.Load())/b.Elapsed().Seconds(), "run-days/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(days.Load()), "ns/run-day")
		})
	}
}
