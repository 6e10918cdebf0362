package credibility

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"backchannel/internal/assurance"
	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

func TestLikelihoods(t *testing.T) {
	for _, tc := range []struct{ r, pT, pU float64 }{
		{1.5, 2.0 / 3, 1}, {2, 0.5, 1}, {5, 0.2, 1}, {1, 1, 1}, {0.8, 1, 0.8}, {0.6, 1, 0.6},
	} {
		pT, pU := likelihoods(tc.r)
		if !near(pT, tc.pT) || !near(pU, tc.pU) || !near(pU/pT, tc.r) {
			t.Errorf("likelihoods(%g) = %g, %g; want %g, %g", tc.r, pT, pU, tc.pT, tc.pU)
		}
	}
}

// IRN's belief that ISR is trustworthy, from the prior 0.6, step by step by
// hand: pi' = pi pT / (pi pT + (1 - pi) pU).
func TestIntentionBayesSteps(t *testing.T) {
	a := mustNew(t, testModel(), fixed{}, inForce("isr", "ISR", "IRN", "RUS", 30))
	for _, r := range []*event.Record{
		act("before", dayN(-5), "ISR", "IRN", "195"),              // before the start: in the prior
		act("t1", dayN(2), "ISR", "IRN", "138"),                   // threaten, r 1.5: 0.6 (2/3) / (0.4 + 0.4) = 0.5
		act("t2", dayN(2).Add(3*time.Hour), "ISR", "IRN", "1384"), // root 13 again that day: once a day
		act("p1", dayN(2), "ISR", "IRN", "154"),                   // force posture, r 2: 0.25 / (0.25 + 0.5) = 1/3
		act("t3", dayN(3), "ISR", "IRN", "130"),                   // threaten, next day: (2/9) / (2/9 + 2/3) = 0.25
		act("c1", dayN(4), "ISR", "IRN", "061"),                   // material cooperation, r 0.6: 0.25 / (0.25 + 0.45) = 5/14
		act("s1", dayN(4), "ISR", "IRN", "010"),                   // a statement: no ratio, moves nothing
		act("o1", dayN(5), "IRN", "ISR", "195"),                   // the other dyad
		act("o2", dayN(5), "USA", "IRN", "195"),                   // a third party
	} {
		a.Observe(r)
	}
	private := act("ch", dayN(5), "ISR", "IRN", "195")
	private.Event.Public = false // the channel's own record: counted through the mediator
	a.Observe(private)
	a.Observe(&event.Record{Kind: event.KindObservation, Observation: event.Observation{Time: dayN(5), Indicator: "IRN.x", Value: 1}})

	for _, tc := range []struct {
		at   time.Time
		want float64
	}{
		{dayN(0), 0.6},
		{dayN(1), 0.6},
		{dayN(2), 1.0 / 3},
		{dayN(3), 0.25},
		{dayN(4), 5.0 / 14},
		{dayN(29), 5.0 / 14},
		// The mediator conveys (a = 0.85): (5/14) 0.85 / ((5/14) 0.85 + (9/14) 0.15) = 4.25/5.6.
		{dayN(30), 4.25 / 5.6},
	} {
		if got := pointAt(t, a, 0, tc.at).Intention; !near(got, tc.want) {
			t.Errorf("intention at %s = %.12f, want %.12f", day(tc.at), got, tc.want)
		}
	}
	if us := a.beliefs[dyad{"ISR", "IRN"}].upTo(dayN(30)); len(us) != 5 || us[0].Record != "t1" || us[4].By != ByMediator {
		t.Errorf("updates = %+v, want t1, p1, t3, c1 and the mediator's", us)
	}
}

// Records may come in any order: the day's earliest stands for it.
func TestIntentionOrderFree(t *testing.T) {
	a := mustNew(t, testModel(), fixed{}, inForce("isr", "ISR", "IRN", "", 0))
	a.Observe(act("late", dayN(2).Add(20*time.Hour), "ISR", "IRN", "138"))
	a.Observe(act("t3", dayN(3), "ISR", "IRN", "130"))
	a.Observe(act("early", dayN(2).Add(time.Hour), "ISR", "IRN", "1384"))
	if got := pointAt(t, a, 0, dayN(2).Add(2*time.Hour)).Intention; !near(got, 0.5) {
		t.Errorf("intention after the day's first threat = %g, want 0.5", got)
	}
	// 0.5 (2/3) / (1/3 + 1/2) = 0.4.
	if got := pointAt(t, a, 0, dayN(3)).Intention; !near(got, 0.4) {
		t.Errorf("intention after two days of threats = %g, want 0.4", got)
	}
}

