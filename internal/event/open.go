package event

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
)

// Reader streams records from one input.
type Reader interface {
	// Next fills rec with the next record. It returns io.EOF after the last
	// record; a *LineError when the line it reached is malformed, after which
	// the reader is still usable and the next call moves past that line; and
	// any other error when the input cannot be read further.
	Next(rec *Record) error
}

// Format names an input format.
type Format string

// The formats the readers understand. FormatAuto detects the format from the
// content.
const (
	FormatAuto   Format = ""
	FormatGDELT1 Format = "gdelt1"
	FormatGDELT2 Format = "gdelt2"
	FormatICEWS  Format = "icews"
	FormatACLED  Format = "acled"
	FormatJSONL  Format = "jsonl"
)

// Formats lists the formats a user can name, for help text and errors.
var Formats = []Format{FormatGDELT1, FormatGDELT2, FormatICEWS, FormatACLED, FormatJSONL}

// ParseFormat checks a user's --format value; "" and "auto" mean detect.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return FormatAuto, nil
	}
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q; want auto, %s", s, strings.Join(names, ", "))
}

// newReader returns the reader for a known format.
func newReader(f Format, name string, r io.Reader) Reader {
	switch f {
	case FormatGDELT1, FormatGDELT2:
		return newGDELTReader(name, r)
	case FormatICEWS:
		return newICEWSReader(name, r)
	case FormatACLED:
		return newACLEDReader(name, r)
	default:
		return newJSONLReader(name, r)
	}
}

// peekSize is how much of a file detection looks at.
const peekSize = 64 << 10

// Detect guesses the format of text from its first lines: a JSON object is
// JSONL, ICEWS and ACLED have their own headers, and GDELT rows are told apart
// by their number of tab-separated columns (57 or 58: 1.0; 61: 2.0). It looks
// past lines it cannot place, so one damaged first row does not hide a file's
// format. ok is false when nothing fits.
func Detect(head []byte) (f Format, ok bool) {
	for range 20 {
		if len(head) == 0 {
			break
		}
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		trimmed := bytes.TrimSpace(line)
		switch {
		case len(trimmed) == 0:
			continue
		case trimmed[0] == '{':
			return FormatJSONL, true
		case bytes.HasPrefix(line, []byte("Event ID\tEvent Date\t")):
			return FormatICEWS, true
		case bytes.HasPrefix(trimmed, []byte("event_id_cnty,")) || bytes.HasPrefix(trimmed, []byte(`"event_id_cnty",`)):
			return FormatACLED, true
		}
		switch bytes.Count(line, []byte{'\t'}) + 1 {
		case 57, 58:
			return FormatGDELT1, true
		case 61:
			return FormatGDELT2, true
		}
	}
	return "", false
}

// File is an open input: a Reader over one file, a zip archive's members in
// turn, or standard input.
type File struct {
	// Name is how errors name the input.
	Name string
	// Format is the format given or detected (of the first member, for a zip).
	Format Format
	r      Reader
	closer io.Closer
	// size and read measure progress through a plain file; size is 0 for
	// standard input.
	size int64
	read *atomic.Int64
}

// Progress reports how many bytes of the file have been read and its size, for
// a progress display; total is 0 when the size is not known (standard input).
// It is safe to call from another goroutine while the file is being read.
func (f *File) Progress() (done, total int64) {
	if f.read == nil {
		return 0, f.size
	}
	return f.read.Load(), f.size
}

// countingReader counts the bytes that pass through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Next implements Reader.
func (f *File) Next(rec *Record) error { return f.r.Next(rec) }

