package assurance

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/common/types"
	"pgregory.net/rapid"

	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

// The alphabets patterns and records are drawn from: small, so that random
// records often match random patterns.
var (
	alphaCountries = []string{"ISR", "IRN", "USA", "RUS"}
	alphaTypes     = []string{"GOV", "MIL", "CVL"}
	// alphaCodeSets are the code prefixes a pattern may list; every one is
	// the start of some CAMEO code.
	alphaCodeSets = []string{"19", "190", "1384", "13", "0", "18", "195", "20"}
	// alphaEventCodes are the codes records carry: real CAMEO codes with
	// the prefixes above, and a few without.
	alphaEventCodes = []string{"190", "193", "195", "1951", "19", "1384", "1385", "138", "13", "130",
		"010", "042", "0841", "183", "18", "200", "20", "111", "173"}
	alphaRoots     = []string{"13", "18", "19", "20"}
	alphaGoldstein = []float64{-10, -9.5, -7.2, -5, -2, 0, 1.9, 2.5, 5, 7, 10}
)

// refMatch is ASSURANCES.md's pattern semantics, written independently of
// the CEL the package generates: a pattern never matches an observation, and
// matches an event when every field it names matches.
func refMatch(p *Pattern, r *event.Record) bool {
	if r.Kind != event.KindEvent {
		return false
	}
	e := &r.Event
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	if !in(p.Source, e.Source.Country) || !in(p.Target, e.Target.Country) ||
		!in(p.SourceType, e.Source.Type) || !in(p.TargetType, e.Target.Type) ||
		!in(p.Roots, e.Root()) {
		return false
	}
	if len(p.Codes) > 0 && !slices.ContainsFunc(p.Codes, func(c string) bool { return strings.HasPrefix(e.Code, c) }) {
		return false
	}
	if len(p.Quad) > 0 && !slices.Contains(p.Quad, e.Quad) {
		return false
	}
	if p.GoldsteinMax != nil && e.Goldstein > *p.GoldsteinMax {
		return false
	}
	if p.MinMentions != nil && e.Mentions < *p.MinMentions {
		return false
	}
	if p.Public != nil && e.Public != *p.Public {
		return false
	}
	return true
}

// genStrings draws a non-empty list from alpha, or nil (the field unset).
func genStrings(t *rapid.T, alpha []string, label string) []string {
	if !rapid.Bool().Draw(t, label+"?") {
		return nil
	}
	return rapid.SliceOfNDistinct(rapid.SampledFrom(alpha), 1, 3, rapid.ID[string]).Draw(t, label)
}

func genPattern(t *rapid.T) *Pattern {
	for {
		p := &Pattern{
			Source:     genStrings(t, alphaCountries, "source"),
			Target:     genStrings(t, alphaCountries, "target"),
			SourceType: genStrings(t, alphaTypes, "source_type"),
			TargetType: genStrings(t, alphaTypes, "target_type"),
			Codes:      genStrings(t, alphaCodeSets, "codes"),
			Roots:      genStrings(t, alphaRoots, "roots"),
		}
		if rapid.Bool().Draw(t, "quad?") {
			p.Quad = rapid.SliceOfNDistinct(rapid.IntRange(1, 4), 1, 3, rapid.ID[int]).Draw(t, "quad")
		}
		if rapid.Bool().Draw(t, "goldstein?") {
			v := rapid.SampledFrom(alphaGoldstein).Draw(t, "goldstein_max")
			p.GoldsteinMax = &v
		}
		if rapid.Bool().Draw(t, "mentions?") {
			v := rapid.IntRange(0, 20).Draw(t, "min_mentions")
			p.MinMentions = &v
		}
		if rapid.Bool().Draw(t, "public?") {
			v := rapid.Bool().Draw(t, "public")
			p.Public = &v
		}
		// An empty pattern is a load error, tested elsewhere.
		if p.String() != "" {
			return p
		}
	}
}