// The scenario's table replaces the defaults whole.
func TestScenarioLikelihoodRatios(t *testing.T) {
	m := testModel()
	m.LikelihoodRatios = map[string]float64{"13": 3}
	a := mustNew(t, m, fixed{}, inForce("isr", "ISR", "IRN", "", 0))
	a.Observe(act("t", dayN(1), "ISR", "IRN", "130")) // 0.6 (1/3) / (0.2 + 0.4) = 1/3
	a.Observe(act("f", dayN(2), "ISR", "IRN", "195")) // root 19 not in the table
	a.Observe(act("c", dayN(3), "ISR", "IRN", "061")) // root 06 neither
	if got := pointAt(t, a, 0, dayN(5)).Intention; !near(got, 1.0/3) {
		t.Errorf("intention = %g, want 1/3", got)
	}
}

func TestMediatorUpdate(t *testing.T) {
	const conveyed = 10
	channel := assurance.AssuranceResult{ID: "ch", Issuer: "ISR", Beneficiary: "IRN", Via: "RUS", History: []assurance.Transition{
		{Status: assurance.Proposed, Time: dayN(6)}, {Status: assurance.Conveyed, Time: dayN(8)},
		{Status: assurance.Acknowledged, Time: dayN(9)}, {Status: assurance.InForce, Time: dayN(conveyed)}}}
	for _, tc := range []struct {
		name string
		edit func(m *scenario.Model)
		as   []assurance.AssuranceResult
		at   int
		want float64
	}{
		// 0.6 x 0.85 / (0.6 x 0.85 + 0.4 x 0.15) = 0.51 / 0.57.
		{"credible", nil, nil, conveyed, 0.51 / 0.57},
		{"the day before", nil, nil, conveyed - 1, 0.6},
		{"accurate", func(m *scenario.Model) { m.Mediator.Accuracy = 1 }, nil, conveyed, 1},
		{"a coin", func(m *scenario.Model) { m.Mediator.Accuracy = 0.5 }, nil, conveyed, 0.6},
		{"on the boundary of A4", func(m *scenario.Model) { m.Mediator.Ideal = 0.7 }, nil, conveyed, 0.51 / 0.57},
		{"aligned: not credible", func(m *scenario.Model) { m.Mediator.Ideal = 0.9 }, nil, conveyed, 0.6},
		{"cares only for peace", func(m *scenario.Model) { m.Mediator.ConflictCost = 0.6 }, nil, conveyed, 0.6},
		{"no mediator in the model", func(m *scenario.Model) { m.Mediator = nil }, nil, conveyed, 0.6},
		{"another mediator", nil, []assurance.AssuranceResult{inForce("q", "ISR", "IRN", "QAT", conveyed)}, conveyed, 0.6},
		{"two the same day: one report", nil, []assurance.AssuranceResult{
			inForce("a", "ISR", "IRN", "RUS", conveyed), inForce("b", "ISR", "IRN", "RUS", conveyed)}, conveyed, 0.51 / 0.57},
		// Odds 1.5 x (0.85/0.15)^2.
		{"two days: two reports", nil, []assurance.AssuranceResult{
			inForce("a", "ISR", "IRN", "RUS", conveyed), inForce("b", "ISR", "IRN", "RUS", conveyed+1)}, conveyed + 1, 1.5 * 289 / 9 / (1 + 1.5*289/9)},
		{"conveyed before the start", nil, []assurance.AssuranceResult{inForce("a", "ISR", "IRN", "RUS", -3)}, conveyed, 0.6},
		{"a channel assurance: when conveyed", nil, []assurance.AssuranceResult{channel}, 8, 0.51 / 0.57},
		{"a channel assurance: before", nil, []assurance.AssuranceResult{channel}, 7, 0.6},
		{"the other dyad", nil, []assurance.AssuranceResult{inForce("i", "IRN", "ISR", "RUS", conveyed+5)}, conveyed, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testModel()
			if tc.edit != nil {
				tc.edit(m)
			}
			as := tc.as
			if as == nil {
				as = []assurance.AssuranceResult{inForce("isr", "ISR", "IRN", "RUS", conveyed)}
			}
			a := mustNew(t, m, fixed{}, as...)
			if got := pointAt(t, a, 0, dayN(tc.at)).Intention; !near(got, tc.want) {
				t.Errorf("intention = %.12f, want %.12f (%s)", got, tc.want, a.mediator[0].Reason)
			}
		})
	}
}

