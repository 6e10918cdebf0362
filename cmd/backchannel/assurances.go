package main

import (
	"flag"
	"fmt"
	"strings"

	"backchannel/internal/assurance"
	"backchannel/internal/scenario"
)

var assurancesLintCmd = &command{
	name:    "assurances lint",
	summary: "check assurance and red-line definitions without reading events",
	usage:   "backchannel assurances lint FILE...",
	help: `Loads each scenario or assurance file and compiles its assurances and red lines, as
check does, but reads no events. Every problem is reported with file:line:column: an
unknown actor, an undeclared indicator, a CEL syntax or type error, an unless naming an
unknown red line, a reciprocal naming an unknown assurance, an until before from.

Exit status 0 when every file is sound, 1 when one has a problem, 2 for a usage error.`,
	flags: func() *flag.FlagSet { return newFlagSet("assurances lint") },
	run: func(e *env, args []string) error {
		pos, err := parseFlags(newFlagSet("assurances lint"), args)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			return usagef("no file to lint")
		}
		var failed []string
		for _, path := range pos {
			if err := lint(e, path); err != nil {
				fmt.Fprintln(e.stderr, err)
				failed = append(failed, path)
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%d of %d file(s) have problems: %s", len(failed), len(pos), strings.Join(failed, ", "))
		}
		return nil
	},
}

func lint(e *env, path string) error {
	s, err := scenario.Load(path)
	if err != nil {
		return loadError(path, err)
	}
	set, err := assurance.Compile(s)
	if err != nil {
		return loadError(path, err)
	}
	conds := 0
	for _, a := range set.Assurances {
		conds += len(a.Refrain) + len(a.Unless)
	}
	if len(set.Assurances)+len(set.Redlines) == 0 {
		fmt.Fprintf(e.stdout, "%s: ok, but it holds no assurances or red lines\n", path)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: ok: %d assurance(s) with %d condition(s), %d red line(s)", path, len(set.Assurances), conds, len(set.Redlines))
	if len(set.Indicators) > 0 {
		fmt.Fprintf(e.stdout, "; indicators read: %s", strings.Join(set.Indicators, ", "))
	}
	fmt.Fprintln(e.stdout)
	return nil
}
