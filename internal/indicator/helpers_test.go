package indicator

import (
	"math"
	"testing"
	"time"

	"backchannel/internal/event"
)

// t0 is the reference instant of the hand-made tests.
var t0 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// ev describes a hand-made event; the zero fields mean "absent".
type ev struct {
	src, tgt  string
	at        time.Time
	goldstein float64
	quad      int
	code      string
	mentions  int
	loc       string // FIPS 10-4, as GDELT gives it
	public    bool   // reported in the news, not through the channel
}

func (e ev) record() *event.Record {
	return &event.Record{Kind: event.KindEvent, Event: event.Event{
		Time:      e.at,
		Source:    event.Actor{Country: e.src},
		Target:    event.Actor{Country: e.tgt},
		Code:      e.code,
		Goldstein: e.goldstein,
		Quad:      e.quad,
		Mentions:  e.mentions,
		Location:  event.Location{Country: e.loc},
		Public:    e.public,
	}}
}

func obs(name string, at time.Time, v float64) *event.Record {
	return &event.Record{Kind: event.KindObservation, Observation: event.Observation{
		Time: at, Indicator: name, Value: v,
	}}
}

// newCalc returns a calculator with opts holding evs.
func newCalc(t testing.TB, opts Options, evs ...ev) *Calculator {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		c.Add(e.record())
	}
	return c
}

// near compares floats that went through different sums: summing in another
// order may change the last bits.
func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*max(1, math.Abs(a), math.Abs(b))
}
