package indicator

import (
	"math/rand/v2"
	"testing"
	"time"

	"backchannel/internal/event"
)

func TestMergeSameTimestamp(t *testing.T) {
	c := newCalc(t, Options{})
	for range 1000 {
		c.Add(ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10, quad: 4, code: "195", loc: "IR"}.record())
	}
	if n := len(c.dyads[dyad{"ISR", "IRN"}].entries); n != 1 {
		t.Errorf("1000 events on one day for one dyad left %d entries, want 1", n)
	}
	for _, cc := range []string{"ISR", "IRN"} {
		if n := len(c.actors[cc].entries); n != 1 {
			t.Errorf("1000 events on one day left %d instability entries for %s, want 1", n, cc)
		}
	}
	// Σ 1000 x 1.0 is exact in floating point.
	if got := c.Dyad("ISR", "IRN", t0); got.Conflict != 1000 || got.Events != 1000 {
		t.Errorf("Dyad = %+v, want conflict 1000 over 1000 events", got)
	}
}

func TestMergeOutOfOrder(t *testing.T) {
	// 1000 events spread over 10 days, in random order: however they arrive,
	// the timeline ends with one entry per day, and never holds more than
	// about twice the distinct days before a query compacts it.
	c := newCalc(t, Options{})
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		at := t0.Add(time.Duration(r.IntN(10)) * day)
		c.Add(ev{src: "ISR", tgt: "IRN", at: at, goldstein: -10, quad: 4}.record())
		if n := len(c.dyads[dyad{"ISR", "IRN"}].entries); n > 2*10+compactSlack {
			t.Fatalf("timeline grew to %d entries for 10 distinct days", n)
		}
	}
	if got := c.Dyad("ISR", "IRN", t0.Add(10*day)); got.Events != 1000 {
		t.Errorf("Dyad counts %d events, want 1000", got.Events)
	}
	if n := len(c.dyads[dyad{"ISR", "IRN"}].entries); n != 10 {
		t.Errorf("after a query the timeline has %d entries, want 10 (one per day)", n)
	}
}

// randomRecords returns a deterministic mix of events and observations over
// 90 days, several to a day, so that merging and sorting both happen.
func randomRecords(seed uint64, n int) []*event.Record {
	r := rand.New(rand.NewPCG(seed, seed))
	countries := []string{"ISR", "IRN", "USA", "RUS", ""}
	fips := []string{"IS", "IR", "US", "RS", "", "XX"}
	codes := []string{"036", "057", "141", "175", "195", "1384", "0871"}
	out := make([]*event.Record, 0, n)
	for k := range n {
		at := t0.Add(time.Duration(r.IntN(90))*day + time.Duration(r.IntN(2))*time.Hour)
		if k%10 == 0 {
			out = append(out, obs("IRN.enrichment_pct", at, float64(k)))
			continue
		}
		out = append(out, ev{
			src:       countries[r.IntN(len(countries))],
			tgt:       countries[r.IntN(len(countries))],
			at:        at,
			goldstein: float64(r.IntN(201)-100) / 10,
			quad:      1 + r.IntN(4),
			code:      codes[r.IntN(len(codes))],
			mentions:  r.IntN(50),
			loc:       fips[r.IntN(len(fips))],
			public:    r.IntN(2) == 0,
		}.record())
	}
	return out
}

func TestOrderIndependence(t *testing.T) {
	recs := randomRecords(7, 5000)
	// Observations at the same time tie; which wins depends on the order
	// added, so keep each observation's time unique for this test.
	seen := map[time.Time]bool{}
	kept := recs[:0]
	for _, r := range recs {
		if r.Kind == event.KindObservation {
			if seen[r.Observation.Time] {
				continue
			}
			seen[r.Observation.Time] = true
		}
		kept = append(kept, r)
	}
	recs = kept

	for _, opts := range []Options{{}, {Mentions: true, Window: 10 * day, HalfLife: 2 * day}} {
		// Israel assures Iran from day 20 to day 50, twice over from day 30 to
		// day 40; the calls may come before or after the events they cover.
		assure := func(c *Calculator) {
			c.SetAssured("ISR", "IRN", t0.Add(20*day), true)
			c.SetAssured("ISR", "IRN", t0.Add(30*day), true)
			c.SetAssured("ISR", "IRN", t0.Add(40*day), false)
			c.SetAssured("ISR", "IRN", t0.Add(50*day), false)
		}
		inOrder := newCalc(t, opts)
		assure(inOrder)
		for _, r := range recs {
			inOrder.Add(r)
		}
		shuffled := newCalc(t, opts)
		perm := rand.New(rand.NewPCG(3, 4)).Perm(len(recs))
		for k, p := range perm {
			shuffled.Add(recs[p])
			if k == len(perm)/2 { // a query midway sorts; later adds must still land right
				shuffled.Dyad("ISR", "IRN", t0)
				shuffled.RhetoricGap("ISR", "IRN", t0.Add(25*day))
				assure(shuffled)
			}
		}
		names := []string{
			"ISR->IRN.conflict", "ISR->IRN.cooperation", "IRN->ISR.net_cooperation",
			"USA->IRN.pressure", "ISR->IRN.rhetoric_gap", "IRN.instability", "ISR.instability", "RUS.instability",
			"IRN.enrichment_pct",
		}
		a, err := inOrder.Series(names, t0.Add(-day), t0.Add(95*day), 12*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		b, err := shuffled.Series(names, t0.Add(-day), t0.Add(95*day), 12*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for k := range a.Times {
			for n := range names {
				if !near(a.Values[k][n], b.Values[k][n]) {
					t.Errorf("%+v: %s at %v: %v in order, %v shuffled",
						opts, names[n], a.Times[k], a.Values[k][n], b.Values[k][n])
				}
			}
		}
		for _, d := range [][2]string{{"ISR", "IRN"}, {"IRN", "USA"}, {"RUS", "RUS"}} {
			at := t0.Add(45 * day)
			if x, y := inOrder.Dyad(d[0], d[1], at), shuffled.Dyad(d[0], d[1], at); x.Events != y.Events {
				t.Errorf("%s->%s events: %d in order, %d shuffled", d[0], d[1], x.Events, y.Events)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	// Queries sort lazily, so they write; run under -race this checks the
	// mutex covers them.
	c := newCalc(t, Options{})
	recs := randomRecords(11, 2000)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := g; k < len(recs); k += 4 {
				c.Add(recs[k])
				c.SetAssured("ISR", "IRN", t0, true) // nested, all at one instant
				c.Assured("ISR", "IRN")
				c.RhetoricGap("ISR", "IRN", t0.Add(45*day))
				c.Dyad("ISR", "IRN", t0.Add(45*day))
				c.Instability("IRN", t0.Add(45*day))
				c.Observed("IRN.enrichment_pct", t0.Add(45*day))
			}
		}()
	}
	for range 4 {
		<-done
	}
	if got := len(c.Actors()); got != 4 {
		t.Errorf("Actors() has %d countries, want 4", got)
	}
}
