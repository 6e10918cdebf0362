package assurance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"backchannel/internal/scenario"
	"backchannel/internal/yamldoc"
)

// header is the scenario every error case below starts with: lines 1 to 5,
// so that a case's own lines start at line 6.
var header = []string{
	/* 1 */ "name: t",
	/* 2 */ "start: 2026-01-01",
	/* 3 */ "actors: {ISR: {name: Israel}, IRN: {name: Iran}, RUS: {name: Russia}}",
	/* 4 */ "channel: {mediator: RUS, parties: [ISR, IRN]}",
	/* 5 */ "indicators: {IRN.enrichment_pct: 60}",
}

// scen returns the header followed by lines (the first at line 6).
func scen(lines ...string) string { return text(slices.Concat(header, lines)...) }

func text(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// withRefrain returns a scenario with one assurance, a, whose refrain is
// written at line 10, column 14, followed by more lines from line 11.
func withRefrain(refrain string, more ...string) string {
	return scen(slices.Concat([]string{
		/*  6 */ "assurances:",
		/*  7 */ "  - id: a",
		/*  8 */ "    issuer: ISR",
		/*  9 */ "    beneficiary: IRN",
		/* 10 */ "    refrain: " + refrain,
	}, more)...)
}

// withWhen returns a scenario with one red line, r, whose when is written at
// line 10, column 11, followed by more lines from line 11.
func withWhen(when string, more ...string) string {
	return scen(slices.Concat([]string{
		/*  6 */ "redlines:",
		/*  7 */ "  - id: r",
		/*  8 */ "    owner: ISR",
		/*  9 */ "    against: IRN",
		/* 10 */ "    when: " + when,
	}, more)...)
}

// wantErr is one error Compile should report: at pos ("test.yaml:L:C"),
// where the file's text starts with at, saying msg (a part of the message
// that says what was wrong and what was expected).
type wantErr struct {
	pos, at, msg string
}

var loadErrorCases = []struct {
	name string
	yaml string
	want []wantErr
}{{
	name: "unknown issuer",
	yaml: scen(
		/*  6 */ "assurances:",
		/*  7 */ "  - id: a",
		/*  8 */ "    issuer: FRA",
		/*  9 */ "    beneficiary: IRN",
		/* 10 */ "    refrain: {source: ISR}",
	),
	want: []wantErr{{"test.yaml:8:13", "FRA", `assurance a.issuer: unknown actor "FRA"; want an actor of this scenario (ISR, IRN, RUS)`}},
}, {
	name: "unknown pattern source",
	yaml: withRefrain("[{source: XYZ}]"),
	want: []wantErr{{"test.yaml:10:24", "XYZ", `assurance a.refrain[0].source: unknown actor "XYZ"; want a CAMEO country code`}},
}, {
	name: "unknown actor type",
	yaml: withRefrain("{source: ISR, target_type: ABC}"),
	want: []wantErr{{"test.yaml:10:41", "ABC", `assurance a.refrain[0].target_type: unknown actor type "ABC"; want a CAMEO type code`}},
}, {
	name: "no CAMEO code",
	yaml: withRefrain(`{codes: ["999"]}`),
	want: []wantErr{{"test.yaml:10:23", `"999"`, `assurance a.refrain[0].codes: "999" is no CAMEO event code nor the start of one; want digits`}},
}, {
	name: "root of three digits",
	yaml: withRefrain(`{roots: ["190"]}`),
	want: []wantErr{{"test.yaml:10:23", `"190"`, `assurance a.refrain[0].roots: "190" is not a CAMEO root; want two digits "01" to "20"`}},
}, {
	name: "root out of range",
	yaml: withRefrain(`{roots: "21"}`),
	want: []wantErr{{"test.yaml:10:22", `"21"`, `"21" is not a CAMEO root; want two digits`}},
}, {
	name: "quad 5",
	yaml: withRefrain("{quad: [1, 5]}"),
	want: []wantErr{{"test.yaml:10:25", "5]", "assurance a.refrain[0].quad: 5 is not a quad class; want 1 to 4"}},
}, {
	name: "goldstein_max out of range",
	yaml: withRefrain("{goldstein_max: 11}"),
	want: []wantErr{{"test.yaml:10:30", "11", "assurance a.refrain[0].goldstein_max: 11 is out of range; want -10 to 10"}},
}, {
	name: "negative min_mentions",
	yaml: withRefrain("{min_mentions: -1}"),
	want: []wantErr{{"test.yaml:10:29", "-1", "assurance a.refrain[0].min_mentions: -1 is negative"}},
}, {
	name: "public neither true nor false",
	yaml: withRefrain("{public: maybe}"),
	want: []wantErr{{"test.yaml:10:23", "maybe", `assurance a.refrain[0].public: "maybe" is not true or false`}},
}, {
	name: "from not a date",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    from: 2026-13-01",
	),
	want: []wantErr{{"test.yaml:11:11", "2026-13-01", `assurance a.from: "2026-13-01" is not a date; want a date YYYY-MM-DD`}},
}, {
	name: "undeclared indicator",
	yaml: withWhen(`'ind["IRN.foo"] >= 1.0'`),
	want: []wantErr{{"test.yaml:10:12", `ind["IRN.foo"]`,
		`redline r.when: undeclared indicator "IRN.foo"; declare it under indicators with its initial value (declared: IRN.enrichment_pct)`}},
}, {
	name: "bad indicator name",
	yaml: withWhen(`'ind["IRN->ISR.enrichment"] >= 1.0'`),
	want: []wantErr{{"test.yaml:10:12", `ind[`, `redline r.when: bad indicator name "IRN->ISR.enrichment"`}},
}, {
	name: "ind indexed by an expression",
	yaml: withWhen(`'ind[e.code] >= 1.0'`),
	want: []wantErr{{"test.yaml:10:12", "ind[e.code]", `redline r.when: ind must be indexed with a quoted indicator name, as ind["IRN.enrichment_pct"]`}},
}, {
	name: "ind as the right of in",
	yaml: withWhen(`'"IRN.enrichment_pct" in ind'`),
	want: []wantErr{{"test.yaml:10:36", "ind'", "ind must be indexed with a quoted indicator name"}},
}, {
	name: "ind with a field",
	yaml: withWhen(`'ind.enrichment_pct > 1.0'`),
	want: []wantErr{{"test.yaml:10:12", "ind.", "ind must be indexed with a quoted indicator name"}},
}, {
	name: "CEL syntax error, single-quoted",
	yaml: withWhen(`'e.code == == "19"'`),
	want: []wantErr{{"test.yaml:10:22", `== "19"`, "redline r.when: Syntax error"}},
}, {
	name: "CEL syntax error at the end",
	yaml: withWhen(`'e.code == '`),
	want: []wantErr{{"test.yaml:10:22", "'", "redline r.when: Syntax error"}},
}, {
	name: "CEL syntax error, double-quoted",
	yaml: withWhen(`"e.code == == '19'"`),
	want: []wantErr{{"test.yaml:10:22", `== '19'`, "redline r.when: Syntax error"}},
}, {
	name: "CEL syntax error, plain",
	yaml: withWhen(`e.code == == '19'`),
	want: []wantErr{{"test.yaml:10:21", `== '19'`, "redline r.when: Syntax error"}},
}, {
	name: "CEL syntax error in a cel condition",
	yaml: withRefrain(`[{cel: 'e.kind == "event" && && true'}]`),
	want: []wantErr{{"test.yaml:10:43", "&& true", "assurance a.refrain[0].cel: Syntax error"}},
}, {
	// A block scalar's lines and indentation are found in the file's text.
	name: "CEL syntax error in a block scalar",
	yaml: withWhen("|",
		/* 11 */ `      e.kind == "event" &&`,
		/* 12 */ `      e.code == == "19"`,
	),
	want: []wantErr{{"test.yaml:12:17", `== "19"`, "redline r.when: Syntax error"}},
}, {
	name: "CEL type error: double == string",
	yaml: withWhen(`'e.goldstein == "x"'`),
	want: []wantErr{{"test.yaml:10:24", `== "x"`, "redline r.when: found no matching overload for '_==_' applied to '(double, string)'"}},
}, {
	name: "CEL type error: string + int",
	yaml: withWhen(`'e.code + 1 == "x"'`),
	want: []wantErr{{"test.yaml:10:19", "+ 1", "redline r.when: found no matching overload for '_+_' applied to '(string, int)'"}},
}, {
	name: "CEL unknown field",
	yaml: withWhen(`'e.country == "IRN"'`),
	want: []wantErr{{"test.yaml:10:13", ".country", `redline r.when: undefined field 'country'`}},
}, {
	name: "not a condition",
	yaml: withWhen(`'e.goldstein'`),
	want: []wantErr{{"test.yaml:10:11", "'e.goldstein'", "redline r.when: yields double; a condition must be true or false"}},
}, {
	name: "unless names an unknown red line",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    unless: [{redline: nope}]",
	),
	want: []wantErr{{"test.yaml:11:24", "nope", `assurance a.unless[0]: unknown red line "nope"; want one of the redlines section (none)`}},
}, {
	name: "reciprocal names an unknown assurance",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    reciprocal: nope",
		/* 12 */ "  - id: b",
		/* 13 */ "    issuer: IRN",
		/* 14 */ "    beneficiary: ISR",
		/* 15 */ "    refrain: {source: IRN}",
	),
	want: []wantErr{{"test.yaml:11:17", "nope", `assurance a.reciprocal: unknown assurance "nope"; want one of b`}},
}, {
	name: "reciprocal names itself",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    reciprocal: a",
	),
	want: []wantErr{{"test.yaml:11:17", "a", "assurance a.reciprocal: an assurance cannot stand on itself"}},
}, {
	name: "until before from",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    from: 2026-02-01",
		/* 12 */ "    until: 2026-01-15",
	),
	want: []wantErr{{"test.yaml:12:12", "2026-01-15", "assurance a.until: 2026-01-15 is not after from (2026-02-01)"}},
}, {
	name: "until equal to from",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    from: 2026-02-01T10:00:00Z",
		/* 12 */ "    until: 2026-02-01T10:00:00Z",
	),
	want: []wantErr{{"test.yaml:12:12", "2026-02-01T10", "assurance a.until: 2026-02-01T10:00:00Z is not after from (2026-02-01T10:00:00Z)"}},
}, {
	name: "until before the scenario's start, the default from",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    until: 2025-12-31",
	),
	want: []wantErr{{"test.yaml:11:12", "2025-12-31", "assurance a.until: 2025-12-31 is not after from (2026-01-01)"}},
}, {
	name: "withdrawn before from",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "    withdrawn: 2025-12-31",
	),
	want: []wantErr{{"test.yaml:11:16", "2025-12-31", "assurance a.withdrawn: 2025-12-31 is before from (2026-01-01)"}},
}, {
	name: "missing refrain",
	yaml: scen(
		/*  6 */ "assurances:",
		/*  7 */ "  - id: a",
		/*  8 */ "    issuer: ISR",
		/*  9 */ "    beneficiary: IRN",
	),
	want: []wantErr{{"test.yaml:7:5", "id: a", "assurances[0]: missing refrain"}},
}, {
	name: "empty refrain",
	yaml: withRefrain("[]"),
	want: []wantErr{{"test.yaml:10:14", "[]", "assurance a.refrain: empty; an assurance promises to refrain from something"}},
}, {
	name: "empty pattern",
	yaml: withRefrain("[{}]"),
	want: []wantErr{{"test.yaml:10:15", "{}", "assurance a.refrain[0]: an empty pattern would match every event; name at least one of source, target"}},
}, {
	name: "unknown pattern field",
	yaml: withRefrain("{source: ISR, root: ['19']}"),
	want: []wantErr{{"test.yaml:10:28", "root:", `assurance a.refrain[0]: unknown field "root"; want source, target, source_type, target_type, codes, roots`}},
}, {
	name: "condition not a mapping",
	yaml: withRefrain("[ISR]"),
	want: []wantErr{{"test.yaml:10:15", "ISR", `assurance a.refrain[0]: want a pattern {source: ..., target: ..., roots: [...]}, {cel: "..."} or {redline: ID}, got "ISR"`}},
}, {
	name: "duplicate assurance id",
	yaml: withRefrain("{source: ISR}",
		/* 11 */ "  - id: a",
		/* 12 */ "    issuer: IRN",
		/* 13 */ "    beneficiary: ISR",
		/* 14 */ "    refrain: {source: IRN}",
	),
	want: []wantErr{{"test.yaml:11:9", "a", `assurances[1].id: "a" is used twice`}},
}, {
	name: "duplicate red line id",
	yaml: withWhen("'true'",
		/* 11 */ "  - id: r",
		/* 12 */ "    owner: ISR",
		/* 13 */ "    against: IRN",
		/* 14 */ "    when: 'false'",
	),
	want: []wantErr{{"test.yaml:11:9", "r", `redlines[1].id: "r" is used twice`}},
}, {
	name: "assurance file without start, assurance without from",
	yaml: text(
		/* 1 */ "assurances:",
		/* 2 */ "  - id: a",
		/* 3 */ "    issuer: ISR",
		/* 4 */ "    beneficiary: IRN",
		/* 5 */ "    refrain: {source: ISR}",
	),
	want: []wantErr{{"test.yaml:2:9", "a", "assurance a: missing from; an assurance file without start needs a from for each assurance"}},
}, {
	name: "assurance file with an unknown country",
	yaml: text(
		/* 1 */ "start: 2026-01-01",
		/* 2 */ "assurances:",
		/* 3 */ "  - id: a",
		/* 4 */ "    issuer: XYZ",
		/* 5 */ "    beneficiary: IRN",
		/* 6 */ "    refrain: {source: ISR}",
	),
	want: []wantErr{{"test.yaml:4:13", "XYZ", `assurance a.issuer: unknown actor "XYZ"; want a CAMEO country code such as ISR, IRN or RUS`}},
}, {
	// Red lines are compiled before assurances and references resolved
	// last; the errors still come in file order.
	name: "several errors in file order",
	yaml: scen(
		/*  6 */ "assurances:",
		/*  7 */ "  - id: a",
		/*  8 */ "    issuer: FRA",
		/*  9 */ "    beneficiary: IRN",
		/* 10 */ "    refrain: {source: ISR, quad: 7}",
		/* 11 */ "    reciprocal: zzz",
		/* 12 */ "redlines:",
		/* 13 */ "  - id: r",
		/* 14 */ "    owner: ISR",
		/* 15 */ "    against: IRN",
		/* 16 */ `    when: 'e.code == == "1"'`,
	),
	want: []wantErr{
		{"test.yaml:8:13", "FRA", `unknown actor "FRA"`},
		{"test.yaml:10:34", "7}", "7 is not a quad class; want 1 to 4"},
		{"test.yaml:11:17", "zzz", `unknown assurance "zzz"; want one of none`},
		{"test.yaml:16:22", `== "1"`, "redline r.when: Syntax error"},
	},
}}

