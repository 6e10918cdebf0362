package event

import (
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
	head = bytes.TrimPrefix(head, utf8BOM)
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
// the format detected from its content when format is FormatAuto. A UTF-8
// byte-order mark at the start is dropped. Zip archives (GDELT's
// *.export.CSV.zip) are read directly, member by member; a member that cannot
// be read (a README beside the data) is reported by Next as a *LineError at
// line 0 and skipped. An empty file opens as a reader with no records. Open
// fails when the file cannot be opened, is not a zip archive although it looks
// like one, is binary, has no recognizable format, or is an archive none of
// whose members can be read; the error then names the file and says why.
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

// utf8BOM is the byte-order mark some tools (Excel, Notepad) put at the start of
// a UTF-8 file. It is not part of the first line: Open drops it.
var utf8BOM = []byte("\ufeff")

// openText opens a text input, br, whose first bytes are head: it drops a
// byte-order mark and detects the format when format is FormatAuto.
func openText(name string, br *bufio.Reader, head []byte, format Format) (*File, error) {
	if bytes.HasPrefix(head, utf8BOM) {
		br.Discard(len(utf8BOM)) // head holds it, so this cannot fail
		head = head[len(utf8BOM):]
	}
	if len(head) == 0 {
		if format == FormatAuto {
			format = FormatJSONL
		}
		return &File{Name: name, Format: format, r: newReader(format, name, br)}, nil
	}
	if format == FormatAuto {
		f, ok := Detect(head)
		if !ok {
			return nil, &formatError{name: name, detail: whyUnknown(head)}
		}
		format = f
	}
	return &File{Name: name, Format: format, r: newReader(format, name, br)}, nil
}

// formatError is Open's error for content of no known format.
type formatError struct {
	name, detail string
}

func (e *formatError) Error() string {
	return fmt.Sprintf("%s: %v: %s", e.name, ErrUnknownFormat, e.detail)
}

func (e *formatError) Unwrap() error { return ErrUnknownFormat }

// whyUnknown says what content that Detect could not place looks like.
func whyUnknown(head []byte) string {
	if bytes.IndexByte(head, 0) >= 0 || !isMostlyText(head) {
		return "binary content, not a text event file or a zip archive"
	}
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	return fmt.Sprintf("the first line has %d tab-separated columns and no known header; "+
		"want GDELT rows (57, 58 or 61 columns), an ICEWS or ACLED header, or JSON objects; "+
		"name the format with --format", bytes.Count(first, []byte{'\t'})+1)
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