// Iran assures Israel: Iran's capacity, Israel's temptation, by hand. With
// the mediator's report Israel's belief is 0.51/0.57; without it the prior 0.6.
func TestCapacityTemptationThreshold(t *testing.T) {
	const reported = 0.51 / 0.57
	for _, tc := range []struct {
		name                  string
		via                   string
		ind                   fixed
		edit                  func(m *scenario.Model)
		intention, kappa, tT  float64
		threshold, cred, marg float64
		status                Status
		short                 Shortfall
	}{
		{"calm", "RUS", fixed{"IRN.instability": 0, "USA->IRN.pressure": 0}, nil,
			reported, 0.9, 0.5, 1 / 1.5, reported * 0.9, reported*0.9 - 1/1.5, Reassures, ""},
		{"a little unrest", "RUS", fixed{"IRN.instability": 0.1, "USA->IRN.pressure": 0}, nil,
			reported, 0.81, 0.5, 1 / 1.5, reported * 0.81, reported*0.81 - 1/1.5, Reassures, ""},
		// kappa 0.9 x 0.8, tT 0.5 + 0.5 x 0.2, q* 1/1.4: each factor clears it, not their product.
		{"worn together", "RUS", fixed{"IRN.instability": 0.2, "USA->IRN.pressure": 0.2}, nil,
			reported, 0.72, 0.6, 1 / 1.4, reported * 0.72, reported*0.72 - 1/1.4, DoesNotReassure, ShortTogether},
		{"unrest", "RUS", fixed{"IRN.instability": 0.7, "USA->IRN.pressure": 0}, nil,
			reported, 0.27, 0.5, 1 / 1.5, reported * 0.27, reported*0.27 - 1/1.5, DoesNotReassure, ShortCapacity},
		{"no report", "", fixed{"IRN.instability": 0, "USA->IRN.pressure": 0}, nil,
			0.6, 0.9, 0.5, 1 / 1.5, 0.54, 0.54 - 1/1.5, DoesNotReassure, ShortIntention},
		// kappa 0.45, tT 0.8, q* 1/1.2.
		{"both short", "", fixed{"IRN.instability": 0.5, "USA->IRN.pressure": 0.6}, nil,
			0.6, 0.45, 0.8, 1 / 1.2, 0.27, 0.27 - 1/1.2, DoesNotReassure, ShortBoth},
		{"instability clipped at 1", "RUS", fixed{"IRN.instability": 1.5, "USA->IRN.pressure": 0}, nil,
			reported, 0, 0.5, 1 / 1.5, 0, -1 / 1.5, DoesNotReassure, ShortCapacity},
		{"alpha 2", "RUS", fixed{"IRN.instability": 0.5, "USA->IRN.pressure": 0}, func(m *scenario.Model) { m.Drivers[1].Coef = 2 },
			reported, 0.225, 0.5, 1 / 1.5, reported * 0.225, reported*0.225 - 1/1.5, DoesNotReassure, ShortCapacity},
		{"two capacity drivers", "RUS", fixed{"IRN.instability": 0.5, "IRN.defections": 0.2, "USA->IRN.pressure": 0},
			func(m *scenario.Model) {
				m.Drivers = append(m.Drivers, scenario.Driver{Indicator: "IRN.defections", Effect: scenario.LowersCapacity, Of: "IRN", Coef: 1})
			},
			reported, 0.36, 0.5, 1 / 1.5, reported * 0.36, reported*0.36 - 1/1.5, DoesNotReassure, ShortCapacity},
		{"a numeric driver with no value yet", "RUS", fixed{"USA->IRN.pressure": 0},
			func(m *scenario.Model) { m.Drivers[1].Indicator = "IRN.defections" },
			reported, 0.9, 0.5, 1 / 1.5, reported * 0.9, reported*0.9 - 1/1.5, Reassures, ""},
		// tT 0.5 + 0.5 x 1.2 = 1.1: q* = 1/0.9 > 1.
		{"tempted past 1", "RUS", fixed{"IRN.instability": 0, "USA->IRN.pressure": 1.2}, nil,
			reported, 0.9, 1.1, 1 / 0.9, reported * 0.9, reported*0.9 - 1/0.9, DoesNotReassure, ShortTemptation},
		// tT 2 = 1 + c: no belief makes holding pay.
		{"tempted past 1 + c", "RUS", fixed{"IRN.instability": 0, "USA->IRN.pressure": 3}, nil,
			reported, 0.9, 2, math.Inf(1), reported * 0.9, math.Inf(-1), DoesNotReassure, ShortTemptation},
		{"c = 2", "RUS", fixed{"IRN.instability": 0, "USA->IRN.pressure": 0}, func(m *scenario.Model) { m.C = 2 },
			reported, 0.9, 0.5, 2 / 2.5, reported * 0.9, reported*0.9 - 0.8, Reassures, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testModel()
			if tc.edit != nil {
				tc.edit(m)
			}
			a := mustNew(t, m, tc.ind, inForce("irn", "IRN", "ISR", tc.via, 0))
			rep, err := a.Assess(dayN(1))
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Assurances[0]
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"intention", got.Intention, tc.intention}, {"capacity", got.Capacity, tc.kappa},
				{"temptation", got.Temptation, tc.tT}, {"threshold", float64(got.Threshold), tc.threshold},
				{"credibility", got.Credibility, tc.cred}, {"margin", float64(got.Margin), tc.marg},
			} {
				if !near(c.got, c.want) {
					t.Errorf("%s = %.12f, want %.12f", c.what, c.got, c.want)
				}
			}
			if got.Status != tc.status || got.Short != tc.short {
				t.Errorf("status %q, short %q; want %q, %q\n%s", got.Status, got.Short, tc.status, tc.short, got.Reason)
			}
		})
	}
}

