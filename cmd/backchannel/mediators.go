package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"backchannel/internal/mediation"
	"backchannel/internal/scenario"
)

var mediatorsCmd = &command{
	name:    "mediators",
	summary: "rank who could mediate between the channel's parties, and why",
	usage:   "backchannel mediators SCENARIO [--json]",
	help: `Ranks every actor of the scenario that is not a party of its channel as a mediator
between the two parties A and B (A is the first listed in channel.parties), by
MODELS.md part D:

  ties      diplomatic ties with both parties
  access    the worse of its two relations (-1 hostile .. +1 aligned)
  ideal     its ideal point, 0 (A's position) to 1 (B's): the actor's ideal in the
            actors section ("given"), or (1 + rel(k, B) - rel(k, A)) / 2 clipped to
            [0, 1] ("derived")
  credible  whether the parties would believe its reports (Kydd's model, A4): the
            ideal lies in [1/4 + kM/2, 3/4 - kM/2], kM the actor's conflict_cost
            (0.1 when absent); outside it, the mediator would lie for the side it
            leans to

Candidates with ties to both come first, then credible ones, then by access, highest
first. Candidates equal on all three share a rank (1, 2, 2, 4) and keep the order of
the actors section. Each has its reasons in words: its ties, its standing with each
party, and why it is or is not credible. With --json the ranking is printed as
{"candidates": [{"actor", "rank", "ties", "access", "ideal", "credible", "reasons"}]}
in rank order.

Example:
  backchannel mediators scenarios/israel-iran-2026/scenario.yaml`,
	flags: func() *flag.FlagSet { return mediatorsFlags(new(bool)) },
	run:   runMediators,
}

func mediatorsFlags(asJSON *bool) *flag.FlagSet {
	fs := newFlagSet("mediators")
	fs.BoolVar(asJSON, "json", false, "print the ranking as JSON, with the keys of MODELS.md")
	return fs
}

func runMediators(e *env, args []string) error {
	var asJSON bool
	pos, err := parseFlags(mediatorsFlags(&asJSON), args)
	if err != nil {
		return err
	}
	if err := oneScenario(pos); err != nil {
		return err
	}
	s, err := scenario.Load(pos[0])
	if err != nil {
		return loadError(pos[0], err)
	}
	if s.Standalone {
		return fmt.Errorf("%s is an assurance file: it names no actors or channel; give a scenario", s.Path)
	}
	r, err := mediation.Rank(s)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.WriteText(e.stdout)
}
