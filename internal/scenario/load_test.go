package scenario_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

// testPath names every scenario text in errors. Parse never reads it; it puts
// the scenario in testdata so that "events.jsonl" resolves to
// testdata/events.jsonl. Expected errors name only its base, scenario.yaml.
var testPath = filepath.Join("testdata", "scenario.yaml")

// head is a valid start that the cases extend; it takes lines 1 to 4.
const head = `name: T
start: 2025-12-01
actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia}}
channel: {mediator: RUS, parties: [ISR, IRN]}
`

// withStart is head with another start.
func withStart(start string) string {
	return "name: T\nstart: " + start + "\n" + head[len("name: T\nstart: 2025-12-01\n"):]
}

// headNoChannel is head without its channel line; it takes lines 1 to 3.
const headNoChannel = `name: T
start: 2025-12-01
actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia}}
`

// A parseCase is one scenario text and what Parse must make of it: a scenario
// that check accepts, or exactly the errors in errs, each written
// "scenario.yaml:line:col: message substring" (the position as Pos.String
// gives it).
type parseCase struct {
	name  string
	src   string
	check func(t *testing.T, s *scenario.Scenario)
	errs  []string
}

// parseCases are every scenario text the tests use; FuzzLoad seeds its corpus
// with them.
var parseCases = []parseCase{
	{
		name: "minimal",
		src: `name: Minimal
start: 2025-12-01
actors:
  ISR: {name: Israel}
  IRN: {name: Iran}
  RUS: {name: Russia}
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		check: checkMinimal,
	},
	{name: "full", src: fullSrc, check: checkFull},
	{
		name: "start as an RFC 3339 time",
		src: `name: T
start: 2025-12-01T10:00:00+02:00
actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia}}
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		check: func(t *testing.T, s *scenario.Scenario) {
			if want := time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC); !s.Start.Equal(want) || s.Start.Location() != time.UTC {
				t.Errorf("Start = %v, want %v", s.Start, want)
			}
		},
	},

	// The file as a whole.
	{
		name: "invalid YAML",
		src: `name: T
start: 2025-12-01
description: a: b
`,
		errs: []string{"scenario.yaml:3:14: invalid YAML: mapping value is not allowed in this context"},
	},
	{
		name: "unclosed flow mapping: the column of the first token that cannot follow",
		src:  "name: T\nactors: {ISR: {name: Israel}\nchannel: y\n",
		errs: []string{"scenario.yaml:3:1: invalid YAML: ',' or '}' must be specified"},
	},
	{
		name: "a tab where a key should be",
		src:  "\t name: x\n",
		errs: []string{"scenario.yaml:1:6: invalid YAML: tab character cannot use as a map key directly"},
	},
	{name: "empty file", src: "", errs: []string{"scenario.yaml: empty file"}},
	{name: "only a comment", src: "# nothing yet\n", errs: []string{"scenario.yaml: empty file"}},
	{
		name: "a list instead of a mapping",
		src: `- name: T
- start: 2025-12-01
`,
		errs: []string{"scenario.yaml:1:1: a scenario is a mapping of sections (name, "},
	},
	{
		name: "a second document",
		src:  head + "---\nname: U\n",
		errs: []string{"scenario.yaml:5:1: a second YAML document"},
	},
	{
		name: "unknown section",
		src:  head + "actor: {}\n",
		errs: []string{`scenario.yaml:5:1: unknown section "actor"; want one of name, description, start`},
	},
	{
		name: "duplicate section",
		src:  head + "name: U\n",
		errs: []string{`scenario.yaml:5:1: section "name" appears twice`},
	},
	{
		name: "missing sections",
		src:  "description: nothing else\n",
		errs: []string{
			`scenario.yaml:1:1: missing section "name"`,
			`scenario.yaml:1:1: missing section "start"`,
			`scenario.yaml:1:1: missing section "actors"`,
			`scenario.yaml:1:1: missing section "channel"`,
		},
	},

	// name, start, horizon_days.
	{
		name: "bad start date",
		src: `name: T
start: 2025-12-32
actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia}}
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		errs: []string{`scenario.yaml:2:8: start: "2025-12-32" is not a date; want a date YYYY-MM-DD (2025-12-01) or an RFC 3339 time (2025-12-01T10:00:00Z)`},
	},
	{
		name: "start is a list",
		src:  withStart("[2025, 12, 1]"),
		errs: []string{"scenario.yaml:2:8: start: want a date YYYY-MM-DD (2025-12-01) or an RFC 3339 time (2025-12-01T10:00:00Z), got a list"},
	},
	{
		name: "start before 1900",
		src:  withStart("1899-12-31"),
		errs: []string{`scenario.yaml:2:8: start: "1899-12-31" is outside the years 1900 to 2199`},
	},
	{
		name: "start after 2199 as an RFC 3339 time",
		src:  withStart("2200-01-01T00:00:00Z"),
		errs: []string{`scenario.yaml:2:8: start: "2200-01-01T00:00:00Z" is outside the years 1900 to 2199`},
	},
	{
		name: "start in year 0",
		src:  withStart("0000-01-01"),
		errs: []string{`scenario.yaml:2:8: start: "0000-01-01" is outside the years 1900 to 2199`},
	},
	{
		name: "start on the first allowed day",
		src:  withStart("1900-01-01"),
		check: func(t *testing.T, s *scenario.Scenario) {
			if !s.Start.Equal(day(1900, 1, 1)) {
				t.Errorf("Start = %v, want 1900-01-01", s.Start)
			}
		},
	},
	{
		name: "start on the last allowed day",
		src:  withStart("2199-12-31T23:59:59Z"),
		check: func(t *testing.T, s *scenario.Scenario) {
			if want := time.Date(2199, 12, 31, 23, 59, 59, 0, time.UTC); !s.Start.Equal(want) {
				t.Errorf("Start = %v, want %v", s.Start, want)
			}
		},
	},
	{
		name: "name is a list",
		src:  "name: [a, b]\n" + head[len("name: T\n"):],
		errs: []string{"scenario.yaml:1:7: name: want a string, got a list"},
	},
	{
		name: "horizon_days 0",
		src:  head + "horizon_days: 0\n",
		errs: []string{"scenario.yaml:5:15: horizon_days: 0 is out of range; want 1 to 36500 days"},
	},
	{
		name: "horizon_days abc",
		src:  head + "horizon_days: abc\n",
		errs: []string{`scenario.yaml:5:15: horizon_days: "abc" is not a whole number`},
	},

	// actors.
	{
		name: "actor code in lower case or too long",
		src: `name: T
start: 2025-12-01
actors:
  isr: {name: Israel}
  ISRA: {name: Israel}
  IRN: {name: Iran}
  RUS: {name: Russia}
  USA: {name: United States}
channel: {mediator: RUS, parties: [IRN, USA]}
`,
		errs: []string{
			`scenario.yaml:4:3: actors: "isr" is not a CAMEO country code; did you mean ISR?`,
			`scenario.yaml:5:3: actors: "ISRA" is not a CAMEO country code; did you mean ISR?`, // from its name
		},
	},
	{
		name: "actor code a country's name",
		src: `name: T
start: 2025-12-01
actors:
  ISR: {name: Israel}
  Iran: {name: Islamic Republic}
  RUS: {name: Russia}
channel: {mediator: RUS, parties: [ISR, Iran]}
`,
		errs: []string{`scenario.yaml:5:3: actors: "Iran" is not a CAMEO country code; did you mean IRN?`},
	},
	{
		name: "actor code unknown",
		src: `name: T
start: 2025-12-01
actors:
  ISR: {name: Israel}
  IRN: {name: Iran}
  XYZ: {name: Nowhere}
channel: {mediator: XYZ, parties: [ISR, IRN]}
`,
		errs: []string{`scenario.yaml:6:3: actors: "XYZ" is not a CAMEO country code; want three capitals such as ISR, IRN or RUS (or UNO, IGO`},
	},
	{
		name: "actor code of a body that is no state",
		src: `name: T
start: 2025-12-01
actors:
  ISR: {name: Israel}
  IRN: {name: Iran}
  UNO: {name: United Nations, ideal: 0.5}
  IGO: {name: European Union}
channel: {mediator: UNO, parties: [ISR, IRN]}
`,
		check: func(t *testing.T, s *scenario.Scenario) {
			if got := codes(s); !slices.Equal(got, []string{"ISR", "IRN", "UNO", "IGO"}) {
				t.Errorf("actors = %v, want ISR IRN UNO IGO", got)
			}
			if s.Channel.Mediator != "UNO" {
				t.Errorf("Channel = %+v, want UNO mediating", s.Channel)
			}
		},
	},
	{
		name: "unknown actor field",
		src: `name: T
start: 2025-12-01
actors:
  ISR: {name: Israel, flag: blue}
  IRN: {name: Iran}
  RUS: {name: Russia}
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		errs: []string{`scenario.yaml:4:23: actors.ISR: unknown field "flag"; want name, ideal, conflict_cost`},
	},
	{
		name: "ideal and conflict_cost out of range",
		src: `name: T
start: 2025-12-01
actors:
  ISR: {name: Israel}
  IRN: {name: Iran}
  RUS: {name: Russia, ideal: 1.5, conflict_cost: -1}
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		errs: []string{
			"scenario.yaml:6:30: actors.RUS.ideal: 1.5 is out of range; want 0 to 1",
			"scenario.yaml:6:50: actors.RUS.conflict_cost: -1 is out of range",
		},
	},
	{
		name: "actor without a name",
		src: `name: T
start: 2025-12-01
actors:
  ISR: {name: Israel}
  IRN: {name: Iran}
  RUS: {ideal: 0.5}
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		errs: []string{"scenario.yaml:6:8: actors.RUS: missing name"},
	},
	{
		name: "actors as a list",
		src: `name: T
start: 2025-12-01
actors: [ISR, IRN, RUS]
channel: {mediator: RUS, parties: [ISR, IRN]}
`,
		errs: []string{
			"scenario.yaml:3:9: actors: want a mapping, got a list",
			`scenario.yaml:4:21: channel.mediator: "RUS" is not an actor of this scenario; declare it under actors (have none)`,
			`scenario.yaml:4:36: channel.parties[0]: "ISR" is not an actor`,
			`scenario.yaml:4:41: channel.parties[1]: "IRN" is not an actor`,
		},
	},

	// relations.
	{
		name: "relation with an undeclared actor",
		src: head + `relations:
  - {a: ISR, b: SAU, value: 0.1}
`,
		errs: []string{`scenario.yaml:6:17: relations[0].b: "SAU" is not an actor of this scenario; declare it under actors (have ISR, IRN, RUS)`},
	},
	{
		name: "relation with itself",
		src: head + `relations:
  - {a: ISR, b: ISR, value: 1}
`,
		errs: []string{"scenario.yaml:6:5: relations[0]: an actor's relation with itself means nothing"},
	},
	{
		name: "duplicate relation, also reversed",
		src: head + `relations:
  - {a: ISR, b: IRN, value: -0.9}
  - {a: ISR, b: IRN, value: -0.8}
  - {a: IRN, b: ISR, value: -0.7}
`,
		errs: []string{
			"scenario.yaml:7:5: relations[1]: the relation ISR-IRN is already given (relations are symmetric)",
			"scenario.yaml:8:5: relations[2]: the relation IRN-ISR is already given (relations are symmetric)",
		},
	},
	{
		name: "relation value 2",
		src: head + `relations:
  - {a: ISR, b: IRN, value: 2}
`,
		errs: []string{"scenario.yaml:6:29: relations[0].value: 2 is out of range; want -1 to 1"},
	},
	{
		name: "relation ties maybe",
		src: head + `relations:
  - {a: ISR, b: IRN, value: -0.9, ties: maybe}
`,
		errs: []string{`scenario.yaml:6:41: relations[0].ties: "maybe" is not true or false`},
	},
	{
		name: "relation without a value",
		src: head + `relations:
  - {a: ISR, b: IRN}
`,
		errs: []string{"scenario.yaml:6:5: relations[0]: missing value"},
	},

	// channel.
	{
		name: "mediator undeclared",
		src:  headNoChannel + "channel: {mediator: TUR, parties: [ISR, IRN]}\n",
		errs: []string{`scenario.yaml:4:21: channel.mediator: "TUR" is not an actor of this scenario; declare it under actors (have ISR, IRN, RUS)`},
	},
	{
		name: "a party is the mediator",
		src:  headNoChannel + "channel: {mediator: RUS, parties: [ISR, RUS]}\n",
		errs: []string{"scenario.yaml:4:41: channel.parties[1]: RUS is the mediator; the mediator is not a party"},
	},
	{
		name: "a party listed twice",
		src:  headNoChannel + "channel: {mediator: RUS, parties: [ISR, IRN, ISR]}\n",
		errs: []string{"scenario.yaml:4:46: channel.parties[2]: ISR is listed twice"},
	},
	{
		name: "only one party",
		src:  headNoChannel + "channel: {mediator: RUS, parties: [ISR]}\n",
		errs: []string{"scenario.yaml:4:35: channel.parties: want at least two parties, got 1"},
	},
	{
		name: "channel without parties",
		src:  headNoChannel + "channel: {mediator: RUS}\n",
		errs: []string{"scenario.yaml:4:10: channel: missing parties"},
	},

	// indicators.
	{
		name: "indicator with a bad name",
		src: head + `indicators:
  IRN.enrichment_pct: 60
  enrichment: 60
`,
		errs: []string{`scenario.yaml:7:3: indicators: "enrichment" is not an indicator name; want ACTOR.name`},
	},
	{
		name: "indicator of an undeclared actor",
		src: head + `indicators:
  SAU.oil_output: 9
`,
		errs: []string{`scenario.yaml:6:3: indicators: "SAU.oil_output" belongs to SAU, which is not an actor of this scenario (have ISR, IRN, RUS)`},
	},
	{
		name: "indicator value not a number",
		src: head + `indicators:
  IRN.enrichment_pct: high
`,
		errs: []string{`scenario.yaml:6:23: indicators.IRN.enrichment_pct: "high" is not a number`},
	},

	// events.
	{
		name: "missing event file",
		src: head + `events:
  - events.jsonl
  - missing.jsonl
`,
		errs: []string{"scenario.yaml:7:5: events[1]: event file missing.jsonl: no such file or directory"},
	},
	{
		name: "null event item",
		src: head + `events: [~]
`,
		errs: []string{"scenario.yaml:5:10: events[0]: want a file name or an inline record, got nothing"},
	},
	{
		name: "inline record with an unquoted code",
		src: head + `events:
  - {kind: event, time: 2025-06-13, code: 195}
`,
		errs: []string{`scenario.yaml:6:5: events[0]: field "code": write CAMEO codes in quotes`},
	},
	{
		name: "inline record with a bad CAMEO code",
		src: head + `events:
  - {kind: event, time: 2025-06-13, source: {country: ISR}, target: {country: IRN}, code: "999"}
`,
		errs: []string{`scenario.yaml:6:5: events[0]: field "code": "999" is not a CAMEO event code`},
	},
	{
		name: "events not a list",
		src:  head + "events: events.jsonl\n",
		errs: []string{`scenario.yaml:5:9: events: want a list of event files and inline records, got "events.jsonl"`},
	},

	// Everything at once, found in check order, reported in file order.
	{
		name: "several errors in file order",
		src: `events: [missing.jsonl]
name: T
start: 2025-12-32
horizon_days: 0
actors:
  ISR: {name: Israel}
  irn: {name: Iran}
  RUS: {name: Russia, ideal: 2}
relations:
  - {a: ISR, b: TUR, value: 0.5}
channel: {mediator: RUS, parties: [ISR, IRN]}
indicators: {IRN.x: 1}
bogus: 1
`,
		errs: []string{
			"scenario.yaml:1:10: events[0]: event file missing.jsonl",
			`scenario.yaml:3:8: start: "2025-12-32" is not a date`,
			"scenario.yaml:4:15: horizon_days: 0 is out of range",
			`scenario.yaml:7:3: actors: "irn" is not a CAMEO country code; did you mean IRN?`,
			"scenario.yaml:8:30: actors.RUS.ideal: 2 is out of range",
			`scenario.yaml:10:17: relations[0].b: "TUR" is not an actor`,
			`scenario.yaml:11:41: channel.parties[1]: "IRN" is not an actor`,
			`scenario.yaml:12:14: indicators: "IRN.x" belongs to IRN, which is not an actor`,
			`scenario.yaml:13:1: unknown section "bogus"`,
		},
	},

	// Regressions: each case states what the loader does where it once had a
	// defect, described above the case.

	// actorRef returned "" without an error for an empty string, so the
	// scenario loaded with no mediator, "" as a party, or a relation with "".
	{
		name: "empty mediator",
		src:  headNoChannel + `channel: {mediator: "", parties: [ISR, IRN]}` + "\n",
		errs: []string{"scenario.yaml:4:21: channel.mediator: empty; want an actor of this scenario"},
	},
	{
		name: "empty party",
		src:  headNoChannel + `channel: {mediator: RUS, parties: [ISR, ""]}` + "\n",
		errs: []string{"scenario.yaml:4:41: channel.parties[1]: empty; want an actor of this scenario"},
	},
	{
		name: "empty relation actor",
		src: head + `relations:
  - {a: "", b: ISR, value: 0}
`,
		errs: []string{"scenario.yaml:6:9: relations[0].a: empty; want an actor of this scenario"},
	},
	// channel() checked n.Kind != MappingNode after fields() had resolved the
	// alias, returned early, and the scenario loaded with an empty channel.
	{
		name: "channel as an alias",
		src: headNoChannel + `model: {usual: &usual {mediator: RUS, parties: [ISR, IRN]}}
channel: *usual
`,
		check: func(t *testing.T, s *scenario.Scenario) {
			want := scenario.Channel{Mediator: "RUS", Parties: []string{"ISR", "IRN"}}
			if s.Channel.Mediator != want.Mediator || !slices.Equal(s.Channel.Parties, want.Parties) {
				t.Errorf("Channel = %+v, want %+v", s.Channel, want)
			}
		},
	},
	// relations() skipped an item whose Kind was not MappingNode after fields()
	// had resolved the alias: the relation was dropped silently.
	{
		name: "relation as an alias",
		src: head + `model: {hostile: &hostile {a: ISR, b: IRN, value: -0.9}}
relations: [*hostile]
`,
		check: func(t *testing.T, s *scenario.Scenario) {
			if r := s.Relation("ISR", "IRN"); r.Value != -0.9 {
				t.Errorf("Relation(ISR, IRN) = %+v, want value -0.9; Relations = %+v", r, s.Relations)
			}
		},
	},
	// parse() took any error from the second Decode for the end of the file, so
	// a broken second document was ignored and the scenario loaded.
	{
		name: "invalid YAML in a second document",
		src:  head + "---\nname: [\n",
		errs: []string{"scenario.yaml:6:7: invalid YAML: sequence end token"},
	},
}

