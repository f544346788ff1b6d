package vds

import (
	"errors"
	"strings"
)

// base45Alphabet is RFC 9285's: exactly the 45 characters of QR code alphanumeric mode.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var base45Values = func() (v [256]int8) {
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		v[base45Alphabet[i]] = int8(i)
	}
	return v
}()

// Base45Encode encodes b as RFC 9285 does: each two bytes as three characters, a last odd
// byte as two, least significant digit first.
func Base45Encode(b []byte) string {
	var s strings.Builder
	s.Grow((len(b)+1)/2*3 + 1)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45%45])
		s.WriteByte(base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45])
	}
	return s.String()
}

// ErrBase45 is returned for text that is not Base45.
var ErrBase45 = errors.New("vds: not Base45")

// Base45Decode decodes RFC 9285 Base45, refusing characters outside the alphabet, a length of
// 1 modulo 3 and groups whose value does not fit their bytes.
func Base45Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, ErrBase45
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		var d [3]int
		n := min(3, len(s)-i)
		for j := 0; j < n; j++ {
			v := base45Values[s[i+j]]
			if v < 0 {
				return nil, ErrBase45
			}
			d[j] = int(v)
		}
		if n == 3 {
			v := d[0] + d[1]*45 + d[2]*2025
			if v > 0xffff {
				return nil, ErrBase45
			}
			out = append(out, byte(v>>8), byte(v))
		} else {
			v := d[0] + d[1]*45
			if v > 0xff {
				return nil, ErrBase45
			}
			out = append(out, byte(v))
		}
	}
	return out, nil
}
