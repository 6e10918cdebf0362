package event

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds a line so that a file with no newlines (a binary blob, a
// runaway JSON document) cannot make a reader hold it whole.
const maxLine = 1 << 20

// lines splits a stream into lines without copying them: the slice returned by
// next is valid until the following call. It strips "\n" and "\r\n".
type lines struct {
	file string
	r    *bufio.Reader
	n    int // number of the line last returned, 1-based
}

func newLines(file string, r io.Reader) *lines {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < maxLine {
		br = bufio.NewReaderSize(r, maxLine)
	}
	return &lines{file: file, r: br}
}

// next returns the next line, io.EOF at the end, a *LineError for a line longer
// than maxLine (which it skips), or the underlying read error.
func (l *lines) next() ([]byte, error) {
	line, err := l.r.ReadSlice('\n')
	switch {
	case err == nil:
		l.n++
		line = line[:len(line)-1]
	case errors.Is(err, bufio.ErrBufferFull):
		l.n++
		skipped := len(line)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = l.r.ReadSlice('\n')
			skipped += len(line)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: line %d: %w", l.file, l.n, err)
		}
		return nil, &LineError{File: l.file, Line: l.n, Reason: fmt.Sprintf("line is longer than %d bytes (%d); skipped", maxLine, skipped)}
	case err == io.EOF:
		if len(line) == 0 {
			return nil, io.EOF
		}
		l.n++ // a last line with no newline
	default:
		return nil, fmt.Errorf("%s: after line %d: %w", l.file, l.n, err)
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, nil
}

// blank reports whether a line holds nothing but spaces, tabs and carriage
// returns. Blank lines
// carry no record in any format and are passed over without a report.
func blank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
