package credibility

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"backchannel/internal/cameo"
	"backchannel/internal/textwrap"
)

// maxUpdatesShown bounds the steps of a belief the text lists: the latest tell
// where it stands, the count the rest.
const maxUpdatesShown = 12

// WriteText writes the report for a person: for each assurance a table of the
// numbers now, when it was conveyed and on its worst day, the sentence that
// says whether it reassures and why, and what lies behind the numbers.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	title := "the assurances"
	if rep.Scenario != "" {
		title = rep.Scenario
	}
	fmt.Fprintf(&b, "Credibility of %s at %s (MODELS.md B)\n", title, day(rep.At))
	fmt.Fprintf(&b, "credibility = intention x capacity; an assurance in force reassures while credibility is at least\n")
	fmt.Fprintf(&b, "the threshold q*(tT) = c / (1 - tT + c), tT the beneficiary's temptation, c = %g\n", rep.C)
	if len(rep.Assurances) == 0 {
		b.WriteString("\nNo assurances.\n")
	}
	for i := range rep.Assurances {
		b.WriteByte('\n')
		rep.writeAssessment(&b, &rep.Assurances[i])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (rep *Report) writeAssessment(b *strings.Builder, as *Assessment) {
	fmt.Fprintf(b, "%s: %s (%s) assures %s (%s)", as.ID, rep.name(as.From), as.From, rep.name(as.To), as.To)
	if as.Via != "" {
		fmt.Fprintf(b, " via %s", as.Via)
	}
	b.WriteString("\n")
	cols := []*Point{&as.Point}
	heads := []string{"at " + day(as.Time)}
	if as.Conveyed != nil {
		cols, heads = append(cols, as.Conveyed), append(heads, "conveyed "+day(as.Conveyed.Time))
	}
	if as.Lowest != nil {
		cols, heads = append(cols, as.Lowest), append(heads, "lowest "+day(as.Lowest.Time))
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  \t%s\n", strings.Join(heads, "\t"))
	rows := []struct {
		label string
		cell  func(p *Point) string
	}{
		{"intention", func(p *Point) string { return num(p.Intention) }},
		{"capacity", func(p *Point) string { return num(p.Capacity) }},
		{"credibility", func(p *Point) string { return num(p.Credibility) }},
		{"temptation of " + as.To, func(p *Point) string { return num(p.Temptation) }},
		{"threshold", func(p *Point) string { return num(float64(p.Threshold)) }},
		{"margin", func(p *Point) string { return signed(p.Margin) }},
		{"status", func(p *Point) string { return string(p.Status) }},
		{"lifecycle", func(p *Point) string { return string(p.Lifecycle) }},
	}
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i, p := range cols {
			cells[i] = r.cell(p)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", r.label, strings.Join(cells, "\t"))
	}
	tw.Flush()
	textwrap.Write(b, "  ", as.Reason)
	if len(as.Drivers) > 0 {
		var parts []string
		for _, d := range as.Drivers {
			v := "no value yet"
			if d.Value != nil {
				v = num(*d.Value)
			}
			parts = append(parts, fmt.Sprintf("%s %s %s %s's %s (%s %g)", d.Indicator, v,
				strings.Fields(d.Effect)[0], d.Of, strings.Fields(d.Effect)[1], coefName(d.Effect), d.Coef))
		}
		textwrap.Write(b, "  ", "indicators: "+strings.Join(parts, "; ")+".")
	}
	textwrap.Write(b, "  ", rep.describeBelief(as))
	textwrap.Write(b, "  ", "mediator: "+as.Mediator.Reason+".")
}

// describeBelief lists the steps of the beneficiary's belief.
func (rep *Report) describeBelief(as *Assessment) string {
	s := fmt.Sprintf("belief of %s in %s: prior %s at %s", as.To, as.From, num(as.Prior), day(rep.Start))
	us := as.Updates
	if len(us) > maxUpdatesShown {
		s += fmt.Sprintf("; %d steps to %s", len(us)-maxUpdatesShown, num(us[len(us)-maxUpdatesShown-1].Intention))
		us = us[len(us)-maxUpdatesShown:]
	}
	for _, u := range us {
		what := fmt.Sprintf("%s conveyed %s", u.Mediator, u.Assurance)
		if u.By == ByAction {
			what = rootLabel(u.Root)
			if u.Record != "" {
				what += " " + u.Record
			}
		}
		s += fmt.Sprintf("; %s %s -> %s", day(u.Time), what, num(u.Intention))
	}
	if len(as.Updates) == 0 {
		s += "; nothing has moved it"
	}
	return s + "."
}

// rootLabel names a CAMEO root in words: "threaten (13)".
func rootLabel(root string) string {
	if c, ok := cameo.Lookup(root); ok {
		return strings.ToLower(c.Label) + " (" + root + ")"
	}
	return "root " + root
}

func (rep *Report) name(code string) string {
	if n := rep.names[code]; n != "" {
		return n
	}
	return code
}

// WriteCSV writes the series: a row per day and assurance, with the values of
// the drivers' indicators behind each (empty where an indicator does not bear
// on the assurance or has no value yet).
func (rep *Report) WriteCSV(w io.Writer) error {
	var names []string
	for _, as := range rep.Assurances {
		for _, d := range as.Drivers {
			if !slices.Contains(names, d.Indicator) {
				names = append(names, d.Indicator)
			}
		}
	}
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"time", "assurance", "from", "to", "lifecycle", "intention", "capacity", "temptation",
		"credibility", "threshold", "margin", "status"}, names...))
	if len(rep.Assurances) > 0 {
		for k := range rep.Assurances[0].Series {
			for _, as := range rep.Assurances {
				p := &as.Series[k]
				row := []string{p.Time.Format(time.RFC3339), as.ID, as.From, as.To, string(p.Lifecycle),
					csvNum(p.Intention), csvNum(p.Capacity), csvNum(p.Temptation), csvNum(p.Credibility),
					csvNum(float64(p.Threshold)), csvNum(float64(p.Margin)), string(p.Status)}
				for _, n := range names {
					v := ""
					if x := p.Indicators[n]; x != nil {
						v = csvNum(*x)
					}
					row = append(row, v)
				}
				cw.Write(row)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// num writes a value to three decimals, the precision of the text.
func num(v float64) string { return format(v, 'f', 3) }

// format writes v as strconv does, an infinite threshold or margin as "inf"
// or "-inf".
func format(v float64, f byte, prec int) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, f, prec, 64)
}

// signed writes a margin with its sign.
func signed(m Number) string {
	s := num(float64(m))
	if !strings.HasPrefix(s, "-") && s != "inf" {
		s = "+" + s
	}
	return s
}

func csvNum(v float64) string { return format(v, 'g', -1) }
