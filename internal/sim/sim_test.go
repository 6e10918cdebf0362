package sim

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"backchannel/internal/scenario"
	"backchannel/internal/theory"
)

var parties = [2]string{"ISR", "IRN"}

// stageModel is the degenerate configuration of MODELS.md: one day, no incidents,
// hazard 1, capacity 1, an accurate and credible mediator reporting daily.
func stageModel(pi, c, tT float64) *scenario.Model {
	return &scenario.Model{
		HorizonDays: 1, C: c,
		Priors:              map[string]float64{"ISR": pi, "IRN": pi},
		Temptation:          map[string]float64{"ISR": tT, "IRN": tT},
		Capacity:            map[string]float64{"ISR": 1, "IRN": 1},
		HazardUntrustworthy: 1,
		Mediator:            &scenario.ModelMediator{Actor: "RUS", Ideal: 0.5, ConflictCost: 0, Accuracy: 1, EveryDays: 1},
	}
}

// crisisModel is a model with every part in use: incidents, drivers with and
// without noise, red lines, a mediator reporting weekly.
func crisisModel() *scenario.Model {
	return &scenario.Model{
		HorizonDays: 180, C: 1,
		Priors:              map[string]float64{"ISR": 0.8, "IRN": 0.85},
		Temptation:          map[string]float64{"ISR": 0.2, "IRN": 0.1},
		Capacity:            map[string]float64{"ISR": 1, "IRN": 1},
		HazardUntrustworthy: 0.004,
		IncidentsPerDay:     0.2,
		Misperception:       scenario.Misperception{Trustworthy: 0.2, Untrustworthy: 0.6},
		Mediator:            &scenario.ModelMediator{Actor: "RUS", Ideal: 0.6, ConflictCost: 0.1, Accuracy: 0.95, EveryDays: 7},
		Drivers: []scenario.Driver{
			{Indicator: "USA->IRN.pressure", Effect: scenario.RaisesTemptation, Of: "ISR", Coef: 0.15,
				Path: []scenario.PathPoint{{Day: 0, Value: 0}, {Day: 28, Value: 0.6}, {Day: 42, Value: 2}}, Noise: 0.1},
			{Indicator: "IRN.instability", Effect: scenario.LowersCapacity, Of: "IRN", Coef: 0.3,
				Path: []scenario.PathPoint{{Day: 0, Value: 0}, {Day: 28, Value: 0.67}, {Day: 42, Value: 0.44}}},
		},
		RedlineHazards: []scenario.RedlineHazard{{Redline: "irn-enrichment-90", PerDay: 0.002}},
	}
}