func TestLoadErrors(t *testing.T) {
	for _, tc := range loadErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			checkLoadErrors(t, tc.yaml, tc.want)
		})
	}
}

// checkLoadErrors compiles src as test.yaml and checks that it fails with
// exactly the errors want, each placed where its at text is.
func checkLoadErrors(t *testing.T, src string, want []wantErr) {
	t.Helper()
	s, err := scenario.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("scenario.Parse: %v\n%s", err, src)
	}
	set, err := Compile(s)
	if err == nil {
		t.Fatalf("Compile succeeded (%d assurances, %d red lines), want errors %v\n%s", len(set.Assurances), len(set.Redlines), want, src)
	}
	var list yamldoc.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Compile: %T %v, want a yamldoc.ErrorList", err, err)
	}
	if len(list) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v\n%s", len(list), len(want), err, numbered(src))
	}
	for i := range min(len(list), len(want)) {
		got, w := list[i], want[i]
		if got.Pos.String() != w.pos || !strings.Contains(got.Msg, w.msg) {
			t.Errorf("error %d:\n got %s\nwant %s: ...%s...\n%s", i, got, w.pos, w.msg, numbered(src))
		}
		// The hand-counted position must point at the text at fault.
		if w.at != "" {
			if rest := textAt(src, got.Pos.Line, got.Pos.Column); !strings.HasPrefix(rest, w.at) {
				t.Errorf("error %d at %s points at %q, want %q", i, got.Pos, rest, w.at)
			}
		}
	}
}

