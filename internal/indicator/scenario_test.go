package indicator

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"backchannel/internal/event"
)

// scenarioEvents is the project's coded timeline of the 2025 war and the
// January 2026 unrest.
const scenarioEvents = "../../scenarios/israel-iran-2026/events.jsonl"

// TestScenarioStory checks that the indicators tell the story the timeline
// codes: the June 2025 war shows as Israeli conflict toward Iran that was not
// there a month before, and the unrest of January 2026 as Iranian instability
// that was not there in November.
func TestScenarioStory(t *testing.T) {
	if _, err := os.Stat(scenarioEvents); errors.Is(err, os.ErrNotExist) {
		t.Skipf("scenario timeline %s is absent; nothing to check the story against", scenarioEvents)
	}
	f, err := event.Open(scenarioEvents, event.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := newCalc(t, Options{})
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

	at := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := c.Dyad("ISR", "IRN", at("2025-05-20")).Conflict
	war := c.Dyad("ISR", "IRN", at("2025-06-20")).Conflict
	t.Logf("ISR->IRN conflict: %.3f on 2025-05-20, %.3f on 2025-06-20", before, war)
	if war < 1 || war < 10*before {
		t.Errorf("ISR->IRN conflict on 2025-06-20 = %.3f, want at least 1 and ten times the %.3f of 2025-05-20", war, before)
	}

	calm := c.Instability("IRN", at("2025-11-15"))
	unrest := c.Instability("IRN", at("2026-01-10"))
	t.Logf("IRN instability: %.3f on 2025-11-15, %.3f on 2026-01-10", calm, unrest)
	if unrest < calm+0.25 {
		t.Errorf("IRN instability on 2026-01-10 = %.3f, want well above the %.3f of 2025-11-15", unrest, calm)
	}

	if v, ok := c.Observed("IRN.enrichment_pct", at("2025-06-20")); !ok || v != 60 {
		t.Errorf("IRN.enrichment_pct on 2025-06-20 = %v, %v; want the IAEA's 60", v, ok)
	}
}
