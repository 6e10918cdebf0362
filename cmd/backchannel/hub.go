package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"backchannel/internal/hub"
	"backchannel/internal/identity"
	"backchannel/internal/localapi"
	"backchannel/internal/store"
)

// Files in a hub's directory.
const (
	hubKeyFile     = "hub.key"
	membersFile    = "members.yaml"
	hubDataDir     = "data"
	deskKeyFile    = "desk.key"
	deskConfigFile = "desk.yaml"
)

func dirFlag(fs *flag.FlagSet, dir *string) {
	def := os.Getenv("BACKCHANNEL_DIR")
	if def == "" {
		def = "."
	}
	fs.StringVar(dir, "dir", def, "the hub's or desk's `directory`; $BACKCHANNEL_DIR when set")
}

var hubInitCmd = &command{
	name:    "hub init",
	summary: "set up a mediator's hub in a directory",
	usage:   "backchannel hub init --mediator CODE [--dir DIR]",
	help: `Creates DIR (mode 0700) with the hub's identity key (hub.key, 0600) and an empty
enrollment file (members.yaml), and prints the hub's public key, which every party's
desk needs.`,
	flags: func() *flag.FlagSet { return hubInitFlags(new(string), new(string)) },
	run: func(e *env, args []string) error {
		var dir, med string
		pos, err := parseFlags(hubInitFlags(&dir, &med), args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("hub init takes no arguments")
		}
		if !hub.ValidCode(med) {
			return usagef("--mediator: %q; expected the mediator's code in capitals, such as RUS", med)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		mp := filepath.Join(dir, membersFile)
		if _, err := os.Stat(mp); err == nil {
			return fmt.Errorf("%s already exists: this directory has a hub", mp)
		}
		k, err := identity.Generate()
		if err != nil {
			return err
		}
		if err := identity.Save(filepath.Join(dir, hubKeyFile), k, "hub of mediator "+med, time.Now()); err != nil {
			return err
		}
		m := &hub.Members{Mediator: med, Parties: map[string]*hub.Party{}}
		if err := m.Save(mp); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "hub of %s set up in %s\nhub public key: %s\n", med, dir, k.Public())
		fmt.Fprintf(e.stdout, "next: backchannel hub enroll --dir %s CODE PUBLIC_KEY, for each party\n", dir)
		return nil
	},
}

func hubInitFlags(dir, med *string) *flag.FlagSet {
	fs := newFlagSet("hub init")
	dirFlag(fs, dir)
	fs.StringVar(med, "mediator", "", "the mediator's `code` (e.g. RUS)")
	return fs
}

var hubEnrollCmd = &command{
	name:    "hub enroll",
	summary: "enroll a party's public key with the hub",
	usage:   "backchannel hub enroll [--dir DIR] [--channel NAME]... CODE PUBLIC_KEY_OR_FILE",
	help: `Adds (or re-keys) party CODE in the hub's enrollment file, with the public key the
party gave you out of band (its text, or a file holding it). A running hub picks
the change up within a second. Parties sharing a channel are introduced to each
other's keys and may send sealed messages; the default channel is "main".`,
	flags: func() *flag.FlagSet { return hubEnrollFlags(new(string), &stringList{}) },
	run: func(e *env, args []string) error {
		var dir string
		var chans stringList
		pos, err := parseFlags(hubEnrollFlags(&dir, &chans), args)
		if err != nil {
			return err
		}
		if len(pos) != 2 {
			return usagef("expected CODE and PUBLIC_KEY")
		}
		code := pos[0]
		if !hub.ValidCode(code) {
			return usagef("CODE: %q; expected capitals and digits such as ISR", code)
		}
		key, err := identity.LoadPublic(pos[1])
		if err != nil {
			return err
		}
		mp := filepath.Join(dir, membersFile)
		m, err := hub.LoadMembers(mp)
		if err != nil {
			return loadError(mp, err)
		}
		if code == m.Mediator {
			return fmt.Errorf("%s is the mediator; enroll parties only", code)
		}
		for _, p := range m.Parties {
			if p.Code != code && p.Key.Equal(key) {
				return fmt.Errorf("that key is already enrolled for %s; each party needs its own key", p.Code)
			}
		}
		if len(chans) == 0 {
			chans = stringList{"main"}
		}
		m.Parties[code] = &hub.Party{Code: code, Key: key, Channels: chans}
		if err := m.Save(mp); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "enrolled %s (%s) in %v\n", code, key, []string(chans))
		return nil
	},
}

type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func hubEnrollFlags(dir *string, chans *stringList) *flag.FlagSet {
	fs := newFlagSet("hub enroll")
	dirFlag(fs, dir)
	fs.Var(chans, "channel", "a channel `name` the party belongs to (repeatable; default main)")
	return fs
}

var hubRemoveCmd = &command{
	name:    "hub remove",
	summary: "remove a party from the hub",
	usage:   "backchannel hub remove [--dir DIR] CODE",
	help:    `Removes party CODE from the enrollment file. A running hub closes its session within a second and answers its key no more.`,
	flags:   func() *flag.FlagSet { fs := newFlagSet("hub remove"); dirFlag(fs, new(string)); return fs },
	run: func(e *env, args []string) error {
		var dir string
		fs := newFlagSet("hub remove")
		dirFlag(fs, &dir)
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("expected CODE")
		}
		mp := filepath.Join(dir, membersFile)
		m, err := hub.LoadMembers(mp)
		if err != nil {
			return loadError(mp, err)
		}
		if m.Parties[pos[0]] == nil {
			return fmt.Errorf("%s is not enrolled (enrolled: %v)", pos[0], m.Codes())
		}
		delete(m.Parties, pos[0])
		if err := m.Save(mp); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s\n", pos[0])
		return nil
	},
}

