// Package vds is the binary format of СЭП's electronic passport seal — the signed record a
// passport's QR code carries — and of the signed status list, modelled on the Visible Digital
// Seal of ICAO Doc 9303 Part 13: a header (magic, version, issuing country, the signer
// certificate's reference, the issue date), a message zone of tagged fields and a signature
// zone with a GOST R 34.10-2012 (256-bit) signature over the Streebog-256 digest of all bytes
// before it. docs/passport-seal.md describes every byte; this package is its implementation,
// with no knowledge of databases or HTTP, so that the CLI and third parties can use it alone.
//
// The payload in the QR code is Prefix followed by the Base45 (RFC 9285) of the bytes, zlib-
// compressed first where that makes them shorter (a decoder tells by the first byte: 0x78 is
// zlib, Magic is not).
package vds

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
)

// The constants of the format.
const (
	Prefix   = "SEP1:" // what every payload starts with (QR alphanumeric characters)
	Magic    = 0xE5    // the seal's first byte (ICAO's VDS uses 0xDC; this is not an ICAO seal)
	Version  = 1       // the format version this package writes and reads
	RefSize  = 8       // bytes of a signer certificate reference
	SigSize  = 64      // a GOST R 34.10-2012 256-bit signature, s ‖ r
	SigTag   = 0xFF    // the tag of the signature zone
	DigestSz = 32      // the photo digest: Streebog-256

	// MaxPayload bounds the text a decoder looks at: a QR code holds at most 4,296
	// alphanumeric characters.
	MaxPayload = 4296
	// maxSealBytes bounds a seal after decompression: no field is over 255 bytes.
	maxSealBytes = 2048
)

// Message zone tags, in the order they must appear.
const (
	TagNumber      = 0x01
	TagSurname     = 0x02
	TagGivenNames  = 0x03
	TagBirthDate   = 0x04
	TagSex         = 0x05
	TagPhotoDigest = 0x06
	TagExpiry      = 0x07
)

// Ref is the reference of a signer certificate: the first 8 bytes of the Streebog-256 digest
// of its DER.
type Ref [RefSize]byte

// RefOf returns the reference of a certificate given as DER.
func RefOf(certDER []byte) Ref {
	d := streebog.Sum256(certDER)
	var r Ref
	copy(r[:], d[:])
	return r
}

// String is the reference in hex.
func (r Ref) String() string { return fmt.Sprintf("%x", r[:]) }

// Seal is one passport's seal.
type Seal struct {
	Country     string // issuing country, three letters (RUS)
	Signer      Ref
	Issued      time.Time // the issue date (a calendar date in Moscow; the time is ignored)
	Number      string    // the passport number, up to 9 characters A–Z 0–9
	Surname     string    // UTF-8, as in the passport (Cyrillic)
	GivenNames  string    // имя and отчество
	BirthDate   time.Time
	Sex         string // "M", "F" or ""
	PhotoDigest []byte // Streebog-256 of the photo file
	Expires     time.Time

	Signature []byte // set by Sign and Decode
	signed    []byte // the bytes the signature covers, set by Sign and Decode
}

// Moscow is the time zone of the seal's dates.
var Moscow = time.FixedZone("MSK", 3*60*60)

// Errors of decoding. A decoder's caller tells "not a seal at all" from "a seal whose contents
// are wrong" by errors.Is(err, ErrUnrecognized).
var (
	ErrUnrecognized = errors.New("vds: not a СЭП passport seal")
	ErrVersion      = fmt.Errorf("%w: unsupported version", ErrUnrecognized)
)

// Signed returns the bytes the signature covers (header and message zone).
func (s *Seal) Signed() []byte { return s.signed }