// yamlFlow writes p as the YAML flow mapping an author would, choosing at
// random between a scalar and a list of one, and between quoted and plain
// codes, so that every accepted spelling is compiled.
func yamlFlow(t *rapid.T, p *Pattern) string {
	var fields []string
	strs := func(key string, vals []string, quote bool) {
		if len(vals) == 0 {
			return
		}
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = v
			if quote || rapid.Bool().Draw(t, key+" quoted") {
				q[i] = strconv.Quote(v)
			}
		}
		if len(q) == 1 && rapid.Bool().Draw(t, key+" scalar") {
			fields = append(fields, key+": "+q[0])
			return
		}
		fields = append(fields, key+": ["+strings.Join(q, ", ")+"]")
	}
	strs("source", p.Source, false)
	strs("target", p.Target, false)
	strs("source_type", p.SourceType, false)
	strs("target_type", p.TargetType, false)
	// Codes and roots go plain or quoted: the loader reads either.
	strs("codes", p.Codes, false)
	strs("roots", p.Roots, false)
	if len(p.Quad) > 0 {
		q := make([]string, len(p.Quad))
		for i, v := range p.Quad {
			q[i] = strconv.Itoa(v)
		}
		fields = append(fields, "quad: ["+strings.Join(q, ", ")+"]")
	}
	if p.GoldsteinMax != nil {
		fields = append(fields, "goldstein_max: "+strconv.FormatFloat(*p.GoldsteinMax, 'g', -1, 64))
	}
	if p.MinMentions != nil {
		fields = append(fields, "min_mentions: "+strconv.Itoa(*p.MinMentions))
	}
	if p.Public != nil {
		fields = append(fields, "public: "+strconv.FormatBool(*p.Public))
	}
	// Field order does not matter to the loader.
	perm := rapid.Permutation(fields).Draw(t, "field order")
	return "{" + strings.Join(perm, ", ") + "}"
}

// genRecord draws a record: an observation, an event drawn freely from the
// alphabets, or an event built to meet p with at most one field changed, so
// that matches and near misses are both common.
func genRecord(t *rapid.T, p *Pattern) *event.Record {
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	switch rapid.IntRange(0, 9).Draw(t, "record kind") {
	case 0:
		return &event.Record{Kind: event.KindObservation, Observation: event.Observation{
			Time: at, Indicator: "IRN.enrichment_pct", Value: rapid.Float64Range(0, 100).Draw(t, "value"),
		}}
	case 1, 2, 3:
		return &event.Record{Kind: event.KindEvent, Event: randomEvent(t, at)}
	}
	e := randomEvent(t, at)
	pick := func(list []string, v *string, label string) {
		if len(list) > 0 {
			*v = rapid.SampledFrom(list).Draw(t, label)
		}
	}
	pick(p.Source, &e.Source.Country, "fit source")
	pick(p.Target, &e.Target.Country, "fit target")
	pick(p.SourceType, &e.Source.Type, "fit source_type")
	pick(p.TargetType, &e.Target.Type, "fit target_type")
	var fit []string
	for _, c := range alphaEventCodes {
		ev := event.Event{Code: c}
		if (len(p.Codes) == 0 || slices.ContainsFunc(p.Codes, func(pre string) bool { return strings.HasPrefix(c, pre) })) &&
			(len(p.Roots) == 0 || slices.Contains(p.Roots, ev.Root())) {
			fit = append(fit, c)
		}
	}
	pick(fit, &e.Code, "fit code")
	if len(p.Quad) > 0 {
		e.Quad = rapid.SampledFrom(p.Quad).Draw(t, "fit quad")
	}
	if p.GoldsteinMax != nil {
		var below []float64
		for _, g := range alphaGoldstein {
			if g <= *p.GoldsteinMax {
				below = append(below, g)
			}
		}
		e.Goldstein = rapid.SampledFrom(below).Draw(t, "fit goldstein")
	}
	if p.MinMentions != nil {
		e.Mentions = *p.MinMentions + rapid.IntRange(0, 2).Draw(t, "fit mentions")
	}
	if p.Public != nil {
		e.Public = *p.Public
	}
	// A near miss: one field redrawn freely.
	if rapid.Bool().Draw(t, "near miss?") {
		f := randomEvent(t, at)
		switch rapid.IntRange(0, 9).Draw(t, "redrawn field") {
		case 0:
			e.Source.Country = f.Source.Country
		case 1:
			e.Target.Country = f.Target.Country
		case 2:
			e.Source.Type = f.Source.Type
		case 3:
			e.Target.Type = f.Target.Type
		case 4, 5:
			e.Code = f.Code
		case 6:
			e.Quad = f.Quad
		case 7:
			e.Goldstein = f.Goldstein
		case 8:
			e.Mentions = f.Mentions
		case 9:
			e.Public = f.Public
		}
	}
	return &event.Record{Kind: event.KindEvent, Event: e}
}