type hubRunOpts struct {
	dir, listen, nats, watch, logLevel string
	maxTTL, defTTL                     time.Duration
}

func (o *hubRunOpts) flags() *flag.FlagSet {
	fs := newFlagSet("hub run")
	dirFlag(fs, &o.dir)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:7400", "TCP `address` for the parties' desks")
	fs.StringVar(&o.nats, "nats", "", "external NATS `URL` (default: JetStream embedded in the hub, under DIR/data)")
	fs.StringVar(&o.watch, "watch", "", "a scenario or assurance `file` whose red lines, indicators and events the monitor uses")
	fs.DurationVar(&o.maxTTL, "max-ttl", 7*24*time.Hour, "the longest time to live a sender may set")
	fs.DurationVar(&o.defTTL, "ttl", 72*time.Hour, "the default time to live of a message")
	fs.StringVar(&o.logLevel, "log", "info", "log `level`: debug, info, warn, error")
	return fs
}

var hubRunCmd = &command{
	name:    "hub run",
	summary: "run the mediator's hub",
	usage:   "backchannel hub run [--dir DIR] [--listen ADDR] [--nats URL] [--watch FILE]",
	help: `Runs the hub until interrupted: accepts Noise sessions from enrolled desks, stores
their mail in NATS JetStream (embedded, under DIR/data, unless --nats), serves the
mediator's commands (inbox, read, convey, status, ...) on DIR/api.sock, and runs the
assurance monitor. Logs go to standard error; they never hold message text or keys.

The hub runs Go's garbage collector at GOGC=400 (fewer collections, so steadier
latency, for a heap up to five times the live one) unless GOGC is set in the
environment.`,
	flags: func() *flag.FlagSet { return (&hubRunOpts{}).flags() },
	run: func(e *env, args []string) error {
		o := &hubRunOpts{}
		pos, err := parseFlags(o.flags(), args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("hub run takes no arguments")
		}
		var level slog.Level
		if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
			return usagef("--log: %v", err)
		}
		log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runHub(ctx, e, o, log)
	},
}

func runHub(ctx context.Context, e *env, o *hubRunOpts, log *slog.Logger) error {
	key, err := identity.Load(filepath.Join(o.dir, hubKeyFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s has no hub; set one up with: backchannel hub init --dir %s --mediator CODE", o.dir, o.dir)
		}
		return err
	}
	root, err := hkdf.Key(sha256.New, key.Bytes(), nil, "backchannel/1 store root", 32)
	if err != nil {
		return err
	}
	defer hub.TuneGC()()
	st, err := store.Open(ctx, store.Options{
		Dir: filepath.Join(o.dir, hubDataDir), URL: o.nats, RootKey: root,
		MaxTTL: o.maxTTL, DefaultTTL: o.defTTL, Logger: log.With("component", "store"),
	})
	clear(root)
	if err != nil {
		return err
	}
	defer st.Close()
	h, err := hub.New(hub.Config{Key: key, MembersPath: filepath.Join(o.dir, membersFile), Store: st,
		Logger: log, DefaultTTL: o.defTTL, MaxTTL: o.maxTTL, Version: versionString()})
	if err != nil {
		return err
	}
	if o.watch != "" {
		if err := h.Watch(o.watch); err != nil {
			return loadError(o.watch, err)
		}
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	api, err := localapi.Listen(filepath.Join(o.dir, localapi.SocketName))
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: h.API(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(api)
	defer srv.Close()
	log.Info("hub running", "mediator", h.Mediator(), "listen", ln.Addr().String(), "key", key.Public().String(), "api", filepath.Join(o.dir, localapi.SocketName))
	fmt.Fprintf(e.stdout, "hub %s listening on %s\n", h.Mediator(), ln.Addr())
	return h.Serve(ctx, ln)
}

var hubFeedCmd = &command{
	name:    "hub feed",
	summary: "feed event records to the hub's assurance monitor",
	usage:   "backchannel hub feed [--dir DIR] FILE...",
	help: `Reads event records (any format backchannel reads) into the running hub's monitor,
which re-evaluates every acknowledged assurance and red line and notifies the
parties concerned of each change. The hub reads the files itself, by path.

The records are kept in the running hub's memory, not stored: after a restart, feed
them again, or name them in the --watch file's events, which the hub reads at every
start. What they caused is stored: an assurance they made final (breached, lapsed,
expired) stays so, and a red line crossed is not announced again.`,
	flags: func() *flag.FlagSet { fs := newFlagSet("hub feed"); dirFlag(fs, new(string)); return fs },
	run: func(e *env, args []string) error {
		var dir string
		fs := newFlagSet("hub feed")
		dirFlag(fs, &dir)
		pos, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(pos) == 0 {
			return usagef("expected at least one FILE")
		}
		c := localapi.Dial(dir)
		for _, p := range pos {
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			var r map[string]int
			if err := c.Call(context.Background(), "POST", "/feed", map[string]string{"path": abs}, &r); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			fmt.Fprintf(e.stdout, "%s: %d records, %d lines rejected\n", p, r["records"], r["rejected"])
		}
		return nil
	},
}

// versionString is the version the hub announces in its welcome.
func versionString() string {
	if version != "" {
		return "backchannel " + version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return "backchannel " + bi.Main.Version
	}
	return "backchannel dev"
}
