package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the commands the CLI scripts have beside testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"svgparse": svgParse,
}

// svgParse checks that each file parses as XML and is an SVG document:
//
//	svgparse FILE...
func svgParse(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! svgparse")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: svgparse FILE...")
	}
	for _, name := range args {
		dec := xml.NewDecoder(bytes.NewReader([]byte(ts.ReadFile(name))))
		root := ""
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			ts.Check(err)
			if el, ok := tok.(xml.StartElement); ok && root == "" {
				root = el.Name.Local
			}
		}
		if root != "svg" {
			ts.Fatalf("%s: the root element is %q, want svg", name, root)
		}
	}
}

func TestRunProgress(t *testing.T) {
	if got, want := bar(5000, 10000), "simulating [###############...............]  50% 5000/10000 runs"; got != want {
		t.Errorf("bar = %q, want %q", got, want)
	}
	if got := bar(10, 10); !strings.HasPrefix(got, "simulating [##############################] 100%") {
		t.Errorf("bar at the end = %q", got)
	}
	// Not a terminal: nothing is drawn, and counting and stopping are harmless.
	var buf bytes.Buffer
	p := startRunProgress(&buf, 100)
	p.add(50)
	p.stop()
	if buf.Len() != 0 {
		t.Errorf("progress drew %q on a buffer", buf.String())
	}
}
