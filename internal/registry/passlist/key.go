package passlist

import (
	"errors"
	"strconv"
)

// Key is a passport's series and number as one number, series×10⁶ + number: the 4-digit series
// "4510" and the 6-digit number "123456" are the key 4510123456. Keys lie below Universe.
type Key uint64

// Universe bounds the keys: 10¹⁰, every 4-digit series with every 6-digit number.
const Universe = 10_000_000_000

// ErrPassportFormat is returned by ParseKey for a series that is not 4 digits or a number that
// is not 6 digits.
var ErrPassportFormat = errors.New("passlist: a passport series is 4 digits and a number 6 digits")

// ParseKey makes the key of a passport series and number as a person enters them: the series is
// 4 digits, possibly written as two pairs ("45 10"), the number 6 digits; spaces around them are
// ignored. Unlike the import, it does not restore dropped leading zeros: a person's input is
// either complete or wrong.
func ParseKey(series, number string) (Key, error) {
	s, sn := digits(series, 4)
	n, nn := digits(number, 6)
	if sn != 4 || nn != 6 {
		return 0, ErrPassportFormat
	}
	return Key(s*1_000_000 + n), nil
}

// digits reads the decimal digits of s, skipping spaces, and returns their value and count, or a
// count of -1 when s holds anything else or more than max digits.
func digits(s string, max int) (v uint64, n int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == max {
				return 0, -1
			}
			v = v*10 + uint64(c-'0')
			n++
		case c == ' ' || c == '\t':
		default:
			return 0, -1
		}
	}
	return v, n
}

// Series returns the 4-digit series of the key.
func (k Key) Series() string { return pad(uint64(k)/1_000_000, 4) }

// Number returns the 6-digit number of the key.
func (k Key) Number() string { return pad(uint64(k)%1_000_000, 6) }

// String returns the key as "SSSS NNNNNN".
func (k Key) String() string { return k.Series() + " " + k.Number() }

func pad(v uint64, width int) string {
	s := strconv.FormatUint(v, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// rowKind says what parseRow made of a line of the list.
type rowKind uint8

const (
	rowBlank  rowKind = iota // nothing but spaces: ignored
	rowKey                   // SERIES,NUMBER with both fields complete
	rowPadded                // SERIES,NUMBER with leading zeros dropped from a field: restored
	rowJunk                  // anything else: counted and skipped
)

// parseRow reads one line of the list, without its line terminator (a trailing CR is
// tolerated), with delim between the fields. The accepted form is SERIES<delim>NUMBER, each
// field 1–4 (series) or 1–6 (number) ASCII digits, optionally in double quotes, with spaces or
// tabs around. A shorter field is a value whose leading zeros were dropped (as spreadsheets do)
// and is padded back; the row is then reported as rowPadded.
//
// The common row, exactly "SSSS,NNNNNN", takes a fast path with no branches per digit.
func parseRow(line []byte, delim byte) (Key, rowKind) {
	if len(line) == 11 && line[4] == delim {
		var v uint64
		ok := true
		for _, c := range line[:4] {
			d := c - '0'
			ok = ok && d <= 9
			v = v*10 + uint64(d)
		}
		for _, c := range line[5:] {
			d := c - '0'
			ok = ok && d <= 9
			v = v*10 + uint64(d)
		}
		if ok {
			return Key(v), rowKey
		}
	}
	return parseRowSlow(line, delim)
}

func parseRowSlow(line []byte, delim byte) (Key, rowKind) {
	line = trimSpace(line)
	if len(line) == 0 {
		return 0, rowBlank
	}
	cut := -1
	for i, c := range line {
		if c == delim {
			if cut >= 0 {
				return 0, rowJunk
			}
			cut = i
		}
	}
	if cut < 0 {
		return 0, rowJunk
	}
	s, sn := field(line[:cut], 4)
	n, nn := field(line[cut+1:], 6)
	if sn <= 0 || nn <= 0 {
		return 0, rowJunk
	}
	k := Key(s*1_000_000 + n)
	if sn < 4 || nn < 6 {
		return k, rowPadded
	}
	return k, rowKey
}

// field reads one field of a row: spaces, an optional pair of double quotes, 1..max digits.
// It returns the count of digits, or -1 for anything else.
func field(f []byte, max int) (uint64, int) {
	f = trimSpace(f)
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
		f = trimSpace(f[1 : len(f)-1])
	}
	if len(f) == 0 || len(f) > max {
		return 0, -1
	}
	var v uint64
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, -1
		}
		v = v*10 + uint64(c-'0')
	}
	return v, len(f)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
