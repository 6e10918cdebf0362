package event

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"backchannel/internal/cameo"
)

// acledCode is one row of the mapping from ACLED's event_type and
// sub_event_type to a CAMEO event code. A row with an empty sub-event type is
// the event type's default, for sub-event types the table does not list (ACLED
// has renamed some over the years) and for rows that leave the column empty.
// protestersTarget marks the one row whose CAMEO code is done to protesters:
// ACLED puts the protesters first in protest events, CAMEO the one who acts.
type acledCode struct {
	eventType, subEventType, code string
	protestersTarget              bool
}

// acledCodes is the mapping table. docs/acled.md shows the same rows with the
// reasons for each choice, and a test keeps the two in step.
var acledCodes = []acledCode{
	{"Battles", "", "190", false},
	{"Battles", "Armed clash", "190", false},
	{"Battles", "Government regains territory", "192", false},
	{"Battles", "Non-state actor overtakes territory", "192", false},
	{"Explosions/Remote violence", "", "190", false},
	{"Explosions/Remote violence", "Air/drone strike", "195", false},
	{"Explosions/Remote violence", "Shelling/artillery/missile attack", "194", false},
	{"Explosions/Remote violence", "Suicide bomb", "1831", false},
	{"Explosions/Remote violence", "Remote explosive/landmine/IED", "183", false},
	{"Explosions/Remote violence", "Grenade", "183", false},
	{"Explosions/Remote violence", "Chemical weapon", "2041", false},
	{"Violence against civilians", "", "180", false},
	{"Violence against civilians", "Attack", "180", false},
	{"Violence against civilians", "Sexual violence", "1821", false},
	{"Violence against civilians", "Abduction/forced disappearance", "181", false},
	{"Protests", "", "141", false},
	{"Protests", "Peaceful protest", "141", false},
	{"Protests", "Protest with intervention", "141", false},
	{"Protests", "Excessive force against protesters", "175", true},
	{"Riots", "", "145", false},
	{"Riots", "Violent demonstration", "145", false},
	{"Riots", "Mob violence", "145", false},
	{"Strategic developments", "", "010", false},
	{"Strategic developments", "Agreement", "057", false},
	{"Strategic developments", "Arrests", "173", false},
	{"Strategic developments", "Change to group/activity", "010", false},
	{"Strategic developments", "Disrupted weapons use", "190", false},
	{"Strategic developments", "Headquarters or base established", "154", false},
	{"Strategic developments", "Looting/property destruction", "171", false},
	{"Strategic developments", "Non-violent transfer of territory", "192", false},
	{"Strategic developments", "Other", "010", false},
}

// acledLookup finds the mapping row for an event, ignoring case. A sub-event
// type the table lacks takes its event type's default row; an event type it
// lacks gives nil.
func acledLookup(eventType, subEventType string) *acledCode {
	eventType, subEventType = strings.TrimSpace(eventType), strings.TrimSpace(subEventType)
	var def *acledCode
	for i := range acledCodes {
		c := &acledCodes[i]
		if !strings.EqualFold(c.eventType, eventType) {
			continue
		}
		if c.subEventType == "" {
			def = c
		} else if strings.EqualFold(c.subEventType, subEventType) {
			return c
		}
	}
	return def
}

// acledTypeNames lists the event types the table knows, for error messages.
func acledTypeNames() string {
	var names []string
	for _, c := range acledCodes {
		if c.subEventType == "" {
			names = append(names, c.eventType)
		}
	}
	return strings.Join(names, ", ")
}

// The columns the reader uses, found by their header names so that an export
// with its columns in another order, or with columns added, reads the same.
const (
	aID = iota
	aDate
	aType
	aSub
	aActor1
	aInter1
	aActor2
	aInter2
	aISO
	aCountry
	aAdmin1
	aLocation
	aLat
	aLon
	acledUsed
)

