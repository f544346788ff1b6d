package passlist

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// BrokenFileError says why a file is not an invalid-passport list that can be imported. The list
// in the database is left as it was.
type BrokenFileError struct {
	Reason string
	Err    error // the underlying read or decompression error, if any
}

func (e *BrokenFileError) Error() string {
	if e.Err != nil {
		return "broken file: " + e.Reason + ": " + e.Err.Error()
	}
	return "broken file: " + e.Reason
}

func (e *BrokenFileError) Unwrap() error { return e.Err }

func broken(err error, format string, args ...any) *BrokenFileError {
	return &BrokenFileError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// Counts describes what an import read.
type Counts struct {
	Rows       int64 // data rows (not blank, not the header)
	Valid      int64 // rows that gave a key
	Padded     int64 // of Valid: rows whose series or number had lost leading zeros, restored
	Junk       int64 // rows that are not SERIES,NUMBER: skipped
	Duplicates int64 // valid rows whose key an earlier row already had
	Entries    int64 // distinct keys: Valid − Duplicates
}

// Reading limits.
const (
	readBuffer = 1 << 20 // bytes; a line longer than this is junk
	// junkAllowance rows and junkByteAllowance bytes of junk are tolerated in any file, so that
	// a small hand-made file with a stray line is not refused by the share rule.
	junkAllowance     = 10
	junkByteAllowance = 4096
)

// headerFields are the column names of the МВД list, compared without regard to case.
var headerFields = [2][]byte{[]byte("PASSP_SERIES"), []byte("PASSP_NUMBER")}

// listReader reads the CSV form of the list into keys.
type listReader struct {
	br        *bufio.Reader
	term      byte // line terminator: '\n', or '\r' for a file with old Mac line ends
	delim     byte // ',' or ';', as the header has it
	counts    Counts
	junkBytes int64
	bytes     int64
	progress  func(rows int64)
}

// readList reads a whole list: the header, then one SERIES,NUMBER a line. It fails with a
// *BrokenFileError when the input is not such a list (see the package doc for the rules); junk
// rows within the allowed share are counted and skipped.
func readList(ctx context.Context, r io.Reader, maxJunkShare float64, progress func(rows int64)) (*keyBuffer, Counts, error) {
	lr := &listReader{br: bufio.NewReaderSize(r, readBuffer), progress: progress}
	if err := lr.readHeader(); err != nil {
		return nil, Counts{}, err
	}
	kb := &keyBuffer{}
	if err := lr.readRows(ctx, kb); err != nil {
		return nil, Counts{}, err
	}
	c := lr.counts
	if c.Valid == 0 {
		return nil, c, broken(nil, "no passport rows after the header")
	}
	share := float64(c.Junk) / float64(c.Rows)
	byteShare := float64(lr.junkBytes) / float64(max(lr.bytes, 1))
	if c.Junk > junkAllowance && share > maxJunkShare || lr.junkBytes > junkByteAllowance && byteShare > maxJunkShare {
		return nil, c, broken(nil, "%d of %d rows (%.1f%%, %.1f%% of the bytes) are not SERIES,NUMBER; at most %.1f%% may be",
			c.Junk, c.Rows, 100*share, 100*byteShare, 100*maxJunkShare)
	}
	return kb, c, nil
}

func (lr *listReader) readHeader() error {
	peek, err := lr.br.Peek(4096)
	if len(peek) == 0 {
		if err != nil && err != io.EOF {
			return broken(err, "cannot read")
		}
		return broken(nil, "the file is empty")
	}
	lr.term = '\n'
	if cr := bytes.IndexByte(peek, '\r'); cr >= 0 && cr+1 < len(peek) && peek[cr+1] != '\n' &&
		(bytes.IndexByte(peek, '\n') < 0 || bytes.IndexByte(peek, '\n') > cr) {
		lr.term = '\r'
	}
	line, err := lr.br.ReadSlice(lr.term)
	if err != nil && err != io.EOF {
		if errors.Is(err, bufio.ErrBufferFull) {
			return broken(nil, "the first line is not the header PASSP_SERIES,PASSP_NUMBER")
		}
		return broken(err, "cannot read")
	}
	lr.bytes += int64(len(line))
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	delim, ok := parseHeader(line)
	if !ok {
		return broken(nil, "the first line is %s, not the header PASSP_SERIES,PASSP_NUMBER", quoteStart(line))
	}
	lr.delim = delim
	return nil
}

// parseHeader accepts the header PASSP_SERIES,PASSP_NUMBER in any case, with ',' or ';' between,
// the names optionally quoted, spaces around, and returns the delimiter.
func parseHeader(line []byte) (byte, bool) {
	line = trimSpace(line)
	for _, delim := range []byte{',', ';'} {
		a, b, found := bytes.Cut(line, []byte{delim})
		if !found {
			continue
		}
		if headerName(a, headerFields[0]) && headerName(b, headerFields[1]) {
			return delim, true
		}
	}
	return 0, false
}

func headerName(f, want []byte) bool {
	f = trimSpace(f)
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
		f = trimSpace(f[1 : len(f)-1])
	}
	return bytes.EqualFold(f, want)
}

