package ruid

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// EmailAddress is a validated e-mail address.
//
// Domain is in its display form: lower case, with internationalised labels
// of the Cyrillic and Latin scripts as Unicode ("почта.рф") whether they were
// typed that way or as punycode ("xn--80a1acny.xn--p1ai"). Labels of other
// scripts stay in their ASCII form, because without the IDNA2008 tables and
// Unicode normalisation (not in the standard library) the package cannot
// show them safely. ASCII gives the form DNS and SMTP need.
//
// Local is kept exactly as typed: mail servers may treat its case as
// significant. It may contain letters of any script (RFC 6531); such an
// address needs a server that supports SMTPUTF8.
type EmailAddress struct {
	Local  string
	Domain string
}

// String returns the address in its canonical form, Local@Domain.
func (a EmailAddress) String() string {
	return a.Local + "@" + a.Domain
}

// ASCII returns the address with the domain in its ASCII (punycode) form.
func (a EmailAddress) ASCII() string {
	return a.Local + "@" + domainASCII(a.Domain)
}

// Email checks an e-mail address and returns its canonical form (see
// EmailAddress).
func Email(s string) (string, error) {
	a, err := ParseEmail(s)
	if err != nil {
		return "", err
	}
	return a.String(), nil
}

// Size limits of RFC 5321 section 4.5.3.1 (a path holds at most 256 octets
// including the angle brackets) and RFC 1035 (labels of 63 octets).
const (
	maxEmailLength  = 254
	maxLocalLength  = 64
	maxLabelLength  = 63
	maxDomainLength = 253
)

// ParseEmail checks an e-mail address and returns its parts. Surrounding
// spaces, zero-width characters and a "mailto:" prefix are dropped, and so
// is a trailing dot of the domain. Quoted local parts and address literals ("user@[192.0.2.1]") are
// not accepted: no citizen's mailbox needs them.
func ParseEmail(s string) (EmailAddress, error) {
	// Zero-width characters come along when an address is copied from a
	// web page; they are never part of one.
	s = strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimFunc(s, isBlank)
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimFunc(s[7:], isBlank)
	}
	switch {
	case s == "":
		return EmailAddress{}, fail(EmailEmpty)
	case strings.IndexFunc(s, isBlank) >= 0:
		return EmailAddress{}, fail(EmailSpaces)
	case strings.ContainsRune(s, ','):
		return EmailAddress{}, fail(EmailComma)
	}
	at := strings.Count(s, "@")
	switch {
	case at == 0:
		return EmailAddress{}, fail(EmailAtMissing)
	case at > 1:
		return EmailAddress{}, fail(EmailAtMany)
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" {
		return EmailAddress{}, fail(EmailLocalEmpty)
	}
	if err := checkLocal(local); err != nil {
		return EmailAddress{}, err
	}
	d, err := parseDomain(domain)
	if err != nil {
		return EmailAddress{}, err
	}
	a := EmailAddress{Local: local, Domain: d}
	if len(a.ASCII()) > maxEmailLength {
		return EmailAddress{}, fail(EmailLength, "max", "254")
	}
	return a, nil
}

