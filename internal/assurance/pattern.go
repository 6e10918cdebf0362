package assurance

import (
	"strconv"
	"strings"
)

// Pattern matches an event when every field it names matches. Lists match
// any of their members; Codes are prefixes ("19" matches 190-196); an unset
// field matches everything. A pattern never matches an observation.
type Pattern struct {
	Source, Target         []string // CAMEO country codes
	SourceType, TargetType []string // CAMEO actor types: GOV, MIL, CVL, ...
	Codes                  []string // CAMEO event code prefixes
	Roots                  []string // two-digit CAMEO roots
	Quad                   []int    // quad classes 1-4
	// GoldsteinMax, when set, is the highest Goldstein value that matches.
	GoldsteinMax *float64
	// MinMentions, when set, is the fewest mentions that match.
	MinMentions *int
	// Public, when set, is the value e.public must have.
	Public *bool
}

// CEL returns the pattern as a CEL expression over e. Each field becomes one
// clause, joined by &&, in the order that lets most events fail on the first
// clause: actors before codes.
func (p *Pattern) CEL() string {
	clauses := []string{`e.kind == "event"`}
	add := func(s string) { clauses = append(clauses, s) }
	oneOf := func(field string, vals []string) {
		switch len(vals) {
		case 0:
		case 1:
			add(field + " == " + strconv.Quote(vals[0]))
		default:
			add(field + " in " + quoteList(vals))
		}
	}
	oneOf("e.source.country", p.Source)
	oneOf("e.target.country", p.Target)
	oneOf("e.source.type", p.SourceType)
	oneOf("e.target.type", p.TargetType)
	if len(p.Codes) > 0 {
		var alts []string
		for _, c := range p.Codes {
			alts = append(alts, "e.code.startsWith("+strconv.Quote(c)+")")
		}
		if len(alts) == 1 {
			add(alts[0])
		} else {
			add("(" + strings.Join(alts, " || ") + ")")
		}
	}
	oneOf("e.root", p.Roots)
	if len(p.Quad) > 0 {
		q := make([]string, len(p.Quad))
		for i, v := range p.Quad {
			q[i] = strconv.Itoa(v)
		}
		if len(q) == 1 {
			add("e.quad == " + q[0])
		} else {
			add("e.quad in [" + strings.Join(q, ", ") + "]")
		}
	}
	if p.GoldsteinMax != nil {
		add("e.goldstein <= " + celDouble(*p.GoldsteinMax))
	}
	if p.MinMentions != nil {
		add("e.mentions >= " + strconv.Itoa(*p.MinMentions))
	}
	if p.Public != nil {
		add("e.public == " + strconv.FormatBool(*p.Public))
	}
	return strings.Join(clauses, " && ")
}

// celDouble writes v as a CEL double literal: always with a point or an
// exponent, which CEL needs to tell it from an int.
func celDouble(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnN") {
		s += ".0"
	}
	return s
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// String describes the pattern briefly: "ISR->IRN roots 18,19,20".
func (p *Pattern) String() string {
	var parts []string
	actor := func(countries, typ []string) string {
		s := strings.Join(countries, "|")
		if s == "" {
			s = "*"
		}
		if len(typ) > 0 {
			s += "(" + strings.Join(typ, "|") + ")"
		}
		return s
	}
	if len(p.Source)+len(p.Target)+len(p.SourceType)+len(p.TargetType) > 0 {
		parts = append(parts, actor(p.Source, p.SourceType)+"->"+actor(p.Target, p.TargetType))
	}
	if len(p.Codes) > 0 {
		parts = append(parts, "codes "+strings.Join(p.Codes, ","))
	}
	if len(p.Roots) > 0 {
		parts = append(parts, "roots "+strings.Join(p.Roots, ","))
	}
	if len(p.Quad) > 0 {
		q := make([]string, len(p.Quad))
		for i, v := range p.Quad {
			q[i] = strconv.Itoa(v)
		}
		parts = append(parts, "quad "+strings.Join(q, ","))
	}
	if p.GoldsteinMax != nil {
		parts = append(parts, "goldstein <= "+strconv.FormatFloat(*p.GoldsteinMax, 'g', -1, 64))
	}
	if p.MinMentions != nil {
		parts = append(parts, "mentions >= "+strconv.Itoa(*p.MinMentions))
	}
	if p.Public != nil {
		if *p.Public {
			parts = append(parts, "public")
		} else {
			parts = append(parts, "private")
		}
	}
	return strings.Join(parts, " ")
}
