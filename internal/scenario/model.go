package scenario

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
	"backchannel/internal/yamldoc"
)

// Model is the scenario's model section, typed and checked (MODELS.md, the scenario
// model: section): the parameters of the assessment layer, shared by the live
// credibility of assurances (MODELS.md B) and the crisis simulator (C). Probabilities
// are per side or per day; values by actor are keyed by CAMEO code and hold an entry
// for every party of the channel.
type Model struct {
	// HorizonDays is how many days a simulation looks ahead: the section's
	// horizon_days, or the scenario's when the section gives none.
	HorizonDays int
	// C is the cost of being struck first while holding (A1: S = -c), above 0.
	C float64
	// Priors is, by actor, the probability that it is trustworthy (a security
	// seeker, temptation below 1) as the other side sees it at the start; a
	// simulator draws the actor's type from it.
	Priors map[string]float64
	// Temptation is tT0 by actor: a trustworthy actor's temptation to strike a
	// side that holds, before drivers move it, in [0, 1).
	Temptation map[string]float64
	// Capacity is kappa0 by actor: the probability that its leaders control its
	// forces, before drivers move it. A party the section does not list has 1.
	Capacity map[string]float64
	// HazardUntrustworthy is the daily probability that an untrustworthy side
	// (or a trustworthy one whose temptation has reached 1) strikes.
	HazardUntrustworthy float64
	// IncidentsPerDay is the rate of incidents (Poisson), each attributed to one
	// side at random; 0 when not given.
	IncidentsPerDay float64
	// Misperception says how often an incident looks hostile.
	Misperception Misperception
	// LikelihoodRatios holds, by two-digit CAMEO root ("18"), how much likelier
	// an untrustworthy side is than a trustworthy one to act so: pU / pT, so a
	// ratio above 1 lowers trust and one below 1 raises it. Nil when the
	// section gives none, and the reader's defaults apply.
	LikelihoodRatios map[string]float64
	// Mediator is how the channel's mediator reports; nil when not given.
	Mediator *ModelMediator
	// Drivers are the indicators that move temptation and capacity, in file
	// order.
	Drivers []Driver
	// RedlineHazards are the daily chances that a red line is crossed and ends
	// the channel, in file order.
	RedlineHazards []RedlineHazard
	// Pos is where the section is.
	Pos Pos
}

// Misperception is the probability that an incident by a side in control of its
// forces looks hostile to the other side, by the side's type. A trustworthy side
// out of control acts like an untrustworthy one.
type Misperception struct {
	Trustworthy, Untrustworthy float64
}

// ModelMediator is the mediator as the models see it (A4, B, C).
type ModelMediator struct {
	// Actor is the mediator's code: the section's actor, or the channel's
	// mediator when not given.
	Actor string
	// Ideal (m, 0 = the first party's position, 1 = the second's) and
	// ConflictCost (kM) decide whether it is credible (A4). Each is the
	// section's value, else the actor's in the actors section; ConflictCost is
	// 0.1 when neither says (MODELS.md D).
	Ideal, ConflictCost float64
	// Accuracy is the probability that its report of a side's type is right, in
	// [0.5, 1].
	Accuracy float64
	// EveryDays is how often it reports, in days: on the EveryDays-th day of a
	// run (day EveryDays-1 counted from 0) and every EveryDays days after.
	EveryDays int
	Pos       Pos
}

// Effect is what a driver moves.
type Effect int

// The effects of MODELS.md B: temptation follows tT0 + beta x indicator,
// capacity kappa0 (1 - indicator)^alpha.
const (
	RaisesTemptation Effect = iota + 1
	LowersCapacity
)

func (e Effect) String() string {
	switch e {
	case RaisesTemptation:
		return "raises temptation"
	case LowersCapacity:
		return "lowers capacity"
	}
	return fmt.Sprintf("Effect(%d)", int(e))
}

// Driver is an indicator that moves one party's temptation or capacity.
type Driver struct {
	// Indicator names it (EVENTS.md: "USA->IRN.pressure", "IRN.instability").
	Indicator string
	Effect    Effect
	// Of is the party whose temptation or capacity it moves.
	Of string
	// Coef is beta for temptation (tT = tT0 + beta x), alpha for capacity
	// (kappa = kappa0 (1 - x)^alpha); not negative.
	Coef float64
	// Path is the indicator's course in a simulation, by day from the start,
	// days strictly increasing; values of a capacity driver lie in [0, 1].
	Path []PathPoint
	// Noise is the standard deviation of a normal deviation added to the path
	// each day of a simulation; 0 for none.
	Noise float64
	Pos   Pos
}

