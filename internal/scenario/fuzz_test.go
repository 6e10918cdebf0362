package scenario_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
	"backchannel/internal/scenario"
)

// FuzzLoad checks that Parse survives any text and keeps its promises: it
// returns a scenario or a non-empty ErrorList of placed, worded errors in file
// order, and a scenario it returns passes the checks the loader makes.
func FuzzLoad(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.src)
	}
	data, err := os.ReadFile(bundled)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))

	f.Fuzz(func(t *testing.T, src string) {
		s, err := scenario.Parse(testPath, []byte(src))
		if err != nil {
			checkErrorList(t, s, err)
			return
		}
		if s == nil {
			t.Fatal("Parse returned neither a scenario nor an error")
		}
		checkScenario(t, s)
	})
}

func checkErrorList(t *testing.T, s *scenario.Scenario, err error) {
	t.Helper()
	if s != nil {
		t.Error("Parse returned a scenario along with errors")
	}
	var list scenario.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("Parse returned %T %q, want a non-empty ErrorList", err, err)
	}
	for i, e := range list {
		if e == nil {
			t.Fatalf("error %d is nil", i)
		}
		if e.Pos.File != testPath || e.Pos.Line < 0 || e.Pos.Column < 0 || strings.TrimSpace(e.Msg) == "" {
			t.Errorf("error %d is not placed and worded: %#v", i, e)
		}
		if i > 0 {
			p, q := list[i-1].Pos, e.Pos
			if q.Line < p.Line || q.Line == p.Line && q.Column < p.Column {
				t.Errorf("errors out of file order: %v before %v", p, q)
			}
		}
	}
}

// checkScenario checks that a loaded scenario holds nothing the loader would
// have rejected.
func checkScenario(t *testing.T, s *scenario.Scenario) {
	t.Helper()
	declared := func(code string) bool { _, ok := s.Actor(code); return ok }
	c := s.Channel
	if !declared(c.Mediator) {
		t.Errorf("mediator %q is not a declared actor (actors %v)", c.Mediator, codes(s))
	}
	if len(c.Parties) < 2 {
		t.Errorf("channel has parties %q, want at least two", c.Parties)
	}
	for i, p := range c.Parties {
		if !declared(p) {
			t.Errorf("party %q is not a declared actor (actors %v)", p, codes(s))
		}
		if p == c.Mediator || slices.Contains(c.Parties[:i], p) {
			t.Errorf("party %q is the mediator or listed twice: %+v", p, c)
		}
	}
	for _, a := range s.Actors {
		_, country := cameo.CountryByCode(a.Code)
		_, actorType := cameo.TypeLabel(a.Code)
		if !country && !actorType {
			t.Errorf("actor code %q is neither a CAMEO country code nor an actor type", a.Code)
		}
	}
	for _, r := range s.Relations {
		if !declared(r.A) || !declared(r.B) || r.A == r.B || r.Value < -1 || r.Value > 1 {
			t.Errorf("relation %+v is not between two declared actors with a value in -1..1", r)
		}
	}
	for _, ind := range s.Indicators {
		actor, _, _ := strings.Cut(ind.Name, ".")
		if !declared(actor) {
			t.Errorf("indicator %s belongs to no declared actor", ind.Name)
		}
	}
	if !event.InRange(s.Start) {
		t.Errorf("Start = %v, outside the years %d to %d", s.Start, event.MinYear, event.MaxYear)
	}
	if s.HorizonDays < 1 || s.HorizonDays > 36500 {
		t.Errorf("HorizonDays = %d", s.HorizonDays)
	}
	for _, f := range s.EventFiles {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			t.Errorf("event file %s: %v", f, err)
		}
	}
}
