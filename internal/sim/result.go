package sim

import (
	"context"
	"math"
	"strconv"
	"time"
)

// Result is what a simulation measured, in both arms. Probabilities are shares
// of all runs.
type Result struct {
	Runs        int       `json:"runs"`
	Seed        uint64    `json:"seed"`
	HorizonDays int       `json:"horizon_days"`
	Start       string    `json:"start,omitempty"` // the date of day 0, YYYY-MM-DD
	Parties     [2]string `json:"parties"`
	Mediator    Mediator  `json:"mediator"`
	Without     Arm       `json:"without"`
	With        Arm       `json:"with"`
	// RiskReduction is what the channel takes off p_war.
	RiskReduction Reduction `json:"risk_reduction"`
	// PChannelEnded is the share of runs whose channel a red line ended before
	// war or the horizon.
	PChannelEnded float64 `json:"p_channel_ended"`
	// RunDays is the number of run-days simulated, a run-day being one day of
	// one run stepped in both arms: the days each arm was stepped (until its
	// war, that day included, or the horizon), summed over both arms and
	// halved. A day on which one arm is already at war counts half.
	RunDays float64 `json:"run_days"`
	// Sensitivity is set by Sensitivity.
	Sensitivity []DriverSensitivity `json:"sensitivity,omitempty"`
	start       time.Time
}

// Mediator is the mediator the arm with the channel had.
type Mediator struct {
	Actor        string  `json:"actor"`
	Ideal        float64 `json:"ideal"`
	ConflictCost float64 `json:"conflict_cost"`
	// Credible is A4's verdict: a mediator that is not credible moves no belief.
	Credible  bool    `json:"credible"`
	Accuracy  float64 `json:"accuracy"`
	EveryDays int     `json:"every_days"`
}

// Arm is what happened in one arm.
type Arm struct {
	PWar float64 `json:"p_war"`
	// PWarCI is the 95% Wilson interval of PWar.
	PWarCI [2]float64 `json:"p_war_ci95"`
	// PTragic: war between two trustworthy sides, whatever began it.
	PTragic float64 `json:"p_tragic"`
	// The five kinds of war, by who struck first (see the package doc); they
	// add up to PWar.
	PDeliberate     float64 `json:"p_deliberate"`
	PLossOfControl  float64 `json:"p_loss_of_control"`
	PTemptation     float64 `json:"p_temptation"`
	PPreemptive     float64 `json:"p_preemptive"`
	PMiscalculation float64 `json:"p_miscalculation"`
	// PExploited (A1): an untrustworthy side struck a trustworthy one that held.
	PExploited float64 `json:"p_exploited"`
	// MedianDayOfWar is the day (0 = the start) by which half the runs that
	// ended in war had begun it; nil when none did.
	MedianDayOfWar *int `json:"median_day_of_war"`
	// Survival[d] is the share of runs still at peace at the end of day d.
	Survival Series `json:"survival"`
	// Credibility[p][d] is the mean, over runs at peace when day d began, of
	// party p's credibility in the other's eyes (belief x capacity), and
	// Threshold[p][d] the mean of the other's q*, capped at 1: p's assurance
	// reassures while its credibility is at least the threshold. NaN (null in
	// JSON) on days no run was at peace.
	Credibility map[string]Series `json:"credibility"`
	Threshold   map[string]Series `json:"threshold"`
}

// Reduction is the difference the channel makes to p_war, measured on the
// same runs: its standard error is that of the paired differences.
type Reduction struct {
	Absolute float64    `json:"absolute"` // p_war without - p_war with
	SE       float64    `json:"se"`
	CI       [2]float64 `json:"ci95"`
	// Relative is Absolute / p_war without; nil when no run went to war
	// without the channel.
	Relative *float64 `json:"relative"`
}

// Series is a value per day; NaN is written as null in JSON.
type Series []float64

// MarshalJSON writes the values with null for NaN.
func (s Series) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 8*len(s)+2)
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
			continue
		}
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return append(b, ']'), nil
}

// z95 is the standard normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// Wilson returns the 95% Wilson score interval of k successes in n trials.
func Wilson(k, n int64) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z95 * z95
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lo, hi = max(0, center-half), min(1, center+half)
	// At the ends the bound is exactly 0 or 1; rounding would miss it.
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return lo, hi
}

// Run simulates o.Runs runs in both arms.
func (s *Sim) Run(ctx context.Context, o Options) (*Result, error) {
	a, err := s.simulate(ctx, o)
	if err != nil {
		return nil, err
	}
	med := s.cfg.Model.Mediator
	r := &Result{Runs: o.Runs, Seed: o.Seed, HorizonDays: s.horizon, Parties: s.cfg.Parties, start: s.cfg.Start,
		Mediator: Mediator{Actor: med.Actor, Ideal: med.Ideal, ConflictCost: med.ConflictCost, Credible: s.credible,
			Accuracy: s.accuracy, EveryDays: s.every},
		PChannelEnded: float64(a.channelEnded) / float64(o.Runs), RunDays: float64(a.armDays) / 2}
	if !s.cfg.Start.IsZero() {
		r.Start = s.cfg.Start.Format(time.DateOnly)
	}
	r.Without = s.arm(a, 0, o.Runs)
	r.With = s.arm(a, 1, o.Runs)
	r.RiskReduction = reduction(a, o.Runs)
	return r, nil
}

func (s *Sim) arm(a *acc, j, runs int) Arm {
	n := float64(runs)
	c := a.arm[j]
	out := Arm{PWar: float64(c.wars) / n, PTragic: float64(c.tragic) / n, PDeliberate: float64(c.deliberate) / n,
		PLossOfControl: float64(c.lossOfControl) / n, PTemptation: float64(c.temptation) / n,
		PPreemptive: float64(c.preemptive) / n, PMiscalculation: float64(c.miscalculation) / n, PExploited: float64(c.exploited) / n,
		Survival: make(Series, s.horizon), Credibility: map[string]Series{}, Threshold: map[string]Series{}}
	out.PWarCI[0], out.PWarCI[1] = Wilson(c.wars, int64(runs))
	var cum int64
	for d, day := range a.days[j] {
		cum += day.wars
		out.Survival[d] = 1 - float64(cum)/n
		if out.MedianDayOfWar == nil && c.wars > 0 && 2*cum >= c.wars {
			day := d
			out.MedianDayOfWar = &day
		}
	}
	for i, p := range s.cfg.Parties {
		cred, thr := make(Series, s.horizon), make(Series, s.horizon)
		for d, day := range a.days[j] {
			cred[d] = day.cred[i] / float64(day.peace) // NaN when no run was at peace
			thr[d] = day.thr[i] / float64(day.peace)
		}
		out.Credibility[p], out.Threshold[p] = cred, thr
	}
	return out
}

func reduction(a *acc, runs int) Reduction {
	n := float64(runs)
	mean := float64(a.onlyWithout-a.onlyWith) / n
	sq := float64(a.onlyWithout+a.onlyWith) / n // the mean of the squared differences
	var se float64
	if runs > 1 {
		se = math.Sqrt(max(0, sq-mean*mean) * n / (n - 1) / n)
	}
	r := Reduction{Absolute: mean, SE: se, CI: [2]float64{mean - z95*se, mean + z95*se}}
	if w := a.arm[0].wars; w > 0 {
		rel := mean / (float64(w) / n)
		r.Relative = &rel
	}
	return r
}
