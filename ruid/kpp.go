package ruid

import (
	"strconv"
	"strings"
	"unicode"
)

// cyrillicLookalikes maps the Cyrillic capitals that look exactly like Latin
// ones. КПП letters are Latin, but people type them with a Russian keyboard
// layout; the two are indistinguishable on screen, so reading them as Latin
// is safe.
var cyrillicLookalikes = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H',
	'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X',
}

var kppCodes = digitCodes{KPPEmpty, KPPCharacters, KPPLength}

// latinCapital reads a Latin letter of either case, or a Cyrillic one that
// looks the same, as a Latin capital.
func latinCapital(r rune) (byte, bool) {
	u := unicode.ToUpper(r)
	if l, ok := cyrillicLookalikes[u]; ok {
		u = l
	}
	if u < 'A' || u > 'Z' {
		return 0, false
	}
	return byte(u), true
}

// KPP checks a tax registration reason code (КПП) and returns its nine
// characters. The ФНС pattern is four characters of tax office code whose
// first two are not 00, two characters of reason (digits or Latin capitals)
// and a three-digit sequence number. КПП has no check digit.
func KPP(s string) (string, error) {
	k, err := readSymbols(s, kppCodes, latinCapital)
	if err != nil {
		return "", err
	}
	if len(k) != 9 {
		return "", lengthError(KPPLength, len(k))
	}
	for i := 0; i < len(k); i++ {
		if (i < 4 || i >= 6) && (k[i] < '0' || k[i] > '9') {
			return "", fail(KPPLetterPosition, "position", strconv.Itoa(i+1))
		}
	}
	if k[:2] == "00" {
		return "", fail(KPPTaxOffice)
	}
	return k, nil
}

// OKVED checks the format of an ОКВЭД2 activity code (ОК 029-2014, NACE
// Rev. 2): "XX", "XX.X", "XX.XX", "XX.XX.X" or "XX.XX.XX". A decimal comma,
// as a Russian keyboard types it, is read as a dot. Whether the code exists
// in the classifier is not checked.
func OKVED(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ',' || r == '.':
			b.WriteByte('.')
		case unicode.IsSpace(r) || isInvisible(r):
		default:
			if v, ok := digitValue(r); ok {
				b.WriteByte(byte('0' + v))
			} else {
				b.WriteRune(r)
			}
		}
	}
	code := b.String()
	if code == "" {
		return "", fail(OKVEDEmpty)
	}
	if !okvedShape(code) {
		return "", fail(OKVEDFormat)
	}
	return code, nil
}

// okvedShape matches ^\d{2}(\.\d(\d(\.\d{1,2})?)?)?$ by the lengths of the
// dot-separated groups: 2, then 1 or 2, then 1 or 2 (only after a group of 2).
func okvedShape(code string) bool {
	groups := strings.Split(code, ".")
	if len(groups) > 3 {
		return false
	}
	for i, g := range groups {
		if g == "" || strings.Trim(g, "0123456789") != "" {
			return false
		}
		switch i {
		case 0:
			if len(g) != 2 {
				return false
			}
		case 1:
			if len(g) > 2 || len(groups) == 3 && len(g) != 2 {
				return false
			}
		case 2:
			if len(g) > 2 {
				return false
			}
		}
	}
	return true
}