// quoteStart shows the beginning of a bad line in an error message, printable ASCII only (the
// line is not a passport row, so it carries no personal data).
func quoteStart(line []byte) string {
	line = trimSpace(line)
	if len(line) > 40 {
		line = line[:40]
	}
	out := make([]byte, 0, len(line))
	for _, c := range line {
		if c < 0x20 || c >= 0x7f {
			c = '?'
		}
		out = append(out, c)
	}
	return fmt.Sprintf("%q", out)
}

func (lr *listReader) readRows(ctx context.Context, kb *keyBuffer) error {
	c := &lr.counts
	for {
		line, err := lr.br.ReadSlice(lr.term)
		lr.bytes += int64(len(line))
		switch {
		case err == nil:
			line = line[:len(line)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			lr.row(line, true, kb)
		case errors.Is(err, bufio.ErrBufferFull):
			// A line longer than the buffer: junk. Skip the rest of it.
			c.Rows++
			c.Junk++
			lr.junkBytes += int64(len(line))
			terminated, err := lr.skipLine()
			if err != nil {
				return err
			}
			if !terminated {
				return lr.cutOff()
			}
		case err == io.EOF:
			if len(line) > 0 && !lr.row(line, false, kb) {
				return lr.cutOff()
			}
			return nil
		default:
			return broken(err, "cannot read after %d rows", c.Rows)
		}
		if c.Rows&0xffff == 0 && c.Rows > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if lr.progress != nil {
				lr.progress(c.Rows)
			}
		}
	}
}

// row counts one line and reports whether it was a passport or blank. A last line without its
// terminator may be a file cut short, so it counts only when complete (no leading zeros to
// restore); the caller refuses the file when it is not.
func (lr *listReader) row(line []byte, terminated bool, kb *keyBuffer) bool {
	k, kind := parseRow(line, lr.delim)
	c := &lr.counts
	switch {
	case kind == rowBlank:
		return true
	case kind == rowKey, kind == rowPadded && terminated:
		c.Rows++
		c.Valid++
		if kind == rowPadded {
			c.Padded++
		}
		kb.add(k)
		return true
	default:
		c.Rows++
		c.Junk++
		lr.junkBytes += int64(len(line)) + 1
		return false
	}
}

// cutOff is the error for a file whose last line has no line end and is not a passport: the
// file was most likely cut in the middle of a line (an interrupted download or copy), and the
// rows that were cut away with it are not known. Taking the rest as the list would drop them
// from the list, so the file is refused whatever the share of junk.
func (lr *listReader) cutOff() error {
	return broken(nil, "the file looks cut off at byte %d: its last line has no line end and is not SERIES,NUMBER", lr.bytes)
}

// skipLine skips the rest of a line longer than the buffer and reports whether it ended with a
// line end (rather than the end of the file).
func (lr *listReader) skipLine() (terminated bool, err error) {
	for {
		line, err := lr.br.ReadSlice(lr.term)
		lr.bytes += int64(len(line))
		lr.junkBytes += int64(len(line))
		switch {
		case err == nil:
			return true, nil
		case err == io.EOF:
			return false, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return false, broken(err, "cannot read after %d rows", lr.counts.Rows)
		}
	}
}
