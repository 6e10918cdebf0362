package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"time"

	"backchannel/internal/identity"
)

var keygenCmd = &command{
	name:    "keygen",
	summary: "make an X25519 identity key file",
	usage:   "backchannel keygen [-o FILE] [--comment TEXT]",
	help: `Makes a new X25519 identity and writes it to FILE (mode 0600; an existing file is
never overwritten), or prints it when no -o is given. The public key is printed on
standard output (or standard error when the key itself goes there): hand it to the
mediator for enrollment, or, for a hub, to the parties.

Keys are text a person can paste: "bcpub:" or "BCSECRET:" and base64url with a
checksum, so a key damaged in copying is refused.`,
	flags: func() *flag.FlagSet { return keygenFlags(new(string), new(string)) },
	run: func(e *env, args []string) error {
		var out, comment string
		pos, err := parseFlags(keygenFlags(&out, &comment), args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("keygen takes no arguments; name the file with -o")
		}
		k, err := identity.Generate()
		if err != nil {
			return err
		}
		if out == "" {
			fmt.Fprintf(e.stderr, "public key: %s\n", k.Public())
			fmt.Fprintf(e.stdout, "# backchannel identity (X25519). Keep this secret.\n# public key: %s\n%s\n", k.Public(), k)
			return nil
		}
		if err := identity.Save(out, k, comment, time.Now()); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s already exists; keygen never overwrites a key (remove it first if you mean to)", out)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "public key: %s\n", k.Public())
		return nil
	},
}

func keygenFlags(out, comment *string) *flag.FlagSet {
	fs := newFlagSet("keygen")
	fs.StringVar(out, "o", "", "write the key to this `file` (mode 0600)")
	fs.StringVar(comment, "comment", "", "a comment line for the key file")
	return fs
}
