package sim

import (
	"context"
	"slices"

	"backchannel/internal/scenario"
)

// Levels are the scales at which Sensitivity runs each driver: its path
// multiplied by 0 (the driver absent) to 2 (doubled) in quarters; 1 is the path
// as written.
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
	// Reduction is p_war without - p_war with.
	Reduction float64 `json:"reduction"`
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

// Sensitivity scales each driver's path (values of a capacity driver are clipped
// to [0, 1]) to each of levels in turn and runs the simulation again with the
// same options, so every level shares base's random numbers; base is the result
// of s.Run(o) and stands for scale 1. It sets and returns base.Sensitivity.
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
				PWarWith: r.With.PWar, PWarWithCI: r.With.PWarCI, Reduction: r.RiskReduction.Absolute})
		}
		out = append(out, ds)
	}
	base.Sensitivity = out
	return out, nil
}

// scaled is s with driver i's path multiplied by f.
func (s *Sim) scaled(i int, f float64) *Sim {
	m := *s.cfg.Model
	m.Drivers = slices.Clone(m.Drivers)
	d := &m.Drivers[i]
	d.Path = slices.Clone(d.Path)
	for j := range d.Path {
		d.Path[j].Value *= f
		if d.Effect == scenario.LowersCapacity {
			d.Path[j].Value = min(d.Path[j].Value, 1)
		}
	}
	d.Noise *= f
	cfg := s.cfg
	cfg.Model = &m
	cfg.HorizonDays = s.horizon
	scaled, err := New(cfg)
	if err != nil {
		panic("sim: a scaled driver made the model invalid: " + err.Error()) // scaling keeps every value in range
	}
	return scaled
}
