package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestWriteXYSVGParses(t *testing.T) {
	var buf bytes.Buffer
	p := XYPlot{Title: "P(war) against a driver", XLabel: "scale", YLabel: "P(war)", YMin: 0, YMax: 1,
		Series: []XYSeries{
			{Name: "without", X: []float64{0, 1, 2}, Y: []float64{0.5, 0.6, 0.9}},
			{Name: "with", X: []float64{0, 1, 2}, Y: []float64{0.3, 0.35, 0.9}, Dashed: true},
		}}
	if err := WriteXY(&buf, "svg", p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "without") {
		t.Error("the legend is missing")
	}
	dec := xml.NewDecoder(&buf)
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
	}
	if err := WriteXY(io.Discard, "svg", XYPlot{}); err == nil {
		t.Error("an empty plot was drawn")
	}
	if err := WriteXY(io.Discard, "gif", p); !errors.Is(err, ErrFormat) {
		t.Errorf("gif: %v, want ErrFormat", err)
	}
}
