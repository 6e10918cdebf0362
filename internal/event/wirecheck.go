package event

import (
	"fmt"
	"strings"

	"backchannel/internal/cameo"
)

// The JSONL form is written by people (scenario timelines, analysts' notes) as
// well as by the project, so it is held to the project's tables where the
// dataset readers take what the datasets give: an event code must be in the
// CAMEO table, a quad must agree with the code, and countries must be codes,
// not names. A dataset's file is what it is; a hand-written line is checked.

// quadNames names the quad classes, for messages.
var quadNames = [...]string{"", "verbal cooperation", "material cooperation", "verbal conflict", "material conflict"}

// lookupCode returns the table's entry for a syntactically valid code, or an
// error naming the code and the nearest code the table has.
func lookupCode(code string) (cameo.Code, error) {
	if c, ok := cameo.Lookup(code); ok {
		return c, nil
	}
	for n := len(code) - 1; n >= 2; n-- {
		if c, ok := cameo.Lookup(code[:n]); ok {
			return cameo.Code{}, fmt.Errorf("%q is not in the project's CAMEO table; the nearest code it has is %q (%s)", code, c.Code, c.Label)
		}
	}
	return cameo.Code{}, fmt.Errorf("%q is not in the project's CAMEO table", code)
}

// checkActorCountry checks an actor's country: empty, or a CAMEO country code
// of the table ("ISR"). A name or a lower-case code gets a suggestion.
func checkActorCountry(s string) error {
	if s == "" {
		return nil
	}
	if _, ok := cameo.CountryByCode(s); ok {
		return nil
	}
	const want = "is not a CAMEO country code (three capital letters, as \"ISR\" or \"IRN\")"
	if c, ok := cameo.CountryByCode(strings.ToUpper(strings.TrimSpace(s))); ok {
		return fmt.Errorf("%q %s; did you mean %q (%s)?", s, want, c.Code, c.Name)
	}
	if c, ok := cameo.CountryByName(s); ok {
		return fmt.Errorf("%q %s; did you mean %q (%s)?", s, want, c.Code, c.Name)
	}
	return fmt.Errorf("%q %s", s, want)
}

// fipsOutsideTable are the FIPS 10-4 codes GDELT writes in location fields that
// name no country of the table, and so pass without one (the cameo package's
// tests list the same codes for GDELT's files).
var fipsOutsideTable = map[string]string{
	"OS": "oceans and seas",
	"YI": "Serbia and Montenegro, a retired code",
}

// checkLocationCountry checks a location's country: empty, or a FIPS 10-4
// code as GDELT writes locations ("IR" for Iran). A CAMEO code, a name or a
// lower-case code gets a suggestion.
func checkLocationCountry(s string) error {
	if s == "" {
		return nil
	}
	if _, ok := cameo.CountryByFIPS(s); ok {
		return nil
	}
	if _, ok := fipsOutsideTable[s]; ok {
		return nil
	}
	const want = "is not a FIPS 10-4 country code (locations use FIPS, as GDELT does: \"IR\" for Iran, \"IS\" for Israel)"
	up := strings.ToUpper(strings.TrimSpace(s))
	c, ok := cameo.CountryByFIPS(up)
	if !ok {
		c, ok = cameo.CountryByCode(up)
	}
	if !ok {
		c, ok = cameo.CountryByName(s)
	}
	if ok && c.FIPS != "" {
		return fmt.Errorf("%q %s; did you mean %q (%s)?", s, want, c.FIPS, c.Name)
	}
	if ok && c.Code == "PSE" {
		return fmt.Errorf("%q %s; FIPS 10-4 has no code for %s as a whole: use \"WE\" (West Bank) or \"GZ\" (Gaza Strip), or leave the country out", s, want, c.Name)
	}
	if ok {
		return fmt.Errorf("%q %s; FIPS 10-4 has no code for %s: leave the country out", s, want, c.Name)
	}
	return fmt.Errorf("%q %s", s, want)
}
