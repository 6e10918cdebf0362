package credibility

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"backchannel/internal/assurance"
	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
	"backchannel/internal/theory"
)

// Status says whether an assurance reassures its beneficiary at a time.
type Status string

// The statuses. An assurance that is not in force reassures no one.
const (
	Reassures       Status = "reassures"
	DoesNotReassure Status = "does not reassure"
	NotInForce      Status = "not in force"
)

// Number is a float64 that writes +Inf and NaN as JSON null: a threshold no
// belief reaches is infinite.
type Number float64

// MarshalJSON writes the number, or null when it is not finite.
func (n Number) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(n), 0) || math.IsNaN(float64(n)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// Point is an assurance's credibility at one time.
type Point struct {
	Time time.Time `json:"time"`
	// Lifecycle is where the assurance stands (assurance.InForce, ...).
	Lifecycle   assurance.Status `json:"lifecycle"`
	Intention   float64          `json:"intention"`
	Capacity    float64          `json:"capacity"`
	Credibility float64          `json:"credibility"`
	// Temptation is the beneficiary's, tT_j; Threshold is q*(tT_j) and Margin
	// Credibility - Threshold.
	Temptation float64 `json:"temptation"`
	Threshold  Number  `json:"threshold"`
	Margin     Number  `json:"margin"`
	Status     Status  `json:"status"`
	// Indicators holds the values of the drivers behind capacity and
	// temptation, nil where a numeric indicator has none yet.
	Indicators map[string]*float64 `json:"indicators"`
}

// Config is what an Assessor reads.
type Config struct {
	// Model is the scenario's model section.
	Model *scenario.Model
	// Start is the scenario's start: beliefs stand at their priors then, and
	// records before it only prime the indicators.
	Start time.Time
	// Assurances are the lifecycles as the assurance engine ran them
	// (assurance.Result.Assurances).
	Assurances []assurance.AssuranceResult
	// Indicators give the drivers' values.
	Indicators Indicators
	// Names are the actors' names by code, for text; a code stands for
	// itself where none is given.
	Names map[string]string
}

// Assessor computes the credibility of a scenario's assurances at any time.
// Give it the records with Observe (in any order), then ask. It is not safe
// for concurrent use.
type Assessor struct {
	model  *scenario.Model
	start  time.Time
	ratios map[string]float64
	ind    Indicators
	names  map[string]string
	as     []assurance.AssuranceResult
	// beliefs by dyad, for the dyads the assurances name.
	beliefs map[dyad]*belief
	// mediator says why conveyances by each assurance's mediator move
	// belief or not.
	mediator []MediatorView
	// latest is the time of the latest record observed.
	latest time.Time
}

// MediatorView says whether the mediator that carried an assurance moves the
// beneficiary's belief, and why.
type MediatorView struct {
	Actor    string  `json:"actor"`
	Credible bool    `json:"credible"`
	Accuracy float64 `json:"accuracy,omitempty"`
	// Conveyed is when the beneficiary had the assurance (zero when not yet).
	Conveyed time.Time `json:"conveyed,omitzero"`
	Reason   string    `json:"reason"`
}

// New checks cfg against the model and prepares the beliefs: every issuer
// needs a prior and every beneficiary a temptation, every driver a well-formed
// indicator name, and reassurances conveyed by a credible mediator become
// updates.
func New(cfg Config) (*Assessor, error) {
	m := cfg.Model
	if m == nil {
		return nil, scenario.ErrNoModel
	}
	if cfg.Indicators == nil {
		return nil, fmt.Errorf("credibility: no indicators to read the drivers from")
	}
	for _, d := range m.Drivers {
		if _, err := indicator.ParseName(d.Indicator); err != nil {
			return nil, fmt.Errorf("model driver of %s: %w", d.Of, err)
		}
	}
	a := &Assessor{model: m, start: cfg.Start, ratios: ratios(m.LikelihoodRatios), ind: cfg.Indicators,
		names: cfg.Names, as: cfg.Assurances, beliefs: map[dyad]*belief{}}
	for _, r := range cfg.Assurances {
		prior, ok := m.Priors[r.Issuer]
		if !ok {
			return nil, fmt.Errorf("assurance %s: the model gives its issuer %s no prior (model.priors)", r.ID, r.Issuer)
		}
		if _, ok := m.Temptation[r.Beneficiary]; !ok {
			return nil, fmt.Errorf("assurance %s: the model gives its beneficiary %s no temptation (model.temptation)", r.ID, r.Beneficiary)
		}
		k := dyad{r.Issuer, r.Beneficiary}
		if a.beliefs[k] == nil {
			a.beliefs[k] = newBelief(prior)
		}
		a.mediator = append(a.mediator, a.convey(r))
	}
	return a, nil
}

// convey turns the conveyance of an assurance into an update of the
// beneficiary's belief, when the mediator is the model's and credible.
func (a *Assessor) convey(r assurance.AssuranceResult) MediatorView {
	v := MediatorView{Actor: r.Via}
	for _, h := range r.History {
		if h.Status == assurance.Conveyed || h.Status == assurance.Acknowledged || h.Status == assurance.InForce {
			v.Conveyed = h.Time
			break
		}
	}
	med := a.model.Mediator
	switch {
	case r.Via == "":
		v.Reason = "no mediator carried it: it moves no belief"
		return v
	case med == nil || med.Actor != r.Via:
		v.Reason = fmt.Sprintf("%s is not the model's mediator, so its accuracy is unknown: it moves no belief", a.name(r.Via))
		return v
	}
	v.Accuracy = med.Accuracy
	lo, hi, ok := theory.MediatorInterval(med.ConflictCost)
	v.Credible = theory.MediatorCredible(med.Ideal, med.ConflictCost)
	switch {
	case !ok:
		v.Reason = fmt.Sprintf("%s is not credible (A4): conflict cost %.2f above 0.50, it cares more about peace than the terms; it moves no belief", a.name(r.Via), med.ConflictCost)
		return v
	case !v.Credible:
		v.Reason = fmt.Sprintf("%s is not credible (A4): ideal %.2f outside [%.2f, %.2f]; it moves no belief", a.name(r.Via), med.Ideal, lo, hi)
		return v
	}
	v.Reason = fmt.Sprintf("%s is credible (A4): ideal %.2f inside [%.2f, %.2f]; its report is right with probability %.2f", a.name(r.Via), med.Ideal, lo, hi, med.Accuracy)
	switch {
	case v.Conveyed.IsZero():
		v.Reason += "; not yet conveyed"
	case v.Conveyed.Before(a.start):
		v.Reason += "; conveyed before the scenario's start, so in the prior"
	default:
		a.beliefs[dyad{r.Issuer, r.Beneficiary}].add(Update{Time: v.Conveyed, By: ByMediator, Mediator: r.Via,
			Assurance: r.ID, PT: med.Accuracy, PU: 1 - med.Accuracy})
	}
	return v
}

// Observe takes a record. A public event on or after the start from an
// issuer to its beneficiary whose root has a likelihood ratio updates the
// beneficiary's belief, once per day and root.
func (a *Assessor) Observe(r *event.Record) {
	if t := r.Time(); t.After(a.latest) {
		a.latest = t
	}
	if r.Kind != event.KindEvent || !r.Event.Public || r.Event.Time.Before(a.start) {
		return
	}
	e := &r.Event
	b := a.beliefs[dyad{e.Source.Country, e.Target.Country}]
	ratio, ok := a.ratios[e.Root()]
	if b == nil || !ok || ratio == 1 {
		return
	}
	pT, pU := likelihoods(ratio)
	b.add(Update{Time: e.Time, By: ByAction, Root: e.Root(), Record: e.ID, PT: pT, PU: pU})
}

// point computes assurance k's credibility at t.
func (a *Assessor) point(k int, t time.Time) (Point, []Driven, error) {
	r := &a.as[k]
	p := Point{Time: t, Lifecycle: lifecycle(r, t)}
	p.Intention, _ = a.beliefs[dyad{r.Issuer, r.Beneficiary}].at(t)
	kappa, capDrivers, err := a.capacity(r.Issuer, t)
	if err != nil {
		return p, nil, err
	}
	tT, tempDrivers, err := a.temptation(r.Beneficiary, t)
	if err != nil {
		return p, nil, err
	}
	p.Capacity, p.Temptation = kappa, tT
	p.Credibility = p.Intention * p.Capacity
	thr := theory.QStar(tT, a.model.C)
	p.Threshold, p.Margin = Number(thr), Number(p.Credibility-thr)
	switch {
	case p.Lifecycle != assurance.InForce:
		p.Status = NotInForce
	case p.Credibility >= thr-theory.Tol:
		p.Status = Reassures
	default:
		p.Status = DoesNotReassure
	}
	drivers := slices.Concat(capDrivers, tempDrivers)
	p.Indicators = map[string]*float64{}
	for _, d := range drivers {
		p.Indicators[d.Indicator] = d.Value
	}
	return p, drivers, nil
}

// lifecycle returns where r stood at t: the last transition at or before t,
// or acknowledged before the first (an assurance loaded from a file waits for
// its from so).
func lifecycle(r *assurance.AssuranceResult, t time.Time) assurance.Status {
	s := assurance.Acknowledged
	for _, h := range r.History {
		if h.Time.After(t) {
			break
		}
		s = h.Status
	}
	return s
}

func (a *Assessor) name(code string) string {
	if n := a.names[code]; n != "" {
		return n
	}
	return code
}
