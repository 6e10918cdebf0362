package event

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"backchannel/internal/cameo"
)

// gdeltColumns reads GDELT's own column-label files, so that the field checks
// below locate columns by GDELT's names rather than by the reader's constants.
func gdeltColumns(t *testing.T, version int) map[string]int {
	t.Helper()
	var path string
	if version == 1 {
		path = sharedData(t, "schema/GDELT_1.0_event_Column_Labels_Header_Row_Sep2016.tsv")
	} else {
		path = sharedData(t, "schema/GDELT_2.0_Events_Column_Labels_Header_Row_Sep2016.csv")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]int{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		name, _, _ := strings.Cut(line, ",")
		name, _, _ = strings.Cut(name, "\t")
		cols[strings.TrimSpace(name)] = i
	}
	return cols
}

func TestGDELTRealFiles(t *testing.T) {
	for _, tc := range []struct {
		file    string
		version int
		rows    int
	}{
		{"gdelt2/20191024143000.export.CSV", 2, 2111},
		{"gdelt2/spark-gdelt_events.tsv", 2, 100},
		{"gdelt2/spark-gdelt_eventsT.tsv", 2, 100},
		{"gdelt1/reed9999_sample_events_20160728.tsv", 1, 710},
		{"gdelt1/spark-gdelt_events1.tsv", 1, 100},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := sharedData(t, tc.file)
			cols := gdeltColumns(t, tc.version)
			raw := rawLines(t, path)
			recs, bad := readAll(t, path, FormatAuto)
			if len(bad) > 0 {
				t.Fatalf("%d valid rows rejected, first: %v", len(bad), bad[0])
			}
			if len(recs) != tc.rows || len(raw) != tc.rows {
				t.Fatalf("read %d records from %d lines, want %d", len(recs), len(raw), tc.rows)
			}
			tableMismatch := 0
			for i, r := range recs {
				checkGDELTRow(t, fmt.Sprintf("%s:%d", tc.file, i+1), raw[i], cols, &r)
				if g, _, _ := cameo.Resolve(r.Event.Code); g != r.Event.Goldstein {
					tableMismatch++
				}
				if q := cameo.QuadOfRoot(r.Event.Root()); q != r.Event.Quad {
					t.Errorf("%s:%d: quad %d, but root %s maps to %d", tc.file, i+1, r.Event.Quad, r.Event.Root(), q)
				}
			}
			if tableMismatch > 0 {
				t.Errorf("%d rows carry a Goldstein value other than the project's table gives for their code", tableMismatch)
			}
		})
	}
}

// checkGDELTRow compares every field the reader keeps against the raw text.
func checkGDELTRow(t *testing.T, where string, raw []string, cols map[string]int, r *Record) {
	t.Helper()
	e := &r.Event
	get := func(name string) string {
		i, ok := cols[name]
		if !ok {
			t.Fatalf("schema has no column %s", name)
		}
		if i >= len(raw) {
			return "" // SOURCEURL on a 57-column back-file row
		}
		return raw[i]
	}
	num := func(name string) float64 {
		s := get(name)
		if s == "" {
			return 0
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: raw %s %q: %v", where, name, s, err)
		}
		return v
	}
	date, _ := time.Parse("20060102", get("SQLDATE"))
	dataset := "gdelt2"
	if len(raw) < 61 {
		dataset = "gdelt1"
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"kind", r.Kind, KindEvent},
		{"id", e.ID, get("GLOBALEVENTID")},
		{"time", e.Time, date},
		{"source.code", e.Source.Code, get("Actor1Code")},
		{"source.name", e.Source.Name, get("Actor1Name")},
		{"source.country", e.Source.Country, get("Actor1CountryCode")},
		{"source.type", e.Source.Type, get("Actor1Type1Code")},
		{"target.code", e.Target.Code, get("Actor2Code")},
		{"target.name", e.Target.Name, get("Actor2Name")},
		{"target.country", e.Target.Country, get("Actor2CountryCode")},
		{"target.type", e.Target.Type, get("Actor2Type1Code")},
		{"code", e.Code, get("EventCode")},
		{"base", e.Base(), get("EventBaseCode")},
		{"root", e.Root(), get("EventRootCode")},
		{"quad", float64(e.Quad), num("QuadClass")},
		{"goldstein", e.Goldstein, num("GoldsteinScale")},
		{"mentions", float64(e.Mentions), num("NumMentions")},
		{"sources", float64(e.Sources), num("NumSources")},
		{"articles", float64(e.Articles), num("NumArticles")},
		{"tone", e.Tone, num("AvgTone")},
		{"url", e.URL, get("SOURCEURL")},
		{"dataset", e.Dataset, dataset},
		{"public", e.Public, true},
	}
	// A row whose ActionGeo_Type is empty or 0 has no location, even where
	// GDELT's back files fill lat/lon with 0.
	if gt := get("ActionGeo_Type"); gt != "0" && gt != "" {
		checks = append(checks, []struct {
			field     string
			got, want any
		}{
			{"location.country", e.Location.Country, get("ActionGeo_CountryCode")},
			{"location.name", e.Location.Name, get("ActionGeo_FullName")},
			{"location.lat", e.Location.Lat, num("ActionGeo_Lat")},
			{"location.lon", e.Location.Lon, num("ActionGeo_Long")},
			{"location.has_coords", e.Location.HasCoords, get("ActionGeo_Lat") != ""},
		}...)
	} else if e.Location != (Location{}) {
		t.Errorf("%s: ActionGeo_Type %q but location %+v", where, gt, e.Location)
	}
	added := get("DATEADDED")
	layout := "20060102150405"
	if len(added) == 8 {
		layout = "20060102"
	}
	wantAdded, err := time.Parse(layout, added)
	if err != nil {
		t.Fatalf("%s: raw DATEADDED %q: %v", where, added, err)
	}
	checks = append(checks, struct {
		field     string
		got, want any
	}{"added", e.Added, wantAdded})
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %s = %#v, raw text says %#v", where, c.field, c.got, c.want)
		}
	}
}

