package event

import (
	"strings"
	"time"
)

// Filter selects records. The zero Filter keeps everything; each field that is
// set narrows the selection, and all set fields must hold.
type Filter struct {
	// Actors keeps events with any of these countries as source or target,
	// and observations of indicators of these actors ("IRN.enrichment_pct").
	Actors []string
	// Dyads keeps events from the first country to the second of any pair.
	// Symmetric also keeps the reverse direction.
	Dyads     [][2]string
	Symmetric bool
	// Codes keeps events whose CAMEO code starts with any of these prefixes:
	// "19" is the whole FIGHT root, "195" all aerial attacks.
	Codes []string
	// Quads keeps events of these quad classes.
	Quads []int
	// From and To bound the time, From inclusive and To exclusive; zero means
	// unbounded.
	From, To time.Time
	// Kind keeps one kind of record only; zero keeps both.
	Kind Kind
}

// eventOnly reports whether the filter says anything observations cannot meet.
func (f *Filter) eventOnly() bool {
	return len(f.Dyads) > 0 || len(f.Codes) > 0 || len(f.Quads) > 0
}

// Match reports whether r passes the filter.
func (f *Filter) Match(r *Record) bool {
	if f.Kind != 0 && r.Kind != f.Kind {
		return false
	}
	t := r.Time()
	if !f.From.IsZero() && t.Before(f.From) || !f.To.IsZero() && !t.Before(f.To) {
		return false
	}
	if r.Kind == KindObservation {
		if f.eventOnly() {
			return false
		}
		if len(f.Actors) == 0 {
			return true
		}
		actor, _, _ := strings.Cut(r.Observation.Indicator, ".")
		for _, a := range f.Actors {
			if a == actor {
				return true
			}
		}
		return false
	}
	e := &r.Event
	if len(f.Actors) > 0 && !anyOf(f.Actors, e.Source.Country, e.Target.Country) {
		return false
	}
	if len(f.Dyads) > 0 {
		ok := false
		for _, d := range f.Dyads {
			if e.Source.Country == d[0] && e.Target.Country == d[1] ||
				f.Symmetric && e.Source.Country == d[1] && e.Target.Country == d[0] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.Codes) > 0 {
		ok := false
		for _, c := range f.Codes {
			if strings.HasPrefix(e.Code, c) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.Quads) > 0 {
		ok := false
		for _, q := range f.Quads {
			if e.Quad == q {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyOf(set []string, a, b string) bool {
	for _, s := range set {
		if s == a || s == b {
			return true
		}
	}
	return false
}