// PathPoint is the value of a driver on a day.
type PathPoint struct {
	Day   int
	Value float64
}

// At returns the path's value on day d: linear between points, the first value
// before the first point and the last after the last.
func (d *Driver) At(day float64) float64 {
	p := d.Path
	if len(p) == 0 {
		return 0
	}
	if day <= float64(p[0].Day) {
		return p[0].Value
	}
	for i := 1; i < len(p); i++ {
		if day <= float64(p[i].Day) {
			a, b := p[i-1], p[i]
			f := (day - float64(a.Day)) / float64(b.Day-a.Day)
			return a.Value + f*(b.Value-a.Value)
		}
	}
	return p[len(p)-1].Value
}

// RedlineHazard is the daily probability that a red line of the scenario is
// crossed, which lapses the assurances it releases and ends the channel.
type RedlineHazard struct {
	Redline string
	PerDay  float64
	Pos     Pos
}

// ErrNoModel is returned by ModelConfig for a scenario without a model section.
var ErrNoModel = errors.New("the scenario has no model section")

// maxIncidentsPerDay bounds the incident rate, so a simulator can tabulate the
// Poisson distribution once.
const maxIncidentsPerDay = 100

// modelFields are the section's names, in the order of MODELS.md.
var modelFields = []string{"horizon_days", "c", "priors", "temptation", "capacity", "hazard_untrustworthy",
	"incidents_per_day", "misperception", "likelihood_ratios", "mediator", "drivers", "redline_hazards"}

// ModelConfig reads the model section. It returns ErrNoModel when there is none,
// and otherwise every problem found, as an ErrorList located in the scenario's
// file: unknown or missing fields, values out of range, actors, parties and red
// lines the scenario does not declare.
func (s *Scenario) ModelConfig() (*Model, error) {
	if s.Model == nil {
		return nil, ErrNoModel
	}
	l := &modelLoader{loader: loader{Checker: yamldoc.Checker{File: s.Path}, s: s}}
	m := l.model(s.Model)
	if len(l.Errs) > 0 {
		l.Errs.Sort()
		return nil, l.Errs
	}
	return m, nil
}

type modelLoader struct{ loader }

func (l *modelLoader) model(n *yaml.Node) *Model {
	m := &Model{HorizonDays: l.s.HorizonDays, Pos: l.Pos(n)}
	f := l.Fields(n, "model", modelFields...)
	if n.Kind != yaml.MappingNode {
		return m
	}
	for _, key := range []string{"c", "priors", "temptation", "hazard_untrustworthy"} {
		if f[key] == nil {
			l.Errorf(n, "model: missing %s", key)
		}
	}
	if v := f["horizon_days"]; v != nil {
		if d, ok := l.Int(v, "model.horizon_days"); ok {
			l.days(v, "model.horizon_days", d, 1)
			m.HorizonDays = d
		}
	}
	if v := f["c"]; v != nil {
		m.C = l.positive(v, "model.c")
	}
	m.Priors = l.byParty(f["priors"], "model.priors", "a probability that it is trustworthy", l.unit, true)
	m.Temptation = l.byParty(f["temptation"], "model.temptation", "a trustworthy side's temptation", l.temptation, true)
	m.Capacity = l.byParty(f["capacity"], "model.capacity", "a probability of control", l.unit, false)
	for _, p := range l.s.Channel.Parties {
		if _, ok := m.Capacity[p]; !ok && p != "" {
			m.Capacity[p] = 1
		}
	}
	if v := f["hazard_untrustworthy"]; v != nil {
		m.HazardUntrustworthy, _ = l.Float(v, "model.hazard_untrustworthy", 0, 1)
	}
	if v := f["incidents_per_day"]; v != nil {
		m.IncidentsPerDay, _ = l.Float(v, "model.incidents_per_day", 0, maxIncidentsPerDay)
	}
	if v := f["misperception"]; v != nil {
		m.Misperception = l.misperception(v)
	} else if m.IncidentsPerDay > 0 {
		l.Errorf(n, "model: missing misperception ({trustworthy: P, untrustworthy: P}); incidents_per_day is above 0")
	}
	if v := f["likelihood_ratios"]; v != nil {
		m.LikelihoodRatios = l.likelihoodRatios(v)
	}
	if v := f["mediator"]; v != nil {
		m.Mediator = l.mediator(v)
	}
	if v := f["drivers"]; v != nil {
		for i, item := range l.Sequence(v, "model.drivers") {
			if d, ok := l.driver(item, fmt.Sprintf("model.drivers[%d]", i)); ok {
				m.Drivers = append(m.Drivers, d)
			}
		}
	}
	if v := f["redline_hazards"]; v != nil {
		m.RedlineHazards = l.redlineHazards(v)
	}
	return m
}

