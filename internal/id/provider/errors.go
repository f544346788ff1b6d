package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Code is an ЕСИА error code, such as "ESIA-007005".
type Code string

// The error codes, as ЕСИА answers them (esia-protocol.md §6). Each has its OAuth error and
// its English description here, which is what clients in use match on; people see the
// catalog's Russian text ("provider.error.<code>") on the pages.
const (
	ErrCertMismatch   Code = "ESIA-007002" // the certificate belongs to another system
	ErrBadParameter   Code = "ESIA-007003" // a parameter malformed or given twice
	ErrDeclined       Code = "ESIA-007004" // the person refused
	ErrUnauthorized   Code = "ESIA-007005" // no such system, or it is disabled
	ErrBadScope       Code = "ESIA-007006" // a scope unknown or not allowed to the system
	ErrBadCode        Code = "ESIA-007011" // a code or refresh token invalid, expired, used or foreign
	ErrNoScope        Code = "ESIA-007013" // no scope
	ErrMissing        Code = "ESIA-007014" // a mandatory parameter missing
	ErrTimestamp      Code = "ESIA-007015" // the timestamp unreadable or too far from now
	ErrRedirectURI    Code = "ESIA-007023" // the redirect_uri is not registered
	ErrPKCEChallenge  Code = "ESIA-007039" // code_challenge malformed or its method unsupported
	ErrPKCEVerifier   Code = "ESIA-007040" // code_verifier missing or wrong
	ErrSecret         Code = "ESIA-007053" // client_secret (or the certificate hash) wrong
	ErrUnconfirmed    Code = "ESIA-007055" // the system takes accounts of a higher level only
	ErrClientAuth     Code = "ESIA-008010" // the token request's client authentication failed
	ErrUnsupportedGrt Code = "ESIA-007009" // grant_type unsupported
	ErrServer         Code = "ESIA-007007" // our failure
)

var codeInfo = map[Code]struct{ oauth, text string }{
	ErrCertMismatch:   {"invalid_request", "The certificate does not belong to the system"},
	ErrBadParameter:   {"invalid_request", "Invalid or duplicated request parameter"},
	ErrDeclined:       {"access_denied", "The user declined the request"},
	ErrUnauthorized:   {"unauthorized_client", "The client system is not registered or is disabled"},
	ErrBadScope:       {"invalid_scope", "Invalid scope"},
	ErrBadCode:        {"invalid_grant", "The authorization code or refresh token is invalid, expired or already used"},
	ErrNoScope:        {"invalid_scope", "The scope is missing"},
	ErrMissing:        {"invalid_request", "A mandatory parameter is missing"},
	ErrTimestamp:      {"invalid_request", "The timestamp is invalid"},
	ErrRedirectURI:    {"invalid_request", "The redirect_uri is not registered for the system"},
	ErrPKCEChallenge:  {"invalid_request", "Invalid code_challenge or code_challenge_method"},
	ErrPKCEVerifier:   {"invalid_grant", "Invalid code_verifier"},
	ErrSecret:         {"invalid_client", "The client_secret is invalid"},
	ErrUnconfirmed:    {"access_denied", "The system accepts confirmed accounts only"},
	ErrClientAuth:     {"invalid_client", "Client authentication failed"},
	ErrUnsupportedGrt: {"unsupported_grant_type", "Unsupported grant_type"},
	ErrServer:         {"server_error", "Internal error"},
}

// Failure is a refused request: the ЕСИА code and, for the log only, what exactly was wrong
// (never a secret, never personal data).
type Failure struct {
	Code   Code
	Detail string
}

func (f *Failure) Error() string { return string(f.Code) + ": " + f.Detail }

// OAuth is the OAuth 2.0 error of the code (unauthorized_client, invalid_grant, …).
func (c Code) OAuth() string { return codeInfo[c].oauth }

// Description is the error_description ЕСИА gives: the code, a colon and the English text.
func (c Code) Description() string { return string(c) + ": " + codeInfo[c].text }

func fail(c Code, format string, args ...any) *Failure {
	return &Failure{Code: c, Detail: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON of a refused token request (HTTP 400).
type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	State            string `json:"state,omitempty"`
}

// writeJSONError answers a refused back-channel request as ЕСИА does: HTTP 400 with the error,
// the description and the request's state.
func writeJSONError(w http.ResponseWriter, c Code, state string) {
	status := http.StatusBadRequest
	if c == ErrServer {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Error: c.OAuth(), ErrorDescription: c.Description(), State: state})
}

// errorRedirect is where a refused authorisation goes back to the client: the registered
// redirect_uri with error, error_description and state.
func errorRedirect(redirectURI string, c Code, state string) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	q := u.Query()
	q.Set("error", c.OAuth())
	q.Set("error_description", c.Description())
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
