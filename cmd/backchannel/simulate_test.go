package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

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
