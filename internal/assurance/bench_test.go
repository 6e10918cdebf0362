package assurance

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cel.dev/cel-go/common/types"

	"backchannel/internal/event"
	"backchannel/internal/indicator"
)

// gdeltReplay reads the GDELT 2.0 export of ../shared/data into memory, in
// time order, as check would replay it.
func gdeltReplay(tb testing.TB) []event.Record {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "gdelt2", "20191024143000.export.CSV")
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("../shared/data is not beside the project (%v); the benchmark replays its GDELT file", err)
	}
	f, err := event.Open(path, event.FormatAuto)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var recs []event.Record
	for {
		var r event.Record
		err := f.Next(&r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue
		}
		recs = append(recs, r)
	}
	slices.SortStableFunc(recs, func(a, b event.Record) int { return a.Time().Compare(b.Time()) })
	return recs
}

// benchCountries are the countries that act most often in the GDELT file,
// so that the patterns are tested against events that come close to
// matching (same source, other target; same dyad, other code).
var benchCountries = []string{"USA", "CHN", "GBR", "RUS", "TUR", "SYR", "IND", "AUS", "CAN", "PAK"}

// benchScenario writes a scenario of n assurances of three conditions each:
// a refrain pattern, an unless pattern with code prefixes, and a CEL
// expression; issuers and beneficiaries go round the busiest countries.
func benchScenario(n int) string {
	var b strings.Builder
	b.WriteString("start: 2019-01-01\nindicators: {USA.alert: 0}\nassurances:\n")
	for i := range n {
		a := benchCountries[i%len(benchCountries)]
		z := benchCountries[(i/len(benchCountries)+i+1)%len(benchCountries)]
		if a == z {
			z = "IRN"
		}
		fmt.Fprintf(&b, `  - id: a%d
    issuer: %s
    beneficiary: %s
    refrain: [{source: %s, target: %s, roots: ["18", "19", "20"], min_mentions: %d}]
    unless:
      - {source: %s, target: %s, codes: ["19", "20", "1384"], goldstein_max: -9.5}
      - {cel: 'e.kind == "event" && e.source.country == "%s" && e.goldstein <= -9.9 && e.mentions > %d'}
`, i, a, z, a, z, 50+i, z, a, z, 100+i)
	}
	return b.String()
}

// BenchmarkConditions replays the GDELT file through an engine holding 100
// assurances of three conditions each and reports condition evaluations per
// second (the target is a million per core: run with -cpu 1).
func BenchmarkConditions(b *testing.B) {
	recs := gdeltReplay(b)
	set := compileText(b, benchScenario(100))
	evals := 0
	b.ResetTimer()
	for b.Loop() {
		e, err := NewEngine(set, indicator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := range recs {
			if err := e.Step(&recs[i], Source{}); err != nil {
				b.Fatal(err)
			}
		}
		e.Finish(set.End)
		evals += e.Evaluations()
	}
	b.ReportMetric(float64(evals)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// benchPatterns are the pattern conditions of benchScenario(100), for the
// baseline.
func benchPatterns(set *Set) []*Condition {
	var out []*Condition
	for _, a := range set.Assurances {
		for _, c := range slices.Concat(a.Refrain, a.Unless) {
			if c.Pattern != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// BenchmarkPatternsCEL evaluates the 200 pattern conditions of the engine
// benchmark on every record through CEL, as the engine does; the baseline,
// BenchmarkPatternsGo, runs the same patterns through the hand-written Go
// matcher of the property test. Their ratio is what one evaluation path
// (and CEL's safety and generality) costs.
func BenchmarkPatternsCEL(b *testing.B) {
	recs := gdeltReplay(b)
	conds := benchPatterns(compileText(b, benchScenario(100)))
	calc, _ := indicator.New(indicator.Options{})
	act := activation{ind: &indicators{calc: calc}}
	matched := 0
	b.ResetTimer()
	for b.Loop() {
		for i := range recs {
			act.set(&recs[i])
			for _, c := range conds {
				if out, _, err := c.prg.Eval(&act); err == nil && out == types.True {
					matched++
				}
			}
		}
	}
	b.ReportMetric(float64(len(recs)*len(conds)*b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(matched)/float64(b.N), "matches/op")
}

func BenchmarkPatternsGo(b *testing.B) {
	recs := gdeltReplay(b)
	conds := benchPatterns(compileText(b, benchScenario(100)))
	matched := 0
	b.ResetTimer()
	for b.Loop() {
		for i := range recs {
			for _, c := range conds {
				if refMatch(c.Pattern, &recs[i]) {
					matched++
				}
			}
		}
	}
	b.ReportMetric(float64(len(recs)*len(conds)*b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(matched)/float64(b.N), "matches/op")
}
