package event

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestDecodeJSONRejects holds the JSONL form to what EVENTS.md says a record
// is: each line is refused with the field at fault and a reason.
func TestDecodeJSONRejects(t *testing.T) {
	const (
		ev  = `{"kind":"event","time":"2025-06-13",`
		obs = `{"kind":"observation","time":"2026-01-05","indicator":"IRN.enrichment_pct","value":60,`
	)
	for _, tc := range []struct {
		name, line string
		want       []string // in the reason
	}{
		// Fields of the other kind of record.
		{"observation with code", obs + `"code":"195"}`, []string{`field "code"`, "belongs to events"}},
		{"observation with target", obs + `"target":{"country":"IRN"}}`, []string{`field "target"`, "belongs to events"}},
		{"observation with goldstein", obs + `"goldstein":-10}`, []string{`field "goldstein"`, "belongs to events"}},
		{"observation with quad", obs + `"quad":4}`, []string{`field "quad"`, "belongs to events"}},
		{"observation with mentions", obs + `"mentions":3}`, []string{`field "mentions"`, "belongs to events"}},
		{"observation with location", obs + `"location":{"country":"IR"}}`, []string{`field "location"`, "belongs to events"}},
		{"observation with url", obs + `"url":"https://example.org"}`, []string{`field "url"`, "belongs to events"}},
		{"observation with id", obs + `"id":"7"}`, []string{`field "id"`, "belongs to events"}},
		{"observation with null public", obs + `"public":null}`, []string{`field "public"`, "belongs to events"}},
		{"first in line order", obs + `"url":"u","code":"195"}`, []string{`field "url"`}},
		{"no kind, an indicator and a code", `{"time":"2026-01-05","indicator":"IRN.x","value":1,"code":"195"}`, []string{`field "code"`, "belongs to events"}},
		{"event with indicator", ev + `"code":"195","indicator":"IRN.x"}`, []string{`field "indicator"`, "belongs to observations"}},
		{"event with value", ev + `"code":"195","value":3}`, []string{`field "value"`, "belongs to observations"}},
		{"no kind, a value", `{"time":"2025-06-13","code":"195","value":3}`, []string{`field "value"`, "belongs to observations"}},

		// Codes the table lacks, and quads that contradict the code.
		{"code not in table", ev + `"code":"1999"}`, []string{`field "code"`, `"1999"`, "not in the project's CAMEO table", `"19"`}},
		{"code base known", ev + `"code":"1959"}`, []string{`"1959"`, `nearest code it has is "195"`}},
		{"three-digit code not in table", ev + `"code":"099"}`, []string{`"099"`, "not in the project's CAMEO table"}},
		{"quad contradicts root", ev + `"code":"195","quad":1}`, []string{`field "quad"`, `code "195"`, "root 19 is quad 4", "material conflict"}},
		{"quad of the wrong conflict", ev + `"code":"111","quad":4}`, []string{`field "quad"`, "root 11 is quad 3"}},
		{"quad out of range", ev + `"code":"195","quad":5}`, []string{`field "quad"`, "1-4"}},

		// Countries: CAMEO codes for actors, FIPS 10-4 for locations.
		{"actor country lower case", ev + `"code":"195","source":{"country":"isr"}}`, []string{`field "source.country"`, `"isr"`, `did you mean "ISR" (Israel)`}},
		{"actor country a name", ev + `"code":"195","target":{"country":"Iran"}}`, []string{`field "target.country"`, `"Iran"`, `did you mean "IRN"`}},
		{"actor country unknown", ev + `"code":"195","target":{"country":"XYZ"}}`, []string{`field "target.country"`, `"XYZ" is not a CAMEO country code`}},
		{"actor country FIPS", ev + `"code":"195","source":{"country":"IS"}}`, []string{`field "source.country"`, `"IS"`}},
		{"location country CAMEO", ev + `"code":"195","location":{"country":"IRN"}}`, []string{`field "location.country"`, "FIPS 10-4", `did you mean "IR" (Iran)`}},
		{"location country a name", ev + `"code":"195","location":{"country":"Israel"}}`, []string{`field "location.country"`, `did you mean "IS"`}},
		{"location country lower case", ev + `"code":"195","location":{"country":"ir"}}`, []string{`field "location.country"`, `did you mean "IR"`}},
		{"location country ISO", ev + `"code":"195","location":{"country":"IL"}}`, []string{`field "location.country"`, `"IL" is not a FIPS 10-4`}},
		{"location Palestine", ev + `"code":"195","location":{"country":"PSE"}}`, []string{`field "location.country"`, `"WE"`, `"GZ"`}},

		// Field names are exact; encoding/json alone would take any case.
		{"top-level case", ev + `"Code":"195"}`, []string{`unknown field "Code"`}},
		{"nested case", ev + `"code":"195","source":{"Country":"ISR"}}`, []string{`source: unknown field "Country"`}},
		{"location case", ev + `"code":"195","location":{"LAT":1,"lon":2}}`, []string{`location: unknown field "LAT"`}},
		{"escaped key", ev + `"code":"195","\u0043ode":"195"}`, []string{`unknown field "Code"`}},
		{"unknown nested", ev + `"code":"195","target":{"country":"IRN","role":"x"}}`, []string{`unknown field "role"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			err := DecodeJSON("x.jsonl", 3, []byte(tc.line), &rec)
			le, ok := err.(*LineError)
			if !ok {
				t.Fatalf("DecodeJSON(%s) = %v, want a *LineError", tc.line, err)
			}
			if le.File != "x.jsonl" || le.Line != 3 {
				t.Errorf("error at %s:%d, want x.jsonl:3", le.File, le.Line)
			}
			for _, s := range tc.want {
				if !strings.Contains(le.Reason, s) {
					t.Errorf("reason %q lacks %q", le.Reason, s)
				}
			}
		})
	}
}

// TestDecodeJSONAccepts covers what the checks must still let through.
func TestDecodeJSONAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		check      func(*Record) bool
	}{
		{"EVENTS.md event", jsonlEvent, func(r *Record) bool {
			return r.Kind == KindEvent && r.Event.Quad == 4 && r.Event.Location.Country == "IR"
		}},
		{"EVENTS.md observation", jsonlObservation, func(r *Record) bool {
			return r.Kind == KindObservation && r.Observation.Value == 60 && r.Observation.Source == "IAEA report"
		}},
		{"observation with note, no kind", `{"time":"2026-01-05","indicator":"IRN.x","value":1,"note":"n"}`, func(r *Record) bool {
			return r.Kind == KindObservation && r.Observation.Note == "n"
		}},
		{"goldstein other than the table's", `{"time":"2025-06-13","code":"195","goldstein":-7.5}`, func(r *Record) bool {
			return r.Event.Goldstein == -7.5 && r.Event.Quad == 4
		}},
		{"quad that agrees", `{"time":"2025-06-13","code":"0841","quad":2}`, func(r *Record) bool {
			return r.Event.Quad == 2 && r.Event.Goldstein == 7
		}},
		{"extension code in the table", `{"time":"2025-06-13","code":"1951"}`, func(r *Record) bool {
			return r.Event.Goldstein == -10 && r.Event.Quad == 4
		}},
		{"region and non-state codes", `{"time":"2025-06-13","code":"040","source":{"country":"EUR"},"target":{"country":"WSB"}}`, func(r *Record) bool {
			return r.Event.Source.Country == "EUR" && r.Event.Target.Country == "WSB"
		}},
		{"Gaza Strip location", `{"time":"2025-06-13","code":"195","location":{"country":"GZ"}}`, func(r *Record) bool {
			return r.Event.Location.Country == "GZ"
		}},
		{"ocean location", `{"time":"2025-06-13","code":"195","location":{"country":"OS","name":"Red Sea"}}`, func(r *Record) bool {
			return r.Event.Location.Country == "OS"
		}},
		{"retired FIPS YI", `{"time":"2025-06-13","code":"195","location":{"country":"YI"}}`, func(r *Record) bool {
			return r.Event.Location.Country == "YI"
		}},
		{"empty countries", `{"time":"2025-06-13","code":"195","source":{"country":""},"location":{"country":""}}`, func(r *Record) bool {
			return r.Event.Source.Country == "" && r.Event.Location.Country == ""
		}},
		{"escaped key spelled right", `{"time":"2025-06-13","\u0063ode":"195"}`, func(r *Record) bool {
			return r.Event.Code == "195"
		}},
		{"nested values with braces", `{"time":"2025-06-13","code":"195","note":"{\"code\":1}","source":{"name":"A \"B\" {C}"}}`, func(r *Record) bool {
			return r.Event.Source.Name == `A "B" {C}`
		}},
		{"white space around keys", " {\t\"time\" : \"2025-06-13\" ,\"code\":\"195\" } ", func(r *Record) bool {
			return r.Event.Code == "195"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec Record
			if err := DecodeJSON("x.jsonl", 1, []byte(tc.line), &rec); err != nil {
				t.Fatal(err)
			}
			if !tc.check(&rec) {
				t.Errorf("%s read as %+v", tc.line, rec)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2025-06-13", time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC), ""},
		{"2025-06-13T03:00:00Z", time.Date(2025, 6, 13, 3, 0, 0, 0, time.UTC), ""},
		{"2025-06-13T05:00:00+02:00", time.Date(2025, 6, 13, 3, 0, 0, 0, time.UTC), ""},
		{"2025-06-13T03:00:00.5Z", time.Date(2025, 6, 13, 3, 0, 0, 5e8, time.UTC), ""},
		{"1900-01-01", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"2199-12-31T23:59:59Z", time.Date(2199, 12, 31, 23, 59, 59, 0, time.UTC), ""},
		{"", time.Time{}, "missing"},
		{"2025-02-30", time.Time{}, `"2025-02-30" is not a date from 1900-01-01 to 2199-12-31`},
		{"1899-12-31", time.Time{}, "not a date from 1900"},
		{"2200-01-01T00:00:00Z", time.Time{}, "outside the years 1900 to 2199"},
		{"1900-01-01T00:30:00+01:00", time.Time{}, "outside the years"},
		{"13 June 2025", time.Time{}, "not an RFC 3339 time (2025-06-13T03:00:00Z) or a date (2025-06-13)"},
		{"2025-06-13 03:00", time.Time{}, "not an RFC 3339 time"},
	} {
		got, err := ParseTime(tc.in)
		if tc.err == "" {
			if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseTime(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
		}
	}
}

// TestCheckKeysDoesNotAllocate keeps the exact-name check a scan of the bytes,
// not a second decode of the line.
func TestCheckKeysDoesNotAllocate(t *testing.T) {
	line := []byte(jsonlEvent)
	if _, err := checkKeys(line); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { checkKeys(line) }); n != 0 {
		t.Errorf("checkKeys allocates %v times per line, want 0", n)
	}
}

// TestRealFilesThroughJSONL writes every record of the real files as JSONL
// and reads it back: the checks the JSONL form adds (codes of the table, quads
// that agree with them, country codes) must refuse nothing the datasets hold.
func TestRealFilesThroughJSONL(t *testing.T) {
	for _, rel := range []string{
		"gdelt2/20191024143000.export.CSV", "gdelt2/spark-gdelt_events.tsv", "gdelt2/spark-gdelt_eventsT.tsv",
		"gdelt1/reed9999_sample_events_20160728.tsv", "gdelt1/spark-gdelt_events1.tsv",
		"icews/events.2018.sample.tab", acledSample,
	} {
		t.Run(rel, func(t *testing.T) {
			path := rel
			if rel != acledSample {
				path = sharedData(t, rel)
			}
			recs, _ := readAll(t, path, FormatAuto)
			var buf bytes.Buffer
			w := NewWriter(&buf)
			for i := range recs {
				if err := w.Write(&recs[i]); err != nil {
					t.Fatal(err)
				}
			}
			back, bad := collect(t, newJSONLReader("back.jsonl", &buf))
			if len(bad) > 0 {
				t.Fatalf("%d of %d records refused when read back, first: %v", len(bad), len(recs), bad[0])
			}
			if len(back) != len(recs) {
				t.Fatalf("read back %d records of %d", len(back), len(recs))
			}
			for i := range recs {
				if !sameRecord(recs[i], back[i]) {
					t.Errorf("record %d changed: %+v, back %+v", i+1, recs[i].Event, back[i].Event)
				}
			}
		})
	}
}
