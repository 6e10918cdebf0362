package indicator

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestSeries(t *testing.T) {
	c := newCalc(t, Options{}, ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10, quad: 4, code: "195"})
	c.Add(obs("IRN.enrichment_pct", t0.Add(7*day), 60))
	names := []string{"ISR->IRN.conflict", "IRN.enrichment_pct"}
	nan := math.NaN()
	for _, tc := range []struct {
		name     string
		from, to time.Time
		step     time.Duration
		times    []time.Time
		values   [][]float64
	}{
		{
			// The strike weighs 1, 1/2, 1/4; enrichment is reported on day 7.
			name: "three steps", from: t0, to: t0.Add(14 * day), step: 7 * day,
			times:  []time.Time{t0, t0.Add(7 * day), t0.Add(14 * day)},
			values: [][]float64{{1, nan}, {0.5, 60}, {0.25, 60}},
		},
		{
			name: "end between steps", from: t0.Add(-day), to: t0.Add(10 * day), step: 7 * day,
			times:  []time.Time{t0.Add(-day), t0.Add(6 * day)},
			values: [][]float64{{0, nan}, {math.Exp2(-6.0 / 7), nan}},
		},
		{
			name: "one point", from: t0.Add(7 * day), to: t0.Add(7 * day), step: day,
			times:  []time.Time{t0.Add(7 * day)},
			values: [][]float64{{0.5, 60}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := c.Series(names, tc.from, tc.to, tc.step)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Names) != len(names) || len(s.Times) != len(tc.times) || len(s.Values) != len(tc.times) {
				t.Fatalf("Series has %d names, %d times, %d rows; want %d, %d, %d",
					len(s.Names), len(s.Times), len(s.Values), len(names), len(tc.times), len(tc.times))
			}
			for k, at := range tc.times {
				if !s.Times[k].Equal(at) {
					t.Errorf("Times[%d] = %v, want %v", k, s.Times[k], at)
				}
				if len(s.Values[k]) != len(names) {
					t.Fatalf("Values[%d] has %d cells, want %d", k, len(s.Values[k]), len(names))
				}
				for n := range names {
					if got, want := s.Values[k][n], tc.values[k][n]; !near(got, want) {
						t.Errorf("Values[%d][%s] = %v, want %v", k, names[n], got, want)
					}
				}
			}
		})
	}
}

func TestSeriesErrors(t *testing.T) {
	c := newCalc(t, Options{})
	names := []string{"ISR->IRN.conflict"}
	for _, tc := range []struct {
		name     string
		names    []string
		from, to time.Time
		step     time.Duration
		want     string
	}{
		{"zero step", names, t0, t0.Add(day), 0, "must be positive"},
		{"negative step", names, t0, t0.Add(day), -day, "must be positive"},
		{"end before start", names, t0, t0.Add(-day), day, "before its start"},
		{"too many steps", names, t0, t0.Add(365 * day), time.Second, "exceeds the limit"},
		{"span too long", names, date(1000, 1, 1), date(2000, 1, 1), 10000 * day, "too long"},
		{"bad name", []string{"ISR->IRN.conflict", "IRN.conflict"}, t0, t0.Add(day), day, "measured on a dyad"},
	} {
		_, err := c.Series(tc.names, tc.from, tc.to, tc.step)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Series error = %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := c.Series([]string{"X"}, t0, t0, day); !errors.Is(err, ErrBadName) {
		t.Errorf("Series with a malformed name: err = %v, want ErrBadName", err)
	}
}