// textAt returns the rest of the line at line:col (both from 1) in src.
func textAt(src string, line, col int) string {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1])+1 {
		return "<no such place>"
	}
	return lines[line-1][col-1:]
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		fmt.Fprintf(&b, "%3d| %s\n", i+1, l)
	}
	return b.String()
}

// TestLoadErrorsAtListItem checks that a bad value in a list is reported at
// the value itself, not at the start of the list: in a block list the start
// is another line, holding a value that is fine.
func TestLoadErrorsAtListItem(t *testing.T) {
	for _, tc := range []struct {
		key, good, bad, msg string
	}{
		{"codes", `"1384"`, `"999"`, `"999" is no CAMEO event code`},
		{"roots", `"19"`, `"21"`, `"21" is not a CAMEO root`},
		{"source", "ISR", "XYZ", `unknown actor "XYZ"`},
		{"target_type", "GOV", "ABC", `unknown actor type "ABC"`},
	} {
		t.Run(tc.key, func(t *testing.T) {
			src := withRefrain("",
				/* 11 */ "      - target: IRN",
				/* 12 */ "        "+tc.key+":",
				/* 13 */ "          - "+tc.good,
				/* 14 */ "          - "+tc.bad,
			)
			checkLoadErrors(t, src, []wantErr{{"test.yaml:14:13", tc.bad, tc.msg}})
		})
	}
}

