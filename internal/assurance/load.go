package assurance

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/cameo"
	"backchannel/internal/scenario"
	"backchannel/internal/yamldoc"
)

// Compile reads and compiles the assurances and red lines of a loaded
// scenario or assurance file. On failure the error is a yamldoc.ErrorList
// with every problem found, each at the file, line and column of the value at
// fault.
func Compile(s *scenario.Scenario) (*Set, error) {
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	l := &loader{
		Checker: yamldoc.Checker{File: s.Path},
		s:       s,
		c:       &compiler{env: env, src: s.Source, declared: map[string]bool{}},
		set:     &Set{File: s.Path, Start: s.Start, Declared: map[string]float64{}},
	}
	l.c.Checker = &l.Checker
	if !s.Standalone {
		l.set.End = s.End()
	}
	for _, d := range s.Indicators {
		l.set.Declared[d.Name] = d.Value
		l.c.declared[d.Name] = true
	}
	if s.Redlines != nil {
		l.redlines(s.Redlines)
	}
	if s.Assurances != nil {
		l.assurances(s.Assurances)
	}
	l.link()
	if len(l.Errs) > 0 {
		l.Errs.Sort()
		return nil, l.Errs
	}
	l.set.Indicators = l.c.referenced
	return l.set, nil
}

type loader struct {
	yamldoc.Checker
	s   *scenario.Scenario
	c   *compiler
	set *Set
	// nodes remember where each id and reference was written, for the
	// checks that need the whole file.
	reciprocalAt map[*Assurance]*yaml.Node
}

var idForm = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// nonEmpty reads a string that must not be empty: an empty expression or
// name would otherwise be dropped without a word.
func (l *loader) nonEmpty(n *yaml.Node, what, want string) string {
	v := l.Str(n, what)
	if v == "" && n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		l.Errorf(n, "%s: empty; want %s", what, want)
	}
	return v
}

func (l *loader) id(n *yaml.Node, what string, taken func(string) bool) string {
	id := l.nonEmpty(n, what, "an id such as isr-no-first-strike")
	switch {
	case id == "":
		return ""
	case !idForm.MatchString(id):
		l.Errorf(n, "%s: %q is not an id; use letters, digits, '-', '_' and '.', as in isr-no-first-strike", what, id)
	case taken(id):
		l.Errorf(n, "%s: %q is used twice", what, id)
	}
	return id
}

// actor checks a party to an assurance or red line: an actor of the
// scenario, or for an assurance file a CAMEO country code.
func (l *loader) actor(n *yaml.Node, what string) string {
	if !l.Scalar(n, what, "an actor code such as ISR") {
		return ""
	}
	code := n.Value
	if l.s.Standalone {
		if _, ok := cameo.CountryByCode(code); !ok {
			l.Errorf(n, "%s: unknown actor %q; want a CAMEO country code such as ISR, IRN or RUS", what, code)
		}
		return code
	}
	if _, ok := l.s.Actor(code); !ok {
		codes := make([]string, len(l.s.Actors))
		for i, a := range l.s.Actors {
			codes[i] = a.Code
		}
		l.Errorf(n, "%s: unknown actor %q; want an actor of this scenario (%s)", what, code, strings.Join(codes, ", "))
	}
	return code
}

func (l *loader) redlines(n *yaml.Node) {
	for i, item := range l.Sequence(n, "redlines") {
		what := fmt.Sprintf("redlines[%d]", i)
		f := l.Fields(item, what, "id", "owner", "against", "text", "when")
		r := &Redline{Pos: l.Pos(item)}
		for _, key := range []string{"id", "owner", "against", "when"} {
			if f[key] == nil && item.Kind == yaml.MappingNode {
				l.Errorf(item, "%s: missing %s", what, key)
			}
		}
		if f["id"] != nil {
			r.ID = l.id(f["id"], what+".id", func(id string) bool { _, ok := l.set.Redline(id); return ok })
			what = "redline " + r.ID
		}
		if f["owner"] != nil {
			r.Owner = l.actor(f["owner"], what+".owner")
		}
		if f["against"] != nil {
			r.Against = l.actor(f["against"], what+".against")
		}
		if f["text"] != nil {
			r.Text = l.Str(f["text"], what+".text")
		}
		if f["when"] != nil {
			r.When = l.nonEmpty(f["when"], what+".when", "a CEL expression that is true when the line is crossed")
			if r.When != "" {
				r.prg = l.c.expr(f["when"], r.When, what+".when")
			}
		}
		l.set.Redlines = append(l.set.Redlines, r)
	}
}

