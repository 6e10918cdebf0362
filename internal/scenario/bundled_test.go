package scenario_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"backchannel/internal/scenario"
)

// bundled is the scenario shipped with the project.
var bundled = filepath.Join("..", "..", "scenarios", "israel-iran-2026", "scenario.yaml")

func TestLoadBundled(t *testing.T) {
	s, err := scenario.Load(bundled)
	if err != nil {
		t.Fatalf("the bundled scenario does not load:\n%v", err)
	}
	if s.Channel.Mediator != "RUS" || !slices.Equal(s.Channel.Parties, []string{"ISR", "IRN"}) {
		t.Errorf("Channel = %+v, want RUS mediating ISR and IRN", s.Channel)
	}
	for _, code := range []string{"ISR", "IRN", "RUS", "USA", "CHN"} {
		if _, ok := s.Actor(code); !ok {
			t.Errorf("actor %s is not declared", code)
		}
	}
	want := []string{filepath.Join(filepath.Dir(bundled), "events.jsonl"), filepath.Join(filepath.Dir(bundled), "projection.jsonl")}
	if !slices.Equal(s.EventFiles, want) {
		t.Errorf("EventFiles = %q, want %q (resolved against the scenario's directory)", s.EventFiles, want)
	}
	for _, f := range s.EventFiles {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			t.Errorf("event file %s is not a file: %v", f, err)
		}
	}
	if !slices.ContainsFunc(s.Indicators, func(i scenario.Indicator) bool { return i.Name == "IRN.enrichment_pct" }) {
		t.Errorf("IRN.enrichment_pct is not declared; indicators are %+v", s.Indicators)
	}
}