// positive reads a finite number above 0.
func (l *modelLoader) positive(n *yaml.Node, what string) float64 {
	v, ok := l.Float(n, what, 0, math.MaxFloat64)
	if ok && v == 0 {
		l.Errorf(n, "%s: 0 is out of range; want a number above 0", what)
	}
	return v
}

// nonNegative reads a finite number of at least 0.
func (l *modelLoader) nonNegative(n *yaml.Node, what string) float64 {
	v, ok := l.Float(n, what, -math.MaxFloat64, math.MaxFloat64)
	if ok && v < 0 {
		l.Errorf(n, "%s: %v is out of range; want 0 or more", what, v)
	}
	return v
}

// days checks a whole number of days against [lo, 36500], the bound of the
// scenario's horizon_days.
func (l *modelLoader) days(n *yaml.Node, what string, d, lo int) bool {
	if d < lo || d > 36500 {
		l.Errorf(n, "%s: %d is out of range; want %d to 36500 days", what, d, lo)
		return false
	}
	return true
}

func (l *modelLoader) unit(n *yaml.Node, what string) (float64, bool) { return l.Float(n, what, 0, 1) }

// temptation reads a number in [0, 1).
func (l *modelLoader) temptation(n *yaml.Node, what string) (float64, bool) {
	v, ok := l.Float(n, what, 0, 1)
	if ok && v == 1 {
		l.Errorf(n, "%s: 1 is out of range; want 0 to below 1 (a trustworthy side's temptation is below the value of mutual restraint, 1)", what)
		return v, false
	}
	return v, ok
}

// byParty reads a mapping from declared actors to numbers that num reads; with
// required, every party of the channel must have one.
func (l *modelLoader) byParty(n *yaml.Node, what, meaning string, num func(*yaml.Node, string) (float64, bool), required bool) map[string]float64 {
	out := map[string]float64{}
	if n == nil {
		return out
	}
	l.Mapping(n, what, func(k, v *yaml.Node) {
		code := l.actorRef(k, what)
		if x, ok := num(v, what+"."+k.Value); ok && code != "" {
			out[code] = x
		}
	})
	if !required || n.Kind != yaml.MappingNode {
		return out
	}
	for _, p := range l.s.Channel.Parties {
		if _, ok := out[p]; !ok && p != "" && !l.hasKey(n, p) {
			l.Errorf(n, "%s: missing %s; every party of the channel needs %s", what, p, meaning)
		}
	}
	return out
}

func (l *modelLoader) hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// required reports the fields of a mapping that are missing.
func (l *modelLoader) required(n *yaml.Node, what string, f map[string]*yaml.Node, keys ...string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, key := range keys {
		if f[key] == nil {
			l.Errorf(n, "%s: missing %s", what, key)
		}
	}
}

func (l *modelLoader) misperception(n *yaml.Node) Misperception {
	const what = "model.misperception"
	f := l.Fields(n, what, "trustworthy", "untrustworthy")
	l.required(n, what, f, "trustworthy", "untrustworthy")
	var p Misperception
	if v := f["trustworthy"]; v != nil {
		p.Trustworthy, _ = l.Float(v, what+".trustworthy", 0, 1)
	}
	if v := f["untrustworthy"]; v != nil {
		p.Untrustworthy, _ = l.Float(v, what+".untrustworthy", 0, 1)
	}
	return p
}

