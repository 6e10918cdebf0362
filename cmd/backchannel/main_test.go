package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"backchannel": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script. $SCENARIO is the bundled
// scenario; $DATA is ../shared/data, and scripts that need it start with
// [!shared] skip, so they run wherever the shared data is beside the project.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(root, "..", "shared", "data")
	_, statErr := os.Stat(data)
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("SCENARIO", filepath.Join(root, "scenarios", "israel-iran-2026", "scenario.yaml"))
			e.Setenv("DATA", data)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				return statErr == nil, nil
			}
			return false, nil
		},
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
	})
}
