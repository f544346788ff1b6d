package ruid

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// latinLookalikes are the lower- and upper-case Latin letters that look like
// Cyrillic ones; a name with one of them among Cyrillic letters was typed
// with the keyboard layout switched mid-word.
const latinLookalikes = "aceopxyABCEHKMOPTXY"

// NamePart checks one part of a person's name — surname, given name or
// patronymic — as it is written in a Russian passport: letters of the
// Russian alphabet (Ё and ё kept as typed), with a hyphen, an apostrophe or
// a space between words ("Салтыков-Щедрин", "Д'Артаньян", "Оглы Мамедович").
//
// The result has its ends trimmed, runs of spaces collapsed to one, every
// dash and typographic apostrophe replaced by "-" and "'", spaces around a
// dash dropped, and й and ё
// composed when they arrive as a letter plus a combining mark (as text
// copied on macOS does). Letter case is left as typed.
func NamePart(s string) (string, error) {
	s = composeCyrillic(s)
	var b strings.Builder
	var latin, cyrillic, lookalike rune
	pendingSpace := false
	for _, r := range strings.TrimFunc(s, isBlank) {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case isInvisible(r):
			continue
		case isDash(r):
			r = '-'
		case isApostrophe(r):
			r = '\''
		case isRussianLetter(r):
			cyrillic = r
		case r < 0x80 && unicode.IsLetter(r):
			if latin == 0 {
				latin = r
			}
			if lookalike == 0 && strings.ContainsRune(latinLookalikes, r) {
				lookalike = r
			}
		case unicode.IsDigit(r):
			return "", fail(NameDigits)
		default:
			return "", fail(NameCharacters, "char", showRune(r))
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	// "Салтыков – Щедрин": a dash with spaces around it, as autocorrect
	// leaves it, joins a double surname.
	name := strings.ReplaceAll(strings.ReplaceAll(b.String(), " -", "-"), "- ", "-")
	switch {
	case name == "":
		return "", fail(NameEmpty)
	case latin != 0 && cyrillic != 0 && lookalike != 0:
		return "", fail(NameMixedAlphabet, "char", string(lookalike))
	case latin != 0:
		return "", fail(NameLatin)
	}
	if n := utf8.RuneCountInString(name); n > rules.Name.MaxLength {
		return "", fail(NameLength, "max", strconv.Itoa(rules.Name.MaxLength), "got", strconv.Itoa(n))
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if !isRussianLetter(first) || !isRussianLetter(last) {
		return "", fail(NameEdge)
	}
	prevSep := false
	for _, r := range name {
		sep := !isRussianLetter(r)
		if sep && prevSep {
			return "", fail(NameSeparators)
		}
		prevSep = sep
	}
	return name, nil
}

// isRussianLetter reports whether r is one of the 33 letters of the Russian
// alphabet, either case.
func isRussianLetter(r rune) bool {
	return r >= 'А' && r <= 'я' || r == 'Ё' || r == 'ё'
}

// isApostrophe reports whether r is an apostrophe or a character typed in
// its place.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u2018', '\u02BC', '\u0060', '\u00B4', '\u2032':
		return true
	}
	return false
}

// composeCyrillic composes й, Й, ё and Ё from a base letter followed by a
// combining breve (U+0306) or diaeresis (U+0308), the decomposed form
// (Unicode NFD) some systems produce. Other text passes unchanged.
func composeCyrillic(s string) string {
	if !strings.ContainsAny(s, "\u0306\u0308") {
		return s
	}
	return strings.NewReplacer(
		"и\u0306", "й", "И\u0306", "Й",
		"е\u0308", "ё", "Е\u0308", "Ё",
	).Replace(s)
}