var acledColumns = [acledUsed]string{aID: "event_id_cnty", aDate: "event_date", aType: "event_type",
	aSub: "sub_event_type", aActor1: "actor1", aInter1: "inter1", aActor2: "actor2", aInter2: "inter2",
	aISO: "iso", aCountry: "country", aAdmin1: "admin1", aLocation: "location", aLat: "latitude", aLon: "longitude"}

// acledInterTypes maps ACLED's inter codes 1-8 to CAMEO actor types, and
// acledInterNames gives the text newer exports write instead of the number.
// Militias have no CAMEO type of their own and are unaligned armed forces;
// external forces are mostly foreign militaries (and UN missions, which CAMEO
// would call IGO, a loss the reader accepts).
var (
	acledInterTypes = [9]string{"", "MIL", "REB", "UAF", "UAF", "CVL", "OPP", "CVL", "MIL"}
	acledInterNames = [9]string{"", "State forces", "Rebel group", "Political militia", "Identity militia",
		"Rioters", "Protesters", "Civilians", "External/Other forces"}
)

const (
	interState     = 1
	interProtester = 6
	interExternal  = 8
)

// errACLEDHeader marks the fatal errors about a file's header, after which
// no row can be read.
var errACLEDHeader = errors.New("bad ACLED header")

// errACLEDTooLong is what acledGuard feeds the CSV reader when one record
// runs past its budget, so that an unclosed quote cannot pull the rest of a
// large file into memory.
var errACLEDTooLong = errors.New("ACLED record too long")

// acledGuard counts the bytes the CSV reader takes from the input since the
// start of the current record and fails the read once they pass limit.
type acledGuard struct {
	r               io.Reader
	n, start, limit int64
}

func (g *acledGuard) Read(p []byte) (int, error) {
	if g.n-g.start > g.limit {
		return 0, errACLEDTooLong
	}
	k, err := g.r.Read(p)
	g.n += int64(k)
	return k, err
}

// acledBuffer is the size of the CSV reader's input buffer; bytes it holds
// ahead count against the next record, so the guard allows that much more.
const acledBuffer = 64 << 10

// acledReader reads ACLED's CSV export: a header row naming 31 columns, then
// one event per record, with quoted fields (notes) that may span lines.
type acledReader struct {
	file      string
	guard     *acledGuard
	csv       *csv.Reader
	col       [acledUsed]int // row index of each used column
	names     []string       // header names, for reports on any column
	err       error          // sticky: a header or read error ends the file
	prevLine  int            // last line of the previous record
	recLine   int            // first line of the record Next last returned
	str       *strtab
	buf       []byte
	lastDate  string
	lastDateT time.Time
}

func newACLEDReader(file string, r io.Reader) Reader {
	g := &acledGuard{r: r, limit: maxLine + acledBuffer}
	c := csv.NewReader(bufio.NewReaderSize(g, acledBuffer))
	c.FieldsPerRecord = -1 // counted here, to say which count was wanted
	c.ReuseRecord = true
	return &acledReader{file: file, guard: g, csv: c, str: newStrtab()}
}

// Next implements Reader.
func (a *acledReader) Next(rec *Record) error {
	if a.err != nil {
		return a.err
	}
	if a.names == nil {
		if err := a.header(); err != nil {
			a.err = err
			return err
		}
	}
	row, err := a.read()
	if err != nil {
		return err
	}
	a.recLine, _ = a.csv.FieldPos(0)
	return a.parse(row, rec)
}

// read returns the next record, turning CSV syntax errors and over-long
// records into LineErrors; csv.Reader resumes at the next line after either.
func (a *acledReader) read() ([]string, error) {
	a.guard.start = a.guard.n
	row, err := a.csv.Read()
	var pe *csv.ParseError
	switch {
	case err == nil:
		a.prevLine, _ = a.csv.FieldPos(len(row) - 1)
		return row, nil
	case err == io.EOF:
		return nil, err
	case errors.As(err, &pe):
		a.prevLine = pe.Line
		return nil, &LineError{File: a.file, Line: pe.Line, Column: pe.Column, Reason: "malformed CSV: " + pe.Err.Error()}
	case errors.Is(err, errACLEDTooLong):
		line := a.prevLine + 1
		if len(row) > 0 {
			line, _ = a.csv.FieldPos(0)
		}
		return nil, &LineError{File: a.file, Line: line, Reason: fmt.Sprintf(
			"record is longer than %d bytes (an unclosed quote?); skipped", maxLine)}
	}
	a.err = fmt.Errorf("%s: after line %d: %w", a.file, a.prevLine, err)
	return nil, a.err
}

