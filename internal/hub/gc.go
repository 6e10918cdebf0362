package hub

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target (GOGC) for a hub's process,
// set by TuneGC unless the environment sets GOGC. A hub's live heap is small
// (tens of megabytes, most of it the embedded JetStream's) and it allocates
// for every frame it reads, stores and writes, so at Go's default of 100 it
// collects several times a second under load, and every mark phase delays
// the requests in flight (docs/BENCHMARKS.md). At 400 it collects about a
// quarter as often, for a heap of up to five times the live one.
const GCPercent = 400

// TuneGC gives the process the collector target GCPercent, unless GOGC is
// set in the environment (the operator's choice wins), and returns a
// function that restores the previous target. `backchannel hub run` calls
// it; so do the hub's benchmarks, to measure the hub as it runs.
func TuneGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}
