package indicator

import (
	"errors"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestObserved(t *testing.T) {
	const name = "IRN.enrichment_pct"
	c := newCalc(t, Options{})
	c.Declare(name, 50, date(2025, 1, 1))
	// Added out of order, with two reports on 1 June: the later-added (25)
	// wins, as a corrected report replaces the first.
	c.Add(obs(name, date(2025, 6, 1), 20))
	c.Add(obs(name, date(2025, 9, 1), 90))
	c.Add(obs(name, date(2025, 2, 1), 60))
	c.Add(obs(name, date(2025, 6, 1), 25))
	c.Add(obs("IRN.protesters", date(2025, 3, 1), 1000))

	for _, tc := range []struct {
		name string
		at   time.Time
		want float64
		ok   bool
	}{
		{name, date(2024, 12, 31), 0, false},                       // before the declaration and any report
		{name, date(2025, 1, 1), 50, true},                         // declared value from its time on
		{name, date(2025, 1, 31), 50, true},                        // still no report
		{name, date(2025, 2, 1), 60, true},                         // a report at t counts at t
		{name, date(2025, 5, 31), 60, true},                        // the latest report before t
		{name, date(2025, 6, 1), 25, true},                         // tie: the later-added wins
		{name, date(2025, 8, 31), 25, true},                        //
		{name, date(2025, 9, 1), 90, true},                         //
		{name, date(2030, 1, 1), 90, true},                         // no expiry for observations
		{"IRN.protesters", date(2025, 2, 28), 0, false},            // not declared, not yet reported
		{"IRN.protesters", date(2025, 3, 1), 1000, true},           //
		{"ISR.enrichment_pct", date(2025, 6, 1), 0, false},         // other actor
		{"IRN.enrichment_pct", time.Time{}, 0, false},              // zero time: before everything
		{"IRN.enrichment_pct", date(2500, 1, 1), 90, true},         // beyond the stamp range: clamped
		{"IRN.enrichment_pct", date(1000, 1, 1), 0, false},         // before the stamp range
		{"IRN.enrichment_pct", date(2025, 6, 1).Add(-1), 60, true}, // 1ns before the June reports
	} {
		got, ok := c.Observed(tc.name, tc.at)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Observed(%s, %v) = %v, %v; want %v, %v", tc.name, tc.at, got, ok, tc.want, tc.ok)
		}
	}

	// A query between adds sorts the timeline; adds after it must still merge
	// a tie in favour of the later one.
	c.Add(obs(name, date(2025, 2, 1), 61))
	if got, _ := c.Observed(name, date(2025, 3, 1)); got != 61 {
		t.Errorf("after a corrected February report, Observed = %v, want 61", got)
	}
}

func TestDeclaredWithoutTime(t *testing.T) {
	c := newCalc(t, Options{})
	c.Declare("IRN.enrichment_pct", 60, time.Time{})
	if got, ok := c.Observed("IRN.enrichment_pct", date(1990, 1, 1)); got != 60 || !ok {
		t.Errorf("Observed with a declaration at the zero time = %v, %v; want 60, true", got, ok)
	}
	c.Declare("IRN.enrichment_pct", 20, time.Time{})
	if got, _ := c.Value("IRN.enrichment_pct", date(1990, 1, 1)); got != 20 {
		t.Errorf("after a second Declare, Value = %v, want 20", got)
	}
}

func TestValue(t *testing.T) {
	c := newCalc(t, Options{},
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10, quad: 4, code: "195", loc: "IR"}, // conflict 1
		ev{src: "ISR", tgt: "IRN", at: t0, goldstein: 3, quad: 1, code: "036"},              // cooperation 0.3
		ev{src: "IRN", tgt: "IRN", at: t0, goldstein: 3, quad: 1, code: "036"},              // calm
	)
	c.Add(obs("IRN.enrichment_pct", t0, 60))
	for _, tc := range []struct {
		name string
		want float64
	}{
		{"ISR->IRN.conflict", 1},
		{"ISR->IRN.cooperation", 0.3},
		{"ISR->IRN.net_cooperation", 0.3 - 1},
		{"ISR->IRN.pressure", 1},
		{"IRN->ISR.conflict", 0},
		{"IRN.instability", 1.0 / 3}, // the strike in IR, of 3 events concerning IRN
		{"ISR.instability", 0},
		{"IRN.enrichment_pct", 60},
	} {
		got, err := c.Value(tc.name, t0)
		if err != nil || !near(got, tc.want) {
			t.Errorf("Value(%s) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := c.Value("IRN.enrichment_pct", t0.Add(-day)); !errors.Is(err, ErrNoValue) {
		t.Errorf("Value before the first observation: err = %v, want ErrNoValue", err)
	}
	if _, err := c.Value("IRN.protesters", t0); !errors.Is(err, ErrNoValue) {
		t.Errorf("Value of an unobserved indicator: err = %v, want ErrNoValue", err)
	}
	if _, err := c.Value("ISR->IRN.hostility", t0); !errors.Is(err, ErrBadName) {
		t.Errorf("Value of a malformed name: err = %v, want ErrBadName", err)
	}
}

func TestSpan(t *testing.T) {
	c := newCalc(t, Options{})
	if _, _, ok := c.Span(); ok {
		t.Error("Span of an empty calculator: ok, want not ok")
	}
	c.Declare("IRN.enrichment_pct", 60, date(2020, 1, 1)) // declarations are not data
	c.Add(ev{src: "ISR", tgt: "IRN", at: t0, goldstein: -10}.record())
	c.Add(obs("IRN.enrichment_pct", t0.Add(-3*day), 60))
	c.Add(ev{src: "ISR", tgt: "IRN", at: t0.Add(2 * day)}.record())
	c.Add(ev{src: "ISR", tgt: "IRN"}.record()) // no time: ignored
	c.Add(nil)
	first, last, ok := c.Span()
	if !ok || !first.Equal(t0.Add(-3*day)) || !last.Equal(t0.Add(2*day)) {
		t.Errorf("Span() = %v, %v, %v; want %v, %v, true", first, last, ok, t0.Add(-3*day), t0.Add(2*day))
	}
}
