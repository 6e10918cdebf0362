package theory

import (
	"fmt"
	"math"
	"strconv"
)

// Tol is the absolute tolerance of every boundary comparison: an inclusive bound holds
// when missed by at most Tol, a strict one needs a margin of more than Tol.
const Tol = 1e-9

// atLeast reports a >= b within Tol.
func atLeast(a, b float64) bool { return a >= b-Tol }

// above reports a > b by more than Tol.
func above(a, b float64) bool { return a > b+Tol }

// Range is an interval of valid parameter values. An infinite bound is always open.
type Range struct {
	Min, Max         float64
	MinOpen, MaxOpen bool
}

// The ranges the models use.
var (
	unitRange     = Range{Min: 0, Max: 1}
	nonNegRange   = Range{Min: 0, Max: math.Inf(1), MaxOpen: true}
	positiveRange = Range{Min: 0, Max: math.Inf(1), MinOpen: true, MaxOpen: true}
	realRange     = Range{Min: math.Inf(-1), Max: math.Inf(1), MinOpen: true, MaxOpen: true}
	belowOneRange = Range{Min: 0, Max: 1, MaxOpen: true}
	aboveZeroUnit = Range{Min: 0, Max: 1, MinOpen: true}
)

// Contains reports whether v lies in r. NaN lies in no range, and an infinity in none
// of ours, since infinite bounds are open.
func (r Range) Contains(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	lowOK := v > r.Min || (!r.MinOpen && v == r.Min)
	highOK := v < r.Max || (!r.MaxOpen && v == r.Max)
	return lowOK && highOK
}

// String writes r as an interval: "[0, 1]", "(0, inf)".
func (r Range) String() string {
	lo, hi := "[", "]"
	if r.MinOpen || math.IsInf(r.Min, -1) {
		lo = "("
	}
	if r.MaxOpen || math.IsInf(r.Max, 1) {
		hi = ")"
	}
	return lo + bound(r.Min) + ", " + bound(r.Max) + hi
}

func bound(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Param describes one parameter of a model.
type Param struct {
	// Name is the parameter's symbol in MODELS.md ("pi", "tT", "kM").
	Name  string
	Range Range
	// Optional parameters may be left out; the model then computes less.
	Optional bool
	// Meaning says in one line what the parameter is.
	Meaning string
}

// check returns a *ParamError when v is not in p's range.
func (p Param) check(v float64) error {
	if p.Range.Contains(v) {
		return nil
	}
	return &ParamError{Param: p.Name, Range: p.Range.String(),
		Msg: fmt.Sprintf("%s = %g is out of range: want a number in %s (%s)", p.Name, v, p.Range, p.Meaning)}
}

// checkAll checks vals against the leading params, in order.
func checkAll(params []Param, vals ...float64) error {
	for i, v := range vals {
		if err := params[i].check(v); err != nil {
			return err
		}
	}
	return nil
}

// ParamError is a parameter that is missing, unknown, out of its range, or at odds
// with another. Its message names the parameter and, but for an unknown one, its valid
// range; it is written for the person who typed the value.
type ParamError struct {
	Param string // the parameter's MODELS.md symbol
	Range string // its valid range ("[0, 1]"), or "" for an unknown parameter
	Msg   string
}

func (e *ParamError) Error() string { return e.Msg }
