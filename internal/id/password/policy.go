package password

import (
	"unicode"
	"unicode/utf8"
)

// MinLength is the shortest password allowed (the seeds: «минимум 12 символов»).
const MinLength = 12

// MaxLength bounds a password, so that hashing cannot be made to read megabytes.
const MaxLength = 256

// Facts are what a password must not contain or repeat: the owner's contacts and names.
type Facts struct {
	Phone, Email string
	Names        []string
}

// Violation is one rule a password breaks: its message id in the catalogs ("id.password.short"…).
type Violation string

// The rules.
const (
	TooShort  Violation = "id.password.short"
	TooLong   Violation = "id.password.long"
	NoUpper   Violation = "id.password.no_upper"
	NoLower   Violation = "id.password.no_lower"
	NoDigit   Violation = "id.password.no_digit"
	NoSpecial Violation = "id.password.no_special"
)

// Check returns every rule password breaks (none: it may be set), all at once, so that the
// person fixes them in one go.
func Check(password string, f Facts) []Violation {
	var out []Violation
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinLength:
		out = append(out, TooShort)
	case len(password) > MaxLength:
		out = append(out, TooLong)
	}
	var upper, lower, digit, special bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ':
			special = true
		}
	}
	for _, c := range []struct {
		ok bool
		v  Violation
	}{{upper, NoUpper}, {lower, NoLower}, {digit, NoDigit}, {special, NoSpecial}} {
		if !c.ok {
			out = append(out, c.v)
		}
	}
	return out
}