func (l *modelLoader) likelihoodRatios(n *yaml.Node) map[string]float64 {
	const what = "model.likelihood_ratios"
	out := map[string]float64{}
	l.Mapping(n, what, func(k, v *yaml.Node) {
		root := k.Value
		if len(root) != 2 || !cameo.ValidSyntax(root) {
			l.Errorf(k, "%s: %q is not a CAMEO root; want two digits from \"01\" to \"20\" (quote them)", what, root)
			return
		}
		if x := l.positive(v, what+"."+root); x > 0 {
			out[root] = x
		}
	})
	return out
}

func (l *modelLoader) mediator(n *yaml.Node) *ModelMediator {
	const what = "model.mediator"
	f := l.Fields(n, what, "actor", "ideal", "conflict_cost", "accuracy", "every_days")
	if n.Kind != yaml.MappingNode {
		return nil
	}
	l.required(n, what, f, "accuracy", "every_days")
	m := &ModelMediator{Actor: l.s.Channel.Mediator, ConflictCost: 0.1, Pos: l.Pos(n)}
	if v := f["actor"]; v != nil {
		m.Actor = l.actorRef(v, what+".actor")
		if slices.Contains(l.s.Channel.Parties, m.Actor) {
			l.Errorf(v, "%s.actor: %s is a party of the channel; a mediator is not a party", what, m.Actor)
		}
	}
	a, _ := l.s.Actor(m.Actor)
	switch {
	case f["ideal"] != nil:
		m.Ideal, _ = l.Float(f["ideal"], what+".ideal", 0, 1)
	case a.Ideal != nil:
		m.Ideal = *a.Ideal
	case m.Actor != "":
		l.Errorf(n, "%s: missing ideal (0 = %s's position, 1 = the other party's); give it here or as actors.%s.ideal", what, l.firstParty(), m.Actor)
	}
	switch {
	case f["conflict_cost"] != nil:
		m.ConflictCost = l.nonNegative(f["conflict_cost"], what+".conflict_cost")
	case a.ConflictCost != nil:
		m.ConflictCost = *a.ConflictCost
	}
	if v := f["accuracy"]; v != nil {
		m.Accuracy, _ = l.Float(v, what+".accuracy", 0.5, 1)
	}
	if v := f["every_days"]; v != nil {
		if d, ok := l.Int(v, what+".every_days"); ok && l.days(v, what+".every_days", d, 1) {
			m.EveryDays = d
		}
	}
	return m
}

func (l *modelLoader) firstParty() string {
	if len(l.s.Channel.Parties) == 0 {
		return "the first party"
	}
	return l.s.Channel.Parties[0]
}

func (l *modelLoader) driver(n *yaml.Node, what string) (Driver, bool) {
	f := l.Fields(n, what, "indicator", "raises", "lowers", "of", "beta", "alpha", "path", "noise")
	if n.Kind != yaml.MappingNode {
		return Driver{}, false
	}
	l.required(n, what, f, "indicator", "of", "path")
	d := Driver{Pos: l.Pos(n)}
	errs := len(l.Errs)
	if v := f["indicator"]; v != nil {
		d.Indicator = l.Str(v, what+".indicator")
		if err := event.ValidIndicatorName(d.Indicator); err != nil && d.Indicator != "" {
			l.Errorf(v, "%s.indicator: %v", what, err)
		}
	}
	coef := l.effect(n, what, f, &d)
	if coef != "" && f[coef] != nil {
		d.Coef = l.nonNegative(f[coef], what+"."+coef)
	}
	if v := f["of"]; v != nil {
		d.Of = l.actorRef(v, what+".of")
		if d.Of != "" && !slices.Contains(l.s.Channel.Parties, d.Of) {
			l.Errorf(v, "%s.of: %s is not a party of the channel (%s); a driver moves a party's temptation or capacity",
				what, d.Of, strings.Join(l.s.Channel.Parties, ", "))
		}
	}
	if v := f["path"]; v != nil {
		d.Path = l.path(v, what+".path", d.Effect == LowersCapacity)
	}
	if v := f["noise"]; v != nil {
		d.Noise = l.nonNegative(v, what+".noise")
	}
	return d, len(l.Errs) == errs
}

