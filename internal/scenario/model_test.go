package scenario_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"backchannel/internal/scenario"
)

// modelHead is a scenario that a model section can follow; it takes lines 1 to 6,
// so the section's first line is line 7.
const modelHead = `name: T
start: 2025-12-01
horizon_days: 90
actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia, ideal: 0.6, conflict_cost: 0.1}, USA: {name: United States}}
channel: {mediator: RUS, parties: [ISR, IRN]}
redlines: [{id: irn-enrichment-90, owner: ISR, against: IRN, when: 'true'}]
`

// modelExample is the section of MODELS.md, as written there.
const modelExample = `model:
  horizon_days: 180
  c: 1.0
  priors: {ISR: 0.6, IRN: 0.6}
  temptation: {ISR: 0.5, IRN: 0.5}
  capacity: {ISR: 1.0, IRN: 0.9}
  hazard_untrustworthy: 0.01
  incidents_per_day: 0.2
  misperception: {trustworthy: 0.1, untrustworthy: 0.6}
  likelihood_ratios: {"13": 1.5, "15": 2.0, "17": 2.5, "18": 3.0, "19": 4.0, "20": 5.0}
  mediator: {actor: RUS, ideal: 0.6, conflict_cost: 0.1, accuracy: 0.85, every_days: 7}
  drivers:
    - {indicator: "USA->IRN.pressure", raises: temptation, of: ISR, beta: 0.5,
       path: [{day: 0, value: 0.1}, {day: 60, value: 0.6}]}
    - {indicator: "IRN.instability", lowers: capacity, of: IRN, alpha: 1.0,
       path: [{day: 0, value: 0.2}, {day: 90, value: 0.5}], noise: 0.05}
  redline_hazards: [{redline: irn-enrichment-90, per_day: 0.002}]
`

// minimalModel has only the required fields.
const minimalModel = `model:
  c: 2
  priors: {ISR: 0.7, IRN: 0.8}
  temptation: {ISR: 0.1, IRN: 0}
  hazard_untrustworthy: 0.05
`

func modelConfig(t *testing.T, src string) (*scenario.Model, error) {
	t.Helper()
	s, err := scenario.Parse(testPath, []byte(src))
	if err != nil {
		t.Fatalf("the scenario does not load:\n%v", err)
	}
	return s.ModelConfig()
}

func TestModelExample(t *testing.T) {
	m, err := modelConfig(t, modelHead+modelExample)
	if err != nil {
		t.Fatal(err)
	}
	want := &scenario.Model{
		HorizonDays:         180,
		C:                   1,
		Priors:              map[string]float64{"ISR": 0.6, "IRN": 0.6},
		Temptation:          map[string]float64{"ISR": 0.5, "IRN": 0.5},
		Capacity:            map[string]float64{"ISR": 1, "IRN": 0.9},
		HazardUntrustworthy: 0.01,
		IncidentsPerDay:     0.2,
		Misperception:       scenario.Misperception{Trustworthy: 0.1, Untrustworthy: 0.6},
		LikelihoodRatios:    map[string]float64{"13": 1.5, "15": 2, "17": 2.5, "18": 3, "19": 4, "20": 5},
		Mediator: &scenario.ModelMediator{Actor: "RUS", Ideal: 0.6, ConflictCost: 0.1, Accuracy: 0.85, EveryDays: 7,
			Pos: scenario.Pos{File: testPath, Line: 17, Column: 13}},
		Drivers: []scenario.Driver{
			{Indicator: "USA->IRN.pressure", Effect: scenario.RaisesTemptation, Of: "ISR", Coef: 0.5,
				Path: []scenario.PathPoint{{0, 0.1}, {60, 0.6}}, Pos: scenario.Pos{File: testPath, Line: 19, Column: 7}},
			{Indicator: "IRN.instability", Effect: scenario.LowersCapacity, Of: "IRN", Coef: 1,
				Path: []scenario.PathPoint{{0, 0.2}, {90, 0.5}}, Noise: 0.05, Pos: scenario.Pos{File: testPath, Line: 21, Column: 7}},
		},
		RedlineHazards: []scenario.RedlineHazard{{Redline: "irn-enrichment-90", PerDay: 0.002, Pos: scenario.Pos{File: testPath, Line: 23, Column: 21}}},
		Pos:            scenario.Pos{File: testPath, Line: 8, Column: 3},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("ModelConfig =\n%+v\nwant\n%+v", m, want)
	}
}

