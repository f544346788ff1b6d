package esia

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
)

// AuthOptions adjust one authorization request.
type AuthOptions struct {
	// Scopes replace Config.Scopes for this request.
	Scopes []string
	// ScopeOrg asks for organisation scopes (V2 only), space-joined into
	// scope_org and the signed message.
	ScopeOrg []string
	// Offline asks for a refresh token (access_type=offline).
	Offline bool
	// CodeVerifier, when set, adds PKCE: code_challenge is its SHA-256,
	// base64url (method S256). Pass the same verifier to Exchange.
	CodeVerifier string
	// Permissions is the base64url JSON of a consent request, passed as is.
	Permissions string
	// PersonFilter is passed as person_filter.
	PersonFilter string
}

// AuthRequest is a prepared authorization request: the URL to send the
// user's browser to and what the callback must be compared with.
type AuthRequest struct {
	URL       string
	State     string
	Timestamp string
	Scope     string
	ScopeOrg  string
}

// AuthURL signs an authorization request with state (a UUID v4, see
// NewState) and returns the URL of /aas/oauth2/v2/ac (V1: /aas/oauth2/ac).
// The context bounds the signer.
func (c *Client) AuthURL(ctx context.Context, state string, opts AuthOptions) (*AuthRequest, error) {
	if !IsUUID(state) {
		return nil, errors.New("esia: state must be a UUID")
	}
	scopes := opts.Scopes
	if scopes == nil {
		scopes = c.cfg.Scopes
	}
	m := Message{
		ClientID:    c.cfg.ClientID,
		Scope:       scopeString(scopes),
		Timestamp:   Timestamp(c.now()),
		State:       state,
		RedirectURI: c.cfg.RedirectURI,
	}
	if m.Scope == "" {
		return nil, errors.New("esia: no scope asked for")
	}
	q := url.Values{
		"client_id":     {m.ClientID},
		"scope":         {m.Scope},
		"response_type": {"code"},
		"state":         {m.State},
		"timestamp":     {m.Timestamp},
		"redirect_uri":  {m.RedirectURI},
		"access_type":   {"online"},
	}
	if opts.Offline {
		q.Set("access_type", "offline")
	}
	var message, path string
	if c.cfg.Version == V1 {
		if len(opts.ScopeOrg) > 0 {
			return nil, errors.New("esia: scope_org needs V2")
		}
		message, path = m.V1(), "/aas/oauth2/ac"
	} else {
		m.ScopeOrg = scopeString(opts.ScopeOrg)
		if len(opts.ScopeOrg) > 0 {
			q.Set("scope_org", m.ScopeOrg)
		}
		q.Set("client_certificate_hash", c.certHash)
		message, path = m.V2(), "/aas/oauth2/v2/ac"
	}
	if opts.CodeVerifier != "" {
		if err := checkVerifier(opts.CodeVerifier); err != nil {
			return nil, err
		}
		q.Set("code_challenge", CodeChallenge(opts.CodeVerifier))
		q.Set("code_challenge_method", "S256")
	}
	if opts.Permissions != "" {
		q.Set("permissions", opts.Permissions)
	}
	if opts.PersonFilter != "" {
		q.Set("person_filter", opts.PersonFilter)
	}
	secret, err := c.secret(ctx, message)
	if err != nil {
		return nil, err
	}
	q.Set("client_secret", secret)
	u := c.endpoint(path)
	u.RawQuery = q.Encode()
	return &AuthRequest{URL: u.String(), State: state, Timestamp: m.Timestamp, Scope: m.Scope, ScopeOrg: m.ScopeOrg}, nil
}

// NewCodeVerifier returns a random PKCE code_verifier (43 characters).
func NewCodeVerifier() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("esia: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CodeChallenge is the S256 code_challenge of a verifier (RFC 7636 §4.2).
func CodeChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// checkVerifier applies RFC 7636 §4.1: 43–128 unreserved characters.
func checkVerifier(v string) error {
	if len(v) < 43 || len(v) > 128 {
		return fmt.Errorf("esia: code_verifier must be 43 to 128 characters, not %d", len(v))
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return errors.New("esia: code_verifier has a character outside [A-Za-z0-9-._~]")
		}
	}
	return nil
}

// Callback is what ЕСИА sent back to the redirect URI.
type Callback struct {
	Code  string
	State string
}

// maxCode bounds the code parameter; ЕСИА's codes are JWTs of a few
// kilobytes.
const maxCode = 16 << 10

// ParseCallback reads the query of the redirect back from ЕСИА. It returns
// the code and state, or an *Error with the ЕСИА code when ЕСИА answered an
// error (ESIA-007004 when the user declined). A repeated, missing or
// malformed parameter is an error. The caller compares State with the state
// it sent (CheckState).
func ParseCallback(q url.Values) (*Callback, error) {
	for _, k := range []string{"code", "state", "error", "error_description"} {
		if len(q[k]) > 1 {
			return nil, fmt.Errorf("esia: callback: parameter %s repeated", k)
		}
	}
	state := q.Get("state")
	if state != "" && !IsUUID(state) {
		return nil, errors.New("esia: callback: state is not a UUID")
	}
	if e := q.Get("error"); e != "" || q.Get("error_description") != "" {
		return nil, newError(e, q.Get("error_description"), state, 0)
	}
	code := q.Get("code")
	if code == "" {
		return nil, errors.New("esia: callback: no code and no error")
	}
	if len(code) > maxCode {
		return nil, errors.New("esia: callback: code too long")
	}
	for i := 0; i < len(code); i++ {
		if code[i] <= ' ' || code[i] >= 0x7f {
			return nil, errors.New("esia: callback: code has a character outside printable ASCII")
		}
	}
	if state == "" {
		return nil, errors.New("esia: callback: no state")
	}
	return &Callback{Code: code, State: state}, nil
}

// ErrStateMismatch is returned when an echoed state is not the one sent.
var ErrStateMismatch = errors.New("esia: the state echoed back is not the one sent")

// CheckState compares the callback's state with the one sent.
func (cb *Callback) CheckState(sent string) error {
	if sent == "" || cb.State != sent {
		return ErrStateMismatch
	}
	return nil
}

// LogoutURL is the URL that ends the user's ЕСИА session and sends the
// browser to redirect (ЕСИА names the parameter redirect_url); an empty
// redirect leaves it out.
func (c *Client) LogoutURL(redirect string) string {
	u := c.endpoint("/idp/ext/Logout")
	q := url.Values{"client_id": {c.cfg.ClientID}}
	if redirect != "" {
		q.Set("redirect_url", redirect)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
