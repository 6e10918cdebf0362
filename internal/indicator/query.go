package indicator

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrNoValue is returned by Value for a numeric indicator that has neither an
// observation at or before the query time nor a declared value. Conditions that
// read such an indicator cannot be decided yet, which callers may want to tell
// apart from a malformed name.
var ErrNoValue = errors.New("indicator has no value yet")

// DyadValue is what one ordered dyad i->j did within the window ending at a
// time. Conflict and Cooperation are reported beside Net so that cooperation
// cannot hide a strike.
type DyadValue struct {
	// Conflict is Σ w * max(0, -goldstein)/10 over the dyad's events.
	Conflict float64
	// Cooperation is Σ w * max(0, goldstein)/10 over the same events.
	Cooperation float64
	// Net is Cooperation - Conflict (Goldstein 1992).
	Net float64
	// Events counts the dyad's events in the window, unweighted.
	Events int
}

// weight returns the decay factor 2^(-age/HalfLife) for an entry stamped at
// when the query is at now; age is at least 0 because the window excludes the
// future.
func (c *Calculator) weight(now, at int64) float64 {
	return math.Exp2(-float64(now-at) / float64(c.opts.HalfLife))
}

// Dyad returns the conflict, cooperation and net cooperation of source i
// toward target j at t, over events with time in (t-Window, t]. Countries are
// CAMEO codes; a dyad with no events gives the zero DyadValue.
func (c *Calculator) Dyad(i, j string, t time.Time) DyadValue {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dyad(i, j, t)
}

func (c *Calculator) dyad(i, j string, t time.Time) DyadValue {
	var v DyadValue
	tl := c.dyads[dyad{i, j}]
	if tl == nil {
		return v
	}
	now := queryStamp(t)
	for _, e := range tl.between(windowStart(now, c.opts.Window), now) {
		w := c.weight(now, e.at)
		v.Conflict += w * e.conflict
		v.Cooperation += w * e.cooperation
		v.Events += e.events
	}
	v.Net = v.Cooperation - v.Conflict
	return v
}

// Pressure returns the pressure a third party k puts on j at t: conflict(k->j).
// It is the same figure as Dyad(k, j, t).Conflict, named for its role in the
// model, where k is neither side of the dyad the channel serves.
func (c *Calculator) Pressure(k, j string, t time.Time) float64 {
	return c.Dyad(k, j, t).Conflict
}

// Instability returns country i's instability at t, in [0, 1]: the weighted
// share, among the events that concern i (as source, target or location), of
// those of quad class 4 or root 14 located in i or with both actors i. It is 0
// when no event in the window concerns i.
func (c *Calculator) Instability(i string, t time.Time) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.instability(i, t)
}

func (c *Calculator) instability(i string, t time.Time) float64 {
	tl := c.actors[i]
	if tl == nil {
		return 0
	}
	now := queryStamp(t)
	var unstable, all float64
	for _, e := range tl.between(windowStart(now, c.opts.Window), now) {
		w := c.weight(now, e.at)
		unstable += w * e.unstable
		all += w * e.all
	}
	if all == 0 {
		return 0
	}
	// unstable <= all term by term, so the ratio cannot exceed 1; the clamp
	// only guards the promise against rounding.
	return min(1, unstable/all)
}

// Observed returns the latest observation of a numeric indicator at or before
// t; of several at the same time, the one added last. Without one it returns
// the declared value when t is not before the declaration's time. ok is false
// when neither applies.
func (c *Calculator) Observed(name string, t time.Time) (v float64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.observed(name, t)
}

func (c *Calculator) observed(name string, t time.Time) (float64, bool) {
	if tl := c.obs[name]; tl != nil {
		if e, ok := tl.latest(queryStamp(t)); ok {
			return e.value, true
		}
	}
	if d, ok := c.declared[name]; ok && !t.Before(d.at) {
		return d.value, true
	}
	return 0, false
}

// Value resolves an indicator name (see ParseName) at t. It fails with an
// error wrapping ErrBadName for a name of no accepted form, and with one
// wrapping ErrNoValue for a numeric indicator with no value yet.
func (c *Calculator) Value(name string, t time.Time) (float64, error) {
	n, err := ParseName(name)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value(n, t)
}

func (c *Calculator) value(n Name, t time.Time) (float64, error) {
	switch n.Kind {
	case Conflict, Pressure:
		return c.dyad(n.From, n.To, t).Conflict, nil
	case Cooperation:
		return c.dyad(n.From, n.To, t).Cooperation, nil
	case NetCooperation:
		return c.dyad(n.From, n.To, t).Net, nil
	case RhetoricGap:
		return c.rhetoricGap(n.From, n.To, t), nil
	case Instability:
		return c.instability(n.From, t), nil
	case Numeric:
		if v, ok := c.observed(n.String(), t); ok {
			return v, nil
		}
		return 0, fmt.Errorf("%w: %s has no observation at or before %s and no declared value",
			ErrNoValue, n, t.UTC().Format(time.RFC3339))
	}
	return 0, fmt.Errorf("%w: %q has no kind", ErrBadName, n.String())
}