// marshal writes header and message zone.
func (s *Seal) marshal() ([]byte, error) {
	if len(s.Country) != 3 || !isUpper(s.Country) {
		return nil, errors.New("vds: the country is three letters A–Z")
	}
	if s.Number == "" || len(s.Number) > 9 || !isMRZ(s.Number) {
		return nil, errors.New("vds: the number is 1 to 9 characters A–Z 0–9")
	}
	if len(s.PhotoDigest) != DigestSz {
		return nil, errors.New("vds: the photo digest is 32 bytes")
	}
	b := make([]byte, 0, 192)
	b = append(b, Magic, Version)
	b = append(b, s.Country...)
	b = append(b, s.Signer[:]...)
	var err error
	if b, err = appendDate(b, s.Issued); err != nil {
		return nil, err
	}
	field := func(tag byte, v []byte) error {
		if len(v) > 255 {
			return fmt.Errorf("vds: field %#x is longer than 255 bytes", tag)
		}
		b = append(b, tag, byte(len(v)))
		b = append(b, v...)
		return nil
	}
	date := func(tag byte, t time.Time) error {
		d, err := appendDate(nil, t)
		if err != nil {
			return err
		}
		return field(tag, d)
	}
	for _, step := range []func() error{
		func() error { return field(TagNumber, []byte(s.Number)) },
		func() error { return text(field, TagSurname, s.Surname, true) },
		func() error { return text(field, TagGivenNames, s.GivenNames, false) },
		func() error { return date(TagBirthDate, s.BirthDate) },
		func() error {
			switch s.Sex {
			case "":
				return nil
			case "M", "F":
				return field(TagSex, []byte(s.Sex))
			}
			return errors.New("vds: sex is M, F or empty")
		},
		func() error { return field(TagPhotoDigest, s.PhotoDigest) },
		func() error { return date(TagExpiry, s.Expires) },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func text(field func(byte, []byte) error, tag byte, s string, required bool) error {
	if required && strings.TrimSpace(s) == "" || !utf8.ValidString(s) {
		return fmt.Errorf("vds: field %#x must be UTF-8 text", tag)
	}
	return field(tag, []byte(s))
}

// Sign sets the signature of s made with key (the key of the certificate s.Signer names) and
// returns the payload for the QR code.
func (s *Seal) Sign(key *gost3410.PrivateKey) (string, error) {
	if key.Curve().PointSize != 32 {
		return "", errors.New("vds: a passport seal is signed with a 256-bit key")
	}
	b, err := s.marshal()
	if err != nil {
		return "", err
	}
	digest := streebog.Sum256(b)
	sig, err := key.Sign(rand.Reader, digest[:], nil)
	if err != nil {
		return "", err
	}
	s.signed, s.Signature = b, sig
	return Encode(s.Bytes()), nil
}

// Bytes is the whole seal: the signed bytes and the signature zone. It is nil before Sign.
func (s *Seal) Bytes() []byte {
	if s.signed == nil {
		return nil
	}
	out := append(append([]byte(nil), s.signed...), SigTag, SigSize)
	return append(out, s.Signature...)
}

// Encode turns seal bytes (or a status list) into the QR payload: Prefix and Base45, of the
// zlib-compressed bytes where they are shorter.
func Encode(raw []byte) string {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	w.Write(raw)
	w.Close()
	if z.Len() < len(raw) {
		raw = z.Bytes()
	}
	return Prefix + Base45Encode(raw)
}

// Unwrap undoes Encode: it checks the prefix, decodes Base45 and inflates what is compressed,
// never past limit bytes. Surrounding white space (a pasted line break) is ignored.
func Unwrap(payload string, limit int) ([]byte, error) {
	payload = strings.Trim(payload, "\r\n\t")
	payload = strings.TrimLeft(payload, " ")
	if len(payload) > MaxPayload {
		return nil, fmt.Errorf("%w: longer than a QR code holds", ErrUnrecognized)
	}
	rest, ok := strings.CutPrefix(payload, Prefix)
	if !ok {
		return nil, fmt.Errorf("%w: no %s prefix", ErrUnrecognized, Prefix)
	}
	b, err := Base45Decode(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnrecognized, err)
	}
	if len(b) > 0 && b[0] == 0x78 {
		r, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%w: bad zlib stream", ErrUnrecognized)
		}
		defer r.Close()
		out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
		if err != nil {
			return nil, fmt.Errorf("%w: bad zlib stream", ErrUnrecognized)
		}
		if len(out) > limit {
			return nil, fmt.Errorf("%w: too long once inflated", ErrUnrecognized)
		}
		b = out
	}
	return b, nil
}

