// Package scenario loads scenario files: one YAML document a person can read and
// edit that names the actors of a crisis, their relations, the channel (who
// mediates between whom), declared numeric indicators, the event files that tell
// what happened, and the sections later stages read (assurances, red lines, the
// model).
//
// Loading checks everything it can and reports every problem at once, each with
// the file, line and column of the YAML value at fault and what was expected.
package scenario

import (
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/event"
)

// Scenario is a loaded scenario file.
type Scenario struct {
	// Path is the file the scenario was loaded from; Dir is its directory, the
	// base for relative event file names.
	Path, Dir   string
	Name        string
	Description string
	// Start is the day the scenario's analysis begins; HorizonDays how far it
	// looks ahead (default 180).
	Start       time.Time
	HorizonDays int
	// Actors in file order.
	Actors    []Actor
	Relations []Relation
	Channel   Channel
	// Indicators are the declared numeric indicators with initial values.
	Indicators []Indicator
	// EventFiles are the event files named, resolved against Dir; Inline the
	// records written in the scenario itself.
	EventFiles []string
	Inline     []event.Record
	// InlinePos holds where each inline record is written.
	InlinePos []Pos
	// Assurances, Redlines and Model are kept as YAML for the packages that
	// read them (nil when absent).
	Assurances, Redlines, Model *yaml.Node
	// Source is the file's text, for loaders that locate errors inside a
	// value (a CEL expression's column within its YAML string).
	Source []byte
	// Standalone is true for an assurance file: no name, actors or channel,
	// only assurances and red lines with what they are checked against.
	Standalone bool
}

// Actor is a party, a mediator or any other state the scenario names.
type Actor struct {
	Code string // CAMEO country code
	Name string
	// Ideal is the actor's ideal point as a mediator, 0 (the first party's
	// position) to 1 (the second's); ConflictCost what a war costs it. Nil
	// when the scenario does not say.
	Ideal, ConflictCost *float64
	Pos                 Pos
}

// Relation is the standing between two actors, symmetric.
type Relation struct {
	A, B string
	// Value runs from -1 (hostile) to +1 (aligned).
	Value float64
	// Ties says whether the two have diplomatic relations.
	Ties bool
	Pos  Pos
}

// Channel says who mediates between whom.
type Channel struct {
	Mediator string
	Parties  []string
}

// Indicator is a declared numeric indicator and its initial value.
type Indicator struct {
	Name  string
	Value float64
	Pos   Pos
}

// Actor returns the actor with the given code.
func (s *Scenario) Actor(code string) (Actor, bool) {
	for _, a := range s.Actors {
		if a.Code == code {
			return a, true
		}
	}
	return Actor{}, false
}

// Relation returns the relation between a and b in either order; a pair the
// file does not list is 0 with no ties.
func (s *Scenario) Relation(a, b string) Relation {
	for _, r := range s.Relations {
		if r.A == a && r.B == b || r.A == b && r.B == a {
			return r
		}
	}
	return Relation{A: a, B: b}
}

// End returns the last day of the horizon.
func (s *Scenario) End() time.Time {
	return s.Start.AddDate(0, 0, s.HorizonDays)
}
