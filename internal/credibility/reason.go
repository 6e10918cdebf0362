package credibility

import (
	"fmt"
	"strings"
	"time"

	"backchannel/internal/assurance"
)

// Shortfall names what keeps an assurance in force from reassuring.
type Shortfall string

// The shortfalls. With threshold q and credibility pi x kappa < q:
const (
	// ShortIntention: kappa >= q but pi < q; more trust would do.
	ShortIntention Shortfall = "intention"
	// ShortCapacity: pi >= q but kappa < q; even certainty of the issuer's
	// intention would not, since it may not control its forces.
	ShortCapacity Shortfall = "capacity"
	// ShortBoth: each of pi and kappa is below q.
	ShortBoth Shortfall = "both"
	// ShortTogether: each is at least q, their product is not.
	ShortTogether Shortfall = "together"
	// ShortTemptation: q > 1, no credibility suffices: the beneficiary would
	// strike even a side it is sure holds.
	ShortTemptation Shortfall = "temptation"
)

// shortfall says what keeps p from reassuring.
func shortfall(p *Point) Shortfall {
	q := float64(p.Threshold)
	switch {
	case q > 1:
		return ShortTemptation
	case p.Intention < q && p.Capacity < q:
		return ShortBoth
	case p.Capacity < q:
		return ShortCapacity
	case p.Intention < q:
		return ShortIntention
	}
	return ShortTogether
}

// explain says in words whether the assurance reassures at its time and why.
func (a *Assessor) explain(as *Assessment, r *assurance.AssuranceResult) (Shortfall, string) {
	issuer, beneficiary := a.name(as.From), a.name(as.To)
	p := &as.Point
	numbers := fmt.Sprintf("credibility %s (intention %s x capacity %s) %%s the threshold %s that %s temptation %s sets; margin %s.",
		num(p.Credibility), num(p.Intention), num(p.Capacity), num(float64(p.Threshold)), possessive(beneficiary), num(p.Temptation), signed(p.Margin))
	var b strings.Builder
	var short Shortfall
	switch p.Status {
	case NotInForce:
		b.WriteString(a.notInForce(as, r))
		return "", b.String()
	case Reassures:
		fmt.Fprintf(&b, "Reassures: "+numbers, "is at least")
	default:
		short = shortfall(p)
		fmt.Fprintf(&b, "Does not reassure: "+numbers, "is below")
		q := float64(p.Threshold)
		switch short {
		case ShortTemptation:
			fmt.Fprintf(&b, " Temptation is too high: above 1 %s would strike even a side it is sure holds, so no credibility suffices.", beneficiary)
		case ShortCapacity:
			fmt.Fprintf(&b, " Capacity is short: %s controls its forces with probability %s%s, below the threshold even were %s sure of its intention.",
				issuer, num(p.Capacity), driversOf(as.Drivers, "lowers capacity"), beneficiary)
		case ShortIntention:
			fmt.Fprintf(&b, " Intention is short: %s believes %s trustworthy with probability %s; at capacity %s it would need %s.",
				beneficiary, issuer, num(p.Intention), num(p.Capacity), num(q/p.Capacity))
		case ShortBoth:
			fmt.Fprintf(&b, " Intention and capacity are both short: each alone is below the threshold%s.", driversOf(as.Drivers, "lowers capacity"))
		case ShortTogether:
			fmt.Fprintf(&b, " Neither alone is short, together they are: at capacity %s intention would need %s, or at intention %s capacity %s.",
				num(p.Capacity), num(q/p.Capacity), num(p.Intention), num(q/p.Intention))
		}
	}
	if c := as.Conveyed; c != nil && c.Time.Before(p.Time) {
		fmt.Fprintf(&b, " When conveyed on %s it %s with margin %s.", day(c.Time), pastTense(c.Status), signed(c.Margin))
	}
	return short, b.String()
}

// notInForce says why an assurance reassures no one at its time.
func (a *Assessor) notInForce(as *Assessment, r *assurance.AssuranceResult) string {
	p := &as.Point
	if !p.Lifecycle.Terminal() {
		for _, h := range r.History {
			if h.Status == assurance.InForce && h.Time.After(p.Time) {
				return fmt.Sprintf("Not yet in force (%s): it comes into force on %s.", p.Lifecycle, day(h.Time))
			}
		}
		return fmt.Sprintf("Not in force (%s): it did not come into force.", p.Lifecycle)
	}
	var since assurance.Transition
	for _, h := range r.History {
		if !h.Time.After(p.Time) {
			since = h
		}
	}
	s := fmt.Sprintf("Not in force: %s on %s", since.Status, day(since.Time))
	if since.Trigger != nil && since.Trigger.Condition != "" {
		s += " (" + since.Trigger.Condition + ")"
	}
	s += "."
	if l := as.Lowest; l != nil {
		s += fmt.Sprintf(" While in force its lowest margin was %s, on %s", signed(l.Margin), day(l.Time))
		if c := as.Conveyed; c != nil {
			s += fmt.Sprintf("; when conveyed on %s it %s with margin %s", day(c.Time), pastTense(c.Status), signed(c.Margin))
		}
		s += "."
	}
	return s
}

// driversOf lists the drivers with the given effect and their values:
// " (IRN.instability 0.700, alpha 1)".
func driversOf(ds []Driven, effect string) string {
	var parts []string
	for _, d := range ds {
		if d.Effect != effect {
			continue
		}
		v := "no value yet"
		if d.Value != nil {
			v = num(*d.Value)
		}
		parts = append(parts, fmt.Sprintf("%s %s, %s %g", d.Indicator, v, coefName(d.Effect), d.Coef))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func coefName(effect string) string {
	if effect == "lowers capacity" {
		return "alpha"
	}
	return "beta"
}

func pastTense(s Status) string {
	switch s {
	case Reassures:
		return "reassured"
	case DoesNotReassure:
		return "did not reassure"
	}
	return "was not in force"
}

func day(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

// possessive writes "Israel's", "United States'".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}
