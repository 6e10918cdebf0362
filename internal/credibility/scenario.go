package credibility

import (
	"fmt"
	"slices"
	"time"

	"backchannel/internal/assurance"
	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
)

// FromScenario reads the scenario's model and assurances, runs the assurances'
// lifecycle (the assurance engine, with the default indicator window) over
// recs, and returns an Assessor that has observed them. It sorts recs by time,
// stably, in place: records at one time keep their order, as the lifecycle
// requires. The errors of the model section and of the assurances are those of
// scenario.ModelConfig (scenario.ErrNoModel among them) and assurance.Compile,
// located in the scenario's file.
func FromScenario(sc *scenario.Scenario, recs []event.Record) (*Assessor, error) {
	if sc.Standalone {
		return nil, fmt.Errorf("%s is an assurance file: it has no model or channel; give a scenario", sc.Path)
	}
	model, err := sc.ModelConfig()
	if err != nil {
		return nil, err
	}
	set, err := assurance.Compile(sc)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(recs, func(a, b event.Record) int { return a.Time().Compare(b.Time()) })
	eng, err := assurance.NewEngine(set, indicator.Options{})
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if err := eng.Step(&recs[i], assurance.Source{ID: recs[i].Event.ID}); err != nil {
			return nil, err
		}
	}
	res := eng.Finish(set.End)
	names := map[string]string{}
	for _, act := range sc.Actors {
		names[act.Code] = act.Name
	}
	a, err := New(Config{Model: model, Start: sc.Start, Assurances: res.Assurances, Indicators: eng.Calculator(), Names: names})
	if err != nil {
		return nil, err
	}
	for i := range recs {
		a.Observe(&recs[i])
	}
	return a, nil
}

// Latest returns the time of the latest record observed, or the start when
// there was none: the default time of an assessment.
func (a *Assessor) Latest() time.Time {
	if a.latest.IsZero() {
		return a.start
	}
	return a.latest
}