const fullSrc = `name: Full
description: Every section the loader reads.
start: 2025-06-01
horizon_days: 30
actors:
  ISR: {name: Israel}
  IRN: {name: Iran}
  RUS: {name: Russia, ideal: 0.6, conflict_cost: 0.1}
  USA: {name: United States}
relations:
  - {a: ISR, b: IRN, value: -0.9, ties: false}
  - {a: RUS, b: IRN, value: 0.6, ties: true}
channel: {mediator: RUS, parties: [ISR, IRN]}
indicators:
  IRN.enrichment_pct: 60
  ISR.readiness: -0.5
assurances: []
redlines: []
model: {runs: 100}
events:
  - events.jsonl
  - {kind: event, time: 2025-06-13, source: {country: ISR}, target: {country: IRN}, code: "195"}
  - {kind: observation, time: 2025-06-20, indicator: IRN.enrichment_pct, value: 60, source: IAEA}
`

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func checkMinimal(t *testing.T, s *scenario.Scenario) {
	if s.Path != testPath || s.Dir != "testdata" {
		t.Errorf("Path, Dir = %q, %q; want %q, testdata", s.Path, s.Dir, testPath)
	}
	if s.Name != "Minimal" || s.Description != "" {
		t.Errorf("Name, Description = %q, %q", s.Name, s.Description)
	}
	if !s.Start.Equal(day(2025, 12, 1)) {
		t.Errorf("Start = %v, want 2025-12-01", s.Start)
	}
	if s.HorizonDays != 180 {
		t.Errorf("HorizonDays = %d, want the default 180", s.HorizonDays)
	}
	if !s.End().Equal(day(2026, 5, 30)) {
		t.Errorf("End() = %v, want 2026-05-30", s.End())
	}
	if got := codes(s); !slices.Equal(got, []string{"ISR", "IRN", "RUS"}) {
		t.Errorf("actors = %v, want ISR IRN RUS in file order", got)
	}
	if s.Channel.Mediator != "RUS" || !slices.Equal(s.Channel.Parties, []string{"ISR", "IRN"}) {
		t.Errorf("Channel = %+v", s.Channel)
	}
	if s.Relations != nil || s.Indicators != nil || s.EventFiles != nil || s.Inline != nil {
		t.Errorf("absent sections loaded as %v %v %v %v", s.Relations, s.Indicators, s.EventFiles, s.Inline)
	}
	if s.Assurances != nil || s.Redlines != nil || s.Model != nil {
		t.Error("absent assurances, redlines or model are not nil")
	}
	if r := s.Relation("ISR", "IRN"); r.A != "ISR" || r.B != "IRN" || r.Value != 0 || r.Ties {
		t.Errorf("Relation of an unlisted pair = %+v, want 0 with no ties", r)
	}
}