func mustNew(t testing.TB, m *scenario.Model) *Sim {
	t.Helper()
	s, err := New(Config{Model: m, Parties: parties})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustRun(t testing.TB, s *Sim, o Options) *Result {
	t.Helper()
	r, err := s.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// within checks a Monte Carlo share against its exact value: within 3 standard
// errors, and exactly when the value is 0 or 1.
func within(t *testing.T, what string, got, want float64, n int) {
	t.Helper()
	se := math.Sqrt(want * (1 - want) / float64(n))
	if math.Abs(got-want) > 3*se+1e-12 {
		t.Errorf("%s = %.4f, want %.4f within 3 SE (%.4f)", what, got, want, 3*se)
	}
}

// TestDegenerateIsStage: the degenerate configuration reproduces A1's outcomes
// without a channel and with a credible mediator, on both sides of pi*.
func TestDegenerateIsStage(t *testing.T) {
	const runs = 20000
	for _, tc := range []struct{ pi, c, tT float64 }{
		{0.6, 1, 0.5},      // the MODELS.md check: pi* = 2/3, below
		{0.8, 1, 0.5},      // above
		{2.0 / 3, 1, 0.5},  // on pi*: cooperative (inclusive)
		{0.3, 0.5, 0.2},    // pi* = 0.385, below
		{0.5, 0.5, 0.2},    // above
		{0.85, 2, 0.7},     // pi* = 0.870, below
		{0.95, 2, 0.7},     // above
		{0.2, 0.1, 0},      // pi* = 0.091, above with a low prior
		{0.999, 50, 0.999}, // pi* near 1, below
	} {
		st, err := theory.Stage(tc.pi, tc.c, tc.tT)
		if err != nil {
			t.Fatal(err)
		}
		r := mustRun(t, mustNew(t, stageModel(tc.pi, tc.c, tc.tT)), Options{Runs: runs, Seed: 7})
		for _, a := range []struct {
			name string
			got  Arm
			want theory.Outcome
		}{{"without", r.Without, st.Without}, {"with", r.With, st.With}} {
			name := func(p string) string { return p + " " + a.name + " " + formatCase(tc.pi, tc.c, tc.tT) }
			within(t, name("p_war"), a.got.PWar, a.want.War, runs)
			within(t, name("p_restraint"), 1-a.got.PWar, a.want.Restraint, runs)
			within(t, name("p_tragic"), a.got.PTragic, a.want.Tragic, runs)
			within(t, name("p_exploited"), a.got.PExploited, a.want.Exploited, runs)
		}
	}
}

func formatCase(pi, c, tT float64) string {
	b, _ := json.Marshal(map[string]float64{"pi": pi, "c": c, "tT": tT})
	return string(b)
}

// TestWorkersDoNotChangeResult: a seed gives the same output, to the byte, with
// 1, 2 and 8 workers, sensitivity included.
func TestWorkersDoNotChangeResult(t *testing.T) {
	s := mustNew(t, crisisModel())
	var first []byte
	for _, workers := range []int{1, 2, 8} {
		o := Options{Runs: 3000, Seed: 42, Workers: workers}
		r := mustRun(t, s, o)
		if _, err := s.Sensitivity(context.Background(), o, []float64{0, 1, 2}, r); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Errorf("%d workers give another result than 1", workers)
		}
	}
	var other []byte
	other, _ = json.Marshal(mustRun(t, s, Options{Runs: 3000, Seed: 43, Workers: 2}))
	if strings.Contains(string(first), string(other[:len(other)/2])) {
		t.Error("seed 43 gives the result of seed 42")
	}
}

func TestCrisisResultIsConsistent(t *testing.T) {
	const runs = 5000
	s := mustNew(t, crisisModel())
	r := mustRun(t, s, Options{Runs: runs, Seed: 1})
	for _, a := range []Arm{r.Without, r.With} {
		sum := a.PDeliberate + a.PLossOfControl + a.PTemptation + a.PPreemptive + a.PMiscalculation
		if math.Abs(sum-a.PWar) > 1e-12 {
			t.Errorf("kinds of war add up to %v, p_war %v", sum, a.PWar)
		}
		if lo, hi := a.PWarCI[0], a.PWarCI[1]; !(lo <= a.PWar && a.PWar <= hi) {
			t.Errorf("p_war %v outside its interval [%v, %v]", a.PWar, lo, hi)
		}
		if last := a.Survival[len(a.Survival)-1]; math.Abs(1-last-a.PWar) > 1e-12 {
			t.Errorf("survival ends at %v, want 1 - p_war = %v", last, 1-a.PWar)
		}
		for d := 1; d < len(a.Survival); d++ {
			if a.Survival[d] > a.Survival[d-1] {
				t.Fatalf("survival rises on day %d", d)
			}
		}
		if a.MedianDayOfWar == nil || *a.MedianDayOfWar < 0 || *a.MedianDayOfWar >= r.HorizonDays {
			t.Errorf("median day of war = %v", a.MedianDayOfWar)
		}
		for _, p := range parties {
			if c := a.Credibility[p][0]; !(c > 0 && c <= 1) {
				t.Errorf("credibility of %s on day 0 = %v", p, c)
			}
		}
	}
	if got, want := r.RiskReduction.Absolute, r.Without.PWar-r.With.PWar; math.Abs(got-want) > 1e-12 {
		t.Errorf("risk reduction %v, want %v", got, want)
	}
	if r.RiskReduction.SE <= 0 || r.RiskReduction.SE > 0.02 {
		t.Errorf("risk reduction SE = %v", r.RiskReduction.SE)
	}
	if r.With.PMiscalculation >= r.Without.PMiscalculation/2 || r.With.PTragic >= r.Without.PTragic {
		t.Errorf("the channel does not lower miscalculation and tragic war: %+v with, %+v without", r.With, r.Without)
	}
	if !r.Mediator.Credible {
		t.Error("a mediator at 0.6 with cost 0.1 is credible (A4)")
	}
	if r.PChannelEnded <= 0 {
		t.Error("no red line ever ended the channel")
	}
	if got, want := r.RunDays, runDays(r); math.Abs(got-want) > 1e-6*want || got >= float64(runs*r.HorizonDays) {
		t.Errorf("run_days = %v, want %v (half the arm-days, from the survival curves)", got, want)
	}
}

// runDays is what Result.RunDays must be, from the survival curves: an arm is
// stepped on day d in the runs at peace when it began, runs x Survival[d-1]
// (all of them on day 0); a run-day is two arm-days.
func runDays(r *Result) float64 {
	var armDays float64
	for _, a := range []Arm{r.Without, r.With} {
		armDays += float64(r.Runs)
		for d := 0; d < len(a.Survival)-1; d++ {
			armDays += float64(r.Runs) * a.Survival[d]
		}
	}
	return armDays / 2
}

// TestFirstReport: the mediator first reports on the every_days-th day (day
// every_days - 1); until then the arm with the channel is the arm without it.
func TestFirstReport(t *testing.T) {
	m := crisisModel() // every_days 7
	r := mustRun(t, mustNew(t, m), Options{Runs: 3000, Seed: 4})
	first := m.Mediator.EveryDays - 1
	for d := range first {
		for _, p := range parties {
			if w, wo := r.With.Credibility[p][d], r.Without.Credibility[p][d]; w != wo {
				t.Errorf("day %d, before the first report: credibility of %s %v with the channel, %v without", d, p, w, wo)
			}
		}
		if r.With.Survival[d] != r.Without.Survival[d] {
			t.Errorf("day %d, before the first report: survival %v with, %v without", d, r.With.Survival[d], r.Without.Survival[d])
		}
	}
	for _, p := range parties {
		if w, wo := r.With.Credibility[p][first], r.Without.Credibility[p][first]; w == wo {
			t.Errorf("day %d, the first report: credibility of %s %v in both arms", first, p, w)
		}
	}
	if r.With.Survival[first] >= r.Without.Survival[first] {
		t.Errorf("no side struck on the first report: survival %v with, %v without", r.With.Survival[first], r.Without.Survival[first])
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"reports every 7 days, the first on day 6\n",
		"The mediator's first report, on day 6, started a war in "} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

// TestNoisePersists: a noisy driver's deviation is normal with sd noise on
// every day and its correlation halves every NoiseHalfLifeDays days.
func TestNoisePersists(t *testing.T) {
	const runs, days, sd = 4000, 61, 0.5
	m := stageModel(0.5, 1, 0.2)
	m.HorizonDays = days
	// The path sits 10 sd above 0, where the indicator is held (see
	// TestNoiseHeldAtZero), so the deviation is seen whole.
	m.Drivers = []scenario.Driver{{Indicator: "X.y", Effect: scenario.RaisesTemptation, Of: "ISR", Coef: 0.1,
		Path: []scenario.PathPoint{{Day: 0, Value: 10 * sd}}, Noise: sd}}
	s := mustNew(t, m)
	w := newWorker(s, 3)
	dev := make([][days]float64, runs)
	for i := range dev {
		w.seedRun(i)
		for day := range days {
			w.draw(day)
			w.drivers(day)
			dev[i][day] = (w.t[0] - 0.2 - 0.1*10*sd) / (0.1 * sd)
		}
	}
	moment := func(a, b int) float64 {
		var sum float64
		for i := range dev {
			sum += dev[i][a] * dev[i][b]
		}
		return sum / runs
	}
	se := 1 / math.Sqrt(runs)
	for _, day := range []int{0, 30, 60} {
		if v := moment(day, day); math.Abs(v-1) > 4*math.Sqrt2*se {
			t.Errorf("variance on day %d = %v, want 1", day, v)
		}
	}
	for _, lag := range []int{1, 30, 60} {
		want := math.Exp2(-float64(lag) / NoiseHalfLifeDays)
		if got := moment(0, lag); math.Abs(got-want) > 4*se {
			t.Errorf("correlation over %d days = %v, want %v", lag, got, want)
		}
	}
}

// TestNoiseHeldAtZero: noise never takes an indicator below 0: a pressure
// path at 0 with noise only ever raises the temptation, on about half the
// days.
func TestNoiseHeldAtZero(t *testing.T) {
	const runs, days = 500, 30
	m := stageModel(0.5, 1, 0.2)
	m.HorizonDays = days
	m.Drivers = []scenario.Driver{{Indicator: "X.y", Effect: scenario.RaisesTemptation, Of: "ISR", Coef: 0.1,
		Path: []scenario.PathPoint{{Day: 0, Value: 0}}, Noise: 1}}
	w := newWorker(mustNew(t, m), 3)
	raised := 0
	for i := range runs {
		w.seedRun(i)
		for day := range days {
			w.draw(day)
			w.drivers(day)
			if w.t[0] < 0.2 {
				t.Fatalf("run %d day %d: temptation %v, below its 0.2 with the indicator at 0", i, day, w.t[0])
			}
			if w.t[0] > 0.2 {
				raised++
			}
		}
	}
	if f := float64(raised) / (runs * days); f < 0.4 || f > 0.6 {
		t.Errorf("noise raised the temptation on %.2f of the days, want about half", f)
	}
}

// TestNotCredibleMediatorMovesNothing: outside A4's interval the arms are the same.
func TestNotCredibleMediatorMovesNothing(t *testing.T) {
	m := crisisModel()
	m.Mediator.Ideal = 0.9 // outside [0.30, 0.70]
	r := mustRun(t, mustNew(t, m), Options{Runs: 2000, Seed: 3})
	if r.Mediator.Credible {
		t.Fatal("ideal 0.9 is credible")
	}
	a, _ := json.Marshal(r.Without)
	b, _ := json.Marshal(r.With)
	if string(a) != string(b) || r.RiskReduction.Absolute != 0 {
		t.Error("a mediator that is not credible changed the arm with the channel")
	}
}

func TestSensitivity(t *testing.T) {
	s := mustNew(t, crisisModel())
	o := Options{Runs: 2000, Seed: 5}
	base := mustRun(t, s, o)
	var runs int
	o.Progress = func(n int) { runs += n }
	got, err := s.Sensitivity(context.Background(), o, Levels, base)
	if err != nil {
		t.Fatal(err)
	}
	if runs != s.SensitivityRuns(o, Levels) || runs != 2*(len(Levels)-1)*2000 {
		t.Errorf("progress counted %d runs, SensitivityRuns %d", runs, s.SensitivityRuns(o, Levels))
	}
	if len(got) != 2 || got[0].Indicator != "USA->IRN.pressure" || got[1].Effect != "capacity" {
		t.Fatalf("sensitivity = %+v", got)
	}
	for _, ds := range got {
		if len(ds.Levels) != len(Levels) {
			t.Fatalf("%s: %d levels", ds.Indicator, len(ds.Levels))
		}
		one := ds.Levels[4]
		if one.Scale != 1 || one.PWarWithout != base.Without.PWar || one.PWarWith != base.With.PWar {
			t.Errorf("%s at scale 1 = %+v, want the base result", ds.Indicator, one)
		}
		// More pressure or more instability: more war, in both arms (common random
		// numbers make the comparison sharp).
		if lo, hi := ds.Levels[0], ds.Levels[len(ds.Levels)-1]; lo.PWarWithout > hi.PWarWithout || lo.PWarWith > hi.PWarWith {
			t.Errorf("%s: p_war falls from scale 0 (%+v) to 2 (%+v)", ds.Indicator, lo, hi)
		}
	}
	if base.Sensitivity == nil {
		t.Error("base.Sensitivity not set")
	}
	// A scale multiplies the driver's coefficient and leaves its path: doubled,
	// the capacity driver leaves (1 - x)^(2 alpha), and at the path's 0.67 no
	// clipping takes all control.
	m := crisisModel()
	d := m.Drivers[1]
	two := s.scaled(1, 2)
	for _, day := range []int{0, 28, 35, 100} {
		want := math.Pow(1-d.At(float64(day)), 2*d.Coef)
		if got := two.fixed[day].k[1]; math.Abs(got-want) > 1e-12 {
			t.Errorf("capacity of IRN on day %d at scale 2 = %v, want %v", day, got, want)
		}
	}
	if p := two.scaled(0, 1).cfg.Model.Drivers[1].Path; p[1].Value != d.Path[1].Value {
		t.Errorf("scaling changed the path: %+v", p)
	}
	if nd := s.scaled(0, 2).noisy[0]; nd.coef != 2*m.Drivers[0].Coef || nd.sd != m.Drivers[0].Noise {
		t.Errorf("pressure at scale 2: coef %v, noise %v", nd.coef, nd.sd)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(m *scenario.Model, c *Config)
		error string
	}{
		{"no mediator", func(m *scenario.Model, c *Config) { m.Mediator = nil }, "no mediator"},
		{"horizon", func(m *scenario.Model, c *Config) { c.HorizonDays = MaxHorizonDays + 1 }, "horizon 36501 days is out of range"},
		{"party without prior", func(m *scenario.Model, c *Config) { c.Parties[1] = "USA" }, "gives USA no prior"},
		{"same side twice", func(m *scenario.Model, c *Config) { c.Parties[1] = "ISR" }, "both ISR"},
		{"driver of a third actor", func(m *scenario.Model, c *Config) { m.Drivers[0].Of = "USA" }, "moves USA, who is neither side"},
		{"no model", func(m *scenario.Model, c *Config) { c.Model = nil }, "no model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := crisisModel()
			c := Config{Model: m, Parties: parties}
			tc.edit(m, &c)
			if _, err := New(c); err == nil || !strings.Contains(err.Error(), tc.error) {
				t.Errorf("New error = %v, want %q", err, tc.error)
			}
		})
	}
	if _, err := mustNew(t, crisisModel()).Run(context.Background(), Options{}); err == nil {
		t.Error("Run with no runs succeeded")
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := mustNew(t, crisisModel()).Run(ctx, Options{Runs: 100000, Workers: 2}); err == nil {
		t.Error("a cancelled run returned no error")
	}
}

func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n   int64
		lo, hi float64
	}{
		{0, 10, 0, 0.2775},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
		{81, 263, 0.2553, 0.3662}, // Wilson (1927) via Newcombe (1998), example
	} {
		lo, hi := Wilson(tc.k, tc.n)
		if math.Abs(lo-tc.lo) > 5e-5 || math.Abs(hi-tc.hi) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tc.k, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestPoissonCDF(t *testing.T) {
	for _, lambda := range []float64{0.01, 0.2, 3, 30, 100} {
		cdf := poissonCDF(lambda)
		if cdf[len(cdf)-1] != 1 || math.Abs(cdf[0]-math.Exp(-lambda)) > 1e-15 {
			t.Errorf("lambda %v: cdf from %v to %v", lambda, cdf[0], cdf[len(cdf)-1])
		}
		mean := 0.0
		for k := range cdf {
			p := cdf[k]
			if k > 0 {
				p -= cdf[k-1]
				if p < 0 {
					t.Fatalf("lambda %v: cdf falls at %d", lambda, k)
				}
			}
			mean += float64(k) * p
		}
		if math.Abs(mean-lambda) > 1e-9*max(1, lambda) {
			t.Errorf("lambda %v: mean %v", lambda, mean)
		}
	}
}

// TestRunDoesNotAllocate: the inner loop, a run of both arms, allocates nothing.
func TestRunDoesNotAllocate(t *testing.T) {
	s := mustNew(t, crisisModel())
	w := newWorker(s, 1)
	a := newAcc(s.horizon)
	i := 0
	if n := testing.AllocsPerRun(200, func() { w.run(i, a); i++ }); n != 0 {
		t.Errorf("a run allocates %v times", n)
	}
}

func TestPowTable(t *testing.T) {
	for _, a := range []float64{0, 0.05, 0.1, 0.3, 0.5, 0.9, 1, 1.5, 2, 3.7, 4, 7} {
		p := newPowTable(a)
		worst := 0.0
		for i := 0; i <= 100000; i++ {
			u := float64(i) / 100000
			worst = max(worst, math.Abs(p.at(u)-math.Pow(u, a)))
		}
		if worst > 3e-6 {
			t.Errorf("a = %v: off by %v", a, worst)
		}
	}
}
