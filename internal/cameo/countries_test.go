package cameo

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedDataDir returns the workspace's reference data folder (../shared/data
// from the project root), skipping the test when it is absent: a user's machine
// outside this workspace does not have it, CI and developers do.
func sharedDataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/data not present; the cross-check against reference data runs where it is (%v)", err)
	}
	return dir
}

// readTabRows reads a TAB-separated file of the reference data. Once the folder
// is present a missing file is a failure, not a skip.
func readTabRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// Intentional duplicates: rows that deliberately share a FIPS or ISO numeric code
// with an earlier (main) row, each with the reason. There are none at present:
// Palestine's ISO 275 is on PSE alone, and the West Bank (WE) and Gaza Strip (GZ)
// FIPS codes are on WSB and GZS alone.
var (
	intentionalFIPSDuplicates = map[string]string{}
	intentionalISODuplicates  = map[string]string{}
)

func TestCountryTableParses(t *testing.T) {
	rows := Countries()
	if len(rows) < 250 {
		t.Fatalf("table has %d rows; expected every CAMEO country and region", len(rows))
	}
	for _, c := range rows {
		if !isUpperLetters(c.Code, 3) {
			t.Errorf("row %+v: bad code", c)
		}
		if c.FIPS != "" && !isUpperLetters(c.FIPS, 2) {
			t.Errorf("row %s: bad FIPS %q", c.Code, c.FIPS)
		}
		if c.ISONumeric < 0 || c.ISONumeric > 999 {
			t.Errorf("row %s: bad ISO numeric %d", c.Code, c.ISONumeric)
		}
		if c.Name == "" {
			t.Errorf("row %s: no name", c.Code)
		}
		got, ok := CountryByCode(c.Code)
		if !ok || got.Name != c.Name || !slices.Equal(got.Aliases, c.Aliases) {
			t.Errorf("CountryByCode(%s) = %+v, %v; want the row %+v", c.Code, got, ok, c)
		}
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			if got, ok := CountryByName(name); !ok || got.Code != c.Code {
				t.Errorf("CountryByName(%q) = %s, %v; want %s", name, got.Code, ok, c.Code)
			}
		}
	}
}

func TestCountryCodesUnique(t *testing.T) {
	codes := map[string]bool{}
	fips := map[string]string{}
	iso := map[int]string{}
	for _, c := range Countries() {
		if codes[c.Code] {
			t.Errorf("code %s appears twice", c.Code)
		}
		codes[c.Code] = true
		if prev, dup := fips[c.FIPS]; c.FIPS != "" && dup {
			if _, ok := intentionalFIPSDuplicates[c.Code]; !ok {
				t.Errorf("FIPS %s is on both %s and %s", c.FIPS, prev, c.Code)
			}
		} else if c.FIPS != "" {
			fips[c.FIPS] = c.Code
		}
		if prev, dup := iso[c.ISONumeric]; c.ISONumeric != 0 && dup {
			if _, ok := intentionalISODuplicates[c.Code]; !ok {
				t.Errorf("ISO numeric %d is on both %s and %s", c.ISONumeric, prev, c.Code)
			}
		} else if c.ISONumeric != 0 {
			iso[c.ISONumeric] = c.Code
		}
	}
	// Every FIPS and ISO code must lead back to its own row (or its main row).
	for f, code := range fips {
		if c, ok := CountryByFIPS(f); !ok || c.Code != code {
			t.Errorf("CountryByFIPS(%s) = %s, %v; want %s", f, c.Code, ok, code)
		}
	}
	for n, code := range iso {
		if c, ok := CountryByISONumeric(n); !ok || c.Code != code {
			t.Errorf("CountryByISONumeric(%d) = %s, %v; want %s", n, c.Code, ok, code)
		}
	}
}

