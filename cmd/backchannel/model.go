package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"backchannel/internal/theory"
)

const modelUsage = "backchannel model NAME --PARAM=VALUE ... [--json]"

var modelCmd = &command{
	name:    "model",
	summary: "compute a closed-form model of trust, mediation and war (stage, mediator, fearon, ...)",
	usage:   modelUsage,
	help: `Computes one closed-form model of docs/MODELS.md for the parameters given, and says
what the result means. Parameters are named by their symbols (--pi=0.6 or --pi 0.6);
each has a range, and a missing, unknown, non-numeric or out-of-range parameter is a
usage error. 'backchannel model NAME --help' shows one model's parameters. With --json
the result is printed with the keys of MODELS.md.

The Kydd models are reconstructions consistent with Kydd's published claims, in our
notation and normalization, not the papers' payoff tables.

Example:
  backchannel model stage --pi=0.6 --c=1 --tT=0.5

` + modelList(),
	flags: func() *flag.FlagSet { return modelFlags(new(bool)) },
	run:   runModel,
}

func modelFlags(asJSON *bool) *flag.FlagSet {
	fs := newFlagSet("model")
	fs.BoolVar(asJSON, "json", false, "print the result as JSON, with the keys of MODELS.md")
	return fs
}

// modelList lists every model with its parameters and their ranges.
func modelList() string {
	var b strings.Builder
	b.WriteString("Models:\n")
	for _, m := range theory.Models() {
		fmt.Fprintf(&b, "\n  %s: %s (%s)\n", m.Name, m.Title, source(m))
		writeParams(&b, m, "    ")
	}
	return b.String()
}

func source(m theory.Model) string {
	if m.Reconstructed {
		return m.Source + "; reconstructed"
	}
	return m.Source
}

func writeParams(w io.Writer, m theory.Model, indent string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range m.Params {
		meaning := p.Meaning
		if p.Optional {
			meaning = "optional; " + meaning
		}
		fmt.Fprintf(tw, "%s--%s\t%s\t%s\n", indent, p.Name, p.Range, meaning)
	}
	tw.Flush()
}

func runModel(e *env, args []string) error {
	switch {
	case len(args) == 0:
		fmt.Fprintf(e.stdout, "Usage: %s\n\n%s", modelUsage, modelList())
		return nil
	case isHelpFlag(args[0]):
		return flag.ErrHelp
	case strings.HasPrefix(args[0], "-"):
		return usagef("give the model's name first, then its parameters; the models are %s", modelNames())
	}
	m, ok := theory.Lookup(args[0])
	if !ok {
		return usagef("unknown model %q; the models are %s", args[0], modelNames())
	}
	if err := checkParamFlags(m, args[1:]); err != nil {
		return err
	}
	var asJSON bool
	fs := modelFlags(&asJSON)
	raw := map[string]string{}
	for _, p := range m.Params {
		fs.Func(p.Name, fmt.Sprintf("%s, in %s", p.Meaning, p.Range), func(s string) error {
			raw[p.Name] = s
			return nil
		})
	}
	pos, err := parseFlags(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printModelHelp(e.stdout, m)
		return nil
	}
	if err != nil {
		return err
	}
	values := map[string]float64{}
	for _, p := range m.Params {
		s, ok := raw[p.Name]
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return usagef("--%s: %q is not a number; want a number in %s", p.Name, s, p.Range)
		}
		values[p.Name] = v
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q; give parameters as --NAME=VALUE", pos[0])
	}
	res, err := m.Eval(values)
	var pe *theory.ParamError
	if errors.As(err, &pe) {
		return usagef("%v", pe)
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return writeModel(e.stdout, m, values, res)
}

// checkParamFlags finds the flags that are not the model's parameters, and parameters
// given twice, before the flag package does: its message would not say what the model
// takes. A parameter given as "--pi 0.6" takes the next argument as its value, even
// one that starts with a minus.
func checkParamFlags(m theory.Model, args []string) error {
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if name == "json" || name == "h" || name == "help" {
			continue
		}
		if _, ok := m.Param(name); !ok {
			return unknownParam(m, name)
		}
		if seen[name] {
			return usagef("--%s is given twice", name)
		}
		seen[name] = true
		if !hasValue {
			if i+1 == len(args) {
				p, _ := m.Param(name)
				return usagef("--%s needs a value: a number in %s", name, p.Range)
			}
			i++
		}
	}
	return nil
}

func unknownParam(m theory.Model, name string) error {
	names := m.ParamNames()
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return usagef("unknown parameter --%s for model %s; did you mean --%s? (names are case-sensitive)", name, m.Name, n)
		}
	}
	for i, n := range names {
		names[i] = "--" + n
	}
	return usagef("unknown parameter --%s for model %s; it takes %s", name, m.Name, strings.Join(names, ", "))
}

func modelNames() string {
	var names []string
	for _, m := range theory.Models() {
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

func printModelHelp(w io.Writer, m theory.Model) {
	var synopsis []string
	for _, p := range m.Params {
		s := "--" + p.Name + "=VALUE"
		if p.Optional {
			s = "[" + s + "]"
		}
		synopsis = append(synopsis, s)
	}
	fmt.Fprintf(w, "Usage: backchannel model %s %s [--json]\n\n", m.Name, strings.Join(synopsis, " "))
	fmt.Fprintf(w, "%s: %s.\nSource: %s.\n", m.Name, m.Title, m.Source)
	if m.Reconstructed {
		fmt.Fprint(w, "A reconstruction consistent with Kydd's published claims in our notation, not the papers' payoff tables.\n")
	}
	fmt.Fprint(w, "\nParameters:\n")
	writeParams(w, m, "  ")
	fmt.Fprint(w, "\nSee docs/MODELS.md for the formulas.\n")
}

// writeModel writes the model, the parameters as given, and the result in words.
func writeModel(w io.Writer, m theory.Model, values map[string]float64, res theory.Result) error {
	var given []string
	for _, p := range m.Params {
		if v, ok := values[p.Name]; ok {
			given = append(given, p.Name+" = "+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	fmt.Fprintf(w, "%s: %s\nSource: %s\n", m.Name, m.Title, m.Source)
	if m.Reconstructed {
		fmt.Fprint(w, "(a reconstruction in our notation, not the papers' payoff tables)\n")
	}
	fmt.Fprintf(w, "Parameters: %s\n\n", strings.Join(given, ", "))
	return res.WriteText(w)
}
