package indicator

import (
	"errors"
	"math"
	"testing"
	"time"
)

// threat is a public verbal threat of Israel toward Iran at t0+d days with
// Goldstein value g: raw score -g/10 toward the rhetoric gap while assured.
func threat(d int, g float64) ev {
	return ev{src: "ISR", tgt: "IRN", at: t0.Add(time.Duration(d) * day), goldstein: g, quad: 3, code: "138", public: true}
}

// call is one SetAssured call for ISR->IRN at t0+d days.
type call struct {
	d  int
	on bool
}

var orderName = map[bool]string{true: "calls first", false: "events first"}

// gapCalc returns a calculator holding evs and the calls, added calls first or
// events first, so that both orders are tried.
func gapCalc(t *testing.T, opts Options, callsFirst bool, calls []call, evs ...ev) *Calculator {
	t.Helper()
	c := newCalc(t, opts)
	assure := func() {
		for _, cl := range calls {
			c.SetAssured("ISR", "IRN", t0.Add(time.Duration(cl.d)*day), cl.on)
		}
	}
	if callsFirst {
		assure()
	}
	for _, e := range evs {
		c.Add(e.record())
	}
	if !callsFirst {
		c.Dyad("ISR", "IRN", t0) // a query before the calls sorts the timeline
		assure()
	}
	return c
}

// checkGap compares RhetoricGap and Value for ISR->IRN with want at t0+d days.
func checkGap(t *testing.T, c *Calculator, d int, want float64) {
	t.Helper()
	at := t0.Add(time.Duration(d) * day)
	got := c.RhetoricGap("ISR", "IRN", at)
	if !near(got, want) {
		t.Errorf("RhetoricGap at t0%+dd = %v, want %v", d, got, want)
	}
	if v, err := c.Value("ISR->IRN.rhetoric_gap", at); err != nil || v != got {
		t.Errorf("Value(ISR->IRN.rhetoric_gap) at t0%+dd = %v, %v; want %v", d, v, err, got)
	}
}

func TestRhetoricGap(t *testing.T) {
	// Israel assures Iran over [t0, t0+14d) and threatens it in public before,
	// during and after. Only the threats at t0 (raw 1) and t0+7d (raw 0.5) fall
	// inside; the one at t0+14d, the instant the assurance ends, does not.
	calls := []call{{0, true}, {14, false}}
	evs := []ev{
		threat(-7, -10), // before
		threat(0, -10),  // at the on-call: inside, raw 1
		threat(7, -5),   // inside, raw 0.5
		threat(14, -8),  // at the off-call: outside
		threat(21, -10), // after
		// Beside the threat at t0+7d, events that never count:
		{src: "ISR", tgt: "IRN", at: t0.Add(7 * day), goldstein: -10, quad: 3, code: "138"},               // through the channel
		{src: "ISR", tgt: "IRN", at: t0.Add(7 * day), goldstein: -10, quad: 4, code: "195", public: true}, // material, not verbal
		{src: "ISR", tgt: "IRN", at: t0.Add(7 * day), goldstein: 5, quad: 1, code: "036", public: true},   // cooperation
		{src: "IRN", tgt: "ISR", at: t0.Add(7 * day), goldstein: -10, quad: 3, code: "138", public: true}, // the other direction
		{src: "USA", tgt: "IRN", at: t0.Add(7 * day), goldstein: -10, quad: 3, code: "138", public: true}, // another source
	}
	for _, tc := range []struct {
		name string
		d    int // query at t0+d days
		want float64
	}{
		{"before the assurance", -1, 0},
		{"the day it starts", 0, 1},                     // 1
		{"inside", 7, 0.5 + 0.5},                        // 1·1/2 + 0.5·1
		{"off at an event's time excludes it", 14, 0.5}, // 1·1/4 + 0.5·1/2; the -8 threat adds nothing
		{"decay after the end", 21, 0.25},               // 1·1/8 + 0.5·1/4
		{"decay, four weeks", 28, 0.125},                // 1·1/16 + 0.5·1/8
		{"first threat out of the window", 30, 0.5 * math.Exp2(-23.0/7)},
		{"all out: back to 0", 37, 0},
	} {
		for _, callsFirst := range []bool{true, false} {
			t.Run(tc.name+"/"+orderName[callsFirst], func(t *testing.T) {
				checkGap(t, gapCalc(t, Options{}, callsFirst, calls, evs...), tc.d, tc.want)
			})
		}
	}
	// The excluded events are in the dyad: conflict at t0+7d counts the
	// threats 1·1/4 + 1·1/2 + 0.5, the channel's threat 1 and the strike 1.
	c := gapCalc(t, Options{}, true, calls, evs...)
	if got, want := c.Dyad("ISR", "IRN", t0.Add(7*day)).Conflict, 0.25+0.5+0.5+1+1; !near(got, want) {
		t.Errorf("ISR->IRN conflict at t0+7d = %v, want %v", got, want)
	}
	checkGap(t, c, 7, 1)
}

