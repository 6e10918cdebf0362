package event

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"backchannel/internal/cameo"
)

// icewsHeader is the first line of an ICEWS coded-event file (20 columns).
var icewsHeader = []string{"Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country",
	"Event Text", "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country",
	"Story ID", "Sentence Number", "Publisher", "City", "District", "Province", "Country",
	"Latitude", "Longitude"}

const (
	iID = iota
	iDate
	iSrcName
	iSrcSectors
	iSrcCountry
	iText
	iCode
	iIntensity
	iTgtName
	iTgtSectors
	iTgtCountry
	iStory
	iSentence
	iPublisher
	iCity
	iDistrict
	iProvince
	iCountry
	iLat
	iLon
	icewsFields
)

// icewsSectorTypes maps ICEWS actor sectors to CAMEO actor types. An actor has
// several sectors ("Military,Government"); the first rule, in this order, that
// matches any of them wins, so a military or police body of a government is MIL
// or COP rather than GOV. Sectors that fit no CAMEO type (religions, ideologies)
// leave the type empty.
var icewsSectorTypes = []struct{ typ, sectors string }{
	{"MIL", "Military|Army|Navy|Air Force|Marines|Army Special Forces|Military Intelligence|National / Border Divisions"},
	{"COP", "Police"},
	{"SPY", "Intelligence Ministry"},
	{"INS", "Insurgents|International Insurgents"},
	{"SEP", "Separatists"},
	{"REB", "Rebel"},
	{"UAF", "Unidentified Forces|Organized Violent"},
	{"CRM", "Criminals / Gangs"},
	{"JUD", "Judicial|Legal|Justice / Law Ministry"},
	{"LEG", "Legislative / Parliamentary|Lower House|Upper House|Unicameral"},
	{"OPP", "Protestors / Popular Opposition / Mobs|Dissident|International Dissident|Opposition Major Party (Out Of Government)"},
	{"GOV", "Government|Executive|Executive Office|Cabinet|Government Major Party (In Government)|Foreign Ministry|Defense / Security Ministry|Interior / Home Ministry|Finance / Economy / Commerce / Trade Ministry"},
	{"IGO", "International Government Organization|Regional Diplomatic IGOs|Global Diplomatic IGOs|Global Economic/Financial/Trade IGOs|Global Defense / Security IGOs|Human Rights IGOs"},
	{"HRI", "Human Rights NGOs"},
	{"NGO", "Nongovernmental Organizations / Activists|Nongovernmental Organization (International)|Medical / Health NGOs|Labor NGOs|Education NGOs|Business NGOs|Ethnic NGOs"},
	{"MNC", "Multinational Corporation"},
	{"MED", "Media|News|Print News|State Media|Television News"},
	{"BUS", "Business|Consumer Goods Business|Consulting / Financial Services Business|Transportation Business|Durable Goods Business|State Owned Enterprises"},
	{"EDU", "Education"},
	{"HLH", "Medical / Health"},
	{"LAB", "Labor"},
	{"AGR", "Agricultural"},
	{"REF", "Refugees / Displaced"},
	{"ELI", "Elite"},
	{"CVL", "General Population / Civilian / Social|Social"},
}

var icewsTypeOf = func() map[string]int {
	m := map[string]int{}
	for i, r := range icewsSectorTypes {
		for _, s := range strings.Split(r.sectors, "|") {
			m[s] = i
		}
	}
	return m
}()

// ICEWSSectorType returns the CAMEO actor type for an ICEWS sector list
// ("Executive,Foreign Ministry,Government" -> "GOV"), or "" when none applies.
func ICEWSSectorType(sectors string) string {
	best := len(icewsSectorTypes)
	for s := range strings.SplitSeq(sectors, ",") {
		if i, ok := icewsTypeOf[strings.TrimSpace(s)]; ok && i < best {
			best = i
		}
	}
	if best == len(icewsSectorTypes) {
		return ""
	}
	return icewsSectorTypes[best].typ
}

// icewsReader reads ICEWS coded event data: tab-separated with a header row,
// countries as full names (mapped to CAMEO codes through the cameo table), and
// "Intensity" as the event's Goldstein-like value.
type icewsReader struct {
	file      string
	ln        *lines
	f         [icewsFields][]byte
	str       *strtab
	types     map[string]string
	headerErr error
	started   bool
}

func newICEWSReader(file string, r io.Reader) *icewsReader {
	return &icewsReader{file: file, ln: newLines(file, r), str: newStrtab(), types: map[string]string{}}
}