func randomEvent(t *rapid.T, at time.Time) event.Event {
	// "" stands for an actor the dataset could not place.
	countries := append([]string{""}, alphaCountries...)
	typesOrNone := append([]string{""}, alphaTypes...)
	return event.Event{
		ID:   "e",
		Time: at,
		Source: event.Actor{
			Country: rapid.SampledFrom(countries).Draw(t, "source country"),
			Type:    rapid.SampledFrom(typesOrNone).Draw(t, "source type"),
		},
		Target: event.Actor{
			Country: rapid.SampledFrom(countries).Draw(t, "target country"),
			Type:    rapid.SampledFrom(typesOrNone).Draw(t, "target type"),
		},
		Code:      rapid.SampledFrom(alphaEventCodes).Draw(t, "code"),
		Quad:      rapid.IntRange(0, 4).Draw(t, "quad"),
		Goldstein: rapid.SampledFrom(alphaGoldstein).Draw(t, "goldstein"),
		Mentions:  rapid.IntRange(0, 20).Draw(t, "mentions"),
		Public:    rapid.Bool().Draw(t, "public"),
	}
}

// compilePattern compiles a standalone assurance file whose one refrain is
// the pattern written as flow, and returns the compiled condition.
func compilePattern(t interface {
	Helper()
	Fatalf(string, ...any)
}, flow string) *Condition {
	t.Helper()
	text := "start: 2026-01-01\nassurances:\n  - id: a\n    issuer: ISR\n    beneficiary: IRN\n    refrain: [" + flow + "]\n"
	s, err := scenario.Parse("pattern.yaml", []byte(text))
	if err != nil {
		t.Fatalf("scenario.Parse:\n%s\n%v", text, err)
	}
	set, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile:\n%s\n%v", text, err)
	}
	c := set.Assurances[0].Refrain[0]
	if c.prg == nil {
		t.Fatalf("pattern %s compiled to no program", flow)
	}
	return c
}

// evalCondition runs a compiled condition on r the way the engine does.
func evalCondition(c *Condition, r *event.Record) (bool, error) {
	act := activation{ind: &indicators{}}
	act.set(r)
	out, _, err := c.prg.Eval(&act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("condition yielded %v (%T), not a bool", out, out)
	}
	return bool(b), nil
}

// TestPatternMatchesReference checks that every pattern, read from YAML and
// compiled to CEL, matches exactly the records the reference matcher does.
func TestPatternMatchesReference(t *testing.T) {
	var checks, matches, events int
	rapid.Check(t, func(t *rapid.T) {
		p := genPattern(t)
		flow := yamlFlow(t, p)
		c := compilePattern(t, flow)
		if !reflect.DeepEqual(c.Pattern, p) {
			t.Fatalf("%s read as %+v, want %+v", flow, c.Pattern, p)
		}
		for i := range 20 {
			r := genRecord(t, p)
			got, err := evalCondition(c, r)
			if err != nil {
				t.Fatalf("pattern %s (CEL %s) on record %d %+v: %v", flow, c.CEL, i, r, err)
			}
			want := refMatch(p, r)
			if got != want {
				t.Fatalf("pattern %s\nCEL %s\nrecord %+v\nCEL says %v, reference says %v", flow, c.CEL, r, got, want)
			}
			checks++
			if r.Kind == event.KindEvent {
				events++
			}
			if want {
				matches++
			}
		}
	})
	t.Logf("%d checks (%d on events), %d matches", checks, events, matches)
	if matches*20 < checks {
		t.Errorf("only %d of %d checks matched: the property is nearly vacuous", matches, checks)
	}
	if matches == events {
		t.Errorf("every event matched: the property never sees a miss")
	}
}