func TestRhetoricGapNested(t *testing.T) {
	// A threat (raw 1) every week from t0-7d to t0+35d. Two assurances
	// overlap: [t0, t0+21d) counts as assured although one ends at t0+14d.
	// The stray off-calls at t0-7d and t0+28d match no on-call and are
	// ignored, so the on-call at t0+35d opens a new interval.
	calls := []call{{-7, false}, {0, true}, {7, true}, {14, false}, {21, false}, {28, false}, {35, true}}
	var evs []ev
	for d := -7; d <= 35; d += 7 {
		evs = append(evs, threat(d, -10))
	}
	for _, tc := range []struct {
		name string
		d    int
		want float64
	}{
		{"stray off before any on", -7, 0},
		{"first on", 0, 1},
		{"second on", 7, 0.5 + 1},
		{"first off keeps it assured", 14, 0.25 + 0.5 + 1},
		{"second off excludes its instant", 21, 0.125 + 0.25 + 0.5},
		{"stray off, not assured", 28, 0.0625 + 0.125 + 0.25},
		// Window (t0+5d, t0+35d]: t0+7d weighs 1/16, t0+14d 1/8, t0+35d 1.
		{"on again after a stray off", 35, 0.0625 + 0.125 + 1},
	} {
		for _, callsFirst := range []bool{true, false} {
			t.Run(tc.name+"/"+orderName[callsFirst], func(t *testing.T) {
				checkGap(t, gapCalc(t, Options{}, callsFirst, calls, evs...), tc.d, tc.want)
			})
		}
	}
}

func TestRhetoricGapMentions(t *testing.T) {
	// Attention weighting as for conflict: ln 2 · 1 and ln 4 · 0.5 = ln 2.
	a, b := threat(0, -10), threat(0, -5)
	a.mentions, b.mentions = 1, 3
	c := gapCalc(t, Options{Mentions: true}, true, []call{{-1, true}}, a, b)
	ln2 := math.Log(2)
	checkGap(t, c, 0, 2*ln2)
	checkGap(t, c, 7, ln2)
}

func TestAssured(t *testing.T) {
	c := newCalc(t, Options{})
	c.SetAssured("ISR", "IRN", t0, true)
	c.SetAssured("ISR", "IRN", t0.Add(day), false)
	c.SetAssured("IRN", "USA", t0, false) // a stray off-call is still a call
	for _, tc := range []struct {
		i, j string
		want bool
	}{
		{"ISR", "IRN", true},  // even after the assurance ended
		{"IRN", "ISR", false}, // dyads are ordered
		{"USA", "IRN", false},
		{"IRN", "USA", true},
	} {
		if got := c.Assured(tc.i, tc.j); got != tc.want {
			t.Errorf("Assured(%s, %s) = %v, want %v", tc.i, tc.j, got, tc.want)
		}
	}
}

func TestRhetoricGapBadName(t *testing.T) {
	c := gapCalc(t, Options{}, true, []call{{0, true}}, threat(0, -10))
	for _, name := range []string{"ISR->QQQ.rhetoric_gap", "QQQ->IRN.rhetoric_gap", "ISR.rhetoric_gap"} {
		if _, err := c.Value(name, t0); !errors.Is(err, ErrBadName) {
			t.Errorf("Value(%q): err = %v, want ErrBadName", name, err)
		}
	}
}
