package ruid

import (
	"strconv"
	"strings"
	"unicode"
)

// People copy numbers from PDFs, Word documents and bank statements, so the
// characters between digits are many: ordinary and no-break spaces (U+00A0,
// U+2007, U+202F), thin spaces, zero-width spaces, soft hyphens, every dash
// Word's autocorrect produces, dots and parentheses. All of them are dropped
// from digit-only identifiers.

// isSeparator reports whether r is a character people put between the
// digits of a number for readability.
func isSeparator(r rune) bool {
	switch r {
	case '.', '(', ')':
		return true
	}
	return isDash(r) || isInvisible(r) || unicode.IsSpace(r)
}

// isDash reports whether r is a hyphen, dash or minus of any kind.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015',
		'\u2212', '\uFE58', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

// isInvisible reports whether r is a zero-width character that copying text
// from documents and web pages brings along.
func isInvisible(r rune) bool {
	switch r {
	case '\u00AD', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return false
}

// isBlank reports whether r is white space or invisible, the characters
// trimmed from both ends of any value.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || isInvisible(r)
}

// digitValue returns the value of a decimal digit of any script: full-width
// digits from East Asian input methods and Arabic-Indic digits read the same
// as ASCII ones. Unicode lays out every decimal digit set (category Nd) as
// runs of ten starting at zero, so the value is the offset in its run.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return int(r-lo) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return int(r-lo) % 10, true
		}
	}
	return 0, false
}

// digitCodes are the codes a digit-only identifier uses for its format errors.
type digitCodes struct {
	empty, characters, length Code
}

// readDigits returns the ASCII digits of s with separators dropped, or an
// error naming the first character that is neither.
func readDigits(s string, c digitCodes) (string, *Error) {
	return readSymbols(s, c, nil)
}

// readSymbols is readDigits for identifiers that also hold letters: keep
// maps such a character to the ASCII byte it stands for.
func readSymbols(s string, c digitCodes, keep func(rune) (byte, bool)) (string, *Error) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if v, ok := digitValue(r); ok {
			b.WriteByte(byte('0' + v))
			continue
		}
		if isSeparator(r) {
			continue
		}
		if keep != nil {
			if k, ok := keep(r); ok {
				b.WriteByte(k)
				continue
			}
		}
		return "", fail(c.characters, "char", showRune(r))
	}
	if b.Len() == 0 {
		return "", fail(c.empty)
	}
	return b.String(), nil
}

// readDigitsN is readDigits for identifiers of exactly n digits.
func readDigitsN(s string, n int, c digitCodes) (string, *Error) {
	d, err := readDigits(s, c)
	if err != nil {
		return "", err
	}
	if len(d) != n {
		return "", lengthError(c.length, len(d))
	}
	return d, nil
}

// lengthError reports how many characters were typed.
func lengthError(code Code, got int) *Error {
	return fail(code, "got", strconv.Itoa(got))
}

// weightedSum multiplies the digits of d by weights, pairwise from the left.
func weightedSum(d string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	return sum
}

// allZero reports whether d consists of zeros only.
func allZero(d string) bool {
	return strings.Trim(d, "0") == ""
}
