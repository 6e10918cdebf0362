package indicator

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestNewOptions(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Options(), DefaultOptions(); got != want {
		t.Errorf("New(Options{}).Options() = %+v, want the defaults %+v", got, want)
	}
	for _, tc := range []struct {
		opts Options
		want string // in the error
	}{
		{Options{Window: -time.Hour}, "window"},
		{Options{HalfLife: -time.Hour}, "half-life"},
	} {
		if _, err := New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error naming the %s", tc.opts, err, tc.want)
		}
	}
}

func TestDecayWeights(t *testing.T) {
	// One strike at t0 with Goldstein -10 scores 10/10 = 1 conflict when
	// fresh, so each case's conflict is the event's weight 2^(-age/h).
	strike := ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10, quad: 4, code: "195"}
	short := Options{Window: 10 * day, HalfLife: day}
	for _, tc := range []struct {
		name   string
		opts   Options
		at     time.Time
		want   float64
		events int
	}{
		{"age 0 weighs 1", Options{}, t0, 1, 1},
		{"one half-life weighs 1/2", Options{}, t0.Add(7 * day), 0.5, 1},
		{"two half-lives weigh 1/4", Options{}, t0.Add(14 * day), 0.25, 1},
		{"four half-lives weigh 1/16", Options{}, t0.Add(28 * day), 0.0625, 1},
		{"age == window is out", Options{}, t0.Add(30 * day), 0, 0},
		{"age > window is out", Options{}, t0.Add(45 * day), 0, 0},
		{"future event is out", Options{}, t0.Add(-time.Nanosecond), 0, 0},
		{"short: 3 half-lives weigh 1/8", short, t0.Add(3 * day), 0.125, 1},
		{"short: age == window is out", short, t0.Add(10 * day), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCalc(t, tc.opts, strike)
			got := c.Dyad("ISR", "IRN", tc.at)
			if got.Conflict != tc.want || got.Events != tc.events {
				t.Errorf("Dyad at %v = %+v, want conflict %v over %d events", tc.at, got, tc.want, tc.events)
			}
		})
	}
	// Just inside the window the event still counts, with a tiny weight.
	c := newCalc(t, Options{}, strike)
	if got := c.Dyad("ISR", "IRN", t0.Add(30*day-time.Nanosecond)); got.Events != 1 || got.Conflict <= 0 {
		t.Errorf("Dyad 1ns before the window closes = %+v, want the event counted", got)
	}
}

func TestDyad(t *testing.T) {
	c := newCalc(t, Options{},
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10, quad: 4, code: "195"},          // conflict 1
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -5, quad: 3, code: "130"},           // conflict 0.5
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: 4, quad: 1, code: "036"},            // cooperation 0.4
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: 0, quad: 1, code: "010"},            // counts, scores nothing
		ev{src: "ISR", tgt: "IRN", at: t0.Add(-7 * day), goldstein: 8, quad: 2},           // cooperation 0.8 * 1/2 = 0.4
		ev{src: "IRN", tgt: "ISR", at: t0, goldstein: 7, quad: 2},                         // the other direction
		ev{src: "ISR", tgt: "", at: t0, goldstein: -10, quad: 4},                          // no target: no dyad
		ev{src: "ISR", tgt: "IRN", at: t0.Add(day), goldstein: -10, quad: 4, code: "195"}, // after t0: not yet
	)
	for _, tc := range []struct {
		src, tgt string
		want     DyadValue
	}{
		// conflict 1 + 0.5 = 1.5; cooperation 0.4 + 0.4 = 0.8; net 0.8 - 1.5 = -0.7.
		{"ISR", "IRN", DyadValue{Conflict: 1.5, Cooperation: 0.8, Net: 0.8 - 1.5, Events: 5}},
		{"IRN", "ISR", DyadValue{Cooperation: 0.7, Net: 0.7, Events: 1}},
		{"USA", "IRN", DyadValue{}},
	} {
		got := c.Dyad(tc.src, tc.tgt, t0)
		if !near(got.Conflict, tc.want.Conflict) || !near(got.Cooperation, tc.want.Cooperation) ||
			!near(got.Net, tc.want.Net) || got.Events != tc.want.Events {
			t.Errorf("Dyad(%s, %s) = %+v, want %+v", tc.src, tc.tgt, got, tc.want)
		}
	}
}

func TestMentionWeighting(t *testing.T) {
	opts := Options{Mentions: true}
	c := newCalc(t, opts,
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: -10, quad: 4, mentions: 1},  // ln 2 * 1
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: -5, quad: 3, mentions: 3},   // ln 4 * 0.5 = ln 2
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: -10, quad: 4, mentions: 0},  // ln 1 = 0
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: 5, quad: 1, mentions: 1},    // ln 2 * 0.5
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: -10, quad: 4, mentions: -4}, // negative: as 0
	)
	ln2 := math.Log(2)
	for _, tc := range []struct {
		at   time.Time
		want DyadValue
	}{
		{t0, DyadValue{Conflict: 2 * ln2, Cooperation: ln2 / 2, Net: ln2/2 - 2*ln2, Events: 5}},
		{t0.Add(7 * day), DyadValue{Conflict: ln2, Cooperation: ln2 / 4, Net: ln2/4 - ln2, Events: 5}},
	} {
		got := c.Dyad("USA", "IRN", tc.at)
		if !near(got.Conflict, tc.want.Conflict) || !near(got.Cooperation, tc.want.Cooperation) ||
			!near(got.Net, tc.want.Net) || got.Events != tc.want.Events {
			t.Errorf("Dyad at %v = %+v, want %+v", tc.at, got, tc.want)
		}
	}
}

func TestPressureIsConflict(t *testing.T) {
	c := newCalc(t, Options{},
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: -7, quad: 3, code: "138"},                 // 0.7
		ev{src: "USA", tgt: "IRN", at: t0.Add(-7 * day), goldstein: -4.4, quad: 3, code: "130"}, // 0.44 / 2
		ev{src: "USA", tgt: "IRN", at: t0, goldstein: 5, quad: 1, code: "045"},                  // no pressure
	)
	const want = 0.7 + 0.22
	for _, at := range []time.Time{t0, t0.Add(3 * day)} {
		p := c.Pressure("USA", "IRN", at)
		if d := c.Dyad("USA", "IRN", at).Conflict; p != d {
			t.Errorf("Pressure at %v = %v, Dyad conflict = %v; want them equal", at, p, d)
		}
		v, err := c.Value("USA->IRN.pressure", at)
		if err != nil || v != p {
			t.Errorf("Value(USA->IRN.pressure) at %v = %v, %v; want %v", at, v, err, p)
		}
	}
	if p := c.Pressure("USA", "IRN", t0); !near(p, want) {
		t.Errorf("Pressure at t0 = %v, want %v", p, want)
	}
}
