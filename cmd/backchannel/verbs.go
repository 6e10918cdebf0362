package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/localapi"
)

// verbCmd builds a command that talks to a running hub or desk. args after
// flags are handed to do.
func verbCmd(name, summary, usage, help string, extra func(fs *flag.FlagSet, o *verbOpts), do func(e *env, c *localapi.Client, o *verbOpts, pos []string) error) *command {
	mk := func(o *verbOpts) *flag.FlagSet {
		fs := newFlagSet(name)
		dirFlag(fs, &o.dir)
		fs.BoolVar(&o.json, "json", false, "print JSON")
		if extra != nil {
			extra(fs, o)
		}
		return fs
	}
	return &command{
		name: name, summary: summary, usage: usage, help: help,
		flags: func() *flag.FlagSet { return mk(&verbOpts{}) },
		run: func(e *env, args []string) error {
			o := &verbOpts{}
			pos, err := parseFlags(mk(o), args)
			if err != nil {
				return err
			}
			return do(e, localapi.Dial(o.dir), o, pos)
		},
	}
}

type verbOpts struct {
	dir, to, quote, assurance string
	json, sealed              bool
	ttl                       time.Duration
}

func ctx() context.Context { return context.Background() }

func printJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

const verbHelpTail = `

It talks to the hub or desk running on DIR (its api.sock); at the mediator's hub it
acts for the mediator, at a party's desk for that party.`

var sendCmd = verbCmd("send", "send a message to the mediator (or sealed to a party)",
	"backchannel send [--dir DIR] [--ttl D] [--sealed --to PARTY] TEXT...",
	`At a party's desk: sends TEXT to the mediator, who reads it and decides what to convey.
The mediator's words, not yours, are what the other party receives. With --sealed
--to PARTY, the text is encrypted end to end to a one-time key of PARTY: the hub
routes it and cannot read it (compare safety numbers first: backchannel safety-number).
If the hub is unreachable, the message waits in the desk's outbox (state "queued").

At the mediator's hub, send is convey.`+verbHelpTail,
	func(fs *flag.FlagSet, o *verbOpts) {
		fs.DurationVar(&o.ttl, "ttl", 0, "time to live (default the hub's, 72h)")
		fs.BoolVar(&o.sealed, "sealed", false, "encrypt end to end to --to (a party)")
		fs.StringVar(&o.to, "to", "", "recipient `code` (the mediator, or a party with --sealed)")
	},
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) == 0 {
			return usagef("expected the TEXT to send")
		}
		if o.sealed && o.to == "" {
			return usagef("--sealed needs --to PARTY")
		}
		var r localapi.SendReply
		req := localapi.SendRequest{To: o.to, Text: strings.Join(pos, " "), TTL: int64(o.ttl.Seconds()), Sealed: o.sealed}
		if err := c.Call(ctx(), "POST", "/send", req, &r); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, r)
		}
		fmt.Fprintf(e.stdout, "%s %s\n", r.ID, r.State)
		return nil
	})

