package chart

import (
	"errors"
	"fmt"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// XYSeries is a line through points on numeric axes, marked at each point.
type XYSeries struct {
	Name string
	X, Y []float64
	// Color picks the line's colour from the palette; series that belong
	// together (one quantity in two conditions) share it.
	Color int
	// Dashed draws the line dashed.
	Dashed bool
}

// XYPlot is one plot whose x axis is a number, not a time.
type XYPlot struct {
	Title, XLabel, YLabel string
	Series                []XYSeries
	// YMin and YMax fix the y axis when YMax > YMin.
	YMin, YMax float64
}

// WriteXY draws p and writes it to w in format ("svg", "png" or "pdf").
func WriteXY(w io.Writer, format string, p XYPlot) error {
	if len(p.Series) == 0 {
		return errors.New("chart: nothing to draw")
	}
	pl := plot.New()
	pl.Title.Text = p.Title
	pl.X.Label.Text, pl.Y.Label.Text = p.XLabel, p.YLabel
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.Add(plotter.NewGrid())
	for _, s := range p.Series {
		xy := make(plotter.XYs, len(s.X))
		for i := range s.X {
			xy[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("chart: series %s: %w", s.Name, err)
		}
		line.Color, points.Color = plotutil.Color(s.Color), plotutil.Color(s.Color)
		line.Width = vg.Points(1.5)
		points.Shape = draw.CircleGlyph{}
		if s.Dashed {
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		pl.Add(line, points)
		pl.Legend.Add(s.Name, line, points)
	}
	if p.YMax > p.YMin {
		pl.Y.Min, pl.Y.Max = p.YMin, p.YMax
	}
	wt, err := pl.WriterTo(width, panelHeight*4/3, format)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	_, err = wt.WriteTo(w)
	return err
}
