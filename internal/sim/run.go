package sim

import (
	"math/rand/v2"

	"backchannel/internal/scenario"
	"backchannel/internal/theory"
)

// draws are one day's random numbers. They are drawn in full every day whatever
// the run's state, so the two arms of a run see the same numbers and the floor
// (the draws alone) is well defined.
type draws struct {
	z         []float64 // a standard normal per noisy driver
	control   [2]float64
	incidents int
	incident  []uint64 // per incident: the top bit picks the side, the low 53 bits a uniform
	redline   []float64
	report    [2]float64 // on report days only
	strike    [2]float64
}

// worker runs simulations one after another on its own stream, without
// allocating.
type worker struct {
	s    *Sim
	seed uint64
	src  rand.PCG
	rnd  *rand.Rand
	d    draws
	// dev is, per noisy driver, the run's deviation from its path in standard
	// deviations (NoiseHalfLifeDays).
	dev []float64
	// The day's temptation, capacity and q* by side.
	sides
}

func newWorker(s *Sim, seed uint64) *worker {
	w := &worker{s: s, seed: seed}
	w.rnd = rand.New(&w.src)
	w.d.z = make([]float64, len(s.noisy))
	w.dev = make([]float64, len(s.noisy))
	w.d.incident = make([]uint64, len(s.poisson))
	w.d.redline = make([]float64, len(s.redlines))
	return w
}

// seedRun gives run i of a seed its own stream: both PCG words come through
// SplitMix64's finalizer, so neighbouring runs start far apart.
func (w *worker) seedRun(i int) {
	hi := mix(w.seed ^ mix(uint64(i)))
	w.src.Seed(hi, mix(hi^uint64(i)))
}

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (w *worker) uniform() float64 { return float64(w.src.Uint64()>>11) * 0x1p-53 }

// pair is two uniforms of 32 bits from one draw, for the daily chances: at
// 2^-32 apart they are as good as 53 bits for any probability a model gives,
// and half the draws.
func (w *worker) pair() (float64, float64) {
	x := w.src.Uint64()
	return float64(uint32(x)) * 0x1p-32, float64(x>>32) * 0x1p-32
}

// draw fills the day's draws.
func (w *worker) draw(day int) {
	s, d := w.s, &w.d
	for i := range d.z {
		d.z[i] = w.rnd.NormFloat64()
	}
	d.control[0], d.control[1] = w.pair()
	d.strike[0], d.strike[1] = w.pair()
	if s.poisson != nil {
		u, n := w.uniform(), 0
		for u > s.poisson[n] {
			n++
		}
		d.incidents = n
		for i := range n {
			d.incident[i] = w.src.Uint64()
		}
	}
	for i := 0; i < len(d.redline); i += 2 {
		u, v := w.pair()
		d.redline[i] = u
		if i+1 < len(d.redline) {
			d.redline[i+1] = v
		}
	}
	if s.reportDay(day) {
		d.report[0], d.report[1] = w.pair()
	}
}

// reportDay says whether the mediator reports on day (counted from 0): on the
// every_days-th day of the run and every every_days days after, that is on days
// every-1, 2 every-1, ...; with daily reports, every day from the first.
func (s *Sim) reportDay(day int) bool { return (day+1)%s.every == 0 }

// drivers sets the day's temptation, capacity and q* of both sides. A noisy
// driver's deviation carries over from the day before (NoiseHalfLifeDays); on
// day 0 it is drawn afresh.
func (w *worker) drivers(day int) {
	s := w.s
	w.sides = s.fixed[day]
	if len(s.noisy) == 0 {
		return
	}
	for j := range s.noisy {
		nd := &s.noisy[j]
		if day == 0 {
			w.dev[j] = w.d.z[j]
		} else {
			w.dev[j] = noiseRho*w.dev[j] + noiseInnov*w.d.z[j]
		}
		// An indicator is never below 0 (a pressure is a weight of events),
		// and instability never above 1.
		x := max(nd.base[day]+nd.sd*w.dev[j], 0)
		if nd.effect == scenario.RaisesTemptation {
			w.t[nd.side] += nd.coef * x
		} else {
			w.k[nd.side] *= nd.pow.at(1 - min(x, 1))
		}
	}
	for i := range 2 {
		if s.noisySide[i] {
			w.q[i] = theory.QStar(w.t[i], s.c)
		}
	}
}

// arm is the state of one arm of a run: whether it is still at peace and what
// each side believes of the other (belief[i]: side i's probability that the
// other side is trustworthy).
type arm struct {
	peace  bool
	belief [2]float64
}

