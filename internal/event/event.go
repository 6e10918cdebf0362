// Package event is the world as the system sees it: coded political events and
// numeric observations, normalized from the datasets analysts use (GDELT 1.0 and
// 2.0, ICEWS, ACLED) and from the project's own JSONL form.
//
// Readers stream: each holds one line at a time, so memory stays flat whatever the
// file size. A malformed line is reported as a *LineError and skipped; the reader
// carries on with the next line. Open detects a file's format from its content.
package event

import (
	"time"
)

// Kind says whether a Record holds an Event or an Observation.
type Kind uint8

// The kinds of record.
const (
	KindEvent Kind = iota + 1
	KindObservation
)

func (k Kind) String() string {
	switch k {
	case KindEvent:
		return "event"
	case KindObservation:
		return "observation"
	}
	return "unknown"
}

// Record is one thing the world tells the system, in time order with the rest.
// Exactly one of Event and Observation is meaningful, as Kind says. Readers fill a
// Record in place so that a loop over a large file allocates little; copy what you
// keep.
type Record struct {
	Kind        Kind
	Event       Event
	Observation Observation
}

// Time returns the time of whichever record this is.
func (r *Record) Time() time.Time {
	if r.Kind == KindObservation {
		return r.Observation.Time
	}
	return r.Event.Time
}

// Actor is one side of an event.
type Actor struct {
	// Code is the dataset's full actor code when it has one (GDELT's
	// Actor1Code, e.g. "IRNGOV"), kept so nothing in the source is lost.
	Code string `json:"code,omitempty"`
	// Country is the three-letter CAMEO country code ("ISR", "IRN").
	Country string `json:"country,omitempty"`
	// Type is the CAMEO actor type (role) code ("GOV", "MIL", "CVL").
	Type string `json:"type,omitempty"`
	// Name is the dataset's name for the actor.
	Name string `json:"name,omitempty"`
}

// Location is where an event took place.
type Location struct {
	// Country is the two-letter FIPS 10-4 code, as GDELT gives locations ("IR").
	Country string
	// HasCoords says whether Lat and Lon were given; (0,0) is a real place.
	HasCoords bool
	Lat, Lon  float64
	Name      string
}

// Event is a coded political interaction: source did code to target.
type Event struct {
	ID string
	// Time is the date the dataset gives the event (GDELT's SQLDATE at 00:00
	// UTC, ICEWS's Event Date, ACLED's event_date), or an exact time in JSONL.
	Time time.Time
	// Added is when the dataset published the row (GDELT's DATEADDED); zero if
	// the dataset does not say.
	Added          time.Time
	Source, Target Actor
	// Code is the full CAMEO event code as a string ("195", "0841").
	Code string
	// Goldstein is the event's value on the Goldstein scale, -10..+10; Quad its
	// quad class, 1..4. Both come from the dataset when it gives them and from
	// the cameo table otherwise.
	Goldstein float64
	Quad      int
	// Mentions, Sources and Articles are GDELT's attention counts (0 if absent).
	Mentions, Sources, Articles int
	Tone                        float64
	Location                    Location
	URL                         string
	// Dataset names where the record came from: "gdelt1", "gdelt2", "icews",
	// "acled", or what a JSONL record says.
	Dataset string
	// Public is false for what arrives through the channel rather than the news.
	Public bool
	// Note is free text, used by scenario timelines to name the fact a record codes.
	Note string
}

// Root returns the two-digit root of the event code ("19" for "1951").
func (e *Event) Root() string {
	if len(e.Code) < 2 {
		return e.Code
	}
	return e.Code[:2]
}

// Base returns the three-digit base of the event code ("195" for "1951"), or
// the code itself when it is a root.
func (e *Event) Base() string {
	if len(e.Code) < 3 {
		return e.Code
	}
	return e.Code[:3]
}

// Observation is a numeric indicator value at a time: an enrichment level, a
// count of protesters, an analyst's estimate.
type Observation struct {
	Time time.Time
	// Indicator names what is measured, as "ACTOR.name" ("IRN.enrichment_pct").
	Indicator string
	Value     float64
	Source    string
	Note      string
}
