package esia

import (
	"errors"
	"fmt"
	"strings"
)

// ЕСИА error codes (esia-protocol.md §6). ЕСИА puts them at the start of
// error_description, "ESIA-007005: …".
const (
	CodeCertificateMismatch = "ESIA-007002" // certificate and mnemonic do not match
	CodeBadParameter        = "ESIA-007003" // a parameter is malformed or repeated
	CodeDeclined            = "ESIA-007004" // the user declined the request
	CodeUnauthorizedClient  = "ESIA-007005" // the system may not ask for this
	CodeBadScope            = "ESIA-007006" // a scope is unknown or not allowed
	CodeServerError         = "ESIA-007007" // ЕСИА failed
	CodeUnavailable         = "ESIA-007008" // overload or maintenance
	CodeUnsupportedGrant    = "ESIA-007009" // grant_type not supported
	CodeInvalidGrant        = "ESIA-007011" // code or refresh token invalid, expired, reused or foreign
	CodeNoScope             = "ESIA-007013" // no scope asked for
	CodeMissingParameter    = "ESIA-007014" // a mandatory parameter is missing
	CodeBadTimestamp        = "ESIA-007015" // timestamp outside the allowed window
	CodeRedirectURI         = "ESIA-007023" // redirect_uri not registered
	CodePKCEChallenge       = "ESIA-007039" // code_challenge wrong
	CodePKCEVerifier        = "ESIA-007040" // code_verifier does not match
	CodeBadSecret           = "ESIA-007053" // client_secret does not verify
	CodeUnconfirmedAccount  = "ESIA-007055" // the account's level is too low
	CodeClientAuthFailed    = "ESIA-008010" // client authentication failed
)

// Error is an error answered by ЕСИА: on the redirect back (error,
// error_description, state), as the token endpoint's HTTP 400 JSON, or by a
// REST endpoint. Compare with errors.Is against the Err* values, which match
// by Code.
type Error struct {
	// Code is the ЕСИА code, "ESIA-007004"; empty when the answer had none.
	Code string
	// OAuth is the OAuth 2.0 error, "access_denied", "invalid_grant", ….
	OAuth string
	// Description is error_description as sent, code included.
	Description string
	// State is the state echoed with the error, if any.
	State string
	// Status is the HTTP status of an endpoint's answer; 0 on a redirect.
	Status int
}

// Sentinels for errors.Is: an *Error matches one of these when the codes are
// equal.
var (
	ErrCertificateMismatch = &Error{Code: CodeCertificateMismatch}
	ErrBadParameter        = &Error{Code: CodeBadParameter}
	ErrDeclined            = &Error{Code: CodeDeclined}
	ErrUnauthorizedClient  = &Error{Code: CodeUnauthorizedClient}
	ErrBadScope            = &Error{Code: CodeBadScope}
	ErrInvalidGrant        = &Error{Code: CodeInvalidGrant}
	ErrBadTimestamp        = &Error{Code: CodeBadTimestamp}
	ErrRedirectURI         = &Error{Code: CodeRedirectURI}
	ErrBadSecret           = &Error{Code: CodeBadSecret}
	ErrUnconfirmedAccount  = &Error{Code: CodeUnconfirmedAccount}
	ErrClientAuthFailed    = &Error{Code: CodeClientAuthFailed}
)

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("esia: ")
	switch {
	case e.Description != "":
		b.WriteString(e.Description)
	case e.Code != "":
		b.WriteString(e.Code)
	default:
		b.WriteString("error")
	}
	if e.OAuth != "" {
		fmt.Fprintf(&b, " (%s)", e.OAuth)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " [HTTP %d]", e.Status)
	}
	return b.String()
}

// Is reports whether target is an *Error with the same non-empty Code.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code != "" && t.Code == e.Code
}

// newError builds an *Error from the OAuth fields, taking the code from the
// start of the description.
func newError(oauth, description, state string, status int) *Error {
	return &Error{Code: codeOf(description), OAuth: oauth, Description: description, State: state, Status: status}
}

// codeOf finds "ESIA-dddddd" in a description: ЕСИА writes it first, but some
// answers carry it after a prefix.
func codeOf(s string) string {
	i := strings.Index(s, "ESIA-")
	if i < 0 {
		return ""
	}
	rest := s[i+len("ESIA-"):]
	n := 0
	for n < len(rest) && n < 6 && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n != 6 {
		return ""
	}
	return "ESIA-" + rest[:n]
}