// TestPatternEmptyListMatchesNothing checks a named field with an empty
// list. ASSURANCES.md says a pattern matches when every field it names
// matches, and no value is in an empty list; a refrain {source: ISR,
// target: []} must not breach on every Israeli event. The loader should
// refuse the empty list (as it refuses the empty pattern {}), or the
// pattern should match nothing.
func TestPatternEmptyListMatchesNothing(t *testing.T) {
	for _, flow := range []string{
		"{source: ISR, target: []}",
		"{roots: []}",
		"{codes: [], source: ISR}",
		"{quad: [], target: IRN}",
	} {
		t.Run(flow, func(t *testing.T) {
			text := "start: 2026-01-01\nassurances:\n  - id: a\n    issuer: ISR\n    beneficiary: IRN\n    refrain: [" + flow + "]\n"
			s, err := scenario.Parse("pattern.yaml", []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			set, err := Compile(s)
			if err != nil {
				return // refused: fine
			}
			c := set.Assurances[0].Refrain[0]
			r := &event.Record{Kind: event.KindEvent, Event: event.Event{
				Time: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Code: "190", Quad: 4,
				Source: event.Actor{Country: "ISR"}, Target: event.Actor{Country: "IRN"},
			}}
			if got, err := evalCondition(c, r); err != nil || got {
				t.Errorf("pattern %s compiled to %q, which matches an Israeli strike on Iran (%v, %v); an empty list should match nothing or be refused at load time",
					flow, c.CEL, got, err)
			}
		})
	}
}

func TestPatternCEL(t *testing.T) {
	g, m, yes, no := -5.0, 10, true, false
	for _, tc := range []struct {
		p    Pattern
		want string
	}{{
		p:    Pattern{Source: []string{"ISR"}, Target: []string{"IRN"}, Roots: []string{"18", "19", "20"}},
		want: `e.kind == "event" && e.source.country == "ISR" && e.target.country == "IRN" && e.root in ["18", "19", "20"]`,
	}, {
		p:    Pattern{Source: []string{"IRN"}, Codes: []string{"1384", "1385"}, Public: &yes},
		want: `e.kind == "event" && e.source.country == "IRN" && (e.code.startsWith("1384") || e.code.startsWith("1385")) && e.public == true`,
	}, {
		p: Pattern{
			Source: []string{"ISR", "USA"}, SourceType: []string{"MIL"}, TargetType: []string{"GOV", "CVL"},
			Codes: []string{"19"}, Quad: []int{4}, GoldsteinMax: &g, MinMentions: &m, Public: &no,
		},
		want: `e.kind == "event" && e.source.country in ["ISR", "USA"] && e.source.type == "MIL" && ` +
			`e.target.type in ["GOV", "CVL"] && e.code.startsWith("19") && e.quad == 4 && ` +
			`e.goldstein <= -5.0 && e.mentions >= 10 && e.public == false`,
	}, {
		p:    Pattern{Quad: []int{3, 4}},
		want: `e.kind == "event" && e.quad in [3, 4]`,
	}, {
		p:    Pattern{},
		want: `e.kind == "event"`,
	}} {
		if got := tc.p.CEL(); got != tc.want {
			t.Errorf("%+v.CEL()\n got %s\nwant %s", tc.p, got, tc.want)
		}
	}
}

func TestCELDouble(t *testing.T) {
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{5, "5.0"},
		{-10, "-10.0"},
		{2.5, "2.5"},
		{-7.25, "-7.25"},
		{0.30000000000000004, "0.30000000000000004"},
		{1e21, "1e+21"},
		{1e-7, "1e-07"},
		{-1.5e300, "-1.5e+300"},
		{123456789, "1.23456789e+08"},
	} {
		got := celDouble(tc.v)
		if got != tc.want {
			t.Errorf("celDouble(%v) = %q, want %q", tc.v, got, tc.want)
			continue
		}
		// CEL must read it back as the same double.
		ast, iss := env.Compile(got)
		if iss.Err() != nil {
			t.Errorf("celDouble(%v) = %q, which CEL refuses: %v", tc.v, got, iss.Err())
			continue
		}
		if !ast.OutputType().IsExactType(types.DoubleType) {
			t.Errorf("celDouble(%v) = %q, which CEL reads as %v", tc.v, got, ast.OutputType())
			continue
		}
		prg, err := env.Program(ast)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := prg.Eval(map[string]any{})
		if err != nil || out.Value() != tc.v {
			t.Errorf("CEL reads %q as %v (%v), want %v", got, out, err, tc.v)
		}
	}
}