// TestCELErrorColumnInFlowScalars checks the column of a CEL error in
// quoted and plain scalars where the CEL text and the file's text differ:
// after YAML escapes (two single quotes for one, or \" in double quotes)
// and in a scalar folded over two lines, where the reported place should
// still be the character at fault.
func TestCELErrorColumnInFlowScalars(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want wantErr
	}{{
		name: "after '' in single quotes",
		yaml: withWhen(`'e.source.country == ''IRN'' && )'`),
		want: wantErr{"test.yaml:10:43", ")", "Syntax error"},
	}, {
		name: `after \" in double quotes`,
		yaml: withWhen(`"e.source.country == \"IRN\" && )"`),
		want: wantErr{"test.yaml:10:43", ")", "Syntax error"},
	}, {
		name: "plain scalar over two lines",
		yaml: withWhen(`e.kind == "event" &&`,
			/* 11 */ `      e.code == == "19"`,
		),
		want: wantErr{"test.yaml:11:17", `== "19"`, "Syntax error"},
	}, {
		name: "single-quoted scalar over two lines",
		yaml: withWhen(`'e.kind == "event" &&`,
			/* 11 */ `      e.code == == "19"'`,
		),
		want: wantErr{"test.yaml:11:17", `== "19"`, "Syntax error"},
	}, {
		// Folding joins the lines: CEL sees one, the file has two.
		name: "folded block scalar",
		yaml: withWhen(">",
			/* 11 */ `      e.kind == "event" &&`,
			/* 12 */ `      e.code == == "19"`,
		),
		want: wantErr{"test.yaml:12:17", `== "19"`, "Syntax error"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			checkLoadErrors(t, tc.yaml, []wantErr{tc.want})
		})
	}
}

