package indicator

import (
	"fmt"
	"time"
)

// The defaults EVENTS.md gives: a month of memory in which a week halves an
// event's weight, so that a war three weeks ago still shows but no longer
// dominates.
const (
	DefaultWindow   = 30 * 24 * time.Hour
	DefaultHalfLife = 7 * 24 * time.Hour
)

// Options configure the decay window. Zero values mean the defaults.
type Options struct {
	// Window is how far back an event counts: an event whose age at the time
	// of the query is Window or more does not count. Zero means DefaultWindow.
	Window time.Duration
	// HalfLife is the age at which an event weighs half as much as a fresh
	// one. Zero means DefaultHalfLife.
	HalfLife time.Duration
	// Mentions multiplies each event's weight by ln(1+mentions), so that what
	// the press repeats weighs more than what one wire story reports. Events
	// with no mentions then weigh nothing.
	Mentions bool
}

// DefaultOptions returns the options EVENTS.md specifies: a 30-day window, a
// 7-day half-life, no attention weighting.
func DefaultOptions() Options {
	return Options{Window: DefaultWindow, HalfLife: DefaultHalfLife}
}

// withDefaults fills zero fields and rejects values that would make the
// weights meaningless. The errors name the option, since they reach a user who
// set it in a scenario or on a command line.
func (o Options) withDefaults() (Options, error) {
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.HalfLife == 0 {
		o.HalfLife = DefaultHalfLife
	}
	if o.Window < 0 {
		return o, fmt.Errorf("indicator window %v is negative; give a positive duration such as 720h (30 days), or 0 for the default", o.Window)
	}
	if o.HalfLife < 0 {
		return o, fmt.Errorf("indicator half-life %v is negative; give a positive duration such as 168h (7 days), or 0 for the default", o.HalfLife)
	}
	return o, nil
}
