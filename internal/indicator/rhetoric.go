package indicator

import (
	"math"
	"time"
)

// assurance is what SetAssured recorded for one dyad: the intervals during
// which the source had an assurance in force toward the target.
type assurance struct {
	// depth is the on-calls made minus the off-calls that matched one: the
	// number of assurances in force after the last call.
	depth int
	// intervals are disjoint and in time order, because calls for a dyad
	// come in time order; the last is open (end math.MaxInt64) while depth > 0.
	intervals []interval
}

// interval is the half-open span [start, end) of Unix-nanosecond stamps.
type interval struct{ start, end int64 }

// SetAssured records that from at onward source i has (on == true) or no longer has (on == false)
// an assurance in force toward target j. Calls may nest: i may hold several assurances toward j, and
// the dyad counts as assured while more on-calls than off-calls have been made. Calls for one dyad
// come in time order; an off-call without a matching on-call is ignored. Intervals are [on, off).
//
// Times outside the years 1678-2262 are clamped, so a zero at means from the
// beginning. Events may be added before or after the calls that cover them:
// the intervals are looked up when the rhetoric gap is queried.
func (c *Calculator) SetAssured(i, j string, at time.Time, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := dyad{i, j}
	a := c.assured[k]
	if a == nil {
		a = &assurance{}
		c.assured[k] = a
	}
	s := queryStamp(at)
	switch {
	case on:
		a.depth++
		if a.depth == 1 {
			a.intervals = append(a.intervals, interval{start: s, end: math.MaxInt64})
		}
	case a.depth > 0:
		a.depth--
		if a.depth == 0 {
			last := &a.intervals[len(a.intervals)-1]
			last.end = s
			if last.end <= last.start { // on and off at one instant: assured at no time
				a.intervals = a.intervals[:len(a.intervals)-1]
			}
		}
	}
}

// Assured reports whether any SetAssured call was ever made for i->j (so that listings can offer
// the rhetoric gap only where an assurance exists).
func (c *Calculator) Assured(i, j string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.assured[dyad{i, j}]
	return ok
}

// RhetoricGap returns the public verbal hostility of source i toward target j
// at t while i had an assurance in force toward j, the "public threats, private
// reassurance" paradox:
//
//	Σ w * max(0, -goldstein)/10
//
// over events with time in (t-Window, t], source i, target j, quad class 3
// (verbal conflict) and Public set, whose time lies in an interval SetAssured
// recorded for i->j. Other events count 0, so the value decays to 0 once the
// assurance ends. It is 0 for a dyad without assurances.
func (c *Calculator) RhetoricGap(i, j string, t time.Time) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rhetoricGap(i, j, t)
}

func (c *Calculator) rhetoricGap(i, j string, t time.Time) float64 {
	a, tl := c.assured[dyad{i, j}], c.dyads[dyad{i, j}]
	if a == nil || tl == nil {
		return 0
	}
	now := queryStamp(t)
	ivs := a.intervals
	var v float64
	// Entries and intervals are both in time order: walk them together.
	for _, e := range tl.between(windowStart(now, c.opts.Window), now) {
		for len(ivs) > 0 && ivs[0].end <= e.at {
			ivs = ivs[1:]
		}
		if len(ivs) == 0 {
			break
		}
		if ivs[0].start <= e.at {
			v += c.weight(now, e.at) * e.verbal
		}
	}
	return v
}
