package notify

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
)

// NormalizePhone returns the phone number in the one spelling sep stores and compares:
// "+" and 10 to 15 digits (E.164). Spaces, dashes, dots and parentheses are dropped, and a
// Russian 11-digit number written with a leading 8 becomes +7…, so that one phone is one
// recipient for rate limits however it was typed.
func NormalizePhone(s string) (string, error) {
	bad := func() (string, error) {
		return "", errs.E(errs.Invalid, "notify.bad_phone", fmt.Errorf("malformed phone number (%d characters)", len(s)))
	}
	if len(s) > 40 {
		return bad()
	}
	digits := make([]byte, 0, 16)
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return bad()
		}
	}
	if !plus && len(digits) == 11 && digits[0] == '8' {
		digits[0] = '7'
	}
	if len(digits) < 10 || len(digits) > 15 || digits[0] == '0' {
		return bad()
	}
	return "+" + string(digits), nil
}

// NormalizeEmail checks that s is a bare e-mail address (no display name) and returns it with
// the domain in lower case. The local part keeps its case: mail systems may tell it apart.
func NormalizeEmail(s string) (string, error) {
	bad := func() (string, error) {
		return "", errs.E(errs.Invalid, "notify.bad_email", fmt.Errorf("malformed e-mail address (%d characters)", len(s)))
	}
	s = strings.TrimSpace(s)
	if len(s) > 254 || strings.ContainsAny(s, "\r\n\t<>\" ") {
		return bad()
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return bad()
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || !strings.Contains(s[at+1:], ".") {
		return bad()
	}
	return s[:at] + "@" + strings.ToLower(s[at+1:]), nil
}

// normalizeAddress normalises an address of unknown sort (an outbox filter): an e-mail
// address if it has an @, a phone number if it reads as one, else as it is.
func normalizeAddress(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		if a, err := NormalizeEmail(s); err == nil {
			return a
		}
		return s
	}
	if p, err := NormalizePhone(s); err == nil {
		return p
	}
	return s
}
