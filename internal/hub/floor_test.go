package hub_test

import (
	"testing"
	"time"
)

// BenchmarkWakeupFloor measures the machine, not the hub: one goroutine that
// does nothing but wake at the paced benchmarks' schedule (10,000 times a
// second) and note how late each wake-up is. Every message through the hub
// needs several such wake-ups (the hub's reader, a worker, the embedded NATS
// server's goroutines, the writer, the client), so this lateness is a floor
// under the paced p99s of BenchmarkHubPacedLatency and
// BenchmarkHubSealedPartyToParty/rate=10000, and it is reported beside them
// to tell a slow run of the hub from a slow run of the machine.
func BenchmarkWakeupFloor(b *testing.B) {
	const interval = 100 * time.Microsecond
	late := make([]int64, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := range late {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		late[i] = int64(time.Since(at))
	}
	b.StopTimer()
	over := 0
	for _, l := range late {
		if l > int64(2*time.Millisecond) {
			over++
		}
	}
	benchPercentiles(b, late)
	b.ReportMetric(float64(over)/time.Since(start).Seconds(), "late>2ms/s")
}
