package sim

import (
	"errors"
	"fmt"
	"math"
	"time"

	"backchannel/internal/scenario"
	"backchannel/internal/theory"
)

// Config is what a simulation is built from.
type Config struct {
	// Model is the scenario's model section.
	Model *scenario.Model
	// Parties are the two sides, by the codes the model's priors use; the first
	// is position 0 of the mediator's ideal point.
	Parties [2]string
	// HorizonDays overrides the model's horizon when above 0.
	HorizonDays int
	// Start is the date of day 0, for reports; the simulation does not read it.
	Start time.Time
}

// MaxHorizonDays bounds the horizon, as the scenario's horizon_days is bounded.
const MaxHorizonDays = 36500

// Sim is a simulation ready to run: the model compiled into per-day tables.
// It is not changed by running and may run from several goroutines at once.
type Sim struct {
	cfg     Config
	horizon int
	c       float64
	prior   [2]float64 // P(side is trustworthy)
	hazard  float64
	misT    float64 // P(incident looks hostile | in control, trustworthy)
	misU    float64 // P(incident looks hostile | untrustworthy, or out of control)
	// poisson is the CDF of the day's incident count, nil without incidents;
	// its last entry is 1 (a tail below 1e-16 is cut).
	poisson []float64

	credible bool // the mediator is believed (A4)
	accuracy float64
	every    int
	redlines []float64 // daily hazards that end the channel

	// fixed holds, by day, both sides' temptation, capacity and q* from the
	// drivers without noise; noisy drivers are added each day.
	fixed     []sides
	noisy     []noisyDriver
	noisySide [2]bool
}

// sides are the day's temptation, capacity and q* of both sides, kept together
// so that a day is one read.
type sides struct {
	t, k, q [2]float64
}

// NoiseHalfLifeDays is how fast a noisy driver's deviation from its path
// fades: the deviation is a first-order autoregression whose correlation
// between days halves every NoiseHalfLifeDays days, started from its long-run
// distribution, so that on every day it is normal with the driver's noise as
// standard deviation. A run in which pressure climbs above its path, or the
// regime loses more control than the path says, stays so for weeks: the seeds
// speak of courses (escalation or moderation, consolidation or erosion), and
// runs must not all take the same one. MODELS.md says only "optional noise".
const NoiseHalfLifeDays = 30

// noiseRho is the correlation of a deviation from one day to the next, and
// noiseInnov the weight of the day's fresh normal: dev = rho dev + innov z
// keeps the variance at 1.
var (
	noiseRho   = math.Exp2(-1.0 / NoiseHalfLifeDays)
	noiseInnov = math.Sqrt(1 - noiseRho*noiseRho)
)

// noisyDriver is a driver whose value gets a normal deviation each day.
type noisyDriver struct {
	side   int
	effect scenario.Effect
	coef   float64
	base   []float64 // the path, by day
	sd     float64
	pow    powTable // for a capacity driver, (1 - x)^coef
}

