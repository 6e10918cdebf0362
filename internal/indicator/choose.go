package indicator

import (
	"cmp"
	"slices"
	"strings"
)

// DyadTotal is what the whole input holds for one ordered pair of countries:
// its events and their undecayed conflict sum.
type DyadTotal struct {
	Source, Target string
	Events         int
	Conflict       float64
}

// DyadTotals returns every ordered pair of two different countries that has
// events, most events first, then by name, so the choice is stable.
func (c *Calculator) DyadTotals() []DyadTotal {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []DyadTotal
	for k, tl := range c.dyads {
		if k.source == k.target {
			continue
		}
		d := DyadTotal{Source: k.source, Target: k.target}
		for _, e := range tl.entries {
			d.Events += e.events
			d.Conflict += e.conflict
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b DyadTotal) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target))
	})
	return out
}

// Numerics returns the names of the numeric indicators observed or declared,
// sorted.
func (c *Calculator) Numerics() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for n := range c.obs {
		out = append(out, n)
	}
	for n := range c.declared {
		if _, seen := c.obs[n]; !seen {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Selection says whose indicators a reader wants. Dyad, when set, asks for one
// pair both ways; otherwise Actor, when set, for one country; otherwise
// Parties (a channel's parties, with its Mediator) for the channel's view;
// otherwise the busiest pair in the input is shown.
type Selection struct {
	Dyad     [2]string
	Actor    string
	Parties  []string
	Mediator string
}

// maxPressureSources bounds how many third parties' pressure is shown on one
// country: the strongest few tell the story, dozens would bury it.
const maxPressureSources = 3

// Choose names the indicators to show for a selection:
//
//   - a dyad: conflict, cooperation and net cooperation both ways, and the
//     rhetoric gap in each direction that has assurances (see Assured);
//   - an actor: its instability, the pressure on it from the (at most three)
//     third parties with the most conflict toward it (third: not the actor,
//     nor the channel's parties or mediator when given), and its numeric
//     indicators;
//   - a channel: the dyads between the parties both ways (as for a dyad),
//     each party's instability, the pressure on each party from third
//     parties, and every numeric indicator;
//   - nothing: the busiest pair both ways (as for a dyad) and the two
//     countries' instability.
//
// It returns nil when the input holds nothing to show.
func (c *Calculator) Choose(sel Selection) []string {
	dyadNames := func(a, b string) []string {
		p := a + "->" + b + "."
		names := []string{p + "conflict", p + "cooperation", p + "net_cooperation"}
		if c.Assured(a, b) {
			names = append(names, p+"rhetoric_gap")
		}
		return names
	}
	totals := c.DyadTotals()
	pressureOn := func(j string, exclude []string) []string {
		var from []DyadTotal
		for _, d := range totals {
			if d.Target == j && d.Conflict > 0 && !slices.Contains(exclude, d.Source) {
				from = append(from, d)
			}
		}
		slices.SortStableFunc(from, func(a, b DyadTotal) int { return cmp.Compare(b.Conflict, a.Conflict) })
		var out []string
		for _, d := range from[:min(len(from), maxPressureSources)] {
			out = append(out, d.Source+"->"+j+".pressure")
		}
		return out
	}
	channel := append(slices.Clone(sel.Parties), sel.Mediator)
	var names []string
	switch {
	case sel.Dyad[0] != "":
		names = append(dyadNames(sel.Dyad[0], sel.Dyad[1]), dyadNames(sel.Dyad[1], sel.Dyad[0])...)
	case sel.Actor != "":
		names = append(names, sel.Actor+".instability")
		names = append(names, pressureOn(sel.Actor, append(channel, sel.Actor))...)
		for _, n := range c.Numerics() {
			if strings.HasPrefix(n, sel.Actor+".") {
				names = append(names, n)
			}
		}
	case len(sel.Parties) > 0:
		p := sel.Parties
		for i := range p {
			for j := i + 1; j < len(p); j++ {
				names = append(names, dyadNames(p[i], p[j])...)
				names = append(names, dyadNames(p[j], p[i])...)
			}
		}
		for _, party := range p {
			names = append(names, party+".instability")
		}
		for _, party := range p {
			names = append(names, pressureOn(party, channel)...)
		}
		names = append(names, c.Numerics()...)
	default:
		if len(totals) == 0 {
			return nil
		}
		a, b := totals[0].Source, totals[0].Target
		names = append(dyadNames(a, b), dyadNames(b, a)...)
		names = append(names, a+".instability", b+".instability")
	}
	return names
}