func (l *loader) assurances(n *yaml.Node) {
	l.reciprocalAt = map[*Assurance]*yaml.Node{}
	for i, item := range l.Sequence(n, "assurances") {
		what := fmt.Sprintf("assurances[%d]", i)
		f := l.Fields(item, what, "id", "issuer", "beneficiary", "via", "text", "refrain", "unless",
			"from", "until", "withdrawn", "reciprocal")
		a := &Assurance{Pos: l.Pos(item)}
		for _, key := range []string{"id", "issuer", "beneficiary", "refrain"} {
			if f[key] == nil && item.Kind == yaml.MappingNode {
				l.Errorf(item, "%s: missing %s", what, key)
			}
		}
		if f["id"] != nil {
			a.ID = l.id(f["id"], what+".id", func(id string) bool { _, ok := l.set.Assurance(id); return ok })
			what = "assurance " + a.ID
		}
		if f["issuer"] != nil {
			a.Issuer = l.actor(f["issuer"], what+".issuer")
		}
		if f["beneficiary"] != nil {
			a.Beneficiary = l.actor(f["beneficiary"], what+".beneficiary")
			if a.Beneficiary != "" && a.Beneficiary == a.Issuer {
				l.Errorf(f["beneficiary"], "%s.beneficiary: %s cannot assure itself", what, a.Issuer)
			}
		}
		if f["via"] != nil {
			a.Via = l.actor(f["via"], what+".via")
		} else {
			a.Via = l.s.Channel.Mediator
		}
		if f["text"] != nil {
			a.Text = l.Str(f["text"], what+".text")
		}
		if f["refrain"] != nil {
			a.Refrain = l.conditions(f["refrain"], what+".refrain")
			if len(a.Refrain) == 0 && f["refrain"].Kind == yaml.SequenceNode && len(f["refrain"].Content) == 0 {
				l.Errorf(f["refrain"], "%s.refrain: empty; an assurance promises to refrain from something", what)
			}
		}
		if f["unless"] != nil {
			a.Unless = l.conditions(f["unless"], what+".unless")
		}
		l.dates(a, f, what)
		if f["reciprocal"] != nil {
			a.Reciprocal = l.nonEmpty(f["reciprocal"], what+".reciprocal", "the id of another assurance")
			l.reciprocalAt[a] = f["reciprocal"]
		}
		l.set.Assurances = append(l.set.Assurances, a)
	}
}

func (l *loader) dates(a *Assurance, f map[string]*yaml.Node, what string) {
	a.FromPos = a.Pos
	switch {
	case f["from"] != nil:
		a.From = l.Time(f["from"], what+".from")
		a.FromPos = l.Pos(f["from"])
	case l.s.Start.IsZero():
		if n := f["id"]; n != nil {
			l.Errorf(n, "%s: missing from; an assurance file without start needs a from for each assurance", what)
		}
	default:
		a.From = l.s.Start
	}
	if n := f["until"]; n != nil {
		a.Until, a.UntilPos = l.Time(n, what+".until"), l.Pos(n)
		if !a.Until.IsZero() && !a.From.IsZero() && !a.Until.After(a.From) {
			l.Errorf(n, "%s.until: %s is not after from (%s)", what, day(a.Until), day(a.From))
		}
	}
	if n := f["withdrawn"]; n != nil {
		a.Withdrawn, a.WithdrawnPos = l.Time(n, what+".withdrawn"), l.Pos(n)
		switch {
		case a.Withdrawn.IsZero():
		case a.Withdrawn.Before(a.From):
			l.Errorf(n, "%s.withdrawn: %s is before from (%s)", what, day(a.Withdrawn), day(a.From))
		case !a.Until.IsZero() && a.Withdrawn.After(a.Until):
			l.Errorf(n, "%s.withdrawn: %s is after until (%s), when it had already expired", what, day(a.Withdrawn), day(a.Until))
		}
	}
}