// TestGDELTRowsByHand pins a few rows to values read off the raw text by a
// person, so a mistake shared by the reader and the schema-driven check above
// still shows.
func TestGDELTRowsByHand(t *testing.T) {
	recs, _ := readAll(t, sharedData(t, "gdelt2/20191024143000.export.CSV"), FormatAuto)
	e := recs[0].Event
	if e.ID != "881990832" || e.Time != time.Date(2018, 10, 24, 0, 0, 0, 0, time.UTC) ||
		e.Source != (Actor{}) || e.Target != (Actor{Code: "AUS", Name: "VICTORIA", Country: "AUS"}) ||
		e.Code != "139" || e.Quad != 3 || e.Goldstein != -7 || e.Mentions != 3 || e.Sources != 1 || e.Articles != 3 ||
		e.Tone != 2.02774813233724 ||
		e.Location != (Location{Country: "CA", HasCoords: true, Lat: 49.25, Lon: -123.133, Name: "Vancouver, British Columbia, Canada"}) ||
		e.Added != time.Date(2019, 10, 24, 14, 30, 0, 0, time.UTC) ||
		e.URL != "https://www.timescolonist.com/entertainment/jeremy-dutcher-brings-ancestors-songs-to-life-1.23985964" {
		t.Errorf("gdelt2 row 1 = %+v", e)
	}
	e = recs[1].Event
	if e.Source != (Actor{}) || e.Target != (Actor{Code: "IGOEUREEC", Name: "THE EU", Country: "EUR", Type: "IGO"}) || e.Code != "040" || e.Goldstein != 1 || e.Quad != 1 || e.Location.Country != "BO" {
		t.Errorf("gdelt2 row 2 = %+v", e)
	}

	recs, _ = readAll(t, sharedData(t, "gdelt1/reed9999_sample_events_20160728.tsv"), FormatAuto)
	e = recs[0].Event
	if e.ID != "564111644" || e.Time != time.Date(2006, 7, 31, 0, 0, 0, 0, time.UTC) || e.Source != (Actor{Code: "USA", Name: "UNITED STATES", Country: "USA"}) ||
		e.Code != "010" || e.Goldstein != 0 || e.Mentions != 2 || e.Location.Country != "US" || e.Location.Lat != 38.8973 ||
		e.Added != time.Date(2016, 7, 28, 0, 0, 0, 0, time.UTC) || e.Dataset != "gdelt1" {
		t.Errorf("gdelt1 daily row 1 = %+v", e)
	}
	var back *Event
	for i := range recs {
		if recs[i].Event.ID == "1552829" {
			back = &recs[i].Event
		}
	}
	if back == nil || back.URL != "" || back.Source.Type != "BUS" || back.Code != "030" || back.Goldstein != 4 || back.Location.Name != "Accra, Greater Accra, Ghana" {
		t.Errorf("gdelt1 back-file row 1552829 = %+v", back)
	}
}