// header reads the header row and finds the used columns in it.
func (a *acledReader) header() error {
	row, err := a.csv.Read()
	if err == io.EOF {
		return err
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %w", a.file, errACLEDHeader, err)
	}
	for j := range a.col {
		a.col[j] = -1
	}
	a.names = make([]string, len(row))
	for i, name := range row {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // Excel's byte-order mark
		}
		a.names[i] = strings.ToLower(strings.TrimSpace(name))
		for j, want := range acledColumns {
			if a.names[i] == want && a.col[j] < 0 {
				a.col[j] = i
			}
		}
	}
	var missing []string
	for j := range a.col {
		if a.col[j] < 0 {
			missing = append(missing, acledColumns[j])
		}
	}
	a.prevLine, _ = a.csv.FieldPos(len(row) - 1)
	if len(missing) > 0 {
		return fmt.Errorf("%s:%d: %w: it lacks the column(s) %s; the reader needs %s", a.file, a.prevLine,
			errACLEDHeader, strings.Join(missing, ", "), strings.Join(acledColumns[:], ", "))
	}
	return nil
}

func (a *acledReader) parse(row []string, rec *Record) error {
	line, _ := a.csv.FieldPos(0)
	if len(row) != len(a.names) {
		return &LineError{File: a.file, Line: line, Reason: fmt.Sprintf("has %d columns, want %d", len(row), len(a.names))}
	}
	// csv.Reader passes any bytes through, so the row is checked here, field
	// by field: delimiters and quotes are ASCII, so this covers the raw row.
	for i, f := range row {
		if !utf8.ValidString(f) || strings.IndexByte(f, 0) >= 0 {
			l, c := a.csv.FieldPos(i)
			e := checkUTF8(a.file, l, []byte(f))
			e.Reason = fmt.Sprintf("%s (column %d): %s at byte %d of the field", a.names[i], i+1, e.Reason, e.Column)
			e.Column = c
			return e
		}
	}
	get := func(c int) string { return row[a.col[c]] }
	bad := func(c int, want string) error {
		i := a.col[c]
		l, col := a.csv.FieldPos(i)
		return fieldError(a.file, l, col, acledColumns[c], i, []byte(row[i]), want)
	}
	*rec = Record{Kind: KindEvent}
	ev := &rec.Event
	if ev.ID = strings.TrimSpace(get(aID)); ev.ID == "" {
		return bad(aID, "an event id")
	}
	ev.ID = strings.Clone(ev.ID) // the row's string also holds the notes
	t, ok := a.date(get(aDate))
	if !ok {
		return bad(aDate, `a date as 2006-01-02 or "2 January 2006"`)
	}
	ev.Time = t
	code := acledLookup(get(aType), get(aSub))
	if code == nil {
		return bad(aType, "an ACLED event type ("+acledTypeNames()+")")
	}
	ev.Code = code.code
	ev.Goldstein, ev.Quad, _ = cameo.Resolve(ev.Code)

	home, found := cameo.Country{}, false
	if iso := strings.TrimSpace(get(aISO)); iso != "" {
		n, ok := parseUint([]byte(iso))
		if !ok || n > 999 {
			return bad(aISO, "an ISO 3166-1 numeric country code")
		}
		home, found = cameo.CountryByISONumeric(n)
	}
	if !found { // ACLED gives Kosovo iso 0; its name still finds it
		home, _ = cameo.CountryByName(get(aCountry))
	}
	k1, k2 := acledInter(get(aInter1)), acledInter(get(aInter2))
	ev.Source = a.actor(get(aActor1), k1, home.Code)
	ev.Target = a.actor(get(aActor2), k2, home.Code)
	if code.protestersTarget && k1 == interProtester && k2 != interProtester && ev.Target.Name != "" {
		ev.Source, ev.Target = ev.Target, ev.Source
	}

	loc := &ev.Location
	loc.Country = locationFIPS(home, get(aAdmin1))
	a.buf = a.buf[:0]
	for _, p := range [...]string{get(aLocation), get(aAdmin1), get(aCountry)} {
		if p = strings.TrimSpace(p); p != "" {
			if len(a.buf) > 0 {
				a.buf = append(a.buf, ", "...)
			}
			a.buf = append(a.buf, p...)
		}
	}
	loc.Name = a.str.get(a.buf)
	if lat, lon := strings.TrimSpace(get(aLat)), strings.TrimSpace(get(aLon)); lat != "" || lon != "" {
		var ok bool
		if loc.Lat, ok = acledFloat(lat, 90); !ok {
			return bad(aLat, "a latitude")
		}
		if loc.Lon, ok = acledFloat(lon, 180); !ok {
			return bad(aLon, "a longitude")
		}
		loc.HasCoords = true
	}
	ev.Dataset = "acled"
	ev.Public = true
	return nil
}