// run simulates run i into a and returns the days it took (the longer arm's:
// the days whose draws were made).
func (w *worker) run(i int, a *acc) int {
	s, d := w.s, &w.d
	w.seedRun(i)
	trust := [2]bool{w.uniform() < s.prior[0], w.uniform() < s.prior[1]}
	arms := [2]arm{{true, [2]float64{s.prior[1], s.prior[0]}}, {true, [2]float64{s.prior[1], s.prior[0]}}}
	channel := true
	day := 0
	for ; day < s.horizon && (arms[0].peace || arms[1].peace); day++ {
		w.draw(day)
		w.drivers(day)
		// A trustworthy side out of control today acts like an untrustworthy one.
		var likeU [2]bool
		for j := range 2 {
			likeU[j] = !trust[j] || d.control[j] >= w.k[j]
		}
		for _, x := range d.incident[:d.incidents] {
			side := int(x >> 63)
			p := s.misT
			if likeU[side] {
				p = s.misU
			}
			hostile := float64(x&(1<<53-1))*0x1p-53 < p
			for j := range arms {
				if arms[j].peace {
					arms[j].belief[1-side] = seen(arms[j].belief[1-side], hostile, s.misT, s.misU)
				}
			}
		}
		if channel && arms[1].peace {
			for j, h := range s.redlines {
				if d.redline[j] < h {
					channel = false
				}
			}
			if channel && s.credible && s.reportDay(day) {
				for j := range 2 {
					saysT := trust[1-j] == (d.report[j] < s.accuracy)
					arms[1].belief[j] = reported(arms[1].belief[j], saysT, s.accuracy)
				}
			}
		}
		for j := range arms {
			if ar := &arms[j]; ar.peace {
				a.armDays++
				a.observe(j, day, &ar.belief, &w.k, &w.q)
				w.decide(j, day, ar, trust, likeU, a)
			}
		}
	}
	if !channel {
		a.channelEnded++
	}
	switch {
	case !arms[0].peace && arms[1].peace:
		a.onlyWithout++
	case arms[0].peace && !arms[1].peace:
		a.onlyWith++
	}
	return day
}

// decide makes both sides' choices in one arm and records a war.
func (w *worker) decide(j, day int, ar *arm, trust, likeU [2]bool, a *acc) {
	s, d := w.s, &w.d
	var struck, tempted [2]bool
	for i := range 2 {
		tempted[i] = w.t[i] >= 1
		if likeU[i] || tempted[i] {
			struck[i] = d.strike[i] < s.hazard
		} else {
			struck[i] = ar.belief[i]*w.k[1-i] < w.q[i]-theory.Tol
		}
	}
	if !struck[0] && !struck[1] {
		return
	}
	ar.peace = false
	c := &a.arm[j]
	c.wars++
	a.days[j][day].wars++
	switch {
	case struck[0] && !trust[0] || struck[1] && !trust[1]:
		c.deliberate++
	case struck[0] && likeU[0] || struck[1] && likeU[1]:
		c.lossOfControl++
	case struck[0] && tempted[0] || struck[1] && tempted[1]:
		c.temptation++
	case !trust[0] || !trust[1]:
		c.preemptive++ // out of fear, rightly: the other is untrustworthy
	default:
		c.miscalculation++
	}
	if trust[0] && trust[1] {
		c.tragic++
	}
	// Exploited (A1): an untrustworthy side struck one that held.
	if struck[0] != struck[1] {
		striker, holder := 0, 1
		if struck[1] {
			striker, holder = 1, 0
		}
		if !trust[striker] && trust[holder] {
			c.exploited++
		}
	}
}

// seen is the belief after an incident that looked hostile or not, with the
// misperception probabilities as likelihoods (A2). An incident the belief held
// impossible leaves it where it was.
func seen(pi float64, hostile bool, pT, pU float64) float64 {
	if !hostile {
		pT, pU = 1-pT, 1-pU
	}
	if p := theory.Bayes(pi, pT, pU); p == p {
		return p
	}
	return pi
}

// reported is the belief after the mediator's report that the other side is
// trustworthy (saysT) or not, right with probability a (MODELS.md B).
func reported(pi float64, saysT bool, a float64) float64 {
	pT, pU := a, 1-a
	if !saysT {
		pT, pU = pU, pT
	}
	if p := theory.Bayes(pi, pT, pU); p == p {
		return p
	}
	return pi
}

// floor makes run i's draws for the whole horizon and nothing else: the cost the
// benchmarks set beside a run's.
func (w *worker) floor(i int) int {
	w.seedRun(i)
	w.uniform()
	w.uniform()
	for day := range w.s.horizon {
		w.draw(day)
	}
	return w.s.horizon
}

// effectName is the JSON and CSV name of an effect.
func effectName(e scenario.Effect) string {
	if e == scenario.RaisesTemptation {
		return "temptation"
	}
	return "capacity"
}
