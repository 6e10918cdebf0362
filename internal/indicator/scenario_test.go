package indicator_test

import (
	"errors"
	"io"
	"math"
	"os"
	"testing"
	"time"

	"backchannel/internal/event"
	"backchannel/internal/indicator"
)

// scenarioEvents is the project's coded timeline of the 2025 war, the quiet
// months after it, the channel and the unrest of winter 2025-26.
const scenarioEvents = "../../scenarios/israel-iran-2026/events.jsonl"

// TestScenarioStory checks that the indicators, with the default options, tell
// the story the timeline codes. Every claim compares whole periods of the daily
// series rather than two hand-picked days, so that moving an approximate date by
// a few days or adding a faithful record does not flip it:
//
//   - the unrest of winter 2025-26 shows as Iranian instability above anything
//     in the months between the war and the protests;
//   - the June 2025 war shows as Israeli (and Iranian) conflict far above the
//     months before it;
//   - American pressure on Iran in January 2026 stands above its autumn level;
//   - the channel shows as Israeli cooperation toward Iran that the quiet months
//     did not have;
//   - enrichment runs before the war and is paused after it, while the highest
//     level held stays at 60%.
func TestScenarioStory(t *testing.T) {
	if _, err := os.Stat(scenarioEvents); errors.Is(err, os.ErrNotExist) {
		t.Skipf("scenario timeline %s is absent; nothing to check the story against", scenarioEvents)
	}
	c := loadScenario(t)

	// daily evaluates name at the end of every day from first to last inclusive
	// (the value of a day counts that day's events, as the CLI's rows do).
	daily := func(name, first, last string) []float64 {
		t.Helper()
		const end = 24*time.Hour - time.Nanosecond
		s, err := c.Series([]string{name}, date(t, first).Add(end), date(t, last).Add(end), 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, len(s.Values))
		for k, row := range s.Values {
			out[k] = row[0]
		}
		return out
	}

	// (a) The protests: Iran's instability, averaged over the protest period,
	// exceeds its highest value in the months between the war and the protests.
	quiet := daily("IRN.instability", "2025-08-01", "2025-12-20")
	unrest := daily("IRN.instability", "2025-12-28", "2026-01-15")
	t.Logf("IRN.instability: max %.3f over 2025-08-01..2025-12-20; mean %.3f (min %.3f, max %.3f) over 2025-12-28..2026-01-15",
		maxOf(quiet), mean(unrest), minOf(unrest), maxOf(unrest))
	if !(mean(unrest) > maxOf(quiet)) {
		t.Errorf("IRN.instability: mean %.3f over the protests (2025-12-28..2026-01-15) does not exceed the maximum %.3f of 2025-08-01..2025-12-20",
			mean(unrest), maxOf(quiet))
	}

	// (b) The war: Israel's conflict toward Iran during the twelve-day war
	// exceeds ten times anything in the three months before, and amounts to
	// at least one fresh air strike; likewise Iran's toward Israel.
	for _, d := range []string{"ISR->IRN.conflict", "IRN->ISR.conflict"} {
		before := daily(d, "2025-03-01", "2025-06-12")
		war := daily(d, "2025-06-13", "2025-06-25")
		t.Logf("%s: max %.3f over 2025-03-01..2025-06-12, max %.3f over 2025-06-13..2025-06-25", d, maxOf(before), maxOf(war))
		if !(maxOf(war) >= 1 && maxOf(war) > 10*maxOf(before)) {
			t.Errorf("%s: max %.3f during the war (2025-06-13..2025-06-25), want at least 1 and more than ten times the %.3f of 2025-03-01..2025-06-12",
				d, maxOf(war), maxOf(before))
		}
	}

	// (c) American pressure: the threats of January 2026 put more pressure on
	// Iran, on average over the first half of the month, than the autumn ever saw.
	autumn := daily("USA->IRN.pressure", "2025-09-01", "2025-11-30")
	january := daily("USA->IRN.pressure", "2026-01-01", "2026-01-15")
	t.Logf("USA->IRN.pressure: max %.3f over 2025-09-01..2025-11-30, mean %.3f (max %.3f) over 2026-01-01..2026-01-15",
		maxOf(autumn), mean(january), maxOf(january))
	if !(mean(january) > maxOf(autumn)) {
		t.Errorf("USA->IRN.pressure: mean %.3f over 2026-01-01..2026-01-15 does not exceed the autumn maximum %.3f",
			mean(january), maxOf(autumn))
	}

	// (d) The channel: Israel's assurances conveyed through Russia are
	// cooperation toward Iran that the months after the war did not have.
	calm := daily("ISR->IRN.cooperation", "2025-08-01", "2025-12-20")
	channel := daily("ISR->IRN.cooperation", "2025-12-21", "2026-01-15")
	t.Logf("ISR->IRN.cooperation: max %.3f over 2025-08-01..2025-12-20, max %.3f over 2025-12-21..2026-01-15", maxOf(calm), maxOf(channel))
	if !(maxOf(channel) > maxOf(calm)) {
		t.Errorf("ISR->IRN.cooperation: max %.3f while the channel runs (2025-12-21..2026-01-15) does not exceed the %.3f of 2025-08-01..2025-12-20",
			maxOf(channel), maxOf(calm))
	}

	// (e) Enrichment: the seeds' variable is pause versus acceleration, which
	// IRN.enrichment_active carries; the level held stays at 60% throughout.
	checkAll := func(name, first, last string, want float64) {
		t.Helper()
		for k, v := range daily(name, first, last) {
			if v != want {
				day := date(t, first).AddDate(0, 0, k).Format(time.DateOnly)
				t.Errorf("%s on %s = %v, want %v", name, day, v, want)
				return
			}
		}
	}
	checkAll("IRN.enrichment_active", "2025-03-01", "2025-06-12", 1)
	checkAll("IRN.enrichment_active", "2025-06-25", "2026-01-15", 0)
	checkAll("IRN.enrichment_pct", "2025-03-01", "2026-01-15", 60)
}

// loadScenario reads the timeline into a calculator with the default options.
// A line the reader rejects fails the test: a typo in the timeline must not
// quietly drop an event from the story.
func loadScenario(t *testing.T) *indicator.Calculator {
	t.Helper()
	f, err := event.Open(scenarioEvents, event.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := indicator.New(indicator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rec event.Record
	for {
		err := f.Next(&rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the scenario: %v", err)
		}
		c.Add(&rec)
	}
	return c
}

func date(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// maxOf, minOf and mean summarize a daily series; a NaN (a numeric indicator
// without a value yet) makes them NaN, and the checks above are written as
// !(want) so that a NaN fails them.
func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		if math.IsNaN(x) {
			return math.NaN()
		}
		m = max(m, x)
	}
	return m
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		if math.IsNaN(x) {
			return math.NaN()
		}
		m = min(m, x)
	}
	return m
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