func TestModelDefaults(t *testing.T) {
	m, err := modelConfig(t, modelHead+minimalModel)
	if err != nil {
		t.Fatal(err)
	}
	if m.HorizonDays != 90 {
		t.Errorf("HorizonDays = %d, want the scenario's 90", m.HorizonDays)
	}
	if !reflect.DeepEqual(m.Capacity, map[string]float64{"ISR": 1, "IRN": 1}) {
		t.Errorf("Capacity = %v, want 1 for both parties", m.Capacity)
	}
	if m.IncidentsPerDay != 0 || m.Mediator != nil || m.Drivers != nil || m.RedlineHazards != nil || m.LikelihoodRatios != nil {
		t.Errorf("optional fields not empty: %+v", m)
	}
	// The mediator's ideal and conflict cost come from the actors section.
	m, err = modelConfig(t, modelHead+minimalModel+"  mediator: {accuracy: 0.9, every_days: 3}\n")
	if err != nil {
		t.Fatal(err)
	}
	want := scenario.ModelMediator{Actor: "RUS", Ideal: 0.6, ConflictCost: 0.1, Accuracy: 0.9, EveryDays: 3,
		Pos: scenario.Pos{File: testPath, Line: 12, Column: 13}}
	if *m.Mediator != want {
		t.Errorf("Mediator = %+v, want %+v", *m.Mediator, want)
	}
	// Without a conflict cost anywhere it is MODELS.md D's 0.1.
	src := strings.Replace(modelHead, "RUS: {name: Russia, ideal: 0.6, conflict_cost: 0.1}", "RUS: {name: Russia}", 1)
	m, err = modelConfig(t, src+minimalModel+"  mediator: {ideal: 0.4, accuracy: 1, every_days: 1}\n")
	if err != nil {
		t.Fatal(err)
	}
	if m.Mediator.Ideal != 0.4 || m.Mediator.ConflictCost != 0.1 {
		t.Errorf("Mediator = %+v, want ideal 0.4, conflict cost 0.1", *m.Mediator)
	}
}

func TestNoModel(t *testing.T) {
	s, err := scenario.Parse(testPath, []byte(modelHead))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ModelConfig(); !errors.Is(err, scenario.ErrNoModel) {
		t.Errorf("ModelConfig() error = %v, want ErrNoModel", err)
	}
}

