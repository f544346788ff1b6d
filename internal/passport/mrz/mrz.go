// Package mrz writes the machine readable zone of a TD3 (passport booklet size) travel document
// as ICAO Doc 9303 Part 4 lays it out: two lines of 44 characters from the set A–Z, 0–9 and the
// filler <, with the check digits of Part 3 §4.9 over the document number, the dates of birth
// and expiry, the optional personal number and the composite of them.
//
// Names are transliterated from Cyrillic with the table of Doc 9303 Part 3 (9.1, Russian
// letters), the table Russian passports use since 2014 (Ъ → IE, Ц → TS, Ю → IU, Я → IA).
package mrz

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// LineLen is the length of each of the two TD3 lines.
const LineLen = 44

// TD3 is what the machine readable zone of a passport says.
type TD3 struct {
	DocumentCode   string // "P" and an optional second letter; "P" when empty
	IssuingState   string // three letters, e.g. RUS
	Surname        string // in Latin letters or Cyrillic (transliterated)
	GivenNames     string
	Number         string // up to 9 characters A–Z 0–9
	Nationality    string // three letters
	BirthDate      time.Time
	Sex            string // "M", "F" or "" (unspecified, written <)
	ExpiryDate     time.Time
	PersonalNumber string // optional, up to 14 characters
}

// CheckDigit is the ICAO 9303 check digit of s: digits count as themselves, A–Z as 10–35 and
// the filler as 0, weighted 7, 3, 1 repeating, summed modulo 10. Any other character is an
// error.
func CheckDigit(s string) (byte, error) {
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, fmt.Errorf("mrz: %q is not an MRZ character", c)
		}
		sum += v * [3]int{7, 3, 1}[i%3]
	}
	return byte('0' + sum%10), nil
}

// Lines returns the two lines of the zone.
func (d TD3) Lines() ([2]string, error) {
	code := d.DocumentCode
	if code == "" {
		code = "P"
	}
	if len(code) > 2 || code[0] != 'P' {
		return [2]string{}, errors.New("mrz: a TD3 document code is P and at most one more letter")
	}
	state, err := field(d.IssuingState, 3, "issuing state")
	if err != nil {
		return [2]string{}, err
	}
	nat, err := field(d.Nationality, 3, "nationality")
	if err != nil {
		return [2]string{}, err
	}
	num, err := field(d.Number, 9, "document number")
	if err != nil {
		return [2]string{}, err
	}
	personal, err := field(d.PersonalNumber, 14, "personal number")
	if err != nil {
		return [2]string{}, err
	}
	sex := "<"
	switch d.Sex {
	case "M", "F":
		sex = d.Sex
	case "", "<", "X":
	default:
		return [2]string{}, errors.New("mrz: sex is M, F or unspecified")
	}
	if d.BirthDate.IsZero() || d.ExpiryDate.IsZero() {
		return [2]string{}, errors.New("mrz: the dates of birth and expiry are required")
	}
	names := Transliterate(d.Surname) + "<<" + Transliterate(d.GivenNames)
	if Transliterate(d.Surname) == "" {
		return [2]string{}, errors.New("mrz: the surname has no letters")
	}
	line1 := pad(code, 2) + state + pad(truncate(names, 39), 39)

	birth, expiry := d.BirthDate.Format("060102"), d.ExpiryDate.Format("060102")
	numCD, _ := CheckDigit(num)
	birthCD, _ := CheckDigit(birth)
	expCD, _ := CheckDigit(expiry)
	personalCD := byte('<')
	if strings.Trim(personal, "<") != "" {
		personalCD, _ = CheckDigit(personal)
	}
	composite, _ := CheckDigit(num + string(numCD) + birth + string(birthCD) + expiry + string(expCD) +
		personal + string(personalCD))
	line2 := num + string(numCD) + nat + birth + string(birthCD) + sex + expiry + string(expCD) +
		personal + string(personalCD) + string(composite)
	return [2]string{line1, line2}, nil
}

// field upper-cases s, checks its characters and pads it with fillers to n.
func field(s string, n int, what string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) > n {
		return "", fmt.Errorf("mrz: the %s is longer than %d characters", what, n)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '<') {
			return "", fmt.Errorf("mrz: the %s has a character outside A–Z 0–9", what)
		}
	}
	return pad(s, n), nil
}

func pad(s string, n int) string { return s + strings.Repeat("<", n-len(s)) }

// truncate cuts a name field to n characters without leaving a filler at its end (Doc 9303
// Part 4 §4.2.2.3 truncates names; a trailing filler would read as the end of the names).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimRight(s[:n], "<")
}

// cyrillic is Doc 9303 Part 3's transliteration of the Russian alphabet.
var cyrillic = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "E", 'Ж': "ZH", 'З': "Z",
	'И': "I", 'Й': "I", 'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P", 'Р': "R",
	'С': "S", 'Т': "T", 'У': "U", 'Ф': "F", 'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH",
	'Щ': "SHCH", 'Ъ': "IE", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "IU", 'Я': "IA",
}

// Transliterate writes a name in MRZ characters: Cyrillic letters by the ICAO table, Latin
// letters upper-cased, spaces, hyphens and apostrophes as one filler each (runs of them as
// one), anything else dropped.
func Transliterate(name string) string {
	var b strings.Builder
	filler := false
	for _, r := range strings.ToUpper(name) {
		if t, ok := cyrillic[r]; ok {
			b.WriteString(t)
			filler = false
			continue
		}
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
			filler = false
		case unicode.IsSpace(r) || r == '-' || r == '\'' || r == '<':
			if b.Len() > 0 && !filler {
				b.WriteByte('<')
				filler = true
			}
		}
	}
	return strings.TrimRight(b.String(), "<")
}