func checkFull(t *testing.T, s *scenario.Scenario) {
	if s.Description != "Every section the loader reads." {
		t.Errorf("Description = %q", s.Description)
	}
	if s.HorizonDays != 30 || !s.End().Equal(day(2025, 7, 1)) {
		t.Errorf("HorizonDays, End() = %d, %v; want 30, 2025-07-01", s.HorizonDays, s.End())
	}
	if got := codes(s); !slices.Equal(got, []string{"ISR", "IRN", "RUS", "USA"}) {
		t.Errorf("actors = %v", got)
	}
	rus, ok := s.Actor("RUS")
	if !ok || rus.Name != "Russia" || rus.Ideal == nil || *rus.Ideal != 0.6 || rus.ConflictCost == nil || *rus.ConflictCost != 0.1 {
		t.Errorf("Actor(RUS) = %+v, %v", rus, ok)
	}
	if want := (scenario.Pos{File: testPath, Line: 8, Column: 3}); rus.Pos != want {
		t.Errorf("Actor(RUS).Pos = %v, want %v", rus.Pos, want)
	}
	if isr, ok := s.Actor("ISR"); !ok || isr.Name != "Israel" || isr.Ideal != nil || isr.ConflictCost != nil {
		t.Errorf("Actor(ISR) = %+v, %v; want Israel with no ideal or conflict cost", isr, ok)
	}
	if a, ok := s.Actor("SAU"); ok {
		t.Errorf("Actor(SAU) = %+v, true; want not found", a)
	}

	for _, tc := range []struct {
		a, b  string
		value float64
		ties  bool
	}{
		{"ISR", "IRN", -0.9, false},
		{"IRN", "ISR", -0.9, false}, // symmetric
		{"IRN", "RUS", 0.6, true},
		{"RUS", "IRN", 0.6, true},
		{"USA", "ISR", 0, false}, // not listed
	} {
		r := s.Relation(tc.a, tc.b)
		if r.Value != tc.value || r.Ties != tc.ties {
			t.Errorf("Relation(%s, %s) = %+v, want value %v ties %v", tc.a, tc.b, r, tc.value, tc.ties)
		}
	}
	if r := s.Relation("USA", "ISR"); r.A != "USA" || r.B != "ISR" {
		t.Errorf("Relation of an unlisted pair names %s-%s, want USA-ISR", r.A, r.B)
	}
	if got := s.Relations[1].Pos; got != (scenario.Pos{File: testPath, Line: 12, Column: 5}) {
		t.Errorf("Relations[1].Pos = %v, want 12:5", got)
	}

	if s.Channel.Mediator != "RUS" || !slices.Equal(s.Channel.Parties, []string{"ISR", "IRN"}) {
		t.Errorf("Channel = %+v", s.Channel)
	}
	want := []scenario.Indicator{
		{Name: "IRN.enrichment_pct", Value: 60, Pos: scenario.Pos{File: testPath, Line: 15, Column: 3}},
		{Name: "ISR.readiness", Value: -0.5, Pos: scenario.Pos{File: testPath, Line: 16, Column: 3}},
	}
	if !slices.Equal(s.Indicators, want) {
		t.Errorf("Indicators = %+v, want %+v", s.Indicators, want)
	}
	if s.Assurances == nil || s.Assurances.Kind != yaml.SequenceNode || s.Redlines == nil || s.Model == nil || s.Model.Kind != yaml.MappingNode {
		t.Errorf("assurances, redlines, model not kept as YAML: %v %v %v", s.Assurances, s.Redlines, s.Model)
	}

	if want := []string{filepath.Join("testdata", "events.jsonl")}; !slices.Equal(s.EventFiles, want) {
		t.Errorf("EventFiles = %q, want %q", s.EventFiles, want)
	}
	if len(s.Inline) != 2 {
		t.Fatalf("Inline has %d records, want 2: %+v", len(s.Inline), s.Inline)
	}
	ev := s.Inline[0]
	if ev.Kind != event.KindEvent || !ev.Event.Time.Equal(day(2025, 6, 13)) || ev.Event.Source.Country != "ISR" ||
		ev.Event.Target.Country != "IRN" || ev.Event.Code != "195" || ev.Event.Goldstein != -10 || ev.Event.Quad != 4 {
		t.Errorf("Inline[0] = %+v, want ISR 195 (Goldstein -10, quad 4) IRN on 2025-06-13", ev)
	}
	ob := s.Inline[1]
	if ob.Kind != event.KindObservation || ob.Observation.Indicator != "IRN.enrichment_pct" || ob.Observation.Value != 60 ||
		!ob.Observation.Time.Equal(day(2025, 6, 20)) || ob.Observation.Source != "IAEA" {
		t.Errorf("Inline[1] = %+v, want IRN.enrichment_pct 60 on 2025-06-20 from IAEA", ob)
	}
}

