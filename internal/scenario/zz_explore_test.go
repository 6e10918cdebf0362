package scenario_test

import (
	"os"
	"testing"

	"backchannel/internal/scenario"
)

// Temporary: FuzzLoad's property minus the known defects, to look for others.
func FuzzExplore(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.src)
	}
	data, _ := os.ReadFile(bundled)
	f.Add(string(data))
	f.Fuzz(func(t *testing.T, src string) {
		s, err := scenario.Parse(testPath, []byte(src))
		if err != nil {
			checkErrorList(t, s, err)
			return
		}
		if s.Channel.Mediator == "" {
			return
		}
		for _, p := range s.Channel.Parties {
			if p == "" {
				return
			}
		}
		for _, r := range s.Relations {
			if r.A == "" || r.B == "" {
				return
			}
		}
		checkScenario(t, s)
	})
}
