package ruid

import "strings"

// EmailLatin checks an e-mail address as Email does and, beyond it, that it
// is written in Latin letters and digits only — the rule government forms
// state as «используйте только латинские символы и цифры»: the mailbox name
// may hold a-z, A-Z, 0-9 and . _ - +, the domain a-z, 0-9 and hyphens. An
// address with Cyrillic or accented letters, or with an internationalised
// domain (почта.рф, typed so or as xn--80a1acny.xn--p1ai), is refused with
// EmailNotLatin naming the first character that does not fit. Email stays
// the general check, for addresses that are only looked up or written to.
//
// It returns the canonical form, as Email does.
func EmailLatin(s string) (string, error) {
	a, err := ParseEmail(s)
	if err != nil {
		return "", err
	}
	for _, r := range a.Local {
		if !latinLocalRune(r) {
			return "", fail(EmailNotLatin, "char", showRune(r))
		}
	}
	for _, label := range strings.Split(a.Domain, ".") {
		if r, ok := firstNonLatin(label); ok {
			return "", fail(EmailNotLatin, "char", showRune(r))
		}
	}
	return a.String(), nil
}

// latinLocalRune reports whether r may appear in a Latin-only mailbox name.
func latinLocalRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-+", r)
}

// firstNonLatin finds the first character of a display-form domain label
// (see EmailAddress) that is not a Latin letter, a digit or a hyphen. A label
// of a script the package keeps in its xn-- form is decoded first, so that
// the person is shown a letter they typed, not the encoding.
func firstNonLatin(label string) (rune, bool) {
	if strings.HasPrefix(label, "xn--") {
		if decoded, err := punycodeDecode(label[4:]); err == nil {
			label = decoded
		}
	}
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return r, true
		}
	}
	return 0, false
}