// New compiles a simulation. It refuses a model the simulator cannot run: no
// mediator (the channel arm needs one), a party without a prior or temptation, a
// driver of some other actor, a horizon out of range.
func New(cfg Config) (*Sim, error) {
	m := cfg.Model
	if m == nil {
		return nil, errors.New("sim: no model")
	}
	if m.Mediator == nil {
		return nil, errors.New("the model has no mediator; the arm with the channel needs model.mediator {accuracy, every_days}")
	}
	s := &Sim{cfg: cfg, horizon: m.HorizonDays, c: m.C, hazard: m.HazardUntrustworthy,
		misT: m.Misperception.Trustworthy, misU: m.Misperception.Untrustworthy}
	if cfg.HorizonDays > 0 {
		s.horizon = cfg.HorizonDays
	}
	if s.horizon < 1 || s.horizon > MaxHorizonDays {
		return nil, fmt.Errorf("horizon %d days is out of range; want 1 to %d", s.horizon, MaxHorizonDays)
	}
	if !(m.C > 0) || math.IsInf(m.C, 0) {
		return nil, fmt.Errorf("c = %v; want a number above 0", m.C)
	}
	var tempt0, cap0 [2]float64
	for i, p := range cfg.Parties {
		pi, ok1 := m.Priors[p]
		t, ok2 := m.Temptation[p]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("the model gives %s no prior or no temptation", p)
		}
		k, ok := m.Capacity[p]
		if !ok {
			k = 1
		}
		s.prior[i], tempt0[i], cap0[i] = pi, t, k
	}
	if cfg.Parties[0] == cfg.Parties[1] {
		return nil, fmt.Errorf("the two sides are both %s", cfg.Parties[0])
	}
	if m.IncidentsPerDay > 0 {
		s.poisson = poissonCDF(m.IncidentsPerDay)
	}
	med := m.Mediator
	s.credible = theory.MediatorCredible(med.Ideal, med.ConflictCost)
	s.accuracy, s.every = med.Accuracy, max(1, med.EveryDays)
	for _, h := range m.RedlineHazards {
		s.redlines = append(s.redlines, h.PerDay)
	}
	s.fixed = make([]sides, s.horizon)
	for day := range s.fixed {
		s.fixed[day].t, s.fixed[day].k = tempt0, cap0
	}
	for _, d := range m.Drivers {
		side := -1
		for i, p := range cfg.Parties {
			if d.Of == p {
				side = i
			}
		}
		if side < 0 {
			return nil, fmt.Errorf("driver %s moves %s, who is neither side (%s, %s)", d.Indicator, d.Of, cfg.Parties[0], cfg.Parties[1])
		}
		base := make([]float64, s.horizon)
		for day := range base {
			base[day] = d.At(float64(day))
		}
		if d.Noise > 0 {
			s.noisy = append(s.noisy, noisyDriver{side: side, effect: d.Effect, coef: d.Coef, base: base, sd: d.Noise,
				pow: newPowTable(d.Coef)})
			s.noisySide[side] = true
			continue
		}
		for day, x := range base {
			f := &s.fixed[day]
			f.t[side], f.k[side] = apply(d.Effect, d.Coef, x, f.t[side], f.k[side])
		}
	}
	for day := range s.fixed {
		f := &s.fixed[day]
		f.q = [2]float64{theory.QStar(f.t[0], s.c), theory.QStar(f.t[1], s.c)}
	}
	return s, nil
}

// FromScenario reads the scenario's model section and compiles it for the
// channel's two parties; horizon overrides the model's when above 0.
func FromScenario(sc *scenario.Scenario, horizon int) (*Sim, error) {
	m, err := sc.ModelConfig()
	if err != nil {
		return nil, err
	}
	if n := len(sc.Channel.Parties); n != 2 {
		return nil, fmt.Errorf("the simulator takes two sides; the channel has %d parties", n)
	}
	return New(Config{Model: m, Parties: [2]string(sc.Channel.Parties), HorizonDays: horizon, Start: sc.Start})
}

// HorizonDays returns the number of days a run lasts at most.
func (s *Sim) HorizonDays() int { return s.horizon }

// apply adds a driver's value x to a side's temptation t and capacity k.
func apply(e scenario.Effect, coef, x, t, k float64) (float64, float64) {
	if e == scenario.RaisesTemptation {
		return t + coef*x, k
	}
	x = min(max(x, 0), 1)
	return t, k * powUnit(1-x, coef)
}

// poissonCDF tabulates P(N <= k) for N ~ Poisson(lambda), up to the k at which
// the rest is below 1e-16; the last entry is set to 1.
func poissonCDF(lambda float64) []float64 {
	p := math.Exp(-lambda)
	cdf := []float64{p}
	for k := 1; ; k++ {
		p *= lambda / float64(k)
		cdf = append(cdf, cdf[k-1]+p)
		// Past the mode the terms only shrink; rounding may keep the sum a hair
		// below 1, so the term's size ends the table too.
		if float64(k) > lambda && (1-cdf[k] < 1e-16 || p < 1e-17) {
			break
		}
	}
	cdf[len(cdf)-1] = 1
	return cdf
}
