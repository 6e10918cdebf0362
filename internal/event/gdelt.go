package event

import (
	"fmt"
	"io"
	"time"

	"backchannel/internal/cameo"
)

// gdeltLayout gives the column of each field the reader uses. GDELT 1.0 back
// files have 57 columns, its daily files add SOURCEURL (58); GDELT 2.0 (61) adds
// an ADM2Code after each of the three ADM1Codes. Columns up to AvgTone agree.
type gdeltLayout struct {
	dataset                                             string
	geoType, geoName, geoCountry, geoLat, geoLon, added int
	url                                                 int // -1: none
}

var (
	gdelt1Back  = gdeltLayout{"gdelt1", 49, 50, 51, 53, 54, 56, -1}
	gdelt1Daily = gdeltLayout{"gdelt1", 49, 50, 51, 53, 54, 56, 57}
	gdelt2      = gdeltLayout{"gdelt2", 51, 52, 53, 56, 57, 59, 60}
)

// Columns shared by all three layouts (0-based).
const (
	gID         = 0
	gSQLDate    = 1
	gA1Code     = 5
	gA1Name     = 6
	gA1Country  = 7
	gA1Type     = 12
	gActor2     = 10 // offset from an Actor1 column to its Actor2 twin
	gEventCode  = 26
	gQuadClass  = 29
	gGoldstein  = 30
	gMentions   = 31
	gSources    = 32
	gArticles   = 33
	gTone       = 34
	gdeltFields = 61
)

var gdeltNames = [...]string{gID: "GLOBALEVENTID", gSQLDate: "SQLDATE", gEventCode: "EventCode",
	gQuadClass: "QuadClass", gGoldstein: "GoldsteinScale", gMentions: "NumMentions",
	gSources: "NumSources", gArticles: "NumArticles", gTone: "AvgTone"}

// gdeltReader reads GDELT 1.0 and 2.0 event exports: tab-separated, no header.
// Each row's layout is chosen by its column count, so 57- and 58-column rows may
// be mixed in one file, as GDELT's own 1.0 files mix them.
type gdeltReader struct {
	file string
	ln   *lines
	f    [gdeltFields][]byte
	str  *strtab
	// The last date seen and its parse: rows of one export share dates.
	lastDate, lastAdded   [14]byte
	lastDateT, lastAddedT time.Time
}

func newGDELTReader(file string, r io.Reader) *gdeltReader {
	return &gdeltReader{file: file, ln: newLines(file, r), str: newStrtab()}
}

// Next implements Reader.
func (g *gdeltReader) Next(rec *Record) error {
	for {
		line, err := g.ln.next()
		if err != nil {
			return err
		}
		if blank(line) {
			continue
		}
		return g.parse(line, rec)
	}
}

