package indicator

import (
	"slices"
	"testing"
	"time"

	"backchannel/internal/event"
)

func TestChoose(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC)
	add := func(src, tgt, code string, goldstein float64, n int) {
		for range n {
			c.Add(&event.Record{Kind: event.KindEvent, Event: event.Event{Time: at, Code: code, Goldstein: goldstein, Quad: 4,
				Source: event.Actor{Country: src}, Target: event.Actor{Country: tgt}}})
		}
	}
	add("ISR", "IRN", "195", -10, 5)
	add("IRN", "ISR", "195", -10, 4)
	add("USA", "IRN", "138", -7, 3)
	add("FRA", "IRN", "112", -2, 6)   // more events than USA, less conflict
	add("CHN", "IRN", "040", 1, 9)    // the busiest pair, but no conflict: no pressure
	add("QAT", "IRN", "111", -2, 1)   // the fourth source: beyond the three shown
	add("RUS", "IRN", "112", -2, 1)   // the mediator: not a third party in the channel view
	add("IRN", "IRN", "145", -6.5, 7) // domestic: not a dyad of two countries
	c.Add(&event.Record{Kind: event.KindObservation, Observation: event.Observation{Time: at, Indicator: "IRN.enrichment_pct", Value: 60}})
	c.Declare("ISR.readiness", 1, at)
	c.SetAssured("ISR", "IRN", at, true) // Israel assures Iran; Iran has assured nothing

	for _, tc := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"dyad", Selection{Dyad: [2]string{"ISR", "IRN"}}, []string{
			"ISR->IRN.conflict", "ISR->IRN.cooperation", "ISR->IRN.net_cooperation", "ISR->IRN.rhetoric_gap",
			"IRN->ISR.conflict", "IRN->ISR.cooperation", "IRN->ISR.net_cooperation"}},
		{"actor", Selection{Actor: "IRN"}, []string{
			// ISR (50 conflict) > USA (2.1) > FRA (1.2) > QAT and RUS (0.2 each): three shown.
			"IRN.instability", "ISR->IRN.pressure", "USA->IRN.pressure", "FRA->IRN.pressure", "IRN.enrichment_pct"}},
		{"actor in a channel", Selection{Actor: "IRN", Parties: []string{"ISR", "IRN"}, Mediator: "RUS"}, []string{
			"IRN.instability", "USA->IRN.pressure", "FRA->IRN.pressure", "QAT->IRN.pressure", "IRN.enrichment_pct"}},
		{"channel", Selection{Parties: []string{"ISR", "IRN"}, Mediator: "RUS"}, []string{
			"ISR->IRN.conflict", "ISR->IRN.cooperation", "ISR->IRN.net_cooperation", "ISR->IRN.rhetoric_gap",
			"IRN->ISR.conflict", "IRN->ISR.cooperation", "IRN->ISR.net_cooperation",
			"ISR.instability", "IRN.instability",
			"USA->IRN.pressure", "FRA->IRN.pressure", "QAT->IRN.pressure",
			"IRN.enrichment_pct", "ISR.readiness"}},
		{"busiest pair", Selection{}, []string{
			"CHN->IRN.conflict", "CHN->IRN.cooperation", "CHN->IRN.net_cooperation",
			"IRN->CHN.conflict", "IRN->CHN.cooperation", "IRN->CHN.net_cooperation",
			"CHN.instability", "IRN.instability"}},
	} {
		if got := c.Choose(tc.sel); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, tc.want)
		}
	}
	empty, _ := New(Options{})
	if got := empty.Choose(Selection{}); got != nil {
		t.Errorf("empty input chose %v", got)
	}
}
