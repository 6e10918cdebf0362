package indicator

import (
	"math"
	"slices"
	"sync"
	"time"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
)

// Calculator computes indicators from the events and observations added to it.
// It keeps per-key sums, never the records, so it can take in a whole dataset.
// A Calculator is safe for concurrent use: queries sort lazily and so modify
// its state, which a mutex guards.
type Calculator struct {
	opts Options

	mu       sync.Mutex
	dyads    map[dyad]*timeline[dyadEntry]
	actors   map[string]*timeline[actorEntry]
	obs      map[string]*timeline[obsEntry]
	declared map[string]declaration
	// assured holds the assurance intervals SetAssured records, per dyad.
	assured map[dyad]*assurance
	// countries are those seen as an event's source or target, for Actors.
	countries   map[string]struct{}
	first, last time.Time
	seen        bool
}

// dyad is an ordered pair of CAMEO country codes: source, then target.
type dyad struct{ source, target string }

// dyadEntry sums the events of one dyad at one instant. The sums are raw (each
// event's conflict or cooperation score times its attention factor); the decay
// factor is applied at query time because all of them share it. verbal is the
// part of conflict from public verbal conflict (quad 3), which the rhetoric gap
// reads.
type dyadEntry struct {
	at                            int64
	conflict, cooperation, verbal float64
	events                        int
}

func (e dyadEntry) stamp() int64 { return e.at }

func (e dyadEntry) merge(l dyadEntry) dyadEntry {
	e.conflict += l.conflict
	e.cooperation += l.cooperation
	e.verbal += l.verbal
	e.events += l.events
	return e
}

// actorEntry sums, for one country at one instant, the attention factors of
// the events that count toward its instability (unstable) and of all events
// that concern it (all).
type actorEntry struct {
	at            int64
	unstable, all float64
}

func (e actorEntry) stamp() int64 { return e.at }

func (e actorEntry) merge(l actorEntry) actorEntry {
	e.unstable += l.unstable
	e.all += l.all
	return e
}

// obsEntry is one observed value; of two at the same instant the later-added
// replaces the earlier, as a corrected report replaces the first.
type obsEntry struct {
	at    int64
	value float64
}

func (e obsEntry) stamp() int64 { return e.at }

func (e obsEntry) merge(l obsEntry) obsEntry { return l }

// declaration is a scenario's initial value for a numeric indicator.
type declaration struct {
	value float64
	at    time.Time
}

// New returns a Calculator with opts, zero fields replaced by the defaults. It
// fails when an option is negative.
func New(opts Options) (*Calculator, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Calculator{
		opts:      opts,
		dyads:     map[dyad]*timeline[dyadEntry]{},
		actors:    map[string]*timeline[actorEntry]{},
		obs:       map[string]*timeline[obsEntry]{},
		declared:  map[string]declaration{},
		assured:   map[dyad]*assurance{},
		countries: map[string]struct{}{},
	}, nil
}

// Options returns the options in effect, defaults filled in.
func (c *Calculator) Options() Options { return c.opts }

// Add takes in an event or an observation. Records may come in any order. The
// record is not retained, so a reader may reuse it. Records whose time lies
// outside the years 1678-2262 (a missing time among them) and observations
// without an indicator name are ignored: no reader produces them, and they
// could not be placed in a window.
func (c *Calculator) Add(r *event.Record) {
	if r == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch r.Kind {
	case event.KindEvent:
		c.addEvent(&r.Event)
	case event.KindObservation:
		c.addObservation(&r.Observation)
	}
}

func (c *Calculator) addEvent(e *event.Event) {
	at, ok := stampOf(e.Time)
	if !ok {
		return
	}
	c.extendSpan(e.Time)
	a := 1.0
	if c.opts.Mentions {
		a = math.Log1p(float64(max(0, e.Mentions)))
	}
	src, tgt := e.Source.Country, e.Target.Country
	for _, cc := range [...]string{src, tgt} {
		if cc != "" {
			c.countries[cc] = struct{}{}
		}
	}
	if src != "" && tgt != "" {
		k := dyad{src, tgt}
		tl := c.dyads[k]
		if tl == nil {
			tl = &timeline[dyadEntry]{}
			c.dyads[k] = tl
		}
		entry := dyadEntry{
			at:          at,
			conflict:    a * max(0, -e.Goldstein) / 10,
			cooperation: a * max(0, e.Goldstein) / 10,
			events:      1,
		}
		if e.Quad == 3 && e.Public {
			entry.verbal = entry.conflict
		}
		tl.add(entry)
	}

	// Instability: the event concerns each distinct country among source,
	// target and location once, and is unstable for a country when it is
	// material conflict or protest located there or wholly domestic to it.
	loc := locationCountry(e.Location.Country)
	unstable := e.Quad == 4 || e.Root() == "14"
	roles := [...]string{src, tgt, loc}
	for k, cc := range roles {
		if cc == "" || slices.Contains(roles[:k], cc) {
			continue
		}
		entry := actorEntry{at: at, all: a}
		if unstable && (cc == loc || (cc == src && cc == tgt)) {
			entry.unstable = a
		}
		tl := c.actors[cc]
		if tl == nil {
			tl = &timeline[actorEntry]{}
			c.actors[cc] = tl
		}
		tl.add(entry)
	}
}

// locationCountry maps a FIPS 10-4 location code to the CAMEO country code the
// actors use, or "" when the location has no country the table knows.
func locationCountry(fips string) string {
	if fips == "" {
		return ""
	}
	if ct, ok := cameo.CountryByFIPS(fips); ok {
		return ct.Code
	}
	return ""
}

func (c *Calculator) addObservation(o *event.Observation) {
	at, ok := stampOf(o.Time)
	if !ok || o.Indicator == "" {
		return
	}
	c.extendSpan(o.Time)
	tl := c.obs[o.Indicator]
	if tl == nil {
		tl = &timeline[obsEntry]{}
		c.obs[o.Indicator] = tl
	}
	tl.add(obsEntry{at: at, value: o.Value})
}

func (c *Calculator) extendSpan(t time.Time) {
	if !c.seen || t.Before(c.first) {
		c.first = t
	}
	if !c.seen || t.After(c.last) {
		c.last = t
	}
	c.seen = true
}

// Declare sets the initial value of a numeric indicator, as a scenario states
// it. From at on, the value stands until the first observation of the
// indicator; before at, and where an observation exists at or before the query
// time, it does not apply. A zero at makes the value stand from the beginning.
// Declaring a name again replaces the earlier declaration.
func (c *Calculator) Declare(name string, v float64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.declared[name] = declaration{value: v, at: at}
}

// Span returns the times of the first and last events and observations added;
// ok is false when none has been. Declarations do not count.
func (c *Calculator) Span() (first, last time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.first, c.last, c.seen
}

// Actors returns the CAMEO codes of the countries seen as an event's source or
// target, sorted.
func (c *Calculator) Actors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.countries))
	for cc := range c.countries {
		out = append(out, cc)
	}
	slices.Sort(out)
	return out
}
