package yamldoc

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"
)

// Decode parses data as one YAML document and returns its top node with every
// alias replaced by the node it names. It returns a nil node and no error for a
// file with no document, so that the caller can say what the file should have
// held. Syntax errors, and a second document, come back as an ErrorList
// naming file.
func Decode(file string, data []byte) (*yaml.Node, ErrorList) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, ErrorList{syntaxError(file, data, err)}
	}
	var errs ErrorList
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		errs = append(errs, &Error{Pos: Pos{File: file, Line: extra.Line, Column: extra.Column},
			Msg: "a second YAML document; the file is one document"})
	case !errors.Is(err, io.EOF):
		errs = append(errs, syntaxError(file, data, err))
	}
	resolveAliases(&doc, map[*yaml.Node]bool{})
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root, errs
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError locates a syntax error. yaml.v3 names the line for most errors
// but not for bad characters, which are then found here so that every error
// still says where it is.
func syntaxError(file string, data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := Pos{File: file}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		p.Line, p.Column = badChar(data)
	}
	// yaml.v3 names no column for a syntax error; goccy/go-yaml's parser does,
	// so when it finds the same kind of fault its position and words are used.
	var se *goccy.SyntaxError
	if _, gerr := goccyparser.ParseBytes(data, 0); errors.As(gerr, &se) && se.Token != nil && se.Token.Position != nil {
		p.Line, p.Column = se.Token.Position.Line, se.Token.Position.Column
		msg = se.Message
	}
	return &Error{Pos: p, Msg: "invalid YAML: " + msg}
}

// badChar returns the line and column of the first byte YAML refuses (invalid
// UTF-8 or a control character), or line 1 when there is none to point at.
func badChar(data []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 1, 0
}

// resolveAliases replaces every alias in the tree by the node it names, so the
// checks see one kind of node whatever shorthand the author used. Shared nodes
// are walked once: an alias bomb costs no more than its text.
func resolveAliases(n *yaml.Node, seen map[*yaml.Node]bool) {
	if seen[n] {
		return
	}
	seen[n] = true
	for i, c := range n.Content {
		for c.Kind == yaml.AliasNode && c.Alias != nil {
			c = c.Alias
		}
		n.Content[i] = c
		resolveAliases(c, seen)
	}
}