// Close releases the file.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// Open opens path ("-" for standard input) for reading records in format, or in
// the format detected from its content when format is FormatAuto. Zip archives
// (GDELT's *.export.CSV.zip) are read directly, member by member. An empty file
// opens as a reader with no records. Open fails when the file cannot be opened,
// is not a zip archive although it looks like one, is binary, or has no
// recognizable format; the error then names the file and says why.
func Open(path string, format Format) (*File, error) {
	var (
		rd     io.Reader
		closer io.Closer
		size   int64
		read   = new(atomic.Int64)
	)
	if path == "-" {
		rd = os.Stdin
		path = "<stdin>"
	} else {
		osf, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		if st, err := osf.Stat(); err == nil && st.IsDir() {
			osf.Close()
			return nil, fmt.Errorf("%s: is a directory; give event files", path)
		} else if err == nil {
			size = st.Size()
		}
		rd, closer = countingReader{osf, read}, osf
	}
	br := bufio.NewReaderSize(rd, maxLine)
	head, err := br.Peek(peekSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		if closer != nil {
			closer.Close()
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")) {
		osf, isFile := closer.(*os.File)
		if !isFile || path == "<stdin>" {
			return nil, fmt.Errorf("%s: a zip archive can only be read from a file, not standard input", path)
		}
		f, err := openZip(path, osf, format)
		if err != nil {
			osf.Close()
			return nil, err
		}
		return f, nil
	}
	f, err := openText(path, br, head, format)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, err
	}
	f.closer = closer
	f.size, f.read = size, read
	return f, nil
}

func openText(name string, br *bufio.Reader, head []byte, format Format) (*File, error) {
	if len(head) == 0 {
		if format == FormatAuto {
			format = FormatJSONL
		}
		return &File{Name: name, Format: format, r: newReader(format, name, br)}, nil
	}
	if format == FormatAuto {
		f, ok := Detect(head)
		if !ok {
			if bytes.IndexByte(head, 0) >= 0 || !isMostlyText(head) {
				return nil, fmt.Errorf("%s: %w: binary content, not a text event file or a zip archive", name, ErrUnknownFormat)
			}
			first := head
			if i := bytes.IndexByte(first, '\n'); i >= 0 {
				first = first[:i]
			}
			return nil, fmt.Errorf("%s: %w: the first line has %d tab-separated columns and no known header; "+
				"want GDELT rows (57, 58 or 61 columns), an ICEWS or ACLED header, or JSON objects; "+
				"name the format with --format", name, ErrUnknownFormat, bytes.Count(first, []byte{'\t'})+1)
		}
		format = f
	}
	return &File{Name: name, Format: format, r: newReader(format, name, br)}, nil
}

func isMostlyText(b []byte) bool {
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			ctl++
		}
	}
	return ctl*100 < len(b)
}

// zipReader reads the members of an archive one after another.
type zipReader struct {
	path    string
	members []*zip.File
	format  Format
	cur     Reader
	curRC   io.ReadCloser
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
	if err := z.advance(); err != nil {
		return nil, err
	}
	shown := format
	if zf, ok := z.cur.(*File); ok {
		shown = zf.Format
	}
	return &File{Name: path, Format: shown, r: z, closer: multiCloser{z, f}}, nil
}

// advance opens the next member.
func (z *zipReader) advance() error {
	if z.curRC != nil {
		z.curRC.Close()
		z.curRC, z.cur = nil, nil
	}
	if len(z.members) == 0 {
		return io.EOF
	}
	m := z.members[0]
	z.members = z.members[1:]
	rc, err := m.Open()
	if err != nil {
		return fmt.Errorf("%s!%s: unreadable zip member: %w", z.path, m.Name, err)
	}
	name := z.path + "!" + m.Name
	br := bufio.NewReaderSize(rc, maxLine)
	head, err := br.Peek(peekSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		rc.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	f, err := openText(name, br, head, z.format)
	if err != nil {
		rc.Close()
		return err
	}
	z.cur, z.curRC = f, rc
	return nil
}

func (z *zipReader) Next(rec *Record) error {
	for {
		if z.cur == nil {
			return io.EOF
		}
		err := z.cur.Next(rec)
		if err != io.EOF {
			return err
		}
		if err := z.advance(); err != nil {
			return err
		}
	}
}

func (z *zipReader) Close() error {
	if z.curRC != nil {
		return z.curRC.Close()
	}
	return nil
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
