package gostx509

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The ASN.1 character string types names are written in.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isPrintable reports whether s fits PrintableString (X.680 §41.4).
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte(" '()+,-./:=?", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// decodeString turns the content octets of an ASN.1 string of type tag into
// text; ok is false for types that are not character strings.
func decodeString(tag int, b []byte) (s string, ok bool, err error) {
	switch tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(b) {
			return "", true, errors.New("invalid UTF-8 in UTF8String")
		}
		return string(b), true, nil
	case asn1.TagPrintableString, asn1.TagIA5String, asn1.TagNumericString:
		if !isASCII(string(b)) {
			return "", true, fmt.Errorf("non-ASCII byte in string of tag %d", tag)
		}
		return string(b), true, nil
	case asn1.TagT61String: // read as Latin-1, as most software does
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), true, nil
	case asn1.TagBMPString:
		if len(b)%2 != 0 {
			return "", true, errors.New("odd length BMPString")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u)), true, nil
	case 28: // UniversalString, UCS-4
		if len(b)%4 != 0 {
			return "", true, errors.New("UniversalString length not a multiple of 4")
		}
		r := make([]rune, len(b)/4)
		for i := range r {
			r[i] = rune(b[4*i])<<24 | rune(b[4*i+1])<<16 | rune(b[4*i+2])<<8 | rune(b[4*i+3])
		}
		return string(r), true, nil
	}
	return "", false, nil
}

// encodeString is the inverse of decodeString for the types Names are
// written in.
func encodeString(tag int, s string) ([]byte, error) {
	switch tag {
	case asn1.TagUTF8String:
		return []byte(s), nil
	case asn1.TagPrintableString:
		if !isPrintable(s) {
			return nil, fmt.Errorf("%q does not fit PrintableString", s)
		}
		return []byte(s), nil
	case asn1.TagIA5String:
		if !isASCII(s) {
			return nil, fmt.Errorf("%q does not fit IA5String", s)
		}
		return []byte(s), nil
	case asn1.TagNumericString:
		if strings.Trim(s, "0123456789 ") != "" {
			return nil, fmt.Errorf("%q does not fit NumericString", s)
		}
		return []byte(s), nil
	case asn1.TagT61String:
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("%q does not fit T61String as Latin-1", s)
			}
			b = append(b, byte(r))
		}
		return b, nil
	case asn1.TagBMPString:
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b, nil
	case 28:
		var b []byte
		for _, r := range s {
			b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
		return b, nil
	}
	return nil, fmt.Errorf("no string type with tag %d", tag)
}
