package ruid

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Code is the stable, machine-readable name of one validation failure, such as
// "snils.checksum". Clients may translate codes themselves; the package also
// carries Russian and English messages for each (see Error.Message).
type Code string

// Error is the reason a value was rejected: a stable Code, the form field it
// belongs to when a check covers several fields, and the arguments its message
// needs (how many digits were typed, the offending character, ...).
//
// Args never hold the rejected value itself, so Error() is safe to log.
type Error struct {
	Code Code
	// Field names the input of a composite check that is wrong (one of
	// the Field constants); empty for single-value checks.
	Field string
	// Args are substituted into the message template, e.g. {"got": "9"}.
	Args map[string]string
}

// Message returns the message for a citizen in lang: "ru" or "en" (a region
// such as "en-US" is ignored); any other language gets Russian.
func (e *Error) Message(lang string) string {
	return messages.render(e.Code, lang, e.Args)
}

// Error returns the English message with its code, for logs.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ruid: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message("en"))
	return b.String()
}

// The fields a composite check names in Error.Field.
const (
	FieldSeries       = "series"        // passport series
	FieldNumber       = "number"        // passport number
	FieldIssueDate    = "issue_date"    // passport date of issue
	FieldBirthDate    = "birth_date"    // the passport holder's date of birth
	FieldDivisionCode = "division_code" // код подразделения
	FieldBIK          = "bik"           // the БИК an account is checked against
)

// Errors is every problem found in a multi-field check such as
// CheckPassport, one per field at most. errors.As finds the first *Error.
type Errors []*Error

// Error joins the errors' texts.
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets errors.Is and errors.As see each error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// fail builds an *Error with the given code and alternating argument names
// and values.
func fail(code Code, kv ...string) *Error {
	e := &Error{Code: code}
	if len(kv) > 0 {
		e.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Args[kv[i]] = kv[i+1]
		}
	}
	return e
}

// inField sets the field an error belongs to.
func (e *Error) inField(field string) *Error {
	e.Field = field
	return e
}

// inField sets the field of err when it is an *Error.
func inField(err error, field string) error {
	if e, ok := err.(*Error); ok {
		return e.inField(field)
	}
	return err
}

// showRune renders a character for a message: itself when printable,
// otherwise its code point, so an invisible character can still be found.
func showRune(r rune) string {
	if r == utf8.RuneError {
		return "U+FFFD"
	}
	if unicode.IsPrint(r) && !unicode.IsSpace(r) {
		return string(r)
	}
	return fmt.Sprintf("U+%04X", r)
}
