package assurance

import (
	"time"
)

// Status is where an assurance stands in its lifecycle:
// proposed -> conveyed -> acknowledged -> in_force -> lapsed | breached |
// withdrawn | expired.
type Status string

// The statuses. An assurance loaded from a file is acknowledged until its
// from, then in force.
const (
	Proposed     Status = "proposed"
	Conveyed     Status = "conveyed"
	Acknowledged Status = "acknowledged"
	InForce      Status = "in_force"
	Lapsed       Status = "lapsed"
	Breached     Status = "breached"
	Withdrawn    Status = "withdrawn"
	Expired      Status = "expired"
)

// Terminal reports whether s is final: no transition leaves it.
func (s Status) Terminal() bool {
	return s == Lapsed || s == Breached || s == Withdrawn || s == Expired
}

// Source says where a record came from: the file and line it was read
// from (none for a record written in the scenario itself) and its id.
type Source struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Trigger is what caused a transition: a record, named by its source, and
// what about it mattered. A transition that no record caused (coming into
// force, expiry) has no trigger.
type Trigger struct {
	Source
	// Note is the record's note, when it has one (scenario timelines do).
	Note string `json:"note,omitempty"`
	// Condition says which condition matched: "unless[1]: red line
	// irn-enrichment-90".
	Condition string `json:"condition,omitempty"`
	// Assurance names the reciprocal assurance whose breach or withdrawal
	// made this one lapse.
	Assurance string `json:"assurance,omitempty"`
}

// Transition is one step of an assurance's history.
type Transition struct {
	Status  Status    `json:"status"`
	Time    time.Time `json:"time"`
	Trigger *Trigger  `json:"trigger,omitempty"`
	// seq orders the transitions and crossings of one check as they
	// happened, which time alone cannot at equal times.
	seq int
}

// AssuranceResult is where an assurance stands after a check, and how it
// got there.
type AssuranceResult struct {
	ID          string `json:"id"`
	Issuer      string `json:"issuer"`
	Beneficiary string `json:"beneficiary"`
	Via         string `json:"via,omitempty"`
	Text        string `json:"text,omitempty"`
	Status      Status `json:"status"`
	// Since is the time of the last transition; zero before the first.
	Since   time.Time    `json:"since,omitzero"`
	Trigger *Trigger     `json:"trigger,omitempty"`
	History []Transition `json:"history"`
	// PublicHostility counts the public, verbally hostile (quad 3) events
	// of the issuer toward the beneficiary while the assurance was in
	// force: public threats beside private reassurance.
	PublicHostility int `json:"public_hostility"`
}

// RedlineResult says whether and when a red line was crossed.
type RedlineResult struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"`
	Against string    `json:"against"`
	Text    string    `json:"text,omitempty"`
	Crossed bool      `json:"crossed"`
	Time    time.Time `json:"time,omitzero"`
	Trigger *Trigger  `json:"trigger,omitempty"`
	seq     int
}

// EvalError is a condition that failed to evaluate on some records (reading
// an event's field on an observation, say); such a condition counts as not
// matched there.
type EvalError struct {
	// Where names the condition: "assurance isr-no-first-strike unless[0]".
	Where string `json:"where"`
	Count int    `json:"count"`
	// First is the first failure and the record it happened on.
	First  string `json:"first"`
	Record Source `json:"record"`
}

// Result is the outcome of a check: the contract of `backchannel check`.
type Result struct {
	Records int `json:"records"`
	// Rejected are the input lines that could not be read, filled in by
	// whoever read the records.
	Rejected      []Rejection       `json:"rejected"`
	RejectedTotal int               `json:"rejected_total"`
	Assurances    []AssuranceResult `json:"assurances"`
	Redlines      []RedlineResult   `json:"redlines"`
	// From and To are the times the check covered.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// EvalErrors lists the conditions that failed to evaluate.
	EvalErrors []EvalError `json:"eval_errors,omitempty"`
}

// Rejection is an input line that could not be read.
type Rejection struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	Reason string `json:"reason"`
}
