// Package chart draws the project's plots with gonum/plot: stacked panels of
// time series that share one time axis, written as SVG, PNG or PDF by the file
// name's extension. It knows nothing of events or indicators; callers hand it
// named series.
package chart

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one line: a value per time, NaN where there is none (the line
// breaks there rather than inventing a value).
type Series struct {
	Name   string
	Times  []time.Time
	Values []float64
}

// Panel is one plot of the stack, with its own y axis.
type Panel struct {
	Title  string
	YLabel string
	Series []Series
}

// Formats are the file extensions Write understands.
var Formats = []string{".svg", ".png", ".pdf"}

// ErrFormat is returned (wrapped) for a file name whose extension is not one
// of Formats.
var ErrFormat = errors.New("unsupported plot format")

// FormatOf returns the format of a file name, without the dot, or an error
// naming the formats there are.
func FormatOf(name string) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if !slices.Contains(Formats, ext) {
		return "", fmt.Errorf("%w %q; give a file name ending in %s", ErrFormat, ext, strings.Join(Formats, ", "))
	}
	return ext[1:], nil
}

// panelHeight is the height of one panel; the figure grows with the stack.
const (
	width       = 10 * vg.Inch
	panelHeight = 3 * vg.Inch
)

// Write draws the panels one above the other under a common title and writes
// the figure to w in format ("svg", "png" or "pdf").
func Write(w io.Writer, format, title string, panels []Panel) error {
	if len(panels) == 0 {
		return errors.New("chart: nothing to draw")
	}
	// One time range for every panel, so that a date sits at the same place
	// in each whatever series a panel happens to have values for.
	var lo, hi time.Time
	for _, p := range panels {
		for _, s := range p.Series {
			for _, t := range s.Times {
				if lo.IsZero() || t.Before(lo) {
					lo = t
				}
				if t.After(hi) {
					hi = t
				}
			}
		}
	}
	plots := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		pl, err := panelPlot(p)
		if err != nil {
			return err
		}
		if !lo.IsZero() && hi.After(lo) {
			pl.X.Min, pl.X.Max = float64(lo.Unix()), float64(hi.Unix())
		}
		if i == 0 && title != "" {
			pl.Title.Text = title + "\n" + pl.Title.Text
		}
		if i < len(panels)-1 {
			pl.X.Label.Text = ""
		}
		plots[i] = []*plot.Plot{pl}
	}
	c, err := draw.NewFormattedCanvas(width, panelHeight*vg.Length(len(panels)), format)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	canvases := plot.Align(plots, draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Centimeter / 2,
		PadTop: vg.Centimeter / 4, PadBottom: vg.Centimeter / 4, PadLeft: vg.Centimeter / 4, PadRight: vg.Centimeter / 2},
		draw.New(c))
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	_, err = c.WriteTo(w)
	return err
}

func panelPlot(p Panel) (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = p.Title
	pl.Y.Label.Text = p.YLabel
	pl.X.Label.Text = "time (UTC)"
	pl.X.Tick.Marker = calendarTicks{}
	pl.Legend.Top = true
	pl.Legend.Left = true
	pl.Add(plotter.NewGrid())
	drawn := false
	for i, s := range p.Series {
		segs := segments(s)
		for j, xy := range segs {
			line, err := plotter.NewLine(xy)
			if err != nil {
				return nil, fmt.Errorf("chart: series %s: %w", s.Name, err)
			}
			line.Color = plotutil.Color(i)
			line.Dashes = plotutil.Dashes(i / 7)
			line.Width = vg.Points(1.5)
			pl.Add(line)
			if j == 0 {
				pl.Legend.Add(s.Name, line)
			}
			drawn = true
		}
	}
	if !drawn {
		pl.Title.Text += " (no values)"
	}
	return pl, nil
}

// segments splits a series at its gaps (NaN) into runs gonum/plot can draw.
func segments(s Series) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i, t := range s.Times {
		v := s.Values[i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: float64(t.Unix()), Y: v})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// calendarTicks puts labelled ticks on calendar boundaries: the first of each
// month (or of every second or third month) for long spans, Mondays for
// spans of weeks, days for short ones, with a minor tick between.
type calendarTicks struct{}

// Ticks implements plot.Ticker.
func (calendarTicks) Ticks(from, to float64) []plot.Tick {
	lo, hi := time.Unix(int64(from), 0).UTC(), time.Unix(int64(to), 0).UTC()
	days := hi.Sub(lo).Hours() / 24
	var next func(time.Time) time.Time
	var start time.Time
	format := "2006-01-02"
	switch {
	case days > 120:
		months := 1
		if days > 400 {
			months = 3
		} else if days > 240 {
			months = 2
		}
		start = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, months, 0) }
		format = "Jan 2006"
	case days > 21:
		start = time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, time.UTC)
		for start.Weekday() != time.Monday {
			start = start.AddDate(0, 0, -1)
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
		format = "Jan 2"
	default:
		start = time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, time.UTC)
		step := max(1, int(days/10))
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, step) }
		format = "Jan 2"
	}
	var ticks []plot.Tick
	for t := start; !t.After(hi); t = next(t) {
		mid := t.Add(next(t).Sub(t) / 2)
		if !t.Before(lo) {
			ticks = append(ticks, plot.Tick{Value: float64(t.Unix()), Label: t.Format(format)})
		}
		if !mid.Before(lo) && !mid.After(hi) {
			ticks = append(ticks, plot.Tick{Value: float64(mid.Unix())})
		}
	}
	return ticks
}
