package scenario

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"backchannel/internal/cameo"
	"backchannel/internal/event"
	"backchannel/internal/yamldoc"
)

func (l *loader) actors(n *yaml.Node) {
	l.Mapping(n, "actors", func(k, v *yaml.Node) {
		a := Actor{Code: k.Value, Pos: l.Pos(k)}
		what := "actors." + k.Value
		f := l.Fields(v, what, "name", "ideal", "conflict_cost")
		if f["name"] != nil {
			a.Name = l.Str(f["name"], what+".name")
		} else if v.Kind == yaml.MappingNode {
			l.Errorf(v, "%s: missing name", what)
		}
		if f["ideal"] != nil {
			if x, ok := l.Float(f["ideal"], what+".ideal", 0, 1); ok {
				a.Ideal = &x
			}
		}
		if f["conflict_cost"] != nil {
			if x, ok := l.Float(f["conflict_cost"], what+".conflict_cost", 0, math.MaxFloat64); ok {
				a.ConflictCost = &x
			}
		}
		l.actorCode(k, a.Name)
		l.s.Actors = append(l.s.Actors, a)
	})
}

// actorCode checks that an actor is declared under a code of the project's
// CAMEO tables: a country or region, or an actor type for a mediator that is
// no state (UNO, IGO). A typo or a name would otherwise pass wherever the
// scenario does not happen to use the code again, and match no event.
func (l *loader) actorCode(k *yaml.Node, name string) {
	if knownActorCode(k.Value) {
		return
	}
	if code := suggestActorCode(k.Value, name); code != "" {
		l.Errorf(k, "actors: %q is not a CAMEO country code; did you mean %s?", k.Value, code)
		return
	}
	l.Errorf(k, "actors: %q is not a CAMEO country code; want three capitals such as ISR, IRN or RUS (or UNO, IGO for a body that is no state)", k.Value)
}

func knownActorCode(code string) bool {
	if _, ok := cameo.CountryByCode(code); ok {
		return true
	}
	_, ok := cameo.TypeLabel(code)
	return ok
}

// suggestActorCode returns the code an author evidently meant, or "" when
// there is no obvious one: the key in capitals ("isr"), or the country the key
// or the actor's name names ("Iran").
func suggestActorCode(key, name string) string {
	if up := strings.ToUpper(strings.TrimSpace(key)); knownActorCode(up) {
		return up
	}
	for _, s := range []string{key, name} {
		if c, ok := cameo.CountryByName(s); ok {
			return c.Code
		}
	}
	return ""
}

// actorRef checks that a value names a declared actor.
func (l *loader) actorRef(n *yaml.Node, what string) string {
	if !l.Scalar(n, what, "an actor code") {
		return ""
	}
	code := n.Value
	if code == "" {
		l.Errorf(n, "%s: empty; want an actor of this scenario (have %s)", what, l.actorList())
		return ""
	}
	if _, ok := l.s.Actor(code); !ok {
		l.Errorf(n, "%s: %q is not an actor of this scenario; declare it under actors (have %s)", what, code, l.actorList())
	}
	return code
}

func (l *loader) actorList() string {
	codes := make([]string, len(l.s.Actors))
	for i, a := range l.s.Actors {
		codes[i] = a.Code
	}
	if len(codes) == 0 {
		return "none"
	}
	return strings.Join(codes, ", ")
}

func (l *loader) relations(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n, "relations: want a list of {a, b, value, ties}, got %s", yamldoc.Describe(n))
		return
	}
	seen := map[[2]string]bool{}
	for i, item := range n.Content {
		what := fmt.Sprintf("relations[%d]", i)
		f := l.Fields(item, what, "a", "b", "value", "ties")
		if item.Kind != yaml.MappingNode {
			continue
		}
		r := Relation{Pos: l.Pos(item)}
		for _, key := range []string{"a", "b", "value"} {
			if f[key] == nil {
				l.Errorf(item, "%s: missing %s", what, key)
			}
		}
		if f["a"] != nil {
			r.A = l.actorRef(f["a"], what+".a")
		}
		if f["b"] != nil {
			r.B = l.actorRef(f["b"], what+".b")
		}
		if f["value"] != nil {
			r.Value, _ = l.Float(f["value"], what+".value", -1, 1)
		}
		if f["ties"] != nil {
			r.Ties = l.Bool(f["ties"], what+".ties")
		}
		if r.A != "" && r.A == r.B {
			l.Errorf(item, "%s: an actor's relation with itself means nothing", what)
		}
		key := [2]string{min(r.A, r.B), max(r.A, r.B)}
		if r.A != "" && r.B != "" && seen[key] {
			l.Errorf(item, "%s: the relation %s-%s is already given (relations are symmetric)", what, r.A, r.B)
		}
		seen[key] = true
		l.s.Relations = append(l.s.Relations, r)
	}
}

func (l *loader) channel(n *yaml.Node) {
	f := l.Fields(n, "channel", "mediator", "parties")
	if n.Kind != yaml.MappingNode {
		return
	}
	c := &l.s.Channel
	if f["mediator"] == nil {
		l.Errorf(n, "channel: missing mediator")
	} else {
		c.Mediator = l.actorRef(f["mediator"], "channel.mediator")
	}
	p := f["parties"]
	if p == nil {
		l.Errorf(n, "channel: missing parties (a list of two or more actors)")
		return
	}
	if p.Kind != yaml.SequenceNode {
		l.Errorf(p, "channel.parties: want a list of actors, got %s", yamldoc.Describe(p))
		return
	}
	for i, item := range p.Content {
		code := l.actorRef(item, fmt.Sprintf("channel.parties[%d]", i))
		switch {
		case code == "":
		case code == c.Mediator:
			l.Errorf(item, "channel.parties[%d]: %s is the mediator; the mediator is not a party", i, code)
		case slices.Contains(c.Parties, code):
			l.Errorf(item, "channel.parties[%d]: %s is listed twice", i, code)
		}
		c.Parties = append(c.Parties, code)
	}
	if len(p.Content) < 2 {
		l.Errorf(p, "channel.parties: want at least two parties, got %d", len(p.Content))
	}
}

func (l *loader) indicators(n *yaml.Node) {
	l.Mapping(n, "indicators", func(k, v *yaml.Node) {
		what := "indicators." + k.Value
		if err := event.ValidIndicatorName(k.Value); err != nil {
			l.Errorf(k, "indicators: %v", err)
			return
		}
		actor, _, _ := strings.Cut(k.Value, ".")
		if _, ok := l.s.Actor(actor); !ok && !l.s.Standalone {
			l.Errorf(k, "indicators: %q belongs to %s, which is not an actor of this scenario (have %s)", k.Value, actor, l.actorList())
		}
		if x, ok := l.Float(v, what, -math.MaxFloat64, math.MaxFloat64); ok {
			l.s.Indicators = append(l.s.Indicators, Indicator{Name: k.Value, Value: x, Pos: l.Pos(k)})
		}
	})
}
