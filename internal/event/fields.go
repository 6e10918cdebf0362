package event

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"backchannel/internal/cameo"
)

// splitTabs cuts line at tabs into dst and returns the number of fields found,
// which may exceed len(dst) (the extra fields are counted, not stored).
//
// GDELT rows have some sixty short fields, where a call to bytes.IndexByte per
// field costs more than the search; this looks at eight bytes at a time
// instead, finding the tabs in a word with the classic has-zero-byte trick.
func splitTabs(line []byte, dst [][]byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		tabs  = ones * '\t'
	)
	n, start, i := 0, 0, 0
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ tabs // tab bytes become zero
		m := (x - ones) &^ x & highs
		for m != 0 {
			// The lowest flagged byte is always a true zero; the trick can
			// only flag false positives above a true one, so re-check each.
			j := i + bits.TrailingZeros64(m)/8
			m &= m - 1
			if line[j] != '\t' {
				continue
			}
			if n < len(dst) {
				dst[n] = line[start:j]
			}
			n++
			start = j + 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == '\t' {
			if n < len(dst) {
				dst[n] = line[start:i]
			}
			n++
			start = i + 1
		}
	}
	if n < len(dst) {
		dst[n] = line[start:]
	}
	return n + 1
}

// fieldError builds the report for one bad field of a delimited line. col is the
// 1-based byte column of the field, when the caller knows it.
func fieldError(file string, line, col int, name string, index int, value []byte, want string) *LineError {
	v := string(value)
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return &LineError{File: file, Line: line, Column: col,
		Reason: fmt.Sprintf("%s (column %d): %q is not %s", name, index+1, v, want)}
}

// locationFIPS returns the FIPS 10-4 code of a location in country c, as
// GDELT writes locations. Palestine has none: FIPS 10-4 codes the West Bank
// (WE) and the Gaza Strip (GZ) instead, so a location there takes the code of
// the region the dataset names within the country (ICEWS's Province, ACLED's
// admin1: "Gaza Strip", "West Bank"), and none when it names no such region.
func locationFIPS(c cameo.Country, region string) string {
	if c.FIPS != "" || c.Code == "" {
		return c.FIPS
	}
	if r, ok := cameo.CountryByName(region); ok {
		return r.FIPS
	}
	return ""
}

// checkUTF8 reports the first invalid byte of a line as a LineError: a byte
// sequence that is not UTF-8, or a NUL, which no text format carries and which
// marks binary data.
func checkUTF8(file string, n int, line []byte) *LineError {
	if z := bytes.IndexByte(line, 0); z >= 0 {
		return &LineError{File: file, Line: n, Column: z + 1, Reason: "binary data: NUL byte in a text line"}
	}
	if utf8.Valid(line) {
		return nil
	}
	i := 0
	for i < len(line) {
		r, size := utf8.DecodeRune(line[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return &LineError{File: file, Line: n, Column: i + 1, Reason: fmt.Sprintf("invalid UTF-8 (byte 0x%02x)", line[i])}
}

// parseUint parses a non-negative decimal integer; an empty field is 0.
func parseUint(b []byte) (int, bool) {
	if len(b) > 18 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseFloat parses a finite decimal number.
func parseFloat(b []byte) (float64, bool) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

func digits(b []byte) int {
	v := 0
	for _, c := range b {
		v = v*10 + int(c-'0')
	}
	return v
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// arena copies short-lived byte slices into strings carved out of shared
// blocks, so a reader makes one allocation per block instead of one per field.
// A block is never written where a string already points, so the strings stay
// immutable; a block lives as long as any string cut from it.
type arena struct {
	block []byte
}

const arenaBlock = 64 << 10

func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaBlock/8 {
		return string(b)
	}
	if len(a.block)+len(b) > cap(a.block) {
		a.block = make([]byte, 0, arenaBlock)
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[start], len(b))
}

// strtab shares the strings of fields that repeat (country and type codes,
// event codes, names) so that a long file does not allocate one per row. It
// stops adding to its map once full, which keeps memory flat on any file;
// past that, new strings are cut from an arena rather than allocated one by
// one. Every string it returns is a copy: none pins the line it came from.
type strtab struct {
	m   map[string]string
	mem arena
}

const internMax = 1 << 14

func newStrtab() *strtab { return &strtab{m: map[string]string{}} }

func (t *strtab) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := t.m[string(b)]; ok {
		return s
	}
	if len(t.m) >= internMax {
		return t.mem.str(b)
	}
	s := string(b)
	t.m[s] = s
	return s
}

// getString is get for a string the caller does not own (a field of a CSV
// record that the next row overwrites).
func (t *strtab) getString(s string) string {
	return t.get(unsafe.Slice(unsafe.StringData(s), len(s)))
}
