package indicator

import (
	"errors"
	"fmt"
	"strings"

	"backchannel/internal/cameo"
)

// ErrBadName is wrapped by the errors ParseName (and so Value and Series)
// returns for a name of no accepted form, so that callers checking a
// condition can tell a typo from an indicator that has no value yet.
var ErrBadName = errors.New("bad indicator name")

// acceptedForms ends every ErrBadName message, so that whoever wrote the name
// sees what to write instead.
const acceptedForms = "accepted forms: SRC->TGT.conflict, SRC->TGT.cooperation, " +
	"SRC->TGT.net_cooperation, SRC->TGT.pressure, SRC->TGT.rhetoric_gap, ACTOR.instability, " +
	"and ACTOR.name for an observed value (e.g. IRN.enrichment_pct), " +
	"with CAMEO country codes such as ISR, IRN, USA"

// Kind is what an indicator name refers to.
type Kind uint8

// The kinds of indicator. The zero Kind is none of them.
const (
	Conflict Kind = iota + 1
	Cooperation
	NetCooperation
	Instability
	Pressure
	Numeric
	// RhetoricGap is the Kind of "SRC->TGT.rhetoric_gap". It comes last so
	// that the kinds before it keep their values.
	RhetoricGap
)

// metrics maps the computed kinds to the suffix their names carry. Numeric
// names carry whatever the observations call them.
var metrics = map[string]Kind{
	"conflict":        Conflict,
	"cooperation":     Cooperation,
	"net_cooperation": NetCooperation,
	"instability":     Instability,
	"pressure":        Pressure,
	"rhetoric_gap":    RhetoricGap,
}

// String returns the suffix a name of the kind carries ("net_cooperation"), or
// "numeric".
func (k Kind) String() string {
	for m, mk := range metrics {
		if mk == k {
			return m
		}
	}
	if k == Numeric {
		return "numeric"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// dyadic reports whether the kind is measured on an ordered pair of countries.
func (k Kind) dyadic() bool {
	switch k {
	case Conflict, Cooperation, NetCooperation, Pressure, RhetoricGap:
		return true
	}
	return false
}

// Name is a parsed indicator name.
type Name struct {
	Kind Kind
	// From is the source country of a dyad (ISR in "ISR->IRN.conflict"), or
	// the one actor of an actor indicator (IRN in "IRN.instability" and
	// "IRN.enrichment_pct").
	From string
	// To is the target country of a dyad, and "" otherwise.
	To string
	// Metric is the part after the dot: the kind's suffix for a computed
	// indicator, the observed quantity's name for a numeric one.
	Metric string
}

// String returns the name as ParseName reads it, so that ParseName(s).String()
// == s for every s ParseName accepts.
func (n Name) String() string {
	if n.To != "" {
		return n.From + "->" + n.To + "." + n.Metric
	}
	return n.From + "." + n.Metric
}

// ParseName parses an indicator name as EVENTS.md writes them:
// "ISR->IRN.conflict", "ISR->IRN.cooperation", "ISR->IRN.net_cooperation",
// "USA->IRN.pressure", "ISR->IRN.rhetoric_gap", "IRN.instability", or
// "ACTOR.name" for an observed or declared numeric indicator
// ("IRN.enrichment_pct"). Countries of computed indicators must be CAMEO codes
// the cameo table knows, so that a typo fails loudly instead of reading as a
// quiet zero; the actor of a numeric name need only be upper-case letters and
// digits, and its metric letters, digits and underscores, starting with a
// letter. Errors wrap ErrBadName.
func ParseName(s string) (Name, error) {
	bad := func(format string, args ...any) (Name, error) {
		return Name{}, fmt.Errorf("%w %q: %s; %s", ErrBadName, s, fmt.Sprintf(format, args...), acceptedForms)
	}
	head, metric, ok := strings.Cut(s, ".")
	if !ok || metric == "" {
		return bad("no .metric after the countries")
	}
	kind, computed := metrics[metric]
	if from, to, isDyad := strings.Cut(head, "->"); isDyad {
		if !computed || !kind.dyadic() {
			return bad("a dyad SRC->TGT takes .conflict, .cooperation, .net_cooperation, .pressure or .rhetoric_gap, not .%s", metric)
		}
		for _, cc := range [...]string{from, to} {
			if err := checkCountry(cc); err != nil {
				return bad("%v", err)
			}
		}
		return Name{Kind: kind, From: from, To: to, Metric: metric}, nil
	}
	switch {
	case kind == Instability:
		if err := checkCountry(head); err != nil {
			return bad("%v", err)
		}
		return Name{Kind: Instability, From: head, Metric: metric}, nil
	case computed:
		return bad("%s is measured on a dyad: write SRC->%s.%s", metric, head, metric)
	case !isActor(head):
		return bad("actor %q must be upper-case letters and digits, such as IRN", head)
	case !isMetric(metric):
		return bad("metric %q must be letters, digits and underscores, starting with a letter", metric)
	}
	return Name{Kind: Numeric, From: head, Metric: metric}, nil
}

// checkCountry accepts a CAMEO country (or region) code the table knows.
func checkCountry(cc string) error {
	if cc == "" {
		return errors.New("a country code is missing")
	}
	if _, ok := cameo.CountryByCode(cc); !ok {
		return fmt.Errorf("%q is not a CAMEO country code", cc)
	}
	return nil
}

func isActor(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

func isMetric(s string) bool {
	for k, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (k == 0 || !('0' <= r && r <= '9' || r == '_')) {
			return false
		}
	}
	return s != ""
}
