package assurance

import (
	"time"

	"cel.dev/cel-go/cel"

	"backchannel/internal/yamldoc"
)

// Set is the compiled assurances and red lines of one file, with what the
// engine needs to evaluate them.
type Set struct {
	// File is the scenario or assurance file the set was read from.
	File       string
	Assurances []*Assurance
	Redlines   []*Redline
	// Start is the scenario's start, the default `from`; zero for an
	// assurance file that names none.
	Start time.Time
	// End is the last day of the scenario's horizon; zero for an assurance
	// file.
	End time.Time
	// Declared holds the scenario's declared numeric indicators and their
	// initial values.
	Declared map[string]float64
	// Indicators are the names conditions read through ind, each checked at
	// load time.
	Indicators []string
}

// Assurance is a conditional, non-binding promise by Issuer to Beneficiary,
// carried by Via.
type Assurance struct {
	ID                       string
	Issuer, Beneficiary, Via string
	Text                     string
	// Refrain is what the issuer promises not to do; Unless what releases
	// it. Any one condition suffices.
	Refrain, Unless []*Condition
	// From is when the assurance comes into force; Until, when not zero,
	// when it expires.
	From, Until time.Time
	// Withdrawn, when not zero, is when the issuer withdrew the assurance
	// (a scenario's what-if; on the channel the desk says so).
	Withdrawn time.Time
	// Reciprocal names the assurance this one stands on: when that one is
	// breached or withdrawn, this one lapses.
	Reciprocal string
	Pos        yamldoc.Pos
	// FromPos, UntilPos and WithdrawnPos are where those times are written
	// (FromPos is Pos when from is the scenario's start): the triggers of
	// the transitions that come with the clock.
	FromPos, UntilPos, WithdrawnPos yamldoc.Pos
}

// Redline is a line an owner drew against another actor: When, a CEL
// expression, becomes true when it is crossed.
type Redline struct {
	ID, Owner, Against, Text string
	When                     string
	Pos                      yamldoc.Pos
	prg                      cel.Program
}

// Condition is one entry of an assurance's refrain or unless: a pattern, a
// CEL expression, or a red line. CEL holds the expression evaluated for the
// first two (a pattern's compiled form); Redline the red line's id for the
// third.
type Condition struct {
	Pattern *Pattern
	CEL     string
	Redline string
	Pos     yamldoc.Pos
	prg     cel.Program
	redline *Redline
	// where names the condition in evaluation errors.
	where string
}

// String names the condition as a reader of a timeline would want it.
func (c *Condition) String() string {
	switch {
	case c.Redline != "":
		return "red line " + c.Redline
	case c.Pattern != nil:
		return c.Pattern.String()
	}
	return c.CEL
}

// Assurance returns the assurance with the given id.
func (s *Set) Assurance(id string) (*Assurance, bool) {
	for _, a := range s.Assurances {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// Redline returns the red line with the given id.
func (s *Set) Redline(id string) (*Redline, bool) {
	for _, r := range s.Redlines {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