func TestCountrySpotChecks(t *testing.T) {
	for _, want := range []struct {
		code, fips string
		iso        int
	}{
		{"ISR", "IS", 376}, {"IRN", "IR", 364}, {"RUS", "RS", 643}, {"USA", "US", 840},
		{"CHN", "CH", 156}, {"SAU", "SA", 682}, {"QAT", "QA", 634}, {"OMN", "MU", 512},
		{"FRA", "FR", 250}, {"DEU", "GM", 276}, {"GBR", "UK", 826}, {"TUR", "TU", 792},
		{"ARE", "AE", 784}, {"EGY", "EG", 818},
		// FIPS codes that differ from ISO alpha-2 and are easy to get wrong.
		{"AUT", "AU", 40}, {"AUS", "AS", 36}, {"CHL", "CI", 152}, {"CHE", "SZ", 756},
		{"SWE", "SW", 752}, {"ESP", "SP", 724}, {"JPN", "JA", 392}, {"KOR", "KS", 410},
		{"PRK", "KN", 408}, {"IRQ", "IZ", 368}, {"LBN", "LE", 422}, {"SYR", "SY", 760},
		{"KWT", "KU", 414}, {"BHR", "BA", 48}, {"YEM", "YM", 887}, {"UKR", "UP", 804},
		{"BLR", "BO", 112}, {"POL", "PL", 616}, {"PRT", "PO", 620}, {"PHL", "RP", 608},
		{"VNM", "VM", 704}, {"NGA", "NI", 566}, {"NER", "NG", 562}, {"ROM", "RO", 642},
		{"GZS", "GZ", 0}, {"WSB", "WE", 0}, {"PSE", "", 275},
	} {
		c, ok := CountryByCode(want.code)
		if !ok || c.FIPS != want.fips || c.ISONumeric != want.iso {
			t.Errorf("CountryByCode(%s) = %+v, %v; want FIPS %q ISO %d", want.code, c, ok, want.fips, want.iso)
			continue
		}
		if want.fips != "" {
			if c, ok := CountryByFIPS(want.fips); !ok || c.Code != want.code {
				t.Errorf("CountryByFIPS(%s) = %s, %v; want %s", want.fips, c.Code, ok, want.code)
			}
		}
		if want.iso != 0 {
			if c, ok := CountryByISONumeric(want.iso); !ok || c.Code != want.code {
				t.Errorf("CountryByISONumeric(%d) = %s, %v; want %s", want.iso, c.Code, ok, want.code)
			}
		}
	}
}

func TestCountryLookupMisses(t *testing.T) {
	if _, ok := CountryByCode("isr"); ok {
		t.Error("CountryByCode is exact; lower case should not match")
	}
	for _, code := range []string{"", "XXX", "IS", "ISRA"} {
		if _, ok := CountryByCode(code); ok {
			t.Errorf("CountryByCode(%q) matched", code)
		}
	}
	for _, f := range []string{"", "XX", "is", "ISR", "IL"} { // IL is ISO alpha-2, not a FIPS code
		if c, ok := CountryByFIPS(f); ok {
			t.Errorf("CountryByFIPS(%q) = %s", f, c.Code)
		}
	}
	for _, n := range []int{0, -1, 999, 1000} {
		if c, ok := CountryByISONumeric(n); ok {
			t.Errorf("CountryByISONumeric(%d) = %s", n, c.Code)
		}
	}
	for _, name := range []string{"", "   ", "NA", "Atlantis", "Korea", strings.Repeat("x", 500)} {
		if c, ok := CountryByName(name); ok {
			t.Errorf("CountryByName(%q) = %s", name, c.Code)
		}
	}
}

func TestCountryByNameFolds(t *testing.T) {
	for name, code := range map[string]string{
		"  russian federation\t": "RUS",
		"RUSSIA":                 "RUS",
		"CÔTE D'IVOIRE":          "CIV",
		"côte d'ivoire":          "CIV",
		"Cote d'Ivoire":          "CIV",
		"RÉUNION":                "REU",
		"the former yugoslav republic of macedonia": "MKD",
		"Congo":                          "COG",
		"Democratic Republic of Congo":   "COD",
		"Holy See":                       "VAT",
		"Swaziland":                      "SWZ",
		"Timor-Leste":                    "TMP",
		"Occupied Palestinian Territory": "PSE",
	} {
		if c, ok := CountryByName(name); !ok || c.Code != code {
			t.Errorf("CountryByName(%q) = %s, %v; want %s", name, c.Code, ok, code)
		}
	}
}

