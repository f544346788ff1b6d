package ruid

import (
	"strings"
	"unicode"
)

var uinCodes = digitCodes{UINEmpty, UINCharacters, UINLength}

// UIN checks a unique accrual identifier (УИН) of ГИС ГМП: 20 or 25
// characters, the last a check digit over the others. It returns the
// characters with separators dropped; legacy letters keep their case.
//
// The check digit: weights 1, 2, …, 10, 1, 2, … from the leftmost character,
// weighted sum mod 11; a result of 10 is recomputed with the weights shifted
// by two (3, 4, …, 10, 1, 2, …), and a second 10 gives 0. Letters count as
// their position in the alphabet of rules.json, mod 10.
func UIN(s string) (string, error) {
	u, err := readSymbols(s, uinCodes, func(r rune) (byte, bool) {
		return byte(r), uinLetterValue(r) >= 0
	})
	if err != nil {
		return "", err
	}
	switch {
	case len(u) != 20 && len(u) != 25:
		return "", lengthError(UINLength, len(u))
	case allZero(u):
		return "", fail(UINZero)
	}
	if uinCheck(u[:len(u)-1]) != u[len(u)-1] {
		return "", fail(UINChecksum)
	}
	return u, nil
}

// uinCheck computes the check digit of a УИН body.
func uinCheck(body string) byte {
	for shift := 0; shift <= 2; shift += 2 {
		sum := 0
		for i := 0; i < len(body); i++ {
			v := uinValue(body[i])
			sum += v * ((i+shift)%10 + 1)
		}
		if r := sum % 11; r < 10 {
			return byte('0' + r)
		}
	}
	return '0'
}

// uinValue returns the value of one УИН character.
func uinValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return uinLetterValue(rune(c))
}

// uinLetterValue returns a legacy letter's value, or -1 for a non-letter.
func uinLetterValue(r rune) int {
	if r >= 0x80 {
		return -1
	}
	i := strings.IndexRune(rules.UIN.Letters, unicode.ToUpper(r))
	if i < 0 {
		return -1
	}
	return (i + 1) % 10
}
