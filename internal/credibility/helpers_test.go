package credibility

import (
	"fmt"
	"math"
	"testing"
	"time"

	"backchannel/internal/assurance"
	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
)

// start is the scenario start of the hand-made cases.
var start = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)

func dayN(n int) time.Time { return start.AddDate(0, 0, n) }

// fixed is an Indicators with constant values; a name it lacks has no value.
type fixed map[string]float64

func (f fixed) Value(name string, _ time.Time) (float64, error) {
	v, ok := f[name]
	if !ok {
		return 0, fmt.Errorf("%w: %s", indicator.ErrNoValue, name)
	}
	return v, nil
}

// testModel is the MODELS.md example, c = 1: ISR and IRN at prior 0.6 and
// temptation 0.5, IRN's capacity 0.9 lowered by its instability (alpha 1),
// ISR's temptation raised by US pressure on Iran (beta 0.5), Russia credible
// (ideal 0.6, conflict cost 0.1) with accuracy 0.85.
func testModel() *scenario.Model {
	return &scenario.Model{
		C:          1,
		Priors:     map[string]float64{"ISR": 0.6, "IRN": 0.6},
		Temptation: map[string]float64{"ISR": 0.5, "IRN": 0.5},
		Capacity:   map[string]float64{"ISR": 1, "IRN": 0.9},
		Mediator:   &scenario.ModelMediator{Actor: "RUS", Ideal: 0.6, ConflictCost: 0.1, Accuracy: 0.85, EveryDays: 7},
		Drivers: []scenario.Driver{
			{Indicator: "USA->IRN.pressure", Effect: scenario.RaisesTemptation, Of: "ISR", Coef: 0.5},
			{Indicator: "IRN.instability", Effect: scenario.LowersCapacity, Of: "IRN", Coef: 1},
		},
	}
}

// inForce is an assurance loaded from a file: in force from day from, and
// the transitions after.
func inForce(id, issuer, beneficiary, via string, from int, later ...assurance.Transition) assurance.AssuranceResult {
	h := append([]assurance.Transition{{Status: assurance.InForce, Time: dayN(from)}}, later...)
	return assurance.AssuranceResult{ID: id, Issuer: issuer, Beneficiary: beneficiary, Via: via, Status: h[len(h)-1].Status, History: h}
}

func mustNew(t *testing.T, m *scenario.Model, ind Indicators, as ...assurance.AssuranceResult) *Assessor {
	t.Helper()
	a, err := New(Config{Model: m, Start: start, Assurances: as, Indicators: ind,
		Names: map[string]string{"ISR": "Israel", "IRN": "Iran", "RUS": "Russia"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// act is a public event from source to target with the given code.
func act(id string, at time.Time, source, target, code string) *event.Record {
	return &event.Record{Kind: event.KindEvent, Event: event.Event{ID: id, Time: at, Code: code, Public: true,
		Source: event.Actor{Country: source}, Target: event.Actor{Country: target}}}
}

func pointAt(t *testing.T, a *Assessor, k int, at time.Time) Point {
	t.Helper()
	p, _, err := a.point(k, at)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func near(a, b float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-9
}
