package sim

import (
	"context"
	"fmt"
	"testing"
)

// The benchmarks report simulated run-days per second (a run-day is one day of
// one run, both arms stepped) for the bundled scenario, on one worker and on two, and
// the same for the random draws alone (the floor): every day's draws, for the
// whole horizon, with nothing done with them.
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/sim/

const benchRuns = 1 << 15

func BenchmarkSimulate(b *testing.B) {
	s := bundledSim(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var days int64
			for b.Loop() {
				r, err := s.Run(context.Background(), Options{Runs: benchRuns, Seed: 1, Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				days += r.RunDays
			}
			b.ReportMetric(float64(days)/b.Elapsed().Seconds(), "run-days/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(days), "ns/run-day")
		})
	}
}

func BenchmarkFloor(b *testing.B) {
	s := bundledSim(b)
	w := newWorker(s, 1)
	var days int64
	i := 0
	for b.Loop() {
		for range benchRuns {
			days += int64(w.floor(i))
			i++
		}
	}
	b.ReportMetric(float64(days)/b.Elapsed().Seconds(), "run-days/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(days), "ns/run-day")
}
