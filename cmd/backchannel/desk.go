package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/desk"
	"backchannel/internal/identity"
	"backchannel/internal/localapi"
)

// deskConfig is desk.yaml: where the hub is and which key it must prove.
type deskConfig struct {
	Hub    string `yaml:"hub"`
	HubKey string `yaml:"hub_key"`
}

var deskInitCmd = &command{
	name:    "desk init",
	summary: "set up a party's desk in a directory",
	usage:   "backchannel desk init --hub ADDR --hub-key KEY [--dir DIR]",
	help: `Creates DIR (mode 0700) with the desk's identity key (desk.key, 0600) and desk.yaml
(the hub's address and public key, which the mediator gave you out of band), and
prints the desk's public key: give it to the mediator, who enrolls it with
'backchannel hub enroll CODE KEY'.`,
	flags: func() *flag.FlagSet { return deskInitFlags(new(string), new(string), new(string)) },
	run: func(e *env, args []string) error {
		var dir, addr, hk string
		pos, err := parseFlags(deskInitFlags(&dir, &addr, &hk), args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("desk init takes no arguments")
		}
		if addr == "" || hk == "" {
			return usagef("--hub and --hub-key are required")
		}
		hubKey, err := identity.LoadPublic(hk)
		if err != nil {
			return fmt.Errorf("--hub-key: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		kp := filepath.Join(dir, deskKeyFile)
		k, err := identity.Load(kp)
		if errors.Is(err, fs.ErrNotExist) {
			if k, err = identity.Generate(); err == nil {
				err = identity.Save(kp, k, "desk", time.Now())
			}
		}
		if err != nil {
			return err
		}
		b, err := yaml.Marshal(deskConfig{Hub: addr, HubKey: hubKey.String()})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, deskConfigFile), b, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "desk set up in %s\ndesk public key: %s\nnext: the mediator runs 'backchannel hub enroll CODE %s'; then 'backchannel desk run --dir %s'\n", dir, k.Public(), k.Public(), dir)
		return nil
	},
}

func deskInitFlags(dir, addr, hk *string) *flag.FlagSet {
	fs := newFlagSet("desk init")
	dirFlag(fs, dir)
	fs.StringVar(addr, "hub", "", "the hub's `address` (host:port)")
	fs.StringVar(hk, "hub-key", "", "the hub's public `key` (bcpub:..., or a file holding it)")
	return fs
}

var deskRunCmd = &command{
	name:    "desk run",
	summary: "run a party's desk",
	usage:   "backchannel desk run [--dir DIR]",
	help: `Runs the desk until interrupted: keeps a Noise session to the hub (reconnecting with
backoff), keeps delivered messages in DIR/state.enc (encrypted with a key derived
from the desk's identity; every item expires), sends what waits in the outbox, and
serves the party's commands (send, inbox, read, ...) on DIR/api.sock.

Expiry on this desk is housekeeping, not a constraint on anyone else: the other
side can always keep private notes.`,
	flags: func() *flag.FlagSet { return deskRunFlags(new(string), new(string)) },
	run: func(e *env, args []string) error {
		var dir, lv string
		pos, err := parseFlags(deskRunFlags(&dir, &lv), args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("desk run takes no arguments")
		}
		var level slog.Level
		if err := level.UnmarshalText([]byte(lv)); err != nil {
			return usagef("--log: %v", err)
		}
		log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runDesk(ctx, e, dir, log)
	},
}

func deskRunFlags(dir, lv *string) *flag.FlagSet {
	fs := newFlagSet("desk run")
	dirFlag(fs, dir)
	fs.StringVar(lv, "log", "info", "log `level`: debug, info, warn, error")
	return fs
}

func runDesk(ctx context.Context, e *env, dir string, log *slog.Logger) error {
	key, err := identity.Load(filepath.Join(dir, deskKeyFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s has no desk; set one up with: backchannel desk init --dir %s --hub ADDR --hub-key KEY", dir, dir)
		}
		return err
	}
	cp := filepath.Join(dir, deskConfigFile)
	data, err := os.ReadFile(cp)
	if err != nil {
		return err
	}
	var cfg deskConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("%s: %w", cp, err)
	}
	hk, err := identity.ParsePublic(cfg.HubKey)
	if err != nil {
		return fmt.Errorf("%s: hub_key: %w", cp, err)
	}
	d, err := desk.New(desk.Config{Dir: dir, Key: key, HubAddr: cfg.Hub, HubKey: hk, Logger: log})
	if err != nil {
		return err
	}
	api, err := localapi.Listen(filepath.Join(dir, localapi.SocketName))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: d.API(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(api)
	defer srv.Close()
	fmt.Fprintf(e.stdout, "desk running; hub %s\n", cfg.Hub)
	return d.Run(ctx)
}
