package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"backchannel/internal/scenario"
)

func reportResult(t *testing.T, m *scenario.Model) *Result {
	t.Helper()
	s, err := New(Config{Model: m, Parties: parties, Start: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Runs: 500, Seed: 1}
	r := mustRun(t, s, o)
	if _, err := s.Sensitivity(context.Background(), o, []float64{0, 1, 2}, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriteReport(t *testing.T) {
	noDrivers := crisisModel()
	noDrivers.Drivers = nil
	for name, m := range map[string]*scenario.Model{"crisis": crisisModel(), "no drivers": noDrivers} {
		t.Run(name, func(t *testing.T) {
			r := reportResult(t, m)
			dir := filepath.Join(t.TempDir(), "report")
			if err := r.WriteReport(dir); err != nil {
				t.Fatal(err)
			}
			for _, f := range ReportFiles {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				switch filepath.Ext(f) {
				case ".svg":
					parseXML(t, f, b)
				case ".csv":
					rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
					if err != nil || len(rows) < 2 && !(f == "sensitivity.csv" && m.Drivers == nil) {
						t.Errorf("%s: %d rows, %v", f, len(rows), err)
					}
				case ".html":
					for _, want := range []string{`<img src="survival.svg"`, `<img src="sensitivity.svg"`, `<img src="credibility.svg"`, "P(war)"} {
						if !strings.Contains(string(b), want) {
							t.Errorf("index.html lacks %q", want)
						}
					}
				}
			}
			rows := readCSV(t, filepath.Join(dir, "survival.csv"))
			if len(rows) != r.HorizonDays+1 || rows[1][1] != "2025-12-01" {
				t.Errorf("survival.csv: %d rows, first %v", len(rows), rows[1])
			}
		})
	}
}

func parseXML(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s does not parse as XML: %v", name, err)
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestWriteText(t *testing.T) {
	r := reportResult(t, crisisModel())
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Crisis simulation: ISR and IRN, 500 runs of 180 days from 2025-12-01 (seed 1)",
		"Mediator RUS: credible (ideal 0.6, conflict cost 0.1: credible in [0.30, 0.70]), accuracy 0.95, reports every 7 days",
		"P(war)", "miscalculation", "at peace after 180 days", "The channel takes",
		"USA->IRN.pressure (raises the temptation of ISR)",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
}