var conveyCmd = verbCmd("convey", "the mediator conveys a message or an assurance to a party",
	"backchannel convey [--dir DIR] --to PARTY [--quote ID] [--ttl D] TEXT...\n       backchannel convey [--dir DIR] --assurance ID [TEXT...]",
	`At the mediator's hub: sends PARTY a new message in the mediator's own words. With
--quote ID the text of inbox message ID is quoted above yours: it is still your
message, and the party receives nothing the sender produced.

With --assurance ID, conveys a proposed assurance to its beneficiary (TEXT, if given,
is your wording of it); the beneficiary then acknowledges it.`+verbHelpTail,
	func(fs *flag.FlagSet, o *verbOpts) {
		fs.StringVar(&o.to, "to", "", "the party `code`")
		fs.StringVar(&o.quote, "quote", "", "quote the inbox message with this `id`")
		fs.StringVar(&o.assurance, "assurance", "", "convey the proposed assurance with this `id`")
		fs.DurationVar(&o.ttl, "ttl", 0, "time to live (default the hub's, 72h)")
	},
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		text := strings.Join(pos, " ")
		if o.assurance != "" {
			var r map[string]any
			if err := c.Call(ctx(), "POST", "/convey-assurance", localapi.IDRequest{ID: o.assurance, Text: text}, &r); err != nil {
				return err
			}
			if o.json {
				return printJSON(e, r)
			}
			fmt.Fprintf(e.stdout, "assurance %s conveyed to %v\n", o.assurance, r["beneficiary"])
			return nil
		}
		if o.to == "" {
			return usagef("--to PARTY is required (or --assurance ID)")
		}
		if text == "" && o.quote == "" {
			return usagef("expected the TEXT to convey")
		}
		var r localapi.SendReply
		if err := c.Call(ctx(), "POST", "/send", localapi.SendRequest{To: o.to, Text: text, Quote: o.quote, TTL: int64(o.ttl.Seconds())}, &r); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, r)
		}
		fmt.Fprintf(e.stdout, "%s conveyed to %s\n", r.ID, o.to)
		return nil
	})

var inboxCmd = verbCmd("inbox", "list the messages waiting here",
	"backchannel inbox [--dir DIR] [--json]",
	`Lists the messages held here, oldest first: id, sender, kind, when sent, when it
expires, and the start of the text. Kinds: text (a party's own words, at the hub),
conveyed (the mediator's words), sealed (end to end), assurance (conveyed, awaiting
your acknowledgement), proposal (at the hub), notice (lifecycle changes).`+verbHelpTail,
	nil,
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) > 0 {
			return usagef("inbox takes no arguments")
		}
		var items []localapi.Item
		if err := c.Call(ctx(), "GET", "/inbox", nil, &items); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, items)
		}
		if len(items) == 0 {
			fmt.Fprintln(e.stdout, "inbox empty")
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tFROM\tKIND\tSENT\tEXPIRES\tTEXT")
		for _, it := range items {
			text := strings.ReplaceAll(it.Text, "\n", " ")
			if len(text) > 60 {
				text = text[:57] + "..."
			}
			mark := ""
			if !it.Read && it.From != "" {
				mark = "*"
			}
			fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, mark, it.From, it.Kind, it.Sent.UTC().Format("2006-01-02 15:04"), it.Expires.UTC().Format("2006-01-02 15:04"), text)
		}
		return tw.Flush()
	})

var readCmd = verbCmd("read", "show one message whole",
	"backchannel read [--dir DIR] [--json] ID",
	`Shows message ID: its sender, kind, times, the whole text, and an assurance it
carries.`+verbHelpTail,
	nil,
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) != 1 {
			return usagef("expected one message ID")
		}
		var it localapi.Item
		if err := c.Call(ctx(), "GET", "/read?id="+url.QueryEscape(pos[0]), nil, &it); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, it)
		}
		fmt.Fprintf(e.stdout, "id:      %s\nfrom:    %s\nkind:    %s\nsent:    %s\nexpires: %s\n", it.ID, it.From, it.Kind, it.Sent.UTC().Format(time.RFC3339), it.Expires.UTC().Format(time.RFC3339))
		if it.Sealed {
			fmt.Fprintln(e.stdout, "sealed:  end to end; the hub could not read it")
		}
		fmt.Fprintf(e.stdout, "\n%s\n", it.Text)
		if len(it.Assurance) > 0 {
			var a any
			_ = json.Unmarshal(it.Assurance, &a)
			b, _ := yaml.Marshal(a)
			fmt.Fprintf(e.stdout, "\nassurance:\n%s", indent(string(b)))
		}
		return nil
	})

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

