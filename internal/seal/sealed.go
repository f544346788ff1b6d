package seal

import (
	"bytes"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The layout of a sealed value, format version 1 (see the package documentation):
//
//	version(1) key_id(4) place(4) nonce(16) ciphertext(len(plaintext)) tag(16)
const (
	version1   = 0x01
	headerSize = 1 + 4 + 4 + nonceSize
	nonceSize  = 16
	tagSize    = 16
	// Overhead is how many bytes sealing adds to a value.
	Overhead = headerSize + tagSize
)

// The reasons a value does not open. Open wraps them in an *OpenError naming the place.
var (
	ErrNotSealed  = errors.New("not a sealed value (plain data where sealed data belongs)")
	ErrTruncated  = errors.New("the sealed value is truncated")
	ErrVersion    = errors.New("the sealed value has an unknown format version (written by a newer sep?)")
	ErrUnknownKey = errors.New("sealed with a key the key ring does not hold")
	ErrMisplaced  = errors.New("sealed for another table, column or row (copied from elsewhere?)")
	ErrTampered   = errors.New("the sealed value was altered (it does not authenticate)")
)

// OpenError says which value did not open, and why. It names the place and the key, never
// the content, so it is safe to log.
type OpenError struct {
	Column Column
	Row    string
	Key    KeyID // zero when the header could not be read
	Err    error
}

func (e *OpenError) Error() string {
	msg := fmt.Sprintf("seal: %s of row %s: %v", e.Column, e.Row, e.Err)
	if e.Key != 0 {
		msg += " [key " + e.Key.String() + "]"
	}
	return msg
}

func (e *OpenError) Unwrap() error { return e.Err }

// Sealed is a personal value as the database holds it. Only Box.Seal makes one (or a scan of a
// sealed column); it goes into SQL as a BLOB, and back out only through Box.Open. The zero
// value is SQL NULL. A Sealed never holds plaintext, so passing one to a query cannot leak.
type Sealed struct{ b []byte }

// Valid reports whether the value is not NULL.
func (s Sealed) Valid() bool { return s.b != nil }

// Key returns the id of the key that sealed the value, if its header is readable.
func (s Sealed) Key() (KeyID, bool) {
	if len(s.b) < headerSize || s.b[0] != version1 {
		return 0, false
	}
	return KeyID(binary.BigEndian.Uint32(s.b[1:5])), true
}

// Bytes returns the stored bytes (for tests and for tools that copy sealed values as they are).
func (s Sealed) Bytes() []byte { return s.b }

// Value implements driver.Valuer: the sealed bytes, or NULL.
func (s Sealed) Value() (driver.Value, error) {
	if s.b == nil {
		return nil, nil
	}
	return s.b, nil
}

// Scan implements sql.Scanner. Whatever the column holds is kept, so that Open can say
// precisely what is wrong with it (plain text where a sealed value belongs is ErrNotSealed).
func (s *Sealed) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		s.b = nil
	case []byte:
		s.b = bytes.Clone(v)
		if s.b == nil {
			s.b = []byte{}
		}
	case string:
		s.b = []byte(v)
	default:
		return fmt.Errorf("seal: cannot scan %T into a sealed value", src)
	}
	return nil
}

// Column is where a sealed value lives: a table and a column. Its place in the associated
// data binds each value to its column and row. Columns are made by Table.Column.
type Column struct{ table, name string }

// Table is the table's name.
func (c Column) Table() string { return c.table }

// Name is the column's name.
func (c Column) Name() string { return c.name }

func (c Column) String() string { return c.table + "." + c.name }

// place encodes table, column and row unambiguously, for the associated data.
func place(c Column, row string) []byte {
	b := make([]byte, 0, 12+len(c.table)+len(c.name)+len(row))
	for _, s := range [...]string{c.table, c.name, row} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// placeHint is a checksum of the place kept in the header. It protects nothing (the tag does):
// it lets Open tell a value copied from another row or column from one that was altered.
func placeHint(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }

// associated returns the data the tag covers besides the ciphertext: the header and the place.
func associated(header, p []byte) []byte {
	return append(append(make([]byte, 0, len(header)+len(p)), header...), p...)
}
