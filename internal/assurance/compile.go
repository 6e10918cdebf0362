package assurance

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"go.yaml.in/yaml/v3"

	"backchannel/internal/indicator"
	"backchannel/internal/yamldoc"
)

// compiler turns CEL text into programs, reporting errors at the place in
// the YAML file where the expression's text is.
type compiler struct {
	*yamldoc.Checker
	env *cel.Env
	// src is the file's text, to place errors inside expressions.
	src []byte
	// declared holds the scenario's declared indicators; referenced
	// collects, in order of first use, the names conditions read.
	declared   map[string]bool
	referenced []string
}

// expr compiles src, written at n, as a condition: it must type-check
// against the environment and yield a bool. It returns nil after recording
// the errors.
func (c *compiler) expr(n *yaml.Node, src, what string) cel.Program {
	checked, iss := c.env.Compile(src)
	if iss.Err() != nil {
		for _, e := range iss.Errors() {
			msg := e.Message
			if strings.Contains(msg, "(double, int)") || strings.Contains(msg, "(int, double)") {
				msg += "; CEL does not mix int and double: write 1.0, not 1, beside a double such as ind[...] or e.goldstein"
			}
			c.errAt(n, e.Location, "%s: %s", what, msg)
		}
		return nil
	}
	if !checked.OutputType().IsExactType(types.BoolType) {
		c.Errorf(n, "%s: yields %s; a condition must be true or false", what, checked.OutputType())
		return nil
	}
	if !c.indicators(n, checked, what) {
		return nil
	}
	prg, err := c.env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		c.Errorf(n, "%s: %v", what, err)
		return nil
	}
	return prg
}

// indicators checks every use of ind: it must be indexed with a quoted name,
// and the name must be a declared indicator or a computed one the indicator
// package knows. Names are checked here so that a typo fails at load time
// instead of reading as a quiet error at every record.
func (c *compiler) indicators(n *yaml.Node, checked *cel.Ast, what string) bool {
	a := checked.NativeRep()
	info := a.SourceInfo()
	ok := true
	uses := ast.MatchDescendants(ast.NavigateAST(a), func(e ast.NavigableExpr) bool {
		return e.Kind() == ast.IdentKind && e.AsIdent() == "ind"
	})
	for _, use := range uses {
		name, lit := indexedName(use)
		loc := info.GetStartLocation(use.ID())
		if !lit {
			c.errAt(n, loc, `%s: ind must be indexed with a quoted indicator name, as ind["IRN.enrichment_pct"], so that the name can be checked`, what)
			ok = false
			continue
		}
		if err := c.checkName(name); err != nil {
			c.errAt(n, loc, "%s: %v", what, err)
			ok = false
			continue
		}
		if !slices.Contains(c.referenced, name) {
			c.referenced = append(c.referenced, name)
		}
	}
	return ok
}

// indexedName returns the name in ind["name"], or false when use is not the
// operand of an index by a string literal.
func indexedName(use ast.NavigableExpr) (string, bool) {
	parent, ok := use.Parent()
	if !ok || parent.Kind() != ast.CallKind {
		return "", false
	}
	call := parent.AsCall()
	if call.FunctionName() != operators.Index || len(call.Args()) != 2 || call.Args()[0].ID() != use.ID() {
		return "", false
	}
	key := call.Args()[1]
	if key.Kind() != ast.LiteralKind {
		return "", false
	}
	s, isStr := key.AsLiteral().(types.String)
	return string(s), isStr
}

func (c *compiler) checkName(name string) error {
	if c.declared[name] {
		return nil
	}
	n, err := indicator.ParseName(name)
	if err != nil {
		return err
	}
	if n.Kind == indicator.Numeric {
		have := make([]string, 0, len(c.declared))
		for d := range c.declared {
			have = append(have, d)
		}
		slices.Sort(have)
		return fmt.Errorf("undeclared indicator %q; declare it under indicators with its initial value (declared: %s)", name, orNone(have))
	}
	return nil
}

// errAt records an error at loc within the expression written at n. The
// place in the file is found by walking the expression's text and the file's
// side by side (see locate), so that escapes, folded lines and block scalars
// still point at the right character; without the file's text it falls back
// to the start of the value.
func (c *compiler) errAt(n *yaml.Node, loc common.Location, format string, args ...any) {
	p := c.Pos(n)
	if loc != nil && loc.Line() > 0 && n.Kind == yaml.ScalarNode {
		if line, col, ok := locate(c.src, n, offsetOf(n.Value, loc.Line(), loc.Column())); ok {
			p.Line, p.Column = line, col
		}
	}
	c.Errs = append(c.Errs, &yamldoc.Error{Pos: p, Msg: strings.TrimSpace(fmt.Sprintf(format, args...))})
}

// offsetOf turns CEL's line (1-based) and column (0-based, in code points)
// into an offset in code points within value.
func offsetOf(value string, line, col int) int {
	off := 0
	for i, l := range strings.Split(value, "\n") {
		if i == line-1 {
			return off + col
		}
		off += utf8.RuneCountInString(l) + 1
	}
	return off
}

// locate finds where the rune at offset off of n's value is written in src.
// A value is its written text less quotes, escapes, indentation and line
// breaks (folded to spaces), so every rune of the value is matched to the
// next equal rune of the text, a space or a line break also matching a line
// break. A rune the text does not hold nearby (an escape such as \t) is
// passed over without moving. It returns the 1-based line and column.
func locate(src []byte, n *yaml.Node, off int) (line, col int, ok bool) {
	text := []rune(string(src))
	// Find the node's start: line and column are 1-based, in runes.
	i, l, c := 0, 1, 1
	for i < len(text) && (l < n.Line || l == n.Line && c < n.Column) {
		if text[i] == '\n' {
			l, c = l+1, 1
		} else {
			c++
		}
		i++
	}
	if l != n.Line || c != n.Column {
		return 0, 0, false
	}
	switch n.Style {
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		i++ // the opening quote
	case yaml.LiteralStyle, yaml.FoldedStyle:
		for i < len(text) && text[i] != '\n' { // the indicator line
			i++
		}
	}
	value := []rune(n.Value)
	const lookahead = 64
	match := func(v rune) int { // index of the text rune matching v, or -1
		for j := i; j < len(text) && j < i+lookahead; j++ {
			if text[j] == v || (v == ' ' || v == '\n') && text[j] == '\n' {
				return j
			}
		}
		return -1
	}
	for k := 0; k < off && k < len(value); k++ {
		if j := match(value[k]); j >= 0 {
			i = j + 1
		}
	}
	if off < len(value) {
		if j := match(value[off]); j >= 0 {
			i = j
		}
	}
	// Turn the index back into a line and column.
	line, col = 1, 1
	for _, r := range text[:min(i, len(text))] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col, true
}
