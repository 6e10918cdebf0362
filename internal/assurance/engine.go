package assurance

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"backchannel/internal/event"
	"backchannel/internal/indicator"
)

// ErrOutOfOrder is returned by Step for a record earlier than the one before
// it: the lifecycle is defined over records in time order, so the caller must
// sort (stably, to keep the input order of equal times).
var ErrOutOfOrder = errors.New("record out of time order")

// Engine runs the lifecycle of a Set over records given in time order. It is
// not safe for concurrent use.
type Engine struct {
	set   *Set
	calc  *indicator.Calculator
	act   activation
	ind   indicators
	as    []*state
	rls   []*redlineState
	errs  map[string]*EvalError
	order []string // keys of errs in order of first failure

	cur         Source // the record being applied, for EvalErrors
	seq         int    // transitions and crossings so far
	evals       int    // condition evaluations so far
	records     int
	first, last time.Time
	started     bool
}

// state is one assurance's progress.
type state struct {
	a   *Assurance
	res AssuranceResult
	// fell is set when the assurance was breached or withdrawn at the
	// current step, for reciprocity.
	fell bool
}

type redlineState struct {
	r     *Redline
	res   RedlineResult
	where string
	// record is the number of the record that crossed the line.
	record int
}

// NewEngine returns an engine for set whose indicators (those conditions
// read through ind, and the rhetoric gap) are computed with opts.
func NewEngine(set *Set, opts indicator.Options) (*Engine, error) {
	calc, err := indicator.New(opts)
	if err != nil {
		return nil, err
	}
	e := &Engine{set: set, calc: calc, errs: map[string]*EvalError{}}
	// Declared values hold from the scenario's start (from the beginning
	// of time in an assurance file without one), so that every declared
	// indicator has a value wherever a condition is evaluated.
	origin := set.Start
	if origin.IsZero() {
		origin = time.Date(event.MinYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for name, v := range set.Declared {
		calc.Declare(name, v, origin)
	}
	e.ind = indicators{calc: calc, names: set.Indicators, vals: make([]float64, len(set.Indicators)), ok: make([]bool, len(set.Indicators))}
	e.act.ind = &e.ind
	for _, a := range set.Assurances {
		e.as = append(e.as, &state{a: a, res: AssuranceResult{
			ID: a.ID, Issuer: a.Issuer, Beneficiary: a.Beneficiary, Via: a.Via, Text: a.Text,
			Status: Acknowledged, History: []Transition{},
		}})
	}
	for _, r := range set.Redlines {
		e.rls = append(e.rls, &redlineState{r: r, where: "redline " + r.ID + " when", res: RedlineResult{ID: r.ID, Owner: r.Owner, Against: r.Against, Text: r.Text}})
	}
	return e, nil
}

// Calculator returns the engine's indicator calculator: every record stepped
// so far, and the intervals during which each issuer had an assurance in
// force toward its beneficiary (for the rhetoric gap).
func (e *Engine) Calculator() *indicator.Calculator { return e.calc }

// Step applies one record. It fails with ErrOutOfOrder, changing nothing,
// when r is earlier than the record before it.
func (e *Engine) Step(r *event.Record, src Source) error {
	t := r.Time()
	if e.started && t.Before(e.last) {
		return fmt.Errorf("%w: %s at %s comes after %s", ErrOutOfOrder, describeSource(src), t.Format(time.RFC3339), e.last.Format(time.RFC3339))
	}
	if !e.started {
		e.first, e.started = t, true
	}
	e.last = t
	e.records++
	e.cur = src
	e.advance(t)
	e.calc.Add(r)
	e.act.set(r)
	trig := func(cond string) *Trigger {
		tr := &Trigger{Source: src, Condition: cond}
		if src.ID == "" && r.Kind == event.KindEvent {
			tr.ID = r.Event.ID
		}
		if r.Kind == event.KindEvent {
			tr.Note = r.Event.Note
		} else {
			tr.Note = r.Observation.Note
		}
		return tr
	}

	// 1. Red lines, watched from the scenario's start: earlier records
	// only prime the indicators.
	for _, rl := range e.rls {
		if t.Before(e.set.Start) {
			break
		}
		if rl.res.Crossed || rl.r.prg == nil {
			continue
		}
		if e.eval(rl.r.prg, rl.where) {
			rl.res.Crossed, rl.res.Time, rl.res.Trigger = true, t, trig("when: "+rl.r.When)
			rl.record = e.records
			e.seq++
			rl.res.seq = e.seq
		}
	}
	// 2. Unless: the issuer is released.
	for _, s := range e.as {
		if s.res.Status != InForce {
			continue
		}
		if i, c := e.match(s.a.Unless, false); c != nil {
			e.move(s, Lapsed, t, trig(fmt.Sprintf("unless[%d]: %s", i, c)))
		}
	}
	// 3. Refrain: the issuer did what it promised not to, unprovoked.
	for _, s := range e.as {
		if s.res.Status != InForce {
			continue
		}
		if i, c := e.match(s.a.Refrain, true); c != nil {
			e.move(s, Breached, t, trig(fmt.Sprintf("refrain[%d]: %s", i, c)))
			s.fell = true
		}
	}
	// 4. Reciprocity.
	if slices.ContainsFunc(e.as, func(s *state) bool { return s.fell }) {
		e.reciprocity(t, trig(""))
	}
	e.countHostility(r)
	return nil
}

// match returns the first condition of conds that the current record meets.
// A red line in unless releases the issuer however long ago it was crossed;
// one in refrain breaches only when crossed at this record, since a crossing
// before the assurance was in force is no act against it (and one while it
// was in force breached it then).
func (e *Engine) match(conds []*Condition, refrain bool) (int, *Condition) {
	for i, c := range conds {
		if c.redline != nil {
			if rl := e.redlineState(c.redline); rl.res.Crossed && (!refrain || rl.record == e.records) {
				return i, c
			}
			continue
		}
		if c.prg != nil && e.eval(c.prg, c.where) {
			return i, c
		}
	}
	return -1, nil
}

// eval runs a program on the current record. An evaluation error counts as
// not matched and is recorded under where.
func (e *Engine) eval(prg cel.Program, where string) bool {
	e.evals++
	out, _, err := prg.Eval(&e.act)
	if err == nil {
		return out == types.True
	}
	ee := e.errs[where]
	if ee == nil {
		ee = &EvalError{Where: where, First: err.Error(), Record: e.cur}
		e.errs[where] = ee
		e.order = append(e.order, where)
	}
	ee.Count++
	return false
}

// reciprocity makes every in-force assurance whose reciprocal fell at this
// step lapse, and clears the marks.
func (e *Engine) reciprocity(t time.Time, base *Trigger) {
	for _, fallen := range e.as {
		if !fallen.fell {
			continue
		}
		for _, s := range e.as {
			if s.res.Status == InForce && s.a.Reciprocal == fallen.a.ID {
				tr := *base
				tr.Condition = fmt.Sprintf("reciprocal %s was %s", fallen.a.ID, fallen.res.Status)
				tr.Assurance = fallen.a.ID
				e.move(s, Lapsed, t, &tr)
			}
		}
	}
	for _, s := range e.as {
		s.fell = false
	}
}

func (e *Engine) countHostility(r *event.Record) {
	if r.Kind != event.KindEvent || !r.Event.Public || r.Event.Quad != 3 {
		return
	}
	for _, s := range e.as {
		if s.res.Status == InForce && r.Event.Source.Country == s.a.Issuer && r.Event.Target.Country == s.a.Beneficiary {
			s.res.PublicHostility++
		}
	}
}

// move records a transition.
func (e *Engine) move(s *state, to Status, t time.Time, tr *Trigger) {
	if s.res.Status == InForce && to != InForce {
		e.calc.SetAssured(s.a.Issuer, s.a.Beneficiary, t, false)
	}
	if to == InForce {
		e.calc.SetAssured(s.a.Issuer, s.a.Beneficiary, t, true)
	}
	s.res.Status, s.res.Since, s.res.Trigger = to, t, tr
	e.seq++
	s.res.History = append(s.res.History, Transition{Status: to, Time: t, Trigger: tr, seq: e.seq})
}

// timed is a transition that comes with the clock rather than a record.
type timed struct {
	at   time.Time
	s    *state
	kind Status // InForce (from), Withdrawn, Expired (until)
}

// advance makes the transitions due by t: coming into force at from,
// withdrawal, expiry at until. Those due at t itself happen before the record
// at t is applied, so a record at from is checked and a record at until is
// not.
func (e *Engine) advance(t time.Time) {
	for {
		var due []timed
		for _, s := range e.as {
			switch {
			case s.res.Status == Acknowledged && !s.a.From.After(t):
				due = append(due, timed{s.a.From, s, InForce})
			case s.res.Status == InForce && !s.a.Withdrawn.IsZero() && !s.a.Withdrawn.After(t) &&
				(s.a.Until.IsZero() || !s.a.Withdrawn.After(s.a.Until)):
				due = append(due, timed{s.a.Withdrawn, s, Withdrawn})
			case s.res.Status == InForce && !s.a.Until.IsZero() && !s.a.Until.After(t):
				due = append(due, timed{s.a.Until, s, Expired})
			}
		}
		if len(due) == 0 {
			return
		}
		// One transition at a time, since each may change what is due
		// next: earliest first; at one instant coming into force, then
		// withdrawals (whose reciprocal lapses come before expiry, as in
		// the order of ASSURANCES.md), then expiries; file order on ties.
		d := slices.MinFunc(due, func(a, b timed) int {
			return cmp.Or(a.at.Compare(b.at), clockRank[a.kind]-clockRank[b.kind])
		})
		e.apply(d)
	}
}

// clockRank orders the transitions that come with the clock at one instant.
var clockRank = map[Status]int{InForce: 0, Withdrawn: 1, Expired: 2}

func (e *Engine) apply(d timed) {
	s := d.s
	field, pos := "from", s.a.FromPos
	switch d.kind {
	case Withdrawn:
		field, pos = "withdrawn", s.a.WithdrawnPos
	case Expired:
		field, pos = "until", s.a.UntilPos
	}
	clock := &Trigger{Source: Source{File: pos.File, Line: pos.Line}, Condition: field + " " + d.at.Format(time.RFC3339)}
	e.move(s, d.kind, d.at, clock)
	switch d.kind {
	case InForce:
		// A red line named in unless and crossed before from releases the
		// issuer as soon as the assurance would bind it; so does a
		// reciprocal that fell before.
		for i, c := range s.a.Unless {
			if rl := e.redlineState(c.redline); c.redline != nil && rl.res.Crossed {
				tr := *rl.res.Trigger
				tr.Condition = fmt.Sprintf("unless[%d]: red line %s, crossed %s", i, c.Redline, rl.res.Time.Format(time.RFC3339))
				e.move(s, Lapsed, d.at, &tr)
				return
			}
		}
		if other, ok := e.state(s.a.Reciprocal); ok && (other.res.Status == Breached || other.res.Status == Withdrawn) {
			tr := Trigger{Assurance: other.a.ID, Condition: fmt.Sprintf("reciprocal %s was %s", other.a.ID, other.res.Status)}
			if other.res.Trigger != nil {
				tr.Source, tr.Note = other.res.Trigger.Source, other.res.Trigger.Note
			}
			e.move(s, Lapsed, d.at, &tr)
		}
	case Withdrawn:
		s.fell = true
		e.reciprocity(d.at, clock)
	}
}

func (e *Engine) state(id string) (*state, bool) {
	for _, s := range e.as {
		if s.a.ID == id {
			return s, true
		}
	}
	return nil, false
}

func (e *Engine) redlineState(r *Redline) *redlineState {
	for _, rl := range e.rls {
		if rl.r == r {
			return rl
		}
	}
	return nil
}

// Evaluations returns how many conditions (CEL programs, red lines' included)
// the engine has evaluated.
func (e *Engine) Evaluations() int { return e.evals }

// Finish makes the transitions due by end (or by the last record, if later)
// and returns the result. The engine should not be stepped after.
func (e *Engine) Finish(end time.Time) *Result {
	if end.Before(e.last) {
		end = e.last
	}
	e.advance(end)
	res := &Result{Records: e.records, Rejected: []Rejection{}, From: e.first, To: end}
	for _, s := range e.as {
		res.Assurances = append(res.Assurances, s.res)
	}
	for _, rl := range e.rls {
		res.Redlines = append(res.Redlines, rl.res)
	}
	if res.Assurances == nil {
		res.Assurances = []AssuranceResult{}
	}
	if res.Redlines == nil {
		res.Redlines = []RedlineResult{}
	}
	for _, k := range e.order {
		res.EvalErrors = append(res.EvalErrors, *e.errs[k])
	}
	return res
}

func describeSource(s Source) string {
	switch {
	case s.File != "" && s.Line > 0:
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	case s.ID != "":
		return "record " + s.ID
	}
	return "a record"
}

// indicators is ind: the values of the indicators conditions read, each
// computed at most once per record and only when read.
type indicators struct {
	calc  *indicator.Calculator
	t     time.Time
	names []string
	vals  []float64
	ok    []bool
}

func (ind *indicators) at(t time.Time) {
	ind.t = t
	clear(ind.ok)
}

// FindStringKey is how CEL's interpreter looks a key up in a map-like value.
func (ind *indicators) FindStringKey(name string) (any, bool) {
	i := slices.Index(ind.names, name)
	if i < 0 {
		return nil, false
	}
	if !ind.ok[i] {
		v, err := ind.calc.Value(name, ind.t)
		if err != nil {
			return nil, false
		}
		ind.vals[i], ind.ok[i] = v, true
	}
	return types.Double(ind.vals[i]), true
}
