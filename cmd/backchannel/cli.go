package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"
)

// version is set at build time with -ldflags "-X main.version=..."; a plain build
// reports the module version or the VCS revision.
var version = ""

// command is one subcommand: its words ("events stats"), a line for the command
// list, the usage synopsis, a longer help text, and what runs it.
type command struct {
	name    string
	summary string
	usage   string
	help    string
	// flags builds the command's flag set on throwaway options, for help text;
	// nil when the command has none.
	flags func() *flag.FlagSet
	run   func(e *env, args []string) error
}

// commands lists every subcommand in the order `backchannel help` shows them.
var commands []*command

func init() {
	commands = []*command{
		checkCmd, assurancesLintCmd, eventsStatsCmd, eventsConvertCmd, eventsFilterCmd, indicatorsCmd, modelCmd, assessCmd, mediatorsCmd, simulateCmd,
		keygenCmd, hubInitCmd, hubEnrollCmd, hubRemoveCmd, hubRunCmd, hubFeedCmd, deskInitCmd, deskRunCmd,
		sendCmd, inboxCmd, readCmd, deleteCmd, conveyCmd, proposeCmd, acknowledgeCmd, withdrawCmd, statusCmd, safetyCmd,
		versionCmd,
	}
}

// usageError is a mistake in how a command was called: exit status 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const mainHelp = `backchannel carries private, deniable, conditional assurances between two adversaries
through a mediator, and measures what they are worth against real event data.

Usage:
  backchannel COMMAND [ARGUMENTS] [FLAGS]
  backchannel help COMMAND     show a command's help (also: COMMAND --help)

Commands:
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printMainHelp(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printMainHelp(stdout)
		return 0
	case "-version", "--version":
		args = []string{"version"}
	case "help":
		if len(args) == 1 {
			printMainHelp(stdout)
			return 0
		}
		cmd, rest := lookup(args[1:])
		if group := groupOf(args[1]); cmd == nil && len(args) == 2 && group != nil {
			fmt.Fprintf(stdout, "%q has these subcommands:\n\n", args[1])
			listCommands(stdout, group)
			return 0
		}
		if cmd == nil || len(rest) > 0 {
			return usageFail(e, nil, usagef("unknown command %q", strings.Join(args[1:], " ")))
		}
		printHelp(stdout, cmd)
		return 0
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		if group := groupOf(args[0]); group != nil && (len(args) == 1 || isHelpFlag(args[1])) {
			w, code := stderr, 2
			if len(args) > 1 {
				w, code = stdout, 0
			}
			fmt.Fprintf(w, "%q needs a subcommand:\n\n", args[0])
			listCommands(w, group)
			return code
		}
		return usageFail(e, nil, usagef("unknown command %q; run 'backchannel help' for the list", strings.Join(args[:min(len(args), 2)], " ")))
	}
	err := cmd.run(e, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		printHelp(stdout, cmd)
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return usageFail(e, cmd, err)
	}
	fmt.Fprintf(stderr, "backchannel %s: %v\n", cmd.name, err)
	return 1
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

func usageFail(e *env, cmd *command, err error) int {
	if cmd == nil {
		fmt.Fprintf(e.stderr, "backchannel: %v\n", err)
		return 2
	}
	fmt.Fprintf(e.stderr, "backchannel %s: %v\nUsage: %s\nRun 'backchannel help %s' for more.\n", cmd.name, err, cmd.usage, cmd.name)
	return 2
}

// lookup finds the longest command name that prefixes args.
func lookup(args []string) (*command, []string) {
	var best *command
	bestLen := 0
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(words) > len(args) || len(words) <= bestLen {
			continue
		}
		match := true
		for i, w := range words {
			if args[i] != w {
				match = false
				break
			}
		}
		if match {
			best, bestLen = c, len(words)
		}
	}
	if best == nil {
		return nil, args
	}
	return best, args[bestLen:]
}

// groupOf returns the commands under a first word such as "events".
func groupOf(word string) []*command {
	var out []*command
	for _, c := range commands {
		if strings.HasPrefix(c.name, word+" ") {
			out = append(out, c)
		}
	}
	return out
}

func printMainHelp(w io.Writer) {
	fmt.Fprint(w, mainHelp)
	listCommands(w, commands)
	fmt.Fprint(w, "\nExit status: 0 success, 1 failure, 2 usage error.\n")
}

func listCommands(w io.Writer, cmds []*command) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, c := range cmds {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
}

func printHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.usage, strings.TrimSpace(c.help))
	if c.flags != nil {
		fmt.Fprint(w, "\nFlags:\n")
		fs := c.flags()
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args with flags allowed anywhere among the positional
// arguments (backchannel events stats a.CSV --json b.CSV); everything after
// "--" is positional. A bad flag is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos, tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, tail...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var versionCmd = &command{
	name:    "version",
	summary: "print the version",
	usage:   "backchannel version",
	help:    "Prints backchannel's version, the Go release it was built with, and the source revision when known.",
	run: func(e *env, args []string) error {
		fs := newFlagSet("version")
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("version takes no arguments")
		}
		v, goVersion, rev := version, "", ""
		if bi, ok := debug.ReadBuildInfo(); ok {
			goVersion = bi.GoVersion
			if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					rev = s.Value[:12]
				}
			}
		}
		if v == "" {
			v = "dev"
		}
		fmt.Fprintf(e.stdout, "backchannel %s (%s", v, goVersion)
		if rev != "" {
			fmt.Fprintf(e.stdout, ", %s", rev)
		}
		fmt.Fprintln(e.stdout, ")")
		return nil
	},
}