var deleteCmd = verbCmd("delete", "delete a message here",
	"backchannel delete [--dir DIR] ID...",
	`Deletes messages. At the hub this destroys the message's key (crypto-shredding); at a
desk it removes the message from the encrypted state.`+verbHelpTail,
	nil,
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) == 0 {
			return usagef("expected at least one message ID")
		}
		for _, id := range pos {
			if err := c.Call(ctx(), "POST", "/delete", localapi.IDRequest{ID: id}, nil); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			fmt.Fprintf(e.stdout, "deleted %s\n", id)
		}
		return nil
	})

var proposeCmd = verbCmd("propose", "propose an assurance through the mediator",
	"backchannel propose [--dir DIR] FILE",
	`At a party's desk: proposes the assurance in FILE (YAML or JSON, one assurance in the
form of 'backchannel help check': id, beneficiary, text, refrain, unless, from,
until, reciprocal; the issuer is you, the via is the mediator). The mediator conveys
it; the beneficiary acknowledges; the hub's monitor then watches it.`+verbHelpTail,
	nil,
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) != 1 {
			return usagef("expected one FILE")
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		var a any
		if err := yaml.Unmarshal(data, &a); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if m, ok := a.(map[string]any); ok {
			if list, ok := m["assurances"].([]any); ok && len(list) == 1 {
				a = list[0]
			}
		}
		var r map[string]string
		if err := c.Call(ctx(), "POST", "/propose", map[string]any{"assurance": a}, &r); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, r)
		}
		fmt.Fprintf(e.stdout, "assurance %s proposed\n", r["id"])
		return nil
	})

func idVerb(name, summary, usage, help string) *command {
	return verbCmd(name, summary, usage, help+verbHelpTail, nil,
		func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
			if len(pos) != 1 {
				return usagef("expected one assurance ID")
			}
			if err := c.Call(ctx(), "POST", "/"+name, localapi.IDRequest{ID: pos[0]}, nil); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %s done\n", pos[0], name)
			return nil
		})
}

var acknowledgeCmd = idVerb("acknowledge", "acknowledge an assurance conveyed to you",
	"backchannel acknowledge [--dir DIR] ID",
	`At a party's desk: acknowledges the conveyed assurance ID. It comes into force at its
'from' (or now), and the hub's monitor watches it against events.`)

var withdrawCmd = idVerb("withdraw", "withdraw an assurance you gave",
	"backchannel withdraw [--dir DIR] ID",
	`At a party's desk: withdraws your assurance ID. The mediator and the beneficiary are
notified; an assurance that stood on it by reciprocity lapses.`)

var statusCmd = verbCmd("status", "show sessions, queued messages and assurances",
	"backchannel status [--dir DIR] [--json]",
	`Shows, at the hub: the mediator, each party with its session and queued mail, and the
registry of assurances. At a desk: the session, inbox, outbox and the hub's view of
your mail and assurances.`+verbHelpTail,
	nil,
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) > 0 {
			return usagef("status takes no arguments")
		}
		var st map[string]any
		if err := c.Call(ctx(), "GET", "/status", nil, &st); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, st)
		}
		b, err := yaml.Marshal(st)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(b)
		return err
	})

var safetyCmd = verbCmd("safety-number", "the number to compare with a peer before sealed messages",
	"backchannel safety-number [--dir DIR] PARTY",
	`Prints the safety number of your key and PARTY's key as the mediator introduced it.
Read it to PARTY over another channel (a call, a meeting). If the numbers differ, the
mediator introduced a key that is not PARTY's, and could read and alter your sealed
messages. If you never compare, you are trusting the mediator with them.`+verbHelpTail,
	nil,
	func(e *env, c *localapi.Client, o *verbOpts, pos []string) error {
		if len(pos) != 1 {
			return usagef("expected one PARTY")
		}
		var r map[string]string
		if err := c.Call(ctx(), "GET", "/safety?peer="+url.QueryEscape(pos[0]), nil, &r); err != nil {
			return err
		}
		if o.json {
			return printJSON(e, r)
		}
		fmt.Fprintf(e.stdout, "safety number with %s: %s\n", pos[0], r["safety_number"])
		return nil
	})