func TestCountryLookupsDoNotAllocate(t *testing.T) {
	var sink Country
	allocs := testing.AllocsPerRun(100, func() {
		sink, _ = CountryByCode("ISR")
		sink, _ = CountryByFIPS("IS")
		sink, _ = CountryByISONumeric(376)
		sink, _ = CountryByName("  Russian Federation ")
		sink, _ = CountryByName("CÔTE D'IVOIRE")
		sink, _ = CountryByName("no such place")
	})
	if allocs != 0 {
		t.Errorf("lookups allocate %v times per run, want 0", allocs)
	}
	_ = sink
}

func TestCountriesReturnsCopy(t *testing.T) {
	rows := Countries()
	i := slices.IndexFunc(rows, func(c Country) bool { return c.Code == "RUS" })
	if i < 0 {
		t.Fatal("RUS missing")
	}
	rows[i].Name = "changed"
	rows[i].Aliases[0] = "changed"
	c, _ := CountryByCode("RUS")
	if c.Name != "Russia" || c.Aliases[0] != "Russian Federation" {
		t.Errorf("editing Countries()'s result changed the table: %+v", c)
	}
}

func TestMalformedCountryTablePanics(t *testing.T) {
	const h = countriesHeader + "\n"
	for name, text := range map[string]string{
		"no header":        "# only a comment\n",
		"wrong header":     "code\tfips\n",
		"too few fields":   h + "ISR\tIS\t376\tIsrael\n",
		"too many fields":  h + "ISR\tIS\t376\tIsrael\t\textra\n",
		"lower-case code":  h + "isr\tIS\t376\tIsrael\t\n",
		"long code":        h + "ISRA\tIS\t376\tIsrael\t\n",
		"bad FIPS":         h + "ISR\tISR\t376\tIsrael\t\n",
		"bad ISO":          h + "ISR\tIS\tx\tIsrael\t\n",
		"ISO out of range": h + "ISR\tIS\t1000\tIsrael\t\n",
		"empty name":       h + "ISR\tIS\t376\t\t\n",
		"empty alias":      h + "ISR\tIS\t376\tIsrael\tA||B\n",
		"spaced alias":     h + "ISR\tIS\t376\tIsrael\t Israel State\n",
		"duplicate code":   h + "ISR\tIS\t376\tIsrael\t\nISR\t\t\tOther\t\n",
		"duplicate name":   h + "ISR\tIS\t376\tIsrael\t\nXYZ\t\t\tISRAEL\t\n",
		"name too long":    h + "ISR\tIS\t376\t" + strings.Repeat("x", maxCountryNameLen+1) + "\t\n",
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg, _ := r.(string); !strings.HasPrefix(msg, "cameo: test.tsv") {
					t.Errorf("panic %v does not name the file", r)
				}
			}()
			mustParseCountries("test.tsv", text)
		})
	}
	// A well-formed table with a shared FIPS code gives the first row the lookup.
	ix := mustParseCountries("test.tsv", h+"# comment\nAAA\tXX\t1\tFirst\t\nBBB\tXX\t1\tSecond\tB\n")
	if ix.rows[ix.byFIPS["XX"]].Code != "AAA" || ix.rows[ix.byISO[1]].Code != "AAA" {
		t.Error("the first row sharing a FIPS or ISO code should win")
	}
}

// TestCountryTableCoversGDELTCameoCountries checks that every code of GDELT's
// CAMEO country lookup is in the table and that GDELT's label for it (including
// its misspellings "Columbia" and "Runion") names the same row.
func TestCountryTableCoversGDELTCameoCountries(t *testing.T) {
	rows := readTabRows(t, filepath.Join(sharedDataDir(t), "cameo", "cameoCountry.txt"))
	if len(rows) < 2 || rows[0][0] != "CODE" {
		t.Fatalf("cameoCountry.txt: unexpected header %q", rows[0])
	}
	for _, r := range rows[1:] {
		if len(r) != 2 {
			t.Errorf("cameoCountry.txt: malformed row %q", r)
			continue
		}
		if _, ok := CountryByCode(r[0]); !ok {
			t.Errorf("GDELT's CAMEO code %s (%s) is not in the table", r[0], r[1])
			continue
		}
		if byName, ok := CountryByName(r[1]); !ok || byName.Code != r[0] {
			t.Errorf("GDELT's label %q for %s resolves to %s, %v", r[1], r[0], byName.Code, ok)
		}
	}
}