func codes(s *scenario.Scenario) []string {
	out := make([]string, len(s.Actors))
	for i, a := range s.Actors {
		out[i] = a.Code
	}
	return out
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			s, err := scenario.Parse(testPath, []byte(c.src))
			if c.errs == nil {
				if err != nil {
					t.Fatalf("unexpected errors:\n%v", err)
				}
				checkScenario(t, s)
				if c.check != nil {
					c.check(t, s)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse accepted the text, want errors:\n%s", strings.Join(c.errs, "\n"))
			}
			if s != nil {
				t.Error("Parse returned a scenario along with errors")
			}
			var list scenario.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse returned %T %v, want an ErrorList", err, err)
			}
			if !matchErrors(t, list, c.errs) {
				t.Errorf("errors:\n%s\nwant:\n%s", render(list), strings.Join(c.errs, "\n"))
			}
		})
	}
}

// matchErrors reports whether list holds exactly the wanted errors, in order:
// the same position and a message containing the wanted text.
func matchErrors(t *testing.T, list scenario.ErrorList, want []string) bool {
	t.Helper()
	if len(list) != len(want) {
		return false
	}
	for i, e := range list {
		if e.Pos.File != testPath {
			t.Errorf("error %d names file %q, want %q", i, e.Pos.File, testPath)
		}
		pos, msg, _ := strings.Cut(want[i], ": ")
		if basePos(e.Pos) != pos || !strings.Contains(e.Msg, msg) {
			return false
		}
	}
	return true
}

func basePos(p scenario.Pos) string {
	p.File = filepath.Base(p.File)
	return p.String()
}

func render(list scenario.ErrorList) string {
	lines := make([]string, len(list))
	for i, e := range list {
		lines[i] = basePos(e.Pos) + ": " + e.Msg
	}
	return strings.Join(lines, "\n")
}

func TestLoadMissingFile(t *testing.T) {
	_, err := scenario.Load(filepath.Join(t.TempDir(), "nothing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want an os.ErrNotExist error", err)
	}
}

func TestErrorListUnwrap(t *testing.T) {
	_, err := scenario.Parse(testPath, []byte(head+"horizon_days: 0\n"))
	var e *scenario.Error
	if !errors.As(err, &e) || e.Pos.Line != 5 {
		t.Fatalf("errors.As(%v) found %v, want the horizon_days error", err, e)
	}
	if got, want := err.Error(), e.Error(); got != want {
		t.Errorf("one-error list prints %q, want %q", got, want)
	}
}
