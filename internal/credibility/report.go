package credibility

import (
	"errors"
	"fmt"
	"time"

	"backchannel/internal/assurance"
)

// Assessment is one assurance assessed at a time: the numbers, what lies
// behind them, and their course from the scenario's start.
type Assessment struct {
	ID string `json:"id"`
	// From is the issuer, To the beneficiary, Via the mediator that carried it.
	From string `json:"from"`
	To   string `json:"to"`
	Via  string `json:"via,omitempty"`
	// Point is the assessment at the time asked.
	Point
	// Short names what keeps it from reassuring (see Shortfall); "" when it
	// reassures or is not in force.
	Short Shortfall `json:"short,omitempty"`
	// Reason says in a sentence whether it reassures and why.
	Reason string `json:"reason"`
	// Prior is the beneficiary's belief at the start; Capacity0 and
	// Temptation0 are kappa0 of the issuer and tT0 of the beneficiary.
	Prior       float64 `json:"prior"`
	Capacity0   float64 `json:"capacity0"`
	Temptation0 float64 `json:"temptation0"`
	// Drivers are the indicators behind capacity and temptation at the time.
	Drivers []Driven `json:"drivers"`
	// Updates are the steps of the belief up to the time.
	Updates  []Update     `json:"updates"`
	Mediator MediatorView `json:"mediator"`
	// Conveyed is the assessment when the beneficiary had the assurance; nil
	// when that is after the time asked. Lowest is the day with the lowest
	// margin while it was in force; nil when it never was.
	Conveyed *Point `json:"conveyed,omitempty"`
	Lowest   *Point `json:"lowest,omitempty"`
	// Series is the assessment day by day at 00:00 UTC from the scenario's
	// start, and at the time asked.
	Series []Point `json:"series"`
}

// Report is every assurance of a scenario assessed at one time.
type Report struct {
	// Scenario is the scenario's name, for a title; the caller sets it.
	Scenario string    `json:"scenario,omitempty"`
	At       time.Time `json:"at"`
	Start    time.Time `json:"start"`
	// C is the cost of being struck first while holding, in q*(t) = c / (1 - t + c).
	C          float64      `json:"c"`
	Assurances []Assessment `json:"assurances"`
	names      map[string]string
}

// MaxSeriesDays bounds a series, so that a time typed a century off fails
// with a message instead of filling memory: 100 years of days, the bound of a
// scenario's horizon.
const MaxSeriesDays = 36500

// ErrLongSeries is returned by Assess for a time more than MaxSeriesDays after
// the start.
var ErrLongSeries = errors.New("series too long")

// Days returns the times of a series to at: each day at 00:00 UTC from the
// start's day, then at itself when it falls between days. Before the start it
// is at alone.
func (a *Assessor) Days(at time.Time) []time.Time {
	var out []time.Time
	for t := a.start.Truncate(24 * time.Hour); !t.After(at); t = t.Add(24 * time.Hour) {
		out = append(out, t)
	}
	if len(out) == 0 || !out[len(out)-1].Equal(at) {
		out = append(out, at)
	}
	return out
}

// Assess assesses every assurance at at, with its series from the start.
func (a *Assessor) Assess(at time.Time) (*Report, error) {
	if at.Sub(a.start) > MaxSeriesDays*24*time.Hour {
		return nil, fmt.Errorf("%w: %s is more than %d days after the start %s", ErrLongSeries, day(at), MaxSeriesDays, day(a.start))
	}
	rep := &Report{At: at, Start: a.start, C: a.model.C, Assurances: []Assessment{}, names: a.names}
	days := a.Days(at)
	for k, r := range a.as {
		p, drivers, err := a.point(k, at)
		if err != nil {
			return nil, err
		}
		as := Assessment{ID: r.ID, From: r.Issuer, To: r.Beneficiary, Via: r.Via, Point: p,
			Prior: a.beliefs[dyad{r.Issuer, r.Beneficiary}].prior, Capacity0: a.capacity0(r.Issuer),
			Temptation0: a.model.Temptation[r.Beneficiary], Drivers: drivers, Mediator: a.mediator[k],
			Updates: a.beliefs[dyad{r.Issuer, r.Beneficiary}].upTo(at)}
		if as.Drivers == nil {
			as.Drivers = []Driven{}
		}
		as.Series = make([]Point, 0, len(days))
		for _, t := range days {
			p, _, err := a.point(k, t)
			if err != nil {
				return nil, err
			}
			as.Series = append(as.Series, p)
			if p.Lifecycle == assurance.InForce && (as.Lowest == nil || p.Margin < as.Lowest.Margin) {
				as.Lowest = &p
			}
		}
		if c := as.Mediator.Conveyed; !c.IsZero() && !c.After(at) {
			p, _, err := a.point(k, c)
			if err != nil {
				return nil, err
			}
			as.Conveyed = &p
		}
		as.Short, as.Reason = a.explain(&as, &r)
		rep.Assurances = append(rep.Assurances, as)
	}
	return rep, nil
}

func (a *Assessor) capacity0(i string) float64 {
	if k, ok := a.model.Capacity[i]; ok {
		return k
	}
	return 1
}
