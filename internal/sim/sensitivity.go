package sim

import (
	"context"
	"slices"
)

// Levels are the scales at which Sensitivity runs each driver: its effect
// multiplied by 0 (the driver absent) to 2 (doubled) in quarters; 1 is the
// driver as written.
var Levels = []float64{0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2}

// DriverSensitivity is p_war with and without the channel as one driver's path is
// scaled, the others as written.
type DriverSensitivity struct {
	Indicator string  `json:"indicator"`
	Of        string  `json:"of"`
	Effect    string  `json:"effect"` // "temptation" or "capacity"
	Levels    []Level `json:"levels"`
}

// Level is one scale of a driver.
type Level struct {
	Scale         float64    `json:"scale"`
	PWarWithout   float64    `json:"p_war_without"`
	PWarWithoutCI [2]float64 `json:"p_war_without_ci95"`
	PWarWith      float64    `json:"p_war_with"`
	PWarWithCI    [2]float64 `json:"p_war_with_ci95"`
	// Reduction is p_war without - p_war with, and ReductionSE its standard
	// error (on the paired runs, as Result.RiskReduction).
	Reduction   float64 `json:"reduction"`
	ReductionSE float64 `json:"reduction_se"`
}

// SensitivityRuns is the number of runs Sensitivity makes for levels with o:
// o.Runs for each level but 1 of each driver, which base already holds.
func (s *Sim) SensitivityRuns(o Options, levels []float64) int {
	n := len(levels)
	if slices.Contains(levels, 1) {
		n--
	}
	return n * len(s.cfg.Model.Drivers) * o.Runs
}

// Sensitivity scales each driver's effect to each of levels in turn and runs
// the simulation again with the same options, so every level shares base's
// random numbers; base is the result of s.Run(o) and stands for scale 1. It sets
// and returns base.Sensitivity.
//
// Scaling by f multiplies the driver's coefficient: a temptation driver adds
// f beta x, which is its path and noise scaled by f; a capacity driver leaves
// (1 - x)^(f alpha), the share of control it leaves raised to the power f
// (doubled, the loss compounds: 0.66 becomes 0.44). A capacity driver's path is
// not scaled: its indicator lies in [0, 1], and a scaled path clipped at 1 would
// take all control from some scale on (for the bundled scenario's peak of 0.75,
// from 4/3), making every higher scale the same certain war.
func (s *Sim) Sensitivity(ctx context.Context, o Options, levels []float64, base *Result) ([]DriverSensitivity, error) {
	m := s.cfg.Model
	var out []DriverSensitivity
	for i, d := range m.Drivers {
		ds := DriverSensitivity{Indicator: d.Indicator, Of: d.Of, Effect: effectName(d.Effect)}
		for _, f := range levels {
			r := base
			if f != 1 {
				var err error
				if r, err = s.scaled(i, f).Run(ctx, o); err != nil {
					return nil, err
				}
			}
			ds.Levels = append(ds.Levels, Level{Scale: f, PWarWithout: r.Without.PWar, PWarWithoutCI: r.Without.PWarCI,
				PWarWith: r.With.PWar, PWarWithCI: r.With.PWarCI, Reduction: r.RiskReduction.Absolute,
				ReductionSE: r.RiskReduction.SE})
		}
		out = append(out, ds)
	}
	base.Sensitivity = out
	return out, nil
}

// scaled is s with driver i's effect multiplied by f.
func (s *Sim) scaled(i int, f float64) *Sim {
	m := *s.cfg.Model
	m.Drivers = slices.Clone(m.Drivers)
	m.Drivers[i].Coef *= f
	cfg := s.cfg
	cfg.Model = &m
	cfg.HorizonDays = s.horizon
	scaled, err := New(cfg)
	if err != nil {
		panic("sim: a scaled driver made the model invalid: " + err.Error()) // scaling keeps every value in range
	}
	return scaled
}