// Decode parses a payload into its seal without checking the signature (see Trust.Verify).
func Decode(payload string) (*Seal, error) {
	b, err := Unwrap(payload, maxSealBytes)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Parse parses seal bytes.
func Parse(b []byte) (*Seal, error) {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrUnrecognized, what) }
	const header = 2 + 3 + RefSize + 3
	if len(b) < header || b[0] != Magic {
		return nil, bad("no seal header")
	}
	if b[1] != Version {
		return nil, ErrVersion
	}
	s := &Seal{Country: string(b[2:5])}
	if !isUpper(s.Country) {
		return nil, bad("bad country")
	}
	copy(s.Signer[:], b[5:13])
	var ok bool
	if s.Issued, ok = parseDate(b[13:16]); !ok {
		return nil, bad("bad issue date")
	}
	seen := map[byte]bool{}
	last := byte(0)
	i := header
	for {
		if i+2 > len(b) {
			return nil, bad("truncated")
		}
		tag, n := b[i], int(b[i+1])
		if tag == SigTag {
			if n != SigSize || i+2+n != len(b) {
				return nil, bad("bad signature zone")
			}
			s.signed, s.Signature = b[:i:i], append([]byte(nil), b[i+2:]...)
			break
		}
		if tag <= last || tag > TagExpiry {
			return nil, bad("unexpected field")
		}
		last = tag
		if i+2+n > len(b) {
			return nil, bad("truncated field")
		}
		v := b[i+2 : i+2+n]
		i += 2 + n
		seen[tag] = true
		switch tag {
		case TagNumber:
			if n == 0 || n > 9 || !isMRZ(string(v)) {
				return nil, bad("bad number")
			}
			s.Number = string(v)
		case TagSurname, TagGivenNames:
			if !utf8.Valid(v) {
				return nil, bad("names not UTF-8")
			}
			if tag == TagSurname {
				s.Surname = string(v)
			} else {
				s.GivenNames = string(v)
			}
		case TagBirthDate, TagExpiry:
			d, ok := parseDate(v)
			if !ok {
				return nil, bad("bad date")
			}
			if tag == TagBirthDate {
				s.BirthDate = d
			} else {
				s.Expires = d
			}
		case TagSex:
			if n != 1 || v[0] != 'M' && v[0] != 'F' {
				return nil, bad("bad sex")
			}
			s.Sex = string(v)
		case TagPhotoDigest:
			if n != DigestSz {
				return nil, bad("bad photo digest")
			}
			s.PhotoDigest = append([]byte(nil), v...)
		}
	}
	for _, t := range []byte{TagNumber, TagSurname, TagGivenNames, TagBirthDate, TagPhotoDigest, TagExpiry} {
		if !seen[t] {
			return nil, bad("a required field is missing")
		}
	}
	if s.Surname == "" {
		return nil, bad("no surname")
	}
	return s, nil
}

// appendDate writes a date as ICAO's VDS does: the decimal number MMDDYYYY in three bytes,
// big-endian.
func appendDate(b []byte, t time.Time) ([]byte, error) {
	if t.IsZero() {
		return nil, errors.New("vds: a date is missing")
	}
	y, m, d := t.Date()
	if y < 1 || y > 9999 {
		return nil, errors.New("vds: a date is out of range")
	}
	n := int(m)*1000000 + d*10000 + y
	return append(b, byte(n>>16), byte(n>>8), byte(n)), nil
}

func parseDate(b []byte) (time.Time, bool) {
	if len(b) != 3 {
		return time.Time{}, false
	}
	n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	m, d, y := n/1000000, n/10000%100, n%10000
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, Moscow)
	if m < 1 || m > 12 || y < 1 || t.Day() != d || t.Month() != time.Month(m) {
		return time.Time{}, false
	}
	return t, true
}

// Day returns the calendar date of t in Moscow, at midnight there.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Moscow).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Moscow)
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isMRZ(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