// effect reads raises or lowers and returns the name of the coefficient the
// effect takes, or "" when the effect is wrong.
func (l *modelLoader) effect(n *yaml.Node, what string, f map[string]*yaml.Node, d *Driver) string {
	raises, lowers := f["raises"], f["lowers"]
	var coef, other string
	switch {
	case raises != nil && lowers != nil:
		l.Errorf(lowers, "%s: give raises or lowers, not both", what)
		return ""
	case raises != nil:
		if l.Str(raises, what+".raises") != "temptation" {
			l.Errorf(raises, "%s.raises: %s; want temptation (with beta), or lowers: capacity (with alpha)", what, yamldoc.Describe(raises))
			return ""
		}
		d.Effect, coef, other = RaisesTemptation, "beta", "alpha"
	case lowers != nil:
		if l.Str(lowers, what+".lowers") != "capacity" {
			l.Errorf(lowers, "%s.lowers: %s; want capacity (with alpha), or raises: temptation (with beta)", what, yamldoc.Describe(lowers))
			return ""
		}
		d.Effect, coef, other = LowersCapacity, "alpha", "beta"
	default:
		l.Errorf(n, "%s: missing raises: temptation (with beta) or lowers: capacity (with alpha)", what)
		return ""
	}
	if f[coef] == nil {
		l.Errorf(n, "%s: missing %s; %s takes %s", what, coef, d.Effect, coef)
	}
	if f[other] != nil {
		l.Errorf(f[other], "%s.%s: %s takes %s, not %s", what, other, d.Effect, coef, other)
	}
	return coef
}

func (l *modelLoader) path(n *yaml.Node, what string, share bool) []PathPoint {
	items := l.Sequence(n, what)
	if n.Kind == yaml.SequenceNode && len(items) == 0 {
		l.Errorf(n, "%s: empty; want at least one {day, value}", what)
	}
	var out []PathPoint
	for i, item := range items {
		w := fmt.Sprintf("%s[%d]", what, i)
		f := l.Fields(item, w, "day", "value")
		l.required(item, w, f, "day", "value")
		var p PathPoint
		ok := f["day"] != nil && f["value"] != nil
		if v := f["day"]; v != nil {
			d, dok := l.Int(v, w+".day")
			ok = ok && dok && l.days(v, w+".day", d, 0)
			if dok && len(out) > 0 && d <= out[len(out)-1].Day {
				l.Errorf(v, "%s.day: %d is not after day %d of the point before; want days in increasing order", w, d, out[len(out)-1].Day)
				ok = false
			}
			p.Day = d
		}
		if v := f["value"]; v != nil {
			lo, hi := -math.MaxFloat64, math.MaxFloat64
			if share {
				lo, hi = 0, 1 // capacity is kappa0 (1 - x)^alpha
			}
			var vok bool
			p.Value, vok = l.Float(v, w+".value", lo, hi)
			ok = ok && vok
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

func (l *modelLoader) redlineHazards(n *yaml.Node) []RedlineHazard {
	const what = "model.redline_hazards"
	ids := l.redlineIDs()
	var out []RedlineHazard
	for i, item := range l.Sequence(n, what) {
		w := fmt.Sprintf("%s[%d]", what, i)
		f := l.Fields(item, w, "redline", "per_day")
		l.required(item, w, f, "redline", "per_day")
		h := RedlineHazard{Pos: l.Pos(item)}
		if v := f["redline"]; v != nil {
			h.Redline = l.Str(v, w+".redline")
			switch {
			case h.Redline == "":
			case !slices.Contains(ids, h.Redline):
				have := strings.Join(ids, ", ")
				if have == "" {
					have = "none"
				}
				l.Errorf(v, "%s.redline: %q is not a red line of this scenario (have %s)", w, h.Redline, have)
			case slices.ContainsFunc(out, func(o RedlineHazard) bool { return o.Redline == h.Redline }):
				l.Errorf(v, "%s.redline: %s has a hazard already", w, h.Redline)
			}
		}
		if v := f["per_day"]; v != nil {
			h.PerDay, _ = l.Float(v, w+".per_day", 0, 1)
		}
		out = append(out, h)
	}
	return out
}

// redlineIDs returns the ids of the scenario's red lines as written; the
// assurance loader checks the red lines themselves.
func (l *modelLoader) redlineIDs() []string {
	var ids []string
	if l.s.Redlines == nil || l.s.Redlines.Kind != yaml.SequenceNode {
		return nil
	}
	for _, item := range l.s.Redlines.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == "id" {
				ids = append(ids, item.Content[i+1].Value)
			}
		}
	}
	return ids
}