// TestModelErrors checks that every problem is reported, each where it is, with
// the field and what was expected. Lines count from the section's first line, 7.
func TestModelErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		errs []string
	}{
		{"not a mapping", "model: [1]\n", []string{"scenario.yaml:7:8: model: want a mapping, got a list"}},
		{"missing and unknown fields", "model:\n  horizon: 3\n", []string{
			`scenario.yaml:8:3: model: unknown field "horizon"; want horizon_days, c, priors`,
			"scenario.yaml:8:3: model: missing c",
			"scenario.yaml:8:3: model: missing priors",
			"scenario.yaml:8:3: model: missing temptation",
			"scenario.yaml:8:3: model: missing hazard_untrustworthy",
		}},
		{"ranges", `model:
  horizon_days: 0
  c: 0
  priors: {ISR: 1.5, IRN: -0.1}
  temptation: {ISR: 1, IRN: 0.5}
  capacity: {IRN: 2}
  hazard_untrustworthy: 1.01
  incidents_per_day: 101
  misperception: {trustworthy: 2, untrustworthy: x}
`, []string{
			"scenario.yaml:8:17: model.horizon_days: 0 is out of range; want 1 to 36500 days",
			"scenario.yaml:9:6: model.c: 0 is out of range; want a number above 0",
			"scenario.yaml:10:17: model.priors.ISR: 1.5 is out of range; want 0 to 1",
			"scenario.yaml:10:27: model.priors.IRN: -0.1 is out of range; want 0 to 1",
			"scenario.yaml:11:21: model.temptation.ISR: 1 is out of range; want 0 to below 1",
			"scenario.yaml:12:19: model.capacity.IRN: 2 is out of range; want 0 to 1",
			"scenario.yaml:13:25: model.hazard_untrustworthy: 1.01 is out of range; want 0 to 1",
			"scenario.yaml:14:22: model.incidents_per_day: 101 is out of range; want 0 to 100",
			"scenario.yaml:15:32: model.misperception.trustworthy: 2 is out of range; want 0 to 1",
			`scenario.yaml:15:50: model.misperception.untrustworthy: "x" is not a number`,
		}},
		{"parties and actors", `model:
  c: 1
  priors: {ISR: 0.5, XXX: 0.5}
  temptation: {}
  hazard_untrustworthy: 0.1
  incidents_per_day: 0.5
`, []string{
			"scenario.yaml:8:3: model: missing misperception ({trustworthy: P, untrustworthy: P}); incidents_per_day is above 0",
			"scenario.yaml:9:11: model.priors: missing IRN; every party of the channel needs a probability that it is trustworthy",
			`scenario.yaml:9:22: model.priors: "XXX" is not an actor of this scenario; declare it under actors (have ISR, IRN, RUS, USA)`,
			"scenario.yaml:10:15: model.temptation: missing ISR; every party of the channel needs a trustworthy side's temptation",
			"scenario.yaml:10:15: model.temptation: missing IRN; every party",
		}},
		{"likelihood ratios", minimalModel + `  likelihood_ratios: {"13": 1.5, 18: 0, "21": 2, "1": 2, "19": {x: 1}}
`, []string{
			`scenario.yaml:12:38: model.likelihood_ratios.18: 0 is out of range; want a number above 0`,
			`scenario.yaml:12:41: model.likelihood_ratios: "21" is not a CAMEO root; want two digits from "01" to "20"`,
			`scenario.yaml:12:50: model.likelihood_ratios: "1" is not a CAMEO root`,
			`scenario.yaml:12:64: model.likelihood_ratios.19: want a number, got a mapping`,
		}},
		{"mediator", minimalModel + `  mediator: {actor: ISR, ideal: 2, conflict_cost: -1, accuracy: 0.4, every_days: 0, bias: 1}
`, []string{
			"scenario.yaml:12:21: model.mediator.actor: ISR is a party of the channel; a mediator is not a party",
			"scenario.yaml:12:33: model.mediator.ideal: 2 is out of range; want 0 to 1",
			"scenario.yaml:12:51: model.mediator.conflict_cost: -1 is out of range",
			"scenario.yaml:12:65: model.mediator.accuracy: 0.4 is out of range; want 0.5 to 1",
			"scenario.yaml:12:82: model.mediator.every_days: 0 is out of range; want 1 to 36500 days",
			`scenario.yaml:12:85: model.mediator: unknown field "bias"`,
		}},
		{"mediator without ideal or accuracy", strings.Replace(modelHead, ", ideal: 0.6", "", 1) + minimalModel + "  mediator: {every_days: 7}\n", []string{
			"scenario.yaml:12:13: model.mediator: missing accuracy",
			"scenario.yaml:12:13: model.mediator: missing ideal (0 = ISR's position, 1 = the other party's); give it here or as actors.RUS.ideal",
		}},
		{"drivers", minimalModel + `  drivers:
    - {indicator: "USA->IRN.pressure", raises: capacity, of: ISR, beta: 0.5, path: [{day: 0, value: 1}]}
    - {indicator: "IRN instability", lowers: capacity, of: USA, path: [{day: 5, value: 0.2}, {day: 5, value: 1.5}]}
    - {indicator: x.y, raises: temptation, lowers: capacity, of: IRN, path: []}
    - {indicator: ISR.p, raises: temptation, of: ISR, beta: -1, alpha: 1, noise: -0.1, path: [{day: -1, value: 0}, {day: 1}]}
    - {of: ISR}
    - 7
`, []string{
			`scenario.yaml:13:48: model.drivers[0].raises: "capacity"; want temptation (with beta), or lowers: capacity (with alpha)`,
			`scenario.yaml:14:7: model.drivers[1]: missing alpha; lowers capacity takes alpha`,
			`scenario.yaml:14:19: model.drivers[1].indicator: "IRN instability" is not an indicator name`,
			`scenario.yaml:14:60: model.drivers[1].of: USA is not a party of the channel (ISR, IRN)`,
			`scenario.yaml:14:100: model.drivers[1].path[1].day: 5 is not after day 5 of the point before`,
			`scenario.yaml:14:110: model.drivers[1].path[1].value: 1.5 is out of range; want 0 to 1`,
			`scenario.yaml:15:52: model.drivers[2]: give raises or lowers, not both`,
			`scenario.yaml:15:77: model.drivers[2].path: empty; want at least one {day, value}`,
			`scenario.yaml:16:61: model.drivers[3].beta: -1 is out of range`,
			`scenario.yaml:16:72: model.drivers[3].alpha: raises temptation takes beta, not alpha`,
			`scenario.yaml:16:82: model.drivers[3].noise: -0.1 is out of range`,
			`scenario.yaml:16:101: model.drivers[3].path[0].day: -1 is out of range; want 0 to 36500 days`,
			`scenario.yaml:16:116: model.drivers[3].path[1]: missing value`,
			`scenario.yaml:17:7: model.drivers[4]: missing indicator`,
			`scenario.yaml:17:7: model.drivers[4]: missing path`,
			`scenario.yaml:17:7: model.drivers[4]: missing raises: temptation (with beta) or lowers: capacity (with alpha)`,
			`scenario.yaml:18:7: model.drivers[5]: want a mapping, got "7"`,
		}},
		{"redline hazards", minimalModel + `  redline_hazards:
    - {redline: irn-enrichment-90, per_day: 0.5}
    - {redline: irn-enrichment-90, per_day: 2}
    - {redline: nope}
`, []string{
			`scenario.yaml:14:17: model.redline_hazards[1].redline: irn-enrichment-90 has a hazard already`,
			`scenario.yaml:14:45: model.redline_hazards[1].per_day: 2 is out of range; want 0 to 1`,
			`scenario.yaml:15:7: model.redline_hazards[2]: missing per_day`,
			`scenario.yaml:15:17: model.redline_hazards[2].redline: "nope" is not a red line of this scenario (have irn-enrichment-90)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src
			if !strings.HasPrefix(src, "name:") {
				src = modelHead + src
			}
			m, err := modelConfig(t, src)
			var list scenario.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("ModelConfig = %+v, %v; want an ErrorList", m, err)
			}
			if len(list) != len(tc.errs) {
				t.Fatalf("errors:\n%v\nwant %d:\n%s", err, len(tc.errs), strings.Join(tc.errs, "\n"))
			}
			for i, want := range tc.errs {
				if got := strings.TrimPrefix(list[i].Error(), "testdata/"); !strings.HasPrefix(got, want) {
					t.Errorf("error %d:\n got %s\nwant %s", i, got, want)
				}
			}
		})
	}
}

func TestDriverAt(t *testing.T) {
	d := scenario.Driver{Path: []scenario.PathPoint{{10, 0.2}, {20, 0.6}, {40, 0.6}, {50, 0}}}
	for _, tc := range []struct{ day, want float64 }{
		{0, 0.2}, {10, 0.2}, {15, 0.4}, {20, 0.6}, {30, 0.6}, {45, 0.3}, {50, 0}, {99, 0},
	} {
		if got := d.At(tc.day); got < tc.want-1e-12 || got > tc.want+1e-12 {
			t.Errorf("At(%v) = %v, want %v", tc.day, got, tc.want)
		}
	}
	if got := (&scenario.Driver{}).At(3); got != 0 {
		t.Errorf("empty path At = %v, want 0", got)
	}
	one := scenario.Driver{Path: []scenario.PathPoint{{5, 0.7}}}
	if one.At(0) != 0.7 || one.At(100) != 0.7 {
		t.Error("a path of one point is constant")
	}
}

func TestBundledModel(t *testing.T) {
	s, err := scenario.Load(bundled)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.ModelConfig()
	if err != nil {
		t.Fatalf("the bundled model section does not load:\n%v", err)
	}
	if m.HorizonDays != 180 || m.Mediator == nil || m.Mediator.Actor != "RUS" || m.Mediator.Ideal != 0.6 || m.Mediator.ConflictCost != 0.1 {
		t.Errorf("model = %+v, mediator %+v; want 180 days and Russia's ideal point and cost from the actors section", m, m.Mediator)
	}
	if len(m.Drivers) != 2 || len(m.RedlineHazards) != 2 {
		t.Errorf("drivers %+v, red line hazards %+v", m.Drivers, m.RedlineHazards)
	}
}
