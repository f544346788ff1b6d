package ruid

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Punycode (RFC 3492) turns the Unicode labels of internationalised domain
// names (почта.рф) into ASCII ones (xn--80a1acny.xn--p1ai) and back. The
// standard library has no IDNA support and golang.org/x/net/idna is not a
// dependency of this package, so the Bootstring algorithm is implemented
// here with the parameters RFC 3492 section 5 fixes for Punycode.
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
	pcDelimiter   = '-'
	// pcMaxInt bounds the integer arithmetic, as the RFC's overflow
	// handling assumes 32-bit unsigned integers; well-formed labels of at
	// most 63 characters stay far below it.
	pcMaxInt = 1<<31 - 1
)

var errPunycode = errors.New("ruid: invalid punycode")

// pcAdapt is the bias adaptation function of RFC 3492 section 6.1.
func pcAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}

// pcThreshold is t(k) of RFC 3492 section 6: the bias clamped to [tmin, tmax].
func pcThreshold(k, bias int) int {
	switch {
	case k <= bias:
		return pcTMin
	case k >= bias+pcTMax:
		return pcTMax
	}
	return k - bias
}

// pcDigit returns the character for a digit value 0–35: a–z, then 0–9.
func pcDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// pcValue returns the digit value of a character, either case.
func pcValue(c byte) (int, bool) {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a'), true
	case c >= 'A' && c <= 'Z':
		return int(c - 'A'), true
	case c >= '0' && c <= '9':
		return int(c-'0') + 26, true
	}
	return 0, false
}

// punycodeEncode encodes a Unicode string (without the "xn--" prefix).
func punycodeEncode(s string) (string, error) {
	input := []rune(s)
	var out strings.Builder
	for _, r := range input {
		if r < 0x80 {
			out.WriteRune(r)
		}
	}
	basic := out.Len()
	handled := basic
	if basic > 0 {
		out.WriteByte(pcDelimiter)
	}
	n, delta, bias := pcInitialN, 0, pcInitialBias
	for handled < len(input) {
		// The smallest code point not yet handled.
		m := pcMaxInt
		for _, r := range input {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if m-n > (pcMaxInt-delta)/(handled+1) {
			return "", errPunycode
		}
		delta += (m - n) * (handled + 1)
		n = m
		for _, r := range input {
			if int(r) < n {
				delta++
				if delta > pcMaxInt {
					return "", errPunycode
				}
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := pcBase; ; k += pcBase {
				t := pcThreshold(k, bias)
				if q < t {
					break
				}
				out.WriteByte(pcDigit(t + (q-t)%(pcBase-t)))
				q = (q - t) / (pcBase - t)
			}
			out.WriteByte(pcDigit(q))
			bias = pcAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return out.String(), nil
}

// punycodeDecode decodes an ASCII string (without the "xn--" prefix).
func punycodeDecode(s string) (string, error) {
	var output []rune
	pos := 0
	if b := strings.LastIndexByte(s, pcDelimiter); b > 0 {
		for i := 0; i < b; i++ {
			if s[i] >= 0x80 {
				return "", errPunycode
			}
			output = append(output, rune(s[i]))
		}
		pos = b + 1
	}
	n, i, bias := pcInitialN, 0, pcInitialBias
	for pos < len(s) {
		oldi, w := i, 1
		for k := pcBase; ; k += pcBase {
			if pos >= len(s) {
				return "", errPunycode
			}
			digit, ok := pcValue(s[pos])
			pos++
			if !ok || digit > (pcMaxInt-i)/w {
				return "", errPunycode
			}
			i += digit * w
			t := pcThreshold(k, bias)
			if digit < t {
				break
			}
			if w > pcMaxInt/(pcBase-t) {
				return "", errPunycode
			}
			w *= pcBase - t
		}
		count := len(output) + 1
		bias = pcAdapt(i-oldi, count, oldi == 0)
		if i/count > pcMaxInt-n {
			return "", errPunycode
		}
		n += i / count
		i %= count
		if n < pcInitialN || n > utf8.MaxRune || n >= 0xD800 && n <= 0xDFFF {
			return "", errPunycode
		}
		output = append(output, 0)
		copy(output[i+1:], output[i:])
		output[i] = rune(n)
		i++
	}
	return string(output), nil
}
