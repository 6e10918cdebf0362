// Package indicator turns a stream of coded events and numeric observations into
// the indicators that assurance conditions and the risk model read: how hostile
// or cooperative one country is toward another, how unstable a country is, how
// much a third party presses on one, and the observed figures analysts feed in.
//
// # Weights
//
// Every indicator is evaluated at a time t over a sliding window with
// exponential decay, so that a strike last week outweighs one last month and an
// event older than the window no longer counts at all. An event e at time t_e
// counts at t when
//
//	age = t - t_e,  0 <= age < Window
//
// (events after t never count: an indicator at t sees only what was known by t),
// and then weighs
//
//	w(e) = 2^(-age/HalfLife) * a(e)
//
// where a(e) = 1, or a(e) = ln(1 + mentions) with Options.Mentions (attention
// weighting: an event many articles repeat weighs more; an event with no
// mentions then weighs nothing). Defaults: Window 30 days, HalfLife 7 days.
//
// # Indicators
//
// With g(e) the event's Goldstein value (-10..+10):
//
//	conflict(i->j)        = Σ w(e) * max(0, -g(e)) / 10   over events with source i, target j
//	cooperation(i->j)     = Σ w(e) * max(0,  g(e)) / 10   over the same events
//	net_cooperation(i->j) = cooperation(i->j) - conflict(i->j)
//	pressure(k->j)        = conflict(k->j)                 (k a third party, e.g. USA->IRN)
//	rhetoric_gap(i->j)    = Σ w(e) * max(0, -g(e)) / 10   over events with source i, target j,
//	                        quad class 3 and Public, at a time i had an assurance in force toward j
//	instability(i)        = Σ_{e in U(i)} w(e) / Σ_{e in A(i)} w(e), 0 when A(i) weighs nothing
//
// The rhetoric gap is the "public threats, private reassurance" paradox: what i
// says against j in public while it has assured j through the channel. The
// intervals of assurance come from Calculator.SetAssured, as [on, off), and are
// looked up at query time; events outside them count 0, so the gap decays to 0
// once the assurance ends.
//
// A(i) is the events with i as source, target or location country; U(i), a
// subset of A(i), is those among them of quad class 4 (material conflict) or
// CAMEO root 14 (protest) whose location country is i or whose source and
// target are both i. This is GDELT's stability-dashboard measure, so it lies in
// [0, 1]. Locations carry FIPS 10-4 codes ("IR"), actors CAMEO codes ("IRN");
// locations are mapped to CAMEO through the cameo package's country table. An
// event counts once toward a country's denominator however many of its roles
// that country fills.
//
// Numeric observations ("IRN.enrichment_pct") are indicators as given: the
// latest observation at or before t, else a value declared by a scenario.
//
// # Names
//
// Indicators are named as EVENTS.md writes them: "ISR->IRN.conflict",
// "ISR->IRN.cooperation", "ISR->IRN.net_cooperation", "USA->IRN.pressure",
// "ISR->IRN.rhetoric_gap", "IRN.instability" and "IRN.enrichment_pct"; see
// ParseName.
//
// # Memory
//
// A Calculator keeps no records. It keeps, per ordered dyad and per country, a
// time-ordered list of contributions, and merges contributions that share a key
// and a timestamp. GDELT dates events to the day, so a file of millions of
// events collapses to keys x days. Because every event in a merged entry has
// the same age, its decay factor is common and can be applied at query time to
// the stored raw sums.
package indicator
