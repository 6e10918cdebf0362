package event

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// zipReader reads the members of an archive one after another. A member
// that cannot be read (of no known format, unreadable, or with a header its
// reader refuses) is reported as a *LineError for the member, at line 0, and
// skipped: one README in an archive must not cost the data beside it.
type zipReader struct {
	path    string
	members []*zip.File // those not yet opened
	format  Format
	cur     *File // the member being read, or nil
	curRC   io.ReadCloser
	pending []*LineError // members skipped while opening the archive
}

func openZip(path string, f *os.File, format Format) (*File, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: unreadable zip archive: %w", path, err)
	}
	z := &zipReader{path: path, format: format}
	for _, m := range zr.File {
		if !m.FileInfo().IsDir() {
			z.members = append(z.members, m)
		}
	}
	if len(z.members) == 0 {
		return nil, fmt.Errorf("%s: the zip archive holds no files", path)
	}
	// Open the first member that can be read, so that the archive's format
	// is known and an archive of nothing readable fails here, as a plain
	// file of no known format does.
	var first error
	for z.cur == nil && len(z.members) > 0 {
		if me := z.open(); me != nil {
			if first == nil {
				first = me
			}
			z.pending = append(z.pending, me.lineError())
		}
	}
	if z.cur == nil {
		return nil, fmt.Errorf("%s: no member of the zip archive can be read; the first: %w", path, first)
	}
	return &File{Name: path, Format: z.cur.Format, r: z, closer: multiCloser{z, f}}, nil
}

// open opens the next member as z.cur, or says why the member is skipped.
func (z *zipReader) open() *memberErr {
	m := z.members[0]
	z.members = z.members[1:]
	name := z.path + "!" + m.Name
	rc, err := m.Open()
	if err != nil {
		return &memberErr{name: name, err: fmt.Errorf("unreadable zip member: %w", err)}
	}
	br := bufio.NewReaderSize(rc, maxLine)
	head, err := br.Peek(peekSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		rc.Close()
		return &memberErr{name: name, err: err}
	}
	f, err := openText(name, br, head, z.format)
	if err != nil {
		rc.Close()
		return &memberErr{name: name, err: err}
	}
	z.cur, z.curRC = f, rc
	return nil
}

// closeMember ends the reading of the current member.
func (z *zipReader) closeMember() {
	if z.curRC != nil {
		z.curRC.Close()
	}
	z.cur, z.curRC = nil, nil
}

func (z *zipReader) Next(rec *Record) error {
	for {
		if len(z.pending) > 0 {
			le := z.pending[0]
			z.pending = z.pending[1:]
			return le
		}
		if z.cur == nil {
			if len(z.members) == 0 {
				return io.EOF
			}
			if me := z.open(); me != nil {
				return me.lineError()
			}
			continue
		}
		err := z.cur.Next(rec)
		if _, isLine := err.(*LineError); err == nil || isLine {
			return err
		}
		name := z.cur.Name
		z.closeMember()
		if err != io.EOF {
			me := &memberErr{name: name, err: err, partly: true}
			return me.lineError()
		}
	}
}

func (z *zipReader) Close() error {
	if z.curRC != nil {
		return z.curRC.Close()
	}
	return nil
}

// memberErr is why a zip member, name, is skipped (partly: after some of it
// was read).
type memberErr struct {
	name   string
	err    error
	partly bool
}

func (e *memberErr) Error() string {
	if strings.HasPrefix(e.err.Error(), e.name) {
		return e.err.Error() // the reader's errors name the member already
	}
	return e.name + ": " + e.err.Error()
}

func (e *memberErr) Unwrap() error { return e.err }

// lineError reports a skipped member as the rejection of its line 0, or of
// the line a reader's fatal error names ("name:1: ICEWS header has ...").
func (e *memberErr) lineError() *LineError {
	var fe *formatError
	if errors.As(e.err, &fe) {
		return &LineError{File: e.name, Reason: "unknown format; member skipped: " + fe.detail}
	}
	le := &LineError{File: e.name, Reason: e.err.Error()}
	if rest, ok := strings.CutPrefix(le.Reason, e.name+":"); ok {
		le.Reason = strings.TrimSpace(rest)
		if n, reason, ok := strings.Cut(le.Reason, ": "); ok {
			if v, err := strconv.Atoi(n); err == nil && v > 0 {
				le.Line, le.Reason = v, reason
			}
		}
	}
	if e.partly {
		le.Reason += "; rest of the member skipped"
	} else {
		le.Reason += "; member skipped"
	}
	return le
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
