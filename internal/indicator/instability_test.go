package indicator

import (
	"slices"
	"testing"
	"time"
)

func TestInstability(t *testing.T) {
	// Hand count at t0, every event fresh (weight 1):
	//
	//	event                       concerns (denominator)   unstable for (numerator)
	//	e1 ISR->IRN 195 q4 at IR    ISR, IRN                 IRN (located there)
	//	e2 IRN->IRN 141 q3 no loc   IRN (once)               IRN (root 14, both actors IRN)
	//	e3 IRN->USA 036 q1 at IR    IRN, USA                 none (cooperation)
	//	e4 USA->ISR 190 q4 at IR    USA, ISR, IRN            IRN (located there)
	//	e5 IRN->ISR 195 q4 at IS    IRN, ISR                 ISR (located there)
	//	e6 --- 145 q3 at IR         IRN                      IRN (location only, root 14)
	//	e7 --- 195 q4 at XX         nobody (unknown FIPS)    none
	//
	// IRN: 4 of 6; ISR: 1 of 3; USA: 0 of 2.
	c := newCalc(t, Options{},
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10, quad: 4, code: "195", loc: "IR"},
		ev{src: "IRN", tgt: "IRN", at: t0, goldstein: -6.5, quad: 3, code: "141"},
		ev{src: "IRN", tgt: "USA", at: t0, goldstein: 3.4, quad: 1, code: "036", loc: "IR"},
		ev{src: "USA", tgt: "ISR", at: t0, goldstein: -9.5, quad: 4, code: "190", loc: "IR"},
		ev{src: "IRN", tgt: "ISR", at: t0, goldstein: -10, quad: 4, code: "195", loc: "IS"},
		ev{at: t0, goldstein: -7.5, quad: 3, code: "145", loc: "IR"},
		ev{at: t0, goldstein: -10, quad: 4, code: "195", loc: "XX"},
	)
	for _, tc := range []struct {
		country string
		want    float64
	}{
		{"IRN", 4.0 / 6},
		{"ISR", 1.0 / 3},
		{"USA", 0},
		{"RUS", 0}, // no events: 0, not NaN
	} {
		if got := c.Instability(tc.country, t0); !near(got, tc.want) {
			t.Errorf("Instability(%s) = %v, want %v", tc.country, got, tc.want)
		}
	}
	// Actors are sources and targets only: the location-only events add none.
	if got, want := c.Actors(), []string{"IRN", "ISR", "USA"}; !slices.Equal(got, want) {
		t.Errorf("Actors() = %v, want %v", got, want)
	}
}

func TestInstabilityCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		evs  []ev
		at   time.Time
		want float64
	}{
		{
			// The FIPS code IR is Iran, whose CAMEO code is IRN.
			name: "location IR counts for IRN",
			evs:  []ev{{at: t0, quad: 4, code: "190", goldstein: -10, loc: "IR"}},
			at:   t0, want: 1,
		},
		{
			// IS is Israel; an event located there is not Iran's.
			name: "location IS does not count for IRN",
			evs:  []ev{{at: t0, quad: 4, code: "190", goldstein: -10, loc: "IS"}},
			at:   t0, want: 0,
		},
		{
			// A domestic IRN->IRN riot located in IR concerns IRN once, not
			// three times: 1 of 2 with the calm event, not 3 of 4.
			name: "source, target and location deduplicated",
			evs: []ev{
				{src: "IRN", tgt: "IRN", at: t0, quad: 4, code: "175", goldstein: -9, loc: "IR"},
				{src: "IRN", tgt: "USA", at: t0, quad: 1, code: "036", goldstein: 4},
			},
			at: t0, want: 0.5,
		},
		{
			// Both actors IRN, located abroad: still domestic unrest.
			name: "both actors IRN located abroad",
			evs:  []ev{{src: "IRN", tgt: "IRN", at: t0, quad: 3, code: "141", goldstein: -6.5, loc: "UK"}},
			at:   t0, want: 1,
		},
		{
			// Unstable event a half-life old (1/2) against a calm fresh one
			// (1): (1/2) / (1/2 + 1) = 1/3.
			name: "decay",
			evs: []ev{
				{src: "IRN", tgt: "IRN", at: t0.Add(-7 * day), quad: 4, code: "175", goldstein: -9},
				{src: "IRN", tgt: "RUS", at: t0, quad: 1, code: "040", goldstein: 1},
			},
			at: t0, want: 1.0 / 3,
		},
		{
			name: "unstable event out of the window",
			evs: []ev{
				{src: "IRN", tgt: "IRN", at: t0.Add(-30 * day), quad: 4, code: "175", goldstein: -9},
				{src: "IRN", tgt: "RUS", at: t0, quad: 1, code: "040", goldstein: 1},
			},
			at: t0, want: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCalc(t, Options{}, tc.evs...)
			if got := c.Instability("IRN", tc.at); !near(got, tc.want) {
				t.Errorf("Instability(IRN) = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInstabilityMentions(t *testing.T) {
	// With attention weighting a riot with 3 mentions weighs ln 4 = 2 ln 2
	// against a calm event's ln 2 with 1 mention: 2/3. An event with no
	// mentions weighs nothing either way.
	c := newCalc(t, Options{Mentions: true},
		ev{src: "IRN", tgt: "IRN", at: t0, quad: 4, code: "175", goldstein: -9, mentions: 3},
		ev{src: "IRN", tgt: "RUS", at: t0, quad: 1, code: "040", goldstein: 1, mentions: 1},
		ev{src: "IRN", tgt: "RUS", at: t0, quad: 1, code: "040", goldstein: 1},
	)
	if got := c.Instability("IRN", t0); !near(got, 2.0/3) {
		t.Errorf("Instability(IRN) = %v, want 2/3", got)
	}
	// Only unweighted events: the denominator is 0, so the value is 0.
	c = newCalc(t, Options{Mentions: true},
		ev{src: "IRN", tgt: "IRN", at: t0, quad: 4, code: "175", goldstein: -9})
	if got := c.Instability("IRN", t0); got != 0 {
		t.Errorf("Instability(IRN) over events without mentions = %v, want 0", got)
	}
}