func TestLifecycleStatus(t *testing.T) {
	as := inForce("isr", "ISR", "IRN", "RUS", 10, assurance.Transition{Status: assurance.Lapsed, Time: dayN(20),
		Trigger: &assurance.Trigger{Condition: "unless[0]: IRN->ISR roots 18,19,20"}})
	a := mustNew(t, testModel(), fixed{}, as)
	for _, tc := range []struct {
		at        int
		lifecycle assurance.Status
		status    Status
		reason    string
	}{
		{5, assurance.Acknowledged, NotInForce, "Not yet in force (acknowledged): it comes into force on 2025-12-11."},
		{10, assurance.InForce, Reassures, "Reassures: credibility 0.895 (intention 0.895 x capacity 1.000) is at least the threshold 0.667 that Iran's temptation 0.500 sets; margin +0.228."},
		{15, assurance.InForce, Reassures, "When conveyed on 2025-12-11 it reassured with margin +0.228."},
		{20, assurance.Lapsed, NotInForce, "Not in force: lapsed on 2025-12-21 (unless[0]: IRN->ISR roots 18,19,20). While in force its lowest margin was +0.228, on 2025-12-11; when conveyed on 2025-12-11 it reassured with margin +0.228."},
	} {
		rep, err := a.Assess(dayN(tc.at))
		if err != nil {
			t.Fatal(err)
		}
		got := rep.Assurances[0]
		if got.Lifecycle != tc.lifecycle || got.Status != tc.status || !strings.Contains(got.Reason, tc.reason) {
			t.Errorf("day %d: %s, %s, %q; want %s, %s, %q", tc.at, got.Lifecycle, got.Status, got.Reason, tc.lifecycle, tc.status, tc.reason)
		}
	}
}

func TestSeriesDays(t *testing.T) {
	a := mustNew(t, testModel(), fixed{}, inForce("isr", "ISR", "IRN", "RUS", 1))
	at := dayN(2).Add(12 * time.Hour)
	rep, err := a.Assess(at)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Assurances[0].Series
	if len(s) != 4 || !s[0].Time.Equal(start) || !s[2].Time.Equal(dayN(2)) || !s[3].Time.Equal(at) {
		t.Fatalf("series times = %v, want days 0, 1, 2 and the time asked", times(s))
	}
	if s[0].Status != NotInForce || s[1].Status != Reassures || s[3].Credibility != rep.Assurances[0].Credibility {
		t.Errorf("series = %+v", s)
	}
	if before := a.Days(dayN(-3)); len(before) != 1 || !before[0].Equal(dayN(-3)) {
		t.Errorf("Days before the start = %v, want the time asked alone", before)
	}
}

func times(ps []Point) []time.Time {
	var out []time.Time
	for _, p := range ps {
		out = append(out, p.Time)
	}
	return out
}

func TestInfiniteThresholdJSON(t *testing.T) {
	a := mustNew(t, testModel(), fixed{"IRN.instability": 0, "USA->IRN.pressure": 3}, inForce("irn", "IRN", "ISR", "RUS", 0))
	rep, err := a.Assess(dayN(1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep.Assurances[0].Point)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"threshold":null,"margin":null`) {
		t.Errorf("JSON = %s, want a null threshold and margin", b)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "threshold          inf") || !strings.Contains(text.String(), "Temptation is too high") {
		t.Errorf("text:\n%s", text.String())
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *scenario.Model)
		as   assurance.AssuranceResult
		want string
	}{
		{"no prior", nil, inForce("x", "USA", "IRN", "RUS", 0), "assurance x: the model gives its issuer USA no prior"},
		{"no temptation", nil, inForce("x", "ISR", "USA", "RUS", 0), "assurance x: the model gives its beneficiary USA no temptation"},
		{"bad driver", func(m *scenario.Model) { m.Drivers[0].Indicator = "XXX->IRN.pressure" }, inForce("x", "ISR", "IRN", "RUS", 0), "bad indicator name"},
	} {
		m := testModel()
		if tc.edit != nil {
			tc.edit(m)
		}
		_, err := New(Config{Model: m, Start: start, Assurances: []assurance.AssuranceResult{tc.as}, Indicators: fixed{}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := New(Config{Indicators: fixed{}}); err != scenario.ErrNoModel {
		t.Errorf("no model: error %v, want ErrNoModel", err)
	}
}
