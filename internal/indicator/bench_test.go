package indicator

import (
	"testing"
	"time"
)

// BenchmarkDyad measures one query over a window holding 10,000 merged
// entries (one every 4 minutes for 27.8 days). Run it with
//
//	go test -run '^$' -bench Dyad ./internal/indicator/
func BenchmarkDyad(b *testing.B) {
	c := newCalc(b, Options{})
	const entries = 10000
	step := 4 * time.Minute
	for k := range entries {
		c.Add(ev{src: "ISR", tgt: "IRN", at: t0.Add(time.Duration(k) * step), goldstein: -5, quad: 3}.record())
	}
	at := t0.Add(entries * step)
	if got := c.Dyad("ISR", "IRN", at); got.Events != entries {
		b.Fatalf("window holds %d events, want %d", got.Events, entries)
	}
	for b.Loop() {
		c.Dyad("ISR", "IRN", at)
	}
}
