// Package errs gives errors a kind, so that one place (the web layer) can turn any error into
// an HTTP status and a safe, translated message, while the detail goes only to the log.
//
// Domain code returns errs.E(errs.NotFound, "application.not_found", err) and never decides
// status codes itself. The message ID is a key of the message catalogs (internal/i18n); the
// wrapped error is for the log and never reaches the user.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds of error. Other is the zero value: an unexpected failure (HTTP 500).
const (
	Other           Kind = iota // unexpected; logged with detail, shown as a generic failure
	Invalid                     // the request or its input is wrong and can be corrected
	NotFound                    // the object does not exist or the caller may not know it exists
	Conflict                    // the object's state does not allow the action (stale form, duplicate)
	Unauthenticated             // sign-in needed
	Forbidden                   // signed in, but not allowed
	TooMany                     // rate limited
	TooLarge                    // request body or upload over its limit
	Unavailable                 // a dependency is down; retrying later may help
	WrongMethod                 // the address exists but takes other methods (HTTP 405)
)

var kindNames = [...]string{"other", "invalid", "not_found", "conflict", "unauthenticated",
	"forbidden", "too_many_requests", "too_large", "unavailable", "method_not_allowed"}

// String returns the stable, machine-readable name of the kind (used in API error bodies).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is an error with a kind and a message ID.
type Error struct {
	Kind Kind
	// ID is the catalog key of the message shown to the user, e.g. "error.csrf".
	// Empty means the default message of the kind.
	ID string
	// Err is the underlying cause, for logs only.
	Err error
}

// E builds an *Error. err may be nil.
func E(kind Kind, id string, err error) *Error {
	return &Error{Kind: kind, ID: id, Err: err}
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.ID != "":
		return e.ID + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Kind.String() + ": " + e.Err.Error()
	case e.ID != "":
		return e.ID
	}
	return e.Kind.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf reports the kind of the first *Error in err's chain, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// IDOf reports the message ID of the first *Error in err's chain that has one, or "".
func IDOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.ID != "" {
			return e.ID
		}
		err = e.Err
	}
	return ""
}