func (g *gdeltReader) parse(line []byte, rec *Record) error {
	n := g.ln.n
	if e := checkUTF8(g.file, n, line); e != nil {
		return e
	}
	var lay *gdeltLayout
	switch nf := splitTabs(line, g.f[:]); nf {
	case 57:
		lay = &gdelt1Back
	case 58:
		lay = &gdelt1Daily
	case 61:
		lay = &gdelt2
	default:
		return &LineError{File: g.file, Line: n, Reason: fmt.Sprintf(
			"has %d tab-separated columns; a GDELT row has 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0)", nf)}
	}
	f := &g.f
	bad := func(i int, want string) error {
		return fieldError(g.file, n, col(line, f[i]), gdeltNames[i], i, f[i], want)
	}
	ev := &rec.Event
	*rec = Record{Kind: KindEvent}

	if !allDigits(f[gID]) {
		return bad(gID, "a numeric event id")
	}
	ev.ID = g.str.mem.str(f[gID])
	t, ok := g.date(f[gSQLDate])
	if !ok {
		return bad(gSQLDate, fmt.Sprintf("a date as YYYYMMDD from %d to %d", MinYear, MaxYear))
	}
	ev.Time = t
	code := f[gEventCode]
	if !cameo.ValidSyntax(string(code)) {
		return bad(gEventCode, "a CAMEO event code (2 to 4 digits, root 01-20)")
	}
	ev.Code = g.str.get(code)
	tableG, tableQ, _ := cameo.Resolve(ev.Code)
	if q := f[gQuadClass]; len(q) == 0 {
		ev.Quad = tableQ
	} else if len(q) != 1 || q[0] < '1' || q[0] > '4' {
		return bad(gQuadClass, "a quad class 1-4")
	} else {
		ev.Quad = int(q[0] - '0')
	}
	if gs := f[gGoldstein]; len(gs) == 0 {
		ev.Goldstein = tableG
	} else if v, ok := parseFloat(gs); !ok || v < -10 || v > 10 {
		return bad(gGoldstein, "a Goldstein value from -10 to 10")
	} else {
		ev.Goldstein = v
	}
	for i, dst := range [...]*int{&ev.Mentions, &ev.Sources, &ev.Articles} {
		v, ok := parseUint(f[gMentions+i])
		if !ok {
			return bad(gMentions+i, "a non-negative count")
		}
		*dst = v
	}
	if len(f[gTone]) > 0 {
		v, ok := parseFloat(f[gTone])
		if !ok {
			return bad(gTone, "a number")
		}
		ev.Tone = v
	}
	for i, a := range [...]*Actor{&ev.Source, &ev.Target} {
		o := i * gActor2
		a.Code = g.str.get(f[gA1Code+o])
		a.Name = g.str.get(f[gA1Name+o])
		a.Country = g.str.get(f[gA1Country+o])
		a.Type = g.str.get(f[gA1Type+o])
	}
	if gt := f[lay.geoType]; len(gt) > 0 && !(len(gt) == 1 && gt[0] == '0') {
		loc := &ev.Location
		loc.Country = g.str.get(f[lay.geoCountry])
		loc.Name = g.str.get(f[lay.geoName])
		if len(f[lay.geoLat]) > 0 || len(f[lay.geoLon]) > 0 {
			lat, ok := parseFloat(f[lay.geoLat])
			if !ok || lat < -90 || lat > 90 {
				return fieldError(g.file, n, col(line, f[lay.geoLat]), "ActionGeo_Lat", lay.geoLat, f[lay.geoLat], "a latitude")
			}
			lon, ok := parseFloat(f[lay.geoLon])
			if !ok || lon < -180 || lon > 180 {
				return fieldError(g.file, n, col(line, f[lay.geoLon]), "ActionGeo_Long", lay.geoLon, f[lay.geoLon], "a longitude")
			}
			loc.Lat, loc.Lon, loc.HasCoords = lat, lon, true
		}
	}
	if a := f[lay.added]; len(a) > 0 {
		t, ok := g.addedTime(a)
		if !ok {
			return fieldError(g.file, n, col(line, a), "DATEADDED", lay.added, a, "a time as YYYYMMDD or YYYYMMDDHHMMSS")
		}
		ev.Added = t
	}
	if lay.url >= 0 {
		ev.URL = g.str.mem.str(f[lay.url])
	}
	ev.Dataset = lay.dataset
	ev.Public = true
	return nil
}

// date parses SQLDATE, which is a day (YYYYMMDD) and nothing finer.
func (g *gdeltReader) date(b []byte) (time.Time, bool) {
	if len(b) != 8 {
		return time.Time{}, false
	}
	if string(b) == string(g.lastDate[:8]) && !g.lastDateT.IsZero() {
		return g.lastDateT, true
	}
	t, ok := parseCompactTime(b)
	if ok {
		copy(g.lastDate[:], b)
		g.lastDateT = t
	}
	return t, ok
}

func (g *gdeltReader) addedTime(b []byte) (time.Time, bool) {
	if len(b) == 14 && string(b) == string(g.lastAdded[:]) && !g.lastAddedT.IsZero() {
		return g.lastAddedT, true
	}
	t, ok := parseCompactTime(b)
	if ok && len(b) == 14 {
		copy(g.lastAdded[:], b)
		g.lastAddedT = t
	}
	return t, ok
}

// col returns the 1-based byte column at which field starts within line; field
// must be a subslice of line.
func col(line, field []byte) int {
	if cap(field) == 0 {
		return 0
	}
	return cap(line) - cap(field) + 1
}