// Next implements Reader.
func (ir *icewsReader) Next(rec *Record) error {
	for {
		line, err := ir.ln.next()
		if err != nil {
			return err
		}
		if blank(line) {
			continue
		}
		if !ir.started {
			ir.started = true
			if bytes.HasPrefix(line, []byte("Event ID\t")) {
				if nf := splitTabs(line, ir.f[:]); nf != icewsFields {
					return fmt.Errorf("%s:%d: ICEWS header has %d columns, want %d: %s", ir.file, ir.ln.n, nf, icewsFields, strings.Join(icewsHeader, ", "))
				}
				continue
			}
		}
		return ir.parse(line, rec)
	}
}

func (ir *icewsReader) parse(line []byte, rec *Record) error {
	n := ir.ln.n
	if e := checkUTF8(ir.file, n, line); e != nil {
		return e
	}
	if nf := splitTabs(line, ir.f[:]); nf != icewsFields {
		return &LineError{File: ir.file, Line: n, Reason: fmt.Sprintf("has %d tab-separated columns; an ICEWS row has %d", nf, icewsFields)}
	}
	f := &ir.f
	bad := func(i int, want string) error {
		return fieldError(ir.file, n, col(line, f[i]), icewsHeader[i], i, f[i], want)
	}
	*rec = Record{Kind: KindEvent}
	ev := &rec.Event
	if !allDigits(f[iID]) {
		return bad(iID, "a numeric event id")
	}
	ev.ID = string(f[iID])
	t, ok := parseISODate(f[iDate])
	if !ok {
		return bad(iDate, fmt.Sprintf("a date as YYYY-MM-DD from %d to %d", MinYear, MaxYear))
	}
	ev.Time = t
	if !cameo.ValidSyntax(string(f[iCode])) {
		return bad(iCode, "a CAMEO event code (2 to 4 digits, root 01-20)")
	}
	ev.Code = ir.str.get(f[iCode])
	g, q, _ := cameo.Resolve(ev.Code)
	ev.Goldstein, ev.Quad = g, q
	if len(f[iIntensity]) > 0 && !na(f[iIntensity]) {
		v, ok := parseFloat(f[iIntensity])
		if !ok || v < -10 || v > 10 {
			return bad(iIntensity, "an intensity from -10 to 10")
		}
		ev.Goldstein = v
	}
	ev.Source = Actor{Name: ir.text(f[iSrcName]), Country: ir.country(f[iSrcCountry]), Type: ir.sectorType(f[iSrcSectors])}
	ev.Target = Actor{Name: ir.text(f[iTgtName]), Country: ir.country(f[iTgtCountry]), Type: ir.sectorType(f[iTgtSectors])}
	loc := &ev.Location
	if c, ok := cameo.CountryByName(string(f[iCountry])); ok {
		loc.Country = locationFIPS(c, string(f[iProvince]))
	}
	var parts []string
	for _, i := range [...]int{iCity, iDistrict, iProvince, iCountry} {
		if s := ir.text(f[i]); s != "" {
			parts = append(parts, s)
		}
	}
	loc.Name = ir.str.get([]byte(strings.Join(parts, ", ")))
	if len(f[iLat]) > 0 && !na(f[iLat]) {
		lat, ok1 := parseFloat(f[iLat])
		lon, ok2 := parseFloat(f[iLon])
		if !ok1 || lat < -90 || lat > 90 {
			return bad(iLat, "a latitude")
		}
		if !ok2 || lon < -180 || lon > 180 {
			return bad(iLon, "a longitude")
		}
		loc.Lat, loc.Lon, loc.HasCoords = lat, lon, true
	}
	ev.Dataset = "icews"
	ev.Public = true
	return nil
}

// na reports ICEWS's marker for a missing value.
func na(b []byte) bool { return string(b) == "NA" }

func (ir *icewsReader) text(b []byte) string {
	if na(b) {
		return ""
	}
	return ir.str.get(b)
}

// country maps an ICEWS country name to its CAMEO code; a name the table does
// not know leaves the country empty rather than losing the row.
func (ir *icewsReader) country(b []byte) string {
	if len(b) == 0 || na(b) {
		return ""
	}
	c, ok := cameo.CountryByName(string(b))
	if !ok {
		return ""
	}
	return c.Code
}

func (ir *icewsReader) sectorType(b []byte) string {
	if t, ok := ir.types[string(b)]; ok {
		return t
	}
	t := ICEWSSectorType(string(b))
	if len(ir.types) < internMax {
		ir.types[string(b)] = t
	}
	return t
}
