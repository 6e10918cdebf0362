// Command backchannel is the single binary of the backchannel system: a
// diplomatic back-channel between adversaries through a mediator, with the
// event data, indicators and assessments that tell what its assurances are
// worth. This package only parses flags and wires the internal packages
// together; see `backchannel help`.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command may touch: its streams. Commands never reach for os.Stdout
// themselves, so tests run them in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}
