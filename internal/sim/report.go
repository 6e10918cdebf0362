package sim

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"backchannel/internal/chart"
)

// ReportFiles are the files WriteReport writes, index.html first.
var ReportFiles = []string{"index.html", "survival.svg", "sensitivity.svg", "credibility.svg",
	"summary.csv", "survival.csv", "credibility.csv", "sensitivity.csv"}

// WriteReport writes an HTML report of the result into dir (made if need be):
// index.html with the summary and three plots as SVG (survival with and without
// the channel, p_war against each driver's scale, credibility over time), and the
// numbers behind them as CSV. A result without sensitivity gets a sensitivity
// plot that says so.
func (r *Result) WriteReport(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]func() ([]byte, error){
		"survival.svg":    r.survivalSVG,
		"sensitivity.svg": r.sensitivitySVG,
		"credibility.svg": r.credibilitySVG,
		"summary.csv":     r.summaryCSV,
		"survival.csv":    r.survivalCSV,
		"credibility.csv": r.credibilityCSV,
		"sensitivity.csv": r.sensitivityCSV,
		"index.html":      r.indexHTML,
	}
	for _, name := range ReportFiles {
		b, err := files[name]()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// date is the date of the end of day d (d = -1: the start).
func (r *Result) date(d int) time.Time { return r.start.AddDate(0, 0, d+1) }

// dates are the ends of the horizon's days, with the start before them.
func (r *Result) dates() []time.Time {
	out := make([]time.Time, r.HorizonDays+1)
	for d := range out {
		out[d] = r.date(d - 1)
	}
	return out
}

func (r *Result) survivalSVG() ([]byte, error) {
	t := r.dates()
	return svg(fmt.Sprintf("Survival: %s and %s at peace (%d runs)", r.Parties[0], r.Parties[1], r.Runs), []chart.Panel{{
		Title: "Share of runs still at peace", YLabel: "share at peace",
		Series: []chart.Series{
			{Name: "without channel", Times: t, Values: append([]float64{1}, r.Without.Survival...)},
			{Name: "with channel", Times: t, Values: append([]float64{1}, r.With.Survival...)},
		}}})
}

func (r *Result) credibilitySVG() ([]byte, error) {
	t := r.dates()[1:]
	var panels []chart.Panel
	for i, p := range r.Parties {
		other := r.Parties[1-i]
		panels = append(panels, chart.Panel{
			Title:  fmt.Sprintf("%s's credibility in %s's eyes (belief x capacity), mean over runs at peace", p, other),
			YLabel: "probability",
			Series: []chart.Series{
				{Name: "credibility without channel", Times: t, Values: r.Without.Credibility[p]},
				{Name: "credibility with channel", Times: t, Values: r.With.Credibility[p]},
				// The thresholds of the two arms differ only by which runs are
				// still at peace (the drivers are shared); one line says enough.
				{Name: fmt.Sprintf("threshold: q* of %s", other), Times: t, Values: r.With.Threshold[p]},
			}})
	}
	return svg("Credibility of each side's restraint", panels)
}

func (r *Result) sensitivitySVG() ([]byte, error) {
	p := chart.XYPlot{Title: "P(war) as each driver's effect is scaled (1 = as written)",
		XLabel: "scale of the driver's effect", YLabel: "P(war)", YMin: 0, YMax: 1}
	for i, ds := range r.Sensitivity {
		var x, without, with []float64
		for _, l := range ds.Levels {
			x = append(x, l.Scale)
			without = append(without, l.PWarWithout)
			with = append(with, l.PWarWith)
		}
		p.Series = append(p.Series,
			chart.XYSeries{Name: ds.Indicator + ", without channel", X: x, Y: without, Color: i},
			chart.XYSeries{Name: ds.Indicator + ", with channel", X: x, Y: with, Color: i, Dashed: true})
	}
	if len(p.Series) == 0 {
		p.Title = "No drivers: nothing to scale"
		p.Series = []chart.XYSeries{{Name: "P(war) with channel", X: []float64{1}, Y: []float64{r.With.PWar}}}
	}
	var buf bytes.Buffer
	err := chart.WriteXY(&buf, "svg", p)
	return buf.Bytes(), err
}

// svg draws time-series panels.
func svg(title string, panels []chart.Panel) ([]byte, error) {
	var buf bytes.Buffer
	err := chart.Write(&buf, "svg", title, panels)
	return buf.Bytes(), err
}

func (r *Result) summaryCSV() ([]byte, error) {
	rows := [][]string{{"measure", "without", "with"}}
	add := func(name string, f func(a *Arm) float64) {
		rows = append(rows, []string{name, g(f(&r.Without)), g(f(&r.With))})
	}
	add("p_war", func(a *Arm) float64 { return a.PWar })
	add("p_war_ci95_lo", func(a *Arm) float64 { return a.PWarCI[0] })
	add("p_war_ci95_hi", func(a *Arm) float64 { return a.PWarCI[1] })
	add("p_tragic", func(a *Arm) float64 { return a.PTragic })
	add("p_deliberate", func(a *Arm) float64 { return a.PDeliberate })
	add("p_loss_of_control", func(a *Arm) float64 { return a.PLossOfControl })
	add("p_temptation", func(a *Arm) float64 { return a.PTemptation })
	add("p_preemptive", func(a *Arm) float64 { return a.PPreemptive })
	add("p_miscalculation", func(a *Arm) float64 { return a.PMiscalculation })
	add("p_exploited", func(a *Arm) float64 { return a.PExploited })
	rows = append(rows, []string{"median_day_of_war", dayCell(r.Without.MedianDayOfWar), dayCell(r.With.MedianDayOfWar)})
	rr := r.RiskReduction
	rows = append(rows, []string{"risk_reduction", "", g(rr.Absolute)}, []string{"risk_reduction_se", "", g(rr.SE)},
		[]string{"p_channel_ended", "", g(r.PChannelEnded)})
	return csvBytes(rows)
}

func dayCell(d *int) string {
	if d == nil {
		return ""
	}
	return strconv.Itoa(*d)
}

func (r *Result) survivalCSV() ([]byte, error) {
	rows := [][]string{{"day", "date", "survival_without", "survival_with"}}
	for d := range r.HorizonDays {
		rows = append(rows, []string{strconv.Itoa(d), r.date(d - 1).Format(time.DateOnly), g(r.Without.Survival[d]), g(r.With.Survival[d])})
	}
	return csvBytes(rows)
}

func (r *Result) credibilityCSV() ([]byte, error) {
	head := []string{"day", "date"}
	for _, p := range r.Parties {
		head = append(head, "credibility_"+p+"_without", "credibility_"+p+"_with", "threshold_"+p+"_without", "threshold_"+p+"_with")
	}
	rows := [][]string{head}
	for d := range r.HorizonDays {
		row := []string{strconv.Itoa(d), r.date(d - 1).Format(time.DateOnly)}
		for _, p := range r.Parties {
			row = append(row, cell(r.Without.Credibility[p][d]), cell(r.With.Credibility[p][d]),
				cell(r.Without.Threshold[p][d]), cell(r.With.Threshold[p][d]))
		}
		rows = append(rows, row)
	}
	return csvBytes(rows)
}

// cell writes a value, or nothing for NaN (no run at peace that day).
func cell(v float64) string {
	if v != v {
		return ""
	}
	return g(v)
}

func (r *Result) sensitivityCSV() ([]byte, error) {
	rows := [][]string{{"indicator", "of", "effect", "scale", "p_war_without", "p_war_without_lo", "p_war_without_hi",
		"p_war_with", "p_war_with_lo", "p_war_with_hi", "reduction", "reduction_se"}}
	for _, ds := range r.Sensitivity {
		for _, l := range ds.Levels {
			rows = append(rows, []string{ds.Indicator, ds.Of, ds.Effect, g(l.Scale), g(l.PWarWithout), g(l.PWarWithoutCI[0]),
				g(l.PWarWithoutCI[1]), g(l.PWarWith), g(l.PWarWithCI[0]), g(l.PWarWithCI[1]), g(l.Reduction), g(l.ReductionSE)})
		}
	}
	return csvBytes(rows)
}

func csvBytes(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (r *Result) indexHTML() ([]byte, error) {
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err := indexTemplate.Execute(&buf, map[string]any{"R": r, "Text": text.String()})
	return buf.Bytes(), err
}

var indexTemplate = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Crisis simulation: {{index .R.Parties 0}} and {{index .R.Parties 1}}</title>
<style>
body { font-family: sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
img { width: 100%; border: 1px solid #ddd; margin: 0.5rem 0 1.5rem; }
</style>
</head>
<body>
<h1>Crisis simulation: {{index .R.Parties 0}} and {{index .R.Parties 1}}</h1>
<p>{{.R.Runs}} runs of {{.R.HorizonDays}} days{{if .R.Start}} from {{.R.Start}}{{end}}, seed {{.R.Seed}}, each run in two arms
on the same random numbers: without the channel, and with {{.R.Mediator.Actor}} reporting each side's type to the other.
The model is MODELS.md part C; docs/MODELS.md says what the numbers mean.</p>
<pre>{{.Text}}</pre>
<h2>Survival</h2>
<p>The share of runs still at peace at the end of each day (<a href="survival.csv">survival.csv</a>).</p>
<img src="survival.svg" alt="survival with and without the channel">
<h2>Sensitivity to each driver</h2>
<p>P(war) as one driver's effect is scaled (a temptation driver's beta, a capacity driver's alpha), the others as
written; solid without the channel, dashed with it
(<a href="sensitivity.csv">sensitivity.csv</a>).</p>
<img src="sensitivity.svg" alt="P(war) against each driver">
<h2>Credibility over time</h2>
<p>Each side's credibility in the other's eyes (belief x capacity), averaged over the runs still at peace, against the
threshold q* it must reach to reassure (<a href="credibility.csv">credibility.csv</a>).</p>
<img src="credibility.svg" alt="credibility over time">
<p>All figures: <a href="summary.csv">summary.csv</a>.</p>
</body>
</html>
`))
