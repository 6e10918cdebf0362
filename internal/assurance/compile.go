package assurance

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
			c.errAt(n, e.Location, "%s: %s", what, e.Message)
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

// errAt records an error at loc within the expression written at n. For an
// expression on one line (plain or quoted) the column is exact; for a block
// scalar the line is, and the column is left out.
func (c *compiler) errAt(n *yaml.Node, loc common.Location, format string, args ...any) {
	p := c.Pos(n)
	if loc != nil && loc.Line() > 0 {
		switch n.Style {
		case yaml.LiteralStyle, yaml.FoldedStyle:
			p.Line += loc.Line()
			p.Column = 0
		default:
			if n.Kind != yaml.ScalarNode {
				break // a pattern: its generated CEL has no place in the file
			}
			if loc.Line() == 1 {
				p.Column += loc.Column()
				if n.Style == yaml.SingleQuotedStyle || n.Style == yaml.DoubleQuotedStyle {
					p.Column++
				}
			} else {
				p.Line += loc.Line() - 1
				p.Column = 0
			}
		}
	}
	c.Errs = append(c.Errs, &yamldoc.Error{Pos: p, Msg: strings.TrimSpace(fmt.Sprintf(format, args...))})
}

var errNoProgram = errors.New("condition was not compiled")
