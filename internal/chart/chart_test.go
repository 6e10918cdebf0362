package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func testPanels() []Panel {
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	var a, b []float64
	for i := range 40 {
		times = append(times, t0.AddDate(0, 0, i))
		a = append(a, math.Max(0, 5-math.Abs(float64(i-20))/2))
		if i < 10 {
			b = append(b, math.NaN()) // not yet observed
		} else {
			b = append(b, 60)
		}
	}
	return []Panel{
		{Title: "Tension", YLabel: "conflict", Series: []Series{{Name: "ISR->IRN.conflict", Times: times, Values: a}}},
		{Title: "Observed", YLabel: "percent", Series: []Series{{Name: "IRN.enrichment_pct", Times: times, Values: b}}},
	}
}

func TestWriteSVGParses(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "svg", "Test", testPanels()); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&buf)
	elems := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			elems++
		}
	}
	if elems < 50 {
		t.Errorf("SVG has only %d elements", elems)
	}
}

func TestWritePNGDecodes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "png", "Test", testPanels()); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < b.Dx()/2 {
		t.Errorf("image is %v", b)
	}
}

func TestSegmentsBreakAtGaps(t *testing.T) {
	t0 := time.Unix(0, 0)
	s := Series{Times: []time.Time{t0, t0, t0, t0, t0}, Values: []float64{math.NaN(), 1, math.NaN(), 2, 3}}
	segs := segments(s)
	if len(segs) != 2 || len(segs[0]) != 1 || len(segs[1]) != 2 {
		t.Errorf("segments = %v", segs)
	}
}

func TestFormatOf(t *testing.T) {
	if f, err := FormatOf("x/Out.SVG"); err != nil || f != "svg" {
		t.Errorf("FormatOf = %q %v", f, err)
	}
	if _, err := FormatOf("out.gif"); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), ".svg, .png, .pdf") {
		t.Errorf("FormatOf(gif) = %v", err)
	}
	if err := Write(io.Discard, "svg", "", nil); err == nil {
		t.Error("empty figure accepted")
	}
}

func TestCalendarTicks(t *testing.T) {
	day := func(y int, m time.Month, d int) float64 {
		return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix())
	}
	for _, tc := range []struct {
		lo, hi      float64
		first, last string
		n           int
	}{
		{day(2025, 1, 17), day(2026, 1, 15), "Mar 2025", "Jan 2026", 6}, // every second month
		{day(2025, 6, 1), day(2025, 7, 15), "Jun 2", "Jul 14", 7},       // Mondays
		{day(2025, 6, 10), day(2025, 6, 20), "Jun 10", "Jun 20", 11},    // days
	} {
		var got []string
		for _, tk := range (calendarTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if len(got) != tc.n || got[0] != tc.first || got[len(got)-1] != tc.last {
			t.Errorf("ticks %v .. %v = %v; want %d from %s to %s", tc.lo, tc.hi, got, tc.n, tc.first, tc.last)
		}
	}
}
