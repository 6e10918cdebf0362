package event

import (
	"errors"
	"fmt"
	"time"
)

// ParseTime reads a time as the JSONL form, the scenario files and the command
// line write it: an RFC 3339 time ("2025-06-13T03:00:00Z", any offset, returned
// in UTC) or a plain date ("2025-06-13", midnight UTC), in the years MinYear to
// MaxYear. The error quotes s and shows both accepted forms.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing; want an RFC 3339 time such as 2025-06-13T03:00:00Z or a date 2025-06-13")
	}
	if t, ok := parseISODate([]byte(s)); ok {
		return t, nil
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		return time.Time{}, fmt.Errorf("%q is not a date from %d-01-01 to %d-12-31", s, MinYear, MaxYear)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time (2025-06-13T03:00:00Z) or a date (2025-06-13)", s)
	}
	if !InRange(t) {
		return time.Time{}, fmt.Errorf("%q is outside the years %d to %d", s, MinYear, MaxYear)
	}
	return t.UTC(), nil
}

// parseCompactTime parses YYYYMMDD or YYYYMMDDHHMMSS as UTC, rejecting dates
// that do not exist (time.Date would quietly roll 20250230 into March).
func parseCompactTime(b []byte) (time.Time, bool) {
	if (len(b) != 8 && len(b) != 14) || !allDigits(b) {
		return time.Time{}, false
	}
	y, mo, d := digits(b[0:4]), digits(b[4:6]), digits(b[6:8])
	h, mi, s := 0, 0, 0
	if len(b) == 14 {
		h, mi, s = digits(b[8:10]), digits(b[10:12]), digits(b[12:14])
	}
	return makeTime(y, mo, d, h, mi, s)
}

// parseISODate parses YYYY-MM-DD as midnight UTC.
func parseISODate(b []byte) (time.Time, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' || !allDigits(b[0:4]) || !allDigits(b[5:7]) || !allDigits(b[8:10]) {
		return time.Time{}, false
	}
	return makeTime(digits(b[0:4]), digits(b[5:7]), digits(b[8:10]), 0, 0, 0)
}

// MinYear and MaxYear bound the times records may carry. Coded event data
// begins in the twentieth century; the bounds keep a mistyped year from
// becoming Go's zero time (year 1) or a time RFC 3339 cannot write (after 9999).
const (
	MinYear = 1900
	MaxYear = 2199
)

// InRange reports whether t lies within the years records may carry.
func InRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y <= MaxYear
}

func makeTime(y, mo, d, h, mi, s int) (time.Time, bool) {
	if y < MinYear || y > MaxYear || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}