func day(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// link resolves the references that need the whole file: red lines named in
// conditions, and reciprocal assurances.
func (l *loader) link() {
	for _, a := range l.set.Assurances {
		for _, c := range slices.Concat(a.Refrain, a.Unless) {
			if c.Redline == "" {
				continue
			}
			r, ok := l.set.Redline(c.Redline)
			if !ok {
				l.Errs = append(l.Errs, &yamldoc.Error{Pos: c.Pos, Msg: fmt.Sprintf(
					"%s: unknown red line %q; want one of the redlines section (%s)", c.where, c.Redline, l.redlineIDs())})
				continue
			}
			c.redline = r
		}
		n := l.reciprocalAt[a]
		switch {
		case a.Reciprocal == "":
		case a.Reciprocal == a.ID:
			l.Errorf(n, "assurance %s.reciprocal: an assurance cannot stand on itself", a.ID)
		default:
			if _, ok := l.set.Assurance(a.Reciprocal); !ok {
				var ids []string
				for _, b := range l.set.Assurances {
					if b != a && b.ID != "" && !slices.Contains(ids, b.ID) {
						ids = append(ids, b.ID)
					}
				}
				l.Errorf(n, "assurance %s.reciprocal: unknown assurance %q; want one of %s", a.ID, a.Reciprocal, orNone(ids))
			}
		}
	}
}

func (l *loader) redlineIDs() string {
	var ids []string
	for _, r := range l.set.Redlines {
		if r.ID != "" && !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	return orNone(ids)
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// conditions reads a list of conditions (a single mapping is taken as a list
// of one).
func (l *loader) conditions(n *yaml.Node, what string) []*Condition {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []*Condition
	for i, item := range items {
		w := fmt.Sprintf("%s[%d]", what, i)
		if c := l.condition(item, w); c != nil {
			c.where = w
			out = append(out, c)
		}
	}
	return out
}

var patternFields = []string{"source", "target", "source_type", "target_type", "codes", "roots",
	"quad", "goldstein_max", "min_mentions", "public"}

func (l *loader) condition(n *yaml.Node, what string) *Condition {
	if n.Kind != yaml.MappingNode {
		l.Errorf(n, "%s: want a pattern {source: ..., target: ..., roots: [...]}, {cel: \"...\"} or {redline: ID}, got %s", what, yamldoc.Describe(n))
		return nil
	}
	c := &Condition{Pos: l.Pos(n)}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys[n.Content[i].Value] = n.Content[i+1]
	}
	switch {
	case keys["cel"] != nil:
		f := l.Fields(n, what, "cel")
		if v := f["cel"]; v != nil {
			c.CEL = l.nonEmpty(v, what+".cel", "a CEL expression")
			if c.CEL == "" {
				return nil
			}
			c.prg = l.c.expr(v, c.CEL, what+".cel")
		}
	case keys["redline"] != nil:
		f := l.Fields(n, what, "redline")
		if v := f["redline"]; v != nil {
			c.Redline = l.nonEmpty(v, what+".redline", "the id of a red line")
			c.Pos = l.Pos(v)
			if c.Redline == "" {
				return nil
			}
		}
	default:
		f := l.Fields(n, what, slices.Concat(patternFields, []string{"cel", "redline"})...)
		if len(f) == 0 {
			l.Errorf(n, "%s: an empty pattern would match every event; name at least one of %s", what, strings.Join(patternFields, ", "))
			return nil
		}
		c.Pattern = l.pattern(f, what)
		c.CEL = c.Pattern.CEL()
		c.prg = l.c.expr(n, c.CEL, what)
	}
	return c
}

func (l *loader) pattern(f map[string]*yaml.Node, what string) *Pattern {
	p := &Pattern{}
	// each reads a field that may be one value or a list, and checks each
	// value where it is written (want formats the complaint about a bad
	// one). Items refuses an empty list, which would leave the field unset
	// and so match everything.
	each := func(key, want string, ok func(string) bool) []string {
		n := f[key]
		if n == nil {
			return nil
		}
		var out []string
		for _, item := range l.Items(n, what+"."+key) {
			if !ok(item.Value) {
				l.Errorf(item, "%s.%s: "+want, what, key, item.Value)
			}
			out = append(out, item.Value)
		}
		return out
	}
	country := func(v string) bool { _, ok := cameo.CountryByCode(v); return ok }
	actorType := func(v string) bool { _, ok := cameo.TypeLabel(v); return ok }
	const wantCountry = "unknown actor %q; want a CAMEO country code such as ISR, IRN or USA"
	const wantType = "unknown actor type %q; want a CAMEO type code such as GOV, MIL, CVL or COP"
	p.Source = each("source", wantCountry, country)
	p.Target = each("target", wantCountry, country)
	p.SourceType = each("source_type", wantType, actorType)
	p.TargetType = each("target_type", wantType, actorType)
	p.Codes = each("codes", "%q is no CAMEO event code nor the start of one; want digits such as \"19\" or \"1384\" (quote them)", knownPrefix)
	p.Roots = each("roots", "%q is not a CAMEO root; want two digits \"01\" to \"20\" (quote them)",
		func(r string) bool { return len(r) == 2 && cameo.QuadOfRoot(r) != 0 })
	for _, q := range each("quad", "%s is not a quad class; want 1 to 4", func(v string) bool {
		n, err := strconv.Atoi(v)
		return err == nil && n >= 1 && n <= 4
	}) {
		if n, err := strconv.Atoi(q); err == nil {
			p.Quad = append(p.Quad, n)
		}
	}
	if n := f["goldstein_max"]; n != nil {
		if v, ok := l.Float(n, what+".goldstein_max", -10, 10); ok {
			p.GoldsteinMax = &v
		}
	}
	if n := f["min_mentions"]; n != nil {
		if v, ok := l.Int(n, what+".min_mentions"); ok {
			if v < 0 {
				l.Errorf(n, "%s.min_mentions: %d is negative", what, v)
			}
			p.MinMentions = &v
		}
	}
	if n := f["public"]; n != nil {
		v := l.Bool(n, what+".public")
		p.Public = &v
	}
	return p
}

// knownPrefix reports whether some CAMEO code starts with prefix.
func knownPrefix(prefix string) bool {
	if prefix == "" {
		return false
	}
	for _, c := range cameo.Codes() {
		if strings.HasPrefix(c.Code, prefix) {
			return true
		}
	}
	return false
}