// actor builds one side of an event. Domestic actors take the event's
// country; external forces (inter 8) are usually another state's, named in
// the actor text ("Military Forces of Israel (2022-)"), and otherwise have
// no country rather than a wrong one.
func (a *acledReader) actor(name string, inter int, home string) Actor {
	if name = strings.TrimSpace(name); name == "" {
		return Actor{}
	}
	act := Actor{Name: a.str.getString(name), Type: acledInterTypes[inter], Country: home}
	if (inter == interState || inter == interExternal) && strings.Contains(name, "Police Forces of ") {
		act.Type = "COP"
	}
	if inter == interExternal {
		act.Country = acledForeignCountry(name)
	}
	return act
}

// acledForeignCountry finds the country in "... of Country (years) unit".
func acledForeignCountry(name string) string {
	_, c, ok := strings.Cut(name, " of ")
	if !ok {
		return ""
	}
	if i := strings.IndexByte(c, '('); i >= 0 {
		c = c[:i]
	}
	c = strings.TrimSpace(c)
	country, ok := cameo.CountryByName(c)
	if !ok && len(c) > 4 && strings.EqualFold(c[:4], "the ") {
		country, _ = cameo.CountryByName(c[4:])
	}
	return country.Code
}

// acledInter reads an inter code as a number or as its text form; anything
// else is 0, which leaves the actor's type empty.
func acledInter(s string) int {
	s = strings.TrimSpace(s)
	if len(s) == 1 && s[0] >= '1' && s[0] <= '8' {
		return int(s[0] - '0')
	}
	for i := 1; i < len(acledInterNames); i++ {
		if strings.EqualFold(s, acledInterNames[i]) {
			return i
		}
	}
	return 0
}

// date parses ACLED's event_date: ISO dates, or "15 January 2024" in older
// exports. Rows of one export share dates, so the last parse is kept.
func (a *acledReader) date(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == a.lastDate && s != "" {
		return a.lastDateT, true
	}
	t, ok := parseISODate([]byte(s))
	for _, layout := range [...]string{"2 January 2006", "2 Jan 2006"} {
		if !ok {
			var err error
			t, err = time.Parse(layout, s)
			ok = err == nil
		}
	}
	ok = ok && t.Year() >= 1900 // ACLED starts in 1997; year 1 is the zero Time
	if ok {
		a.lastDate, a.lastDateT = strings.Clone(s), t
	}
	return t, ok
}

// acledFloat parses a finite coordinate within ±limit.
func acledFloat(s string, limit float64) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && math.Abs(v) <= limit
}
