package credibility

import (
	"errors"
	"math"
	"time"

	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
)

// Indicators is where the drivers' values come from: an *indicator.Calculator
// that has taken in the records (the assurance engine's holds them all).
type Indicators interface {
	// Value returns the indicator's value at t; an error wrapping
	// indicator.ErrNoValue when a numeric indicator has none yet.
	Value(name string, t time.Time) (float64, error)
}

// Driven is a driver's indicator at a time and what it does.
type Driven struct {
	Indicator string `json:"indicator"`
	// Effect is "lowers capacity" or "raises temptation"; Of whose.
	Effect string `json:"effect"`
	Of     string `json:"of"`
	// Coef is alpha for capacity, beta for temptation.
	Coef float64 `json:"coef"`
	// Value is the indicator's value, nil when a numeric indicator has none
	// yet (the driver then contributes nothing).
	Value *float64 `json:"value"`
}

// capacity returns kappa_i(t) = kappa0_i prod (1 - x)^alpha over the drivers
// that lower i's capacity, x clipped to [0, 1], with those drivers' values. An
// actor the model gives no capacity (not a party) has kappa0 = 1.
func (a *Assessor) capacity(i string, t time.Time) (float64, []Driven, error) {
	k, ok := a.model.Capacity[i]
	if !ok {
		k = 1
	}
	ds, err := a.driven(i, scenario.LowersCapacity, t)
	for _, d := range ds {
		if d.Value != nil {
			k *= math.Pow(1-min(max(*d.Value, 0), 1), d.Coef)
		}
	}
	return k, ds, err
}

// temptation returns tT_j(t) = tT0_j + sum beta x over the drivers that raise
// j's temptation, with those drivers' values.
func (a *Assessor) temptation(j string, t time.Time) (float64, []Driven, error) {
	tT := a.model.Temptation[j]
	ds, err := a.driven(j, scenario.RaisesTemptation, t)
	for _, d := range ds {
		if d.Value != nil {
			tT += d.Coef * *d.Value
		}
	}
	return tT, ds, err
}

// driven reads, at t, the drivers with effect e on actor of.
func (a *Assessor) driven(of string, e scenario.Effect, t time.Time) ([]Driven, error) {
	var out []Driven
	for _, d := range a.model.Drivers {
		if d.Of != of || d.Effect != e {
			continue
		}
		dv := Driven{Indicator: d.Indicator, Effect: e.String(), Of: of, Coef: d.Coef}
		v, err := a.ind.Value(d.Indicator, t)
		switch {
		case errors.Is(err, indicator.ErrNoValue):
		case err != nil:
			return nil, err
		default:
			dv.Value = &v
		}
		out = append(out, dv)
	}
	return out, nil
}