// TestICEWSCountryNamesResolve checks every country name in the ICEWS sample's
// Source Country, Target Country and Country columns. "NA" is R's missing value.
func TestICEWSCountryNamesResolve(t *testing.T) {
	rows := readTabRows(t, filepath.Join(sharedDataDir(t), "icews", "events.2018.sample.tab"))
	cols := map[string]int{"Source Country": -1, "Target Country": -1, "Country": -1}
	for i, h := range rows[0] {
		if _, ok := cols[h]; ok {
			cols[h] = i
		}
	}
	for h, i := range cols {
		if i < 0 {
			t.Fatalf("ICEWS header has no %q column: %q", h, rows[0])
		}
	}
	seen := map[string]bool{}
	for n, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			t.Fatalf("ICEWS row %d has %d fields, header %d", n+2, len(r), len(rows[0]))
		}
		for _, i := range cols {
			name := r[i]
			if name == "NA" || name == "" || seen[name] {
				continue
			}
			seen[name] = true
			if _, ok := CountryByName(name); !ok {
				t.Errorf("ICEWS country name %q does not resolve", name)
			}
		}
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct ICEWS country names seen; is the file the expected sample?", len(seen))
	}
}

// gdeltGeoOutsideTable lists the FIPS 10-4 codes GDELT puts in location fields
// for places that are not countries or territories of the table.
var gdeltGeoOutsideTable = map[string]string{
	"OS": "FIPS 10-4 'Oceans': seas and oceans (\"Black Sea, Oceans (general), Oceans\")",
	"YI": "FIPS 10-4's retired code for Serbia and Montenegro (former Yugoslavia), which no longer exists as a state",
}

// TestGDELTLocationCountriesResolve checks that every FIPS country code in the
// location fields of the GDELT samples (ActionGeo and both actors' geo fields)
// resolves with CountryByFIPS.
func TestGDELTLocationCountriesResolve(t *testing.T) {
	dir := sharedDataDir(t)
	var files []string
	for _, pattern := range []string{"gdelt2/*.CSV", "gdelt2/*.tsv", "gdelt1/*.tsv"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d GDELT event files in %s", len(files), dir)
	}
	seen := map[string]bool{}
	for _, file := range files {
		for n, r := range readTabRows(t, file) {
			// 0-based columns of Actor1Geo_CountryCode, Actor2Geo_CountryCode and
			// ActionGeo_CountryCode: GDELT 2.0 (61 columns) has ADM2 codes that
			// GDELT 1.0 (57 or 58 columns) lacks.
			var geo []int
			switch len(r) {
			case 61:
				geo = []int{37, 45, 53}
			case 57, 58:
				geo = []int{37, 44, 51}
			default:
				t.Fatalf("%s:%d: %d columns, want 57, 58 or 61", file, n+1, len(r))
			}
			for _, i := range geo {
				code := r[i]
				if code == "" || seen[code] {
					continue
				}
				seen[code] = true
				if _, ok := gdeltGeoOutsideTable[code]; ok {
					continue
				}
				if _, ok := CountryByFIPS(code); !ok {
					t.Errorf("%s:%d: GDELT location country %q does not resolve with CountryByFIPS", filepath.Base(file), n+1, code)
				}
			}
		}
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct GDELT location country codes seen", len(seen))
	}
}

// TestGDELTActorCountriesResolve checks that every CAMEO country code in the
// actor fields of the GDELT samples is in the table (GDELT emits SSD, which its
// own lookup file lacks).
func TestGDELTActorCountriesResolve(t *testing.T) {
	dir := sharedDataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "gdelt*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		for n, r := range readTabRows(t, file) {
			if len(r) < 57 {
				t.Fatalf("%s:%d: %d columns", file, n+1, len(r))
			}
			for _, i := range []int{7, 17} { // Actor1CountryCode, Actor2CountryCode
				if code := r[i]; code != "" {
					if _, ok := CountryByCode(code); !ok {
						t.Errorf("%s:%d: GDELT actor country %q not in the table", filepath.Base(file), n+1, code)
					}
				}
			}
		}
	}
}

func BenchmarkCountryByName(b *testing.B) {
	for b.Loop() {
		CountryByName(" Russian Federation ")
	}
}
