package event

import (
	"errors"
	"fmt"
)

// LineError reports one malformed line. Readers return it from Next and remain
// usable: the next call reads the next line.
type LineError struct {
	File string
	// Line is 1-based, or 0 when the fault is with the whole file: a zip
	// archive's member that is skipped.
	Line   int
	Column int // 1-based byte column, or 0 when the whole line is at fault
	Reason string
}

func (e *LineError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// ErrUnknownFormat is returned (wrapped) by Open when no reader recognizes a
// file's content and no format was given.
var ErrUnknownFormat = errors.New("unknown format")
