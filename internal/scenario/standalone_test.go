package scenario

import (
	"strings"
	"testing"
)

// TestStandalone checks the assurance-file form: no name, actors or channel,
// none of them required, and the sections that need actors refused.
func TestStandalone(t *testing.T) {
	s, err := Parse("pact.yaml", []byte(`start: 2026-01-01
indicators: {IRN.enrichment_pct: 60}
redlines: []
assurances: []
`))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Standalone || len(s.Indicators) != 1 || s.Start.IsZero() {
		t.Errorf("standalone file read as %+v", s)
	}

	_, err = Parse("pact.yaml", []byte(`assurances: []
relations: [{a: ISR, b: IRN, value: -1}]
`))
	if err == nil || !strings.Contains(err.Error(), "pact.yaml:2:12: relations: an assurance file") {
		t.Errorf("relations in an assurance file: err = %v", err)
	}

	// Without assurances or red lines it is a scenario missing its sections.
	_, err = Parse("x.yaml", []byte("start: 2026-01-01\n"))
	if err == nil || !strings.Contains(err.Error(), `missing section "name"`) {
		t.Errorf("a file of neither kind: err = %v", err)
	}
}