// checkLocal checks the part before @ as an RFC 5322 dot-atom, extended to
// letters and digits of any script (RFC 6531).
func checkLocal(local string) error {
	if len(local) > maxLocalLength {
		return fail(EmailLocalLength, "max", "64")
	}
	for _, r := range local {
		if r == utf8.RuneError || !localRune(r) {
			return fail(EmailLocalCharacters, "char", showRune(r))
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return fail(EmailLocalDots)
	}
	return nil
}

// localRune reports whether r may appear in an unquoted local part.
func localRune(r rune) bool {
	if r < 0x80 {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.Nd)
}

// labelDots maps the ideographic and full-width full stops, which separate
// labels like a dot (IDNA2008 mapping, RFC 5895).
var labelDots = strings.NewReplacer("\u3002", ".", "\uFF0E", ".", "\uFF61", ".")

// parseDomain checks a domain and returns its display form.
func parseDomain(domain string) (string, error) {
	domain = labelDots.Replace(domain)
	domain = strings.TrimSuffix(domain, ".")
	switch {
	case domain == "":
		return "", fail(EmailDomainEmpty)
	case domain[0] == '[':
		return "", fail(EmailDomainIP)
	case !strings.Contains(domain, "."):
		return "", fail(EmailDomainDot)
	}
	labels := strings.Split(domain, ".")
	asciiLength := len(labels) - 1
	for i, label := range labels {
		if label == "" {
			return "", fail(EmailDomainLabelEmpty)
		}
		display, ascii, err := parseLabel(label)
		if err != nil {
			return "", err
		}
		labels[i] = display
		asciiLength += len(ascii)
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return "", fail(EmailDomainTLD)
	}
	if asciiLength > maxDomainLength {
		return "", fail(EmailLength, "max", "254")
	}
	return strings.Join(labels, "."), nil
}

// parseLabel checks one domain label and returns its display and ASCII
// forms, both lower case.
func parseLabel(label string) (display, ascii string, err error) {
	var b strings.Builder
	for _, r := range label {
		if r == utf8.RuneError {
			return "", "", fail(EmailDomainCharacters, "char", showRune(r))
		}
		b.WriteRune(unicode.ToLower(r))
	}
	label = b.String()
	unicodeForm := label
	if isASCII(label) {
		if !strings.HasPrefix(label, "xn--") {
			return label, label, checkLDH(label)
		}
		if len(label) > maxLabelLength {
			return "", "", fail(EmailDomainLabelLength, "max", "63")
		}
		decoded, err := punycodeDecode(label[4:])
		if err != nil || decoded == "" || isASCII(decoded) {
			return "", "", fail(EmailDomainPunycode)
		}
		// A label is valid in one form only: re-encoding the decoded text
		// must give back what was typed.
		if err := checkULabel(decoded); err != nil || strings.ToLower(decoded) != decoded {
			return "", "", fail(EmailDomainPunycode)
		}
		if again, err := punycodeEncode(decoded); err != nil || "xn--"+again != label {
			return "", "", fail(EmailDomainPunycode)
		}
		unicodeForm = decoded
	} else if err := checkULabel(label); err != nil {
		return "", "", err
	} else if utf8.RuneCountInString(label) > maxLabelLength {
		// Too long in any form (the ASCII form has at least one character
		// per character); punycode takes time quadratic in the label, so a
		// huge one is turned away before it.
		return "", "", fail(EmailDomainLabelLength, "max", "63")
	}
	enc, err := punycodeEncode(unicodeForm)
	if err != nil {
		return "", "", fail(EmailDomainPunycode)
	}
	ascii = "xn--" + enc
	if len(ascii) > maxLabelLength {
		return "", "", fail(EmailDomainLabelLength, "max", "63")
	}
	if displayable(unicodeForm) {
		return unicodeForm, ascii, nil
	}
	return ascii, ascii, nil
}

// checkLDH checks an ASCII label: letters, digits and hyphens, no hyphen at
// either end, at most 63 characters.
func checkLDH(label string) error {
	if len(label) > maxLabelLength {
		return fail(EmailDomainLabelLength, "max", "63")
	}
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fail(EmailDomainCharacters, "char", showRune(r))
		}
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fail(EmailDomainHyphen)
	}
	return nil
}

// checkULabel checks a lower-case Unicode label: letters, combining marks
// (not first), digits and hyphens, no hyphen at either end. This is a
// conservative subset of IDNA2008, not the full rules.
func checkULabel(label string) error {
	for i, r := range label {
		ok := r == '-' || r >= '0' && r <= '9' || r >= 0x80 && unicode.In(r, unicode.L, unicode.Nd) ||
			i > 0 && unicode.Is(unicode.M, r) || r >= 'a' && r <= 'z'
		if !ok {
			return fail(EmailDomainCharacters, "char", showRune(r))
		}
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fail(EmailDomainHyphen)
	}
	return nil
}

// displayable reports whether a Unicode label can be shown as such: it is
// made of Latin and Cyrillic letters, ASCII digits and hyphens only.
func displayable(label string) bool {
	for _, r := range label {
		if !(r == '-' || r >= '0' && r <= '9' || unicode.In(r, unicode.Latin, unicode.Cyrillic)) {
			return false
		}
	}
	return true
}

// domainASCII converts a display-form domain (as ParseEmail returns) to
// ASCII.
func domainASCII(domain string) string {
	labels := strings.Split(domain, ".")
	for i, l := range labels {
		if !isASCII(l) {
			if enc, err := punycodeEncode(l); err == nil {
				labels[i] = "xn--" + enc
			}
		}
	}
	return strings.Join(labels, ".")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
