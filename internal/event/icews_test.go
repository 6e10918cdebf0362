package event

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	var noFIPS []string // rows located in a named country but with no location country
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
		// The location's FIPS code: the country's, or for Palestine, which
		// has none, the province's (Gaza Strip GZ, West Bank WE).
		if name := get("Country"); name != "NA" && name != "" {
			c, _ := cameo.CountryByName(name)
			want := c.FIPS
			if p, ok := cameo.CountryByName(get("Province")); want == "" && ok {
				want = p.FIPS
			}
			if e.Location.Country != want {
				t.Errorf("%s: location.country = %q, want %q for %s, %s", where, e.Location.Country, want, get("Province"), name)
			}
			if e.Location.Country == "" {
				noFIPS = append(noFIPS, fmt.Sprintf("%d %s, %s", i+2, get("Province"), name))
			}
		}
		if lat := get("Latitude"); lat != "NA" && lat != "" {
			want, _ := strconv.ParseFloat(lat, 64)
			if !e.Location.HasCoords || e.Location.Lat != want {
				t.Errorf("%s: lat %v, raw %s", where, e.Location.Lat, lat)
			}
		}
	}
	// Only Palestine as a whole, with no province, has no FIPS code: the
	// three rows placed at the territory's centroid (31.9216, 35.2033).
	if want := []string{"289 NA, Occupied Palestinian Territory", "291 NA, Occupied Palestinian Territory",
		"1554 NA, Occupied Palestinian Territory"}; !slices.Equal(noFIPS, want) {
		t.Errorf("rows with a country but no location country: %q, want %q", noFIPS, want)
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

// TestPalestinianLocations checks the location country of events in Palestine,
// which has no FIPS 10-4 code of its own: the region's code, or none.
func TestPalestinianLocations(t *testing.T) {
	header, acledRows := acledSampleRows(t)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, tc := range []struct {
		region, want string
	}{
		{"Gaza Strip", "GZ"},
		{"West Bank", "WE"},
		{"NA", ""},
		{"", ""},
	} {
		t.Run(tc.region, func(t *testing.T) {
			icews := icewsRow(map[int]string{iCountry: "Occupied Palestinian Territory", iProvince: tc.region,
				iSrcCountry: "Occupied Palestinian Territory"})
			recs, bad := collect(t, newICEWSReader("x.tab", strings.NewReader(icewsHeaderLine+"\n"+icews+"\n")))
			if len(bad) > 0 || len(recs) != 1 {
				t.Fatalf("ICEWS: %d records, errors %v", len(recs), bad)
			}
			if e := recs[0].Event; e.Location.Country != tc.want || e.Source.Country != "PSE" {
				t.Errorf("ICEWS, province %q: location.country %q, source.country %q; want %q, PSE", tc.region, e.Location.Country, e.Source.Country, tc.want)
			}

			row := append([]string(nil), acledRows[0]...)
			row[col["iso"]], row[col["country"]], row[col["admin1"]] = "275", "Palestine", tc.region
			row[col["actor1"]], row[col["notes"]] = "Protesters (Palestine)", "Note."
			var b strings.Builder
			w := csv.NewWriter(&b)
			w.Write(header)
			w.Write(row)
			w.Flush()
			recs, bad = collect(t, newACLEDReader("x.csv", strings.NewReader(b.String())))
			if len(bad) > 0 || len(recs) != 1 {
				t.Fatalf("ACLED: %d records, errors %v", len(recs), bad)
			}
			if e := recs[0].Event; e.Location.Country != tc.want || e.Source.Country != "PSE" {
				t.Errorf("ACLED, admin1 %q: location.country %q, source.country %q; want %q, PSE", tc.region, e.Location.Country, e.Source.Country, tc.want)
			}
		})
	}
}