// TestCompileAssuranceFile checks a valid assurance file: no name, actors
// or channel; only start, indicators, assurances and red lines.
func TestCompileAssuranceFile(t *testing.T) {
	src := text(
		"start: 2026-01-01",
		"indicators: {IRN.enrichment_pct: 60, IRN.enrichment_active: 0}",
		"assurances:",
		"  - id: isr",
		"    issuer: ISR",
		"    beneficiary: IRN",
		"    via: QAT",
		`    refrain: [{source: ISR, target: IRN, roots: ["18", "19", "20"]}]`,
		"    unless:",
		"      - {redline: enrich}",
		`      - {cel: 'ind["IRN.enrichment_active"] >= 1.0 && ind["ISR->IRN.rhetoric_gap"] > 0.5'}`,
		"  - id: irn",
		"    issuer: IRN",
		"    beneficiary: ISR",
		"    refrain: {source: IRN, target: ISR, codes: [\"19\"]}",
		"    from: 2026-02-01",
		"    until: 2026-06-30",
		"redlines:",
		"  - id: enrich",
		"    owner: ISR",
		"    against: IRN",
		`    when: 'ind["IRN.enrichment_pct"] >= 90.0'`,
	)
	s, err := scenario.Parse("assurances.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Standalone {
		t.Fatal("not read as an assurance file")
	}
	set, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if set.File != "assurances.yaml" || !set.Start.Equal(start) || !set.End.IsZero() {
		t.Errorf("set file %q, start %v, end %v; want assurances.yaml, %v, zero", set.File, set.Start, set.End, start)
	}
	got := slices.Sorted(slices.Values(set.Indicators))
	if want := []string{"IRN.enrichment_active", "IRN.enrichment_pct", "ISR->IRN.rhetoric_gap"}; !slices.Equal(got, want) {
		t.Errorf("Indicators = %q, want %q", set.Indicators, want)
	}
	if len(set.Declared) != 2 || set.Declared["IRN.enrichment_pct"] != 60 {
		t.Errorf("Declared = %v", set.Declared)
	}
	isr, ok := set.Assurance("isr")
	if !ok || isr.Via != "QAT" || !isr.From.Equal(start) || !isr.Until.IsZero() || len(isr.Refrain) != 1 || len(isr.Unless) != 2 {
		t.Fatalf("isr = %+v", isr)
	}
	if r, _ := set.Redline("enrich"); isr.Unless[0].redline != r || r == nil || r.prg == nil {
		t.Errorf("isr's unless[0] is not linked to red line enrich")
	}
	irn, ok := set.Assurance("irn")
	if !ok || irn.Via != "" || !irn.From.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) ||
		!irn.Until.Equal(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("irn = %+v", irn)
	}
	// The compiled file runs: the red line releases Israel.
	res := run(t, set, []string{obs("2026-03-01T00:00:00Z", 92)})
	if a := status(res, "isr"); a.Status != Lapsed {
		t.Errorf("isr after enrichment to 92%%: %s, want lapsed", a.Status)
	}
}

// TestCompileBundled checks that the bundled scenario compiles.
func TestCompileBundled(t *testing.T) {
	s, err := scenario.Load(bundledScenario)
	if err != nil {
		t.Fatal(err)
	}
	set, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Assurances) != 4 || len(set.Redlines) != 2 {
		t.Errorf("%d assurances, %d red lines; want 4 and 2", len(set.Assurances), len(set.Redlines))
	}
	got := slices.Sorted(slices.Values(set.Indicators))
	if want := []string{"IRN.enrichment_active", "IRN.enrichment_pct"}; !slices.Equal(got, want) {
		t.Errorf("Indicators = %q, want %q", got, want)
	}
}
