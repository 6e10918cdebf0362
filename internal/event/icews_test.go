package event

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"backchannel/internal/cameo"
)

func TestICEWSRealFile(t *testing.T) {
	path := sharedData(t, "icews/events.2018.sample.tab")
	raw := rawLines(t, path)
	head := map[string]int{}
	for i, h := range raw[0] {
		head[h] = i
	}
	raw = raw[1:]
	f, err := Open(path, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatICEWS {
		t.Fatalf("detected %q, want icews", f.Format)
	}
	f.Close()
	recs, bad := readAll(t, path, FormatAuto)
	if len(bad) > 0 {
		t.Fatalf("%d valid rows rejected, first: %v", len(bad), bad[0])
	}
	if len(recs) != 3705 || len(raw) != 3705 {
		t.Fatalf("read %d records from %d rows, want 3705", len(recs), len(raw))
	}
	for i, r := range recs {
		e := &r.Event
		row := raw[i]
		get := func(name string) string { return row[head[name]] }
		where := fmt.Sprintf("icews:%d", i+2)
		date, _ := time.Parse("2006-01-02", get("Event Date"))
		intensity, _ := strconv.ParseFloat(get("Intensity"), 64)
		country := func(name string) string {
			if name == "" || name == "NA" {
				return ""
			}
			c, ok := cameo.CountryByName(name)
			if !ok {
				t.Errorf("%s: country %q has no CAMEO code in the table", where, name)
			}
			return c.Code
		}
		for _, c := range []struct {
			field     string
			got, want any
		}{
			{"id", e.ID, get("Event ID")},
			{"time", e.Time, date},
			{"code", e.Code, get("CAMEO Code")},
			{"goldstein", e.Goldstein, intensity},
			{"quad", e.Quad, cameo.QuadOfRoot(get("CAMEO Code")[:2])},
			{"source.name", e.Source.Name, get("Source Name")},
			{"source.country", e.Source.Country, country(get("Source Country"))},
			{"source.type", e.Source.Type, ICEWSSectorType(get("Source Sectors"))},
			{"target.name", e.Target.Name, get("Target Name")},
			{"target.country", e.Target.Country, country(get("Target Country"))},
			{"dataset", e.Dataset, "icews"},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s = %#v, raw text says %#v", where, c.field, c.got, c.want)
			}
		}
		if lat := get("Latitude"); lat != "NA" && lat != "" {
			want, _ := strconv.ParseFloat(lat, 64)
			if !e.Location.HasCoords || e.Location.Lat != want {
				t.Errorf("%s: lat %v, raw %s", where, e.Location.Lat, lat)
			}
		}
	}
	// By hand, from the first data row.
	e := recs[0].Event
	if e.ID != "32889836" || e.Source.Country != "BGD" || e.Source.Type != "GOV" || e.Target.Country != "VNM" ||
		e.Target.Type != "MIL" || e.Code != "040" || e.Goldstein != 1 || e.Location.Country != "VM" ||
		e.Location.Name != "Hanoi, Thanh Pho Ha Noi, Vietnam" || e.Location.Lon != 105.841 {
		t.Errorf("row 2 = %+v", e)
	}
}

func TestICEWSSectorType(t *testing.T) {
	for in, want := range map[string]string{
		"Executive,Foreign Ministry,Government":  "GOV",
		"Military,Government":                    "MIL",
		"Police,Government":                      "COP",
		"Protestors / Popular Opposition / Mobs": "OPP",
		"General Population / Civilian / Social": "CVL",
		"Hindu,Religious":                        "",
		"":                                       "",
	} {
		if got := ICEWSSectorType(in); got != want {
			t.Errorf("ICEWSSectorType(%q) = %q, want %q", in, got, want)
		}
	}
}
