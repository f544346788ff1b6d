package esia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token is a verified answer of the token endpoint.
type Token struct {
	AccessToken  string
	IDToken      string // absent on some refreshes
	RefreshToken string // present with access_type=offline
	TokenType    string
	// Expiry is when the access token expires, from its exp claim.
	Expiry time.Time
	// Access and ID are the verified tokens; ID is nil without an id_token.
	Access *JWT
	ID     *JWT
}

// OID is the person the tokens are about.
func (t *Token) OID() OID {
	if t.ID != nil {
		if o := t.ID.Claims.OID(); o != 0 {
			return o
		}
	}
	return t.Access.Claims.OID()
}

// Trusted reports whether the id_token marks a confirmed account.
func (t *Token) Trusted() bool { return t.ID != nil && t.ID.Claims.Trusted() }

// ExchangeOptions adjust a code exchange.
type ExchangeOptions struct {
	// Scopes must repeat the authorization request's scopes when those
	// were not Config.Scopes.
	Scopes []string
	// ScopeOrg repeats the authorization request's scope_org.
	ScopeOrg []string
	// CodeVerifier is the PKCE verifier given to AuthURL.
	CodeVerifier string
}

// tokenResponse is the token endpoint's JSON, success or failure.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	IDToken          string `json:"id_token"`
	RefreshToken     string `json:"refresh_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	State            string `json:"state"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// Exchange trades an authorization code for tokens on /aas/oauth2/v3/te
// (V1: /aas/oauth2/te). The request carries a new state, whose echo is
// checked; the tokens are verified with the provider's certificates.
func (c *Client) Exchange(ctx context.Context, code string, opts ExchangeOptions) (*Token, error) {
	if code == "" {
		return nil, errors.New("esia: no code")
	}
	scopes := opts.Scopes
	if scopes == nil {
		scopes = c.cfg.Scopes
	}
	m := c.tokenMessage(scopes, opts.ScopeOrg)
	m.Code = code
	q := url.Values{
		"grant_type": {"authorization_code"},
		"code":       {code},
	}
	if opts.CodeVerifier != "" {
		q.Set("code_verifier", opts.CodeVerifier)
	}
	message := m.V3()
	if c.cfg.Version == V1 {
		message = m.V1()
	}
	return c.token(ctx, m, message, q)
}

// Refresh trades a refresh token for new tokens (grant_type=refresh_token).
// The signed message is Config.RefreshMessage's, Message.V2 by default
// (V1: Message.V1); Message.Code holds the refresh token for a
// RefreshMessage that appends it.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, errors.New("esia: no refresh token")
	}
	m := c.tokenMessage(c.cfg.Scopes, nil)
	m.Code = refreshToken
	q := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
	}
	var message string
	switch {
	case c.cfg.RefreshMessage != nil:
		message = c.cfg.RefreshMessage(m)
	case c.cfg.Version == V1:
		message = m.V1()
	default:
		message = m.V2()
	}
	return c.token(ctx, m, message, q)
}

func (c *Client) tokenMessage(scopes, scopeOrg []string) Message {
	m := Message{
		ClientID:    c.cfg.ClientID,
		Scope:       scopeString(scopes),
		Timestamp:   Timestamp(c.now()),
		State:       NewState(),
		RedirectURI: c.cfg.RedirectURI,
	}
	if c.cfg.Version == V2 {
		m.ScopeOrg = scopeString(scopeOrg)
	}
	return m
}

// maxResponse bounds a JSON answer of ЕСИА.
const maxResponse = 4 << 20

// token posts a token request and verifies the answer.
func (c *Client) token(ctx context.Context, m Message, message string, q url.Values) (*Token, error) {
	secret, err := c.secret(ctx, message)
	if err != nil {
		return nil, err
	}
	q.Set("client_id", m.ClientID)
	q.Set("client_secret", secret)
	q.Set("scope", m.Scope)
	q.Set("state", m.State)
	q.Set("timestamp", m.Timestamp)
	q.Set("redirect_uri", m.RedirectURI)
	q.Set("token_type", "Bearer")
	path := "/aas/oauth2/te"
	if c.cfg.Version == V2 {
		path = "/aas/oauth2/v3/te"
		q.Set("client_certificate_hash", c.certHash)
		if m.ScopeOrg != "" {
			q.Set("scope_org", m.ScopeOrg)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(path).String(), strings.NewReader(q.Encode()))
	if err != nil {
		return nil, fmt.Errorf("esia: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("esia: token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("esia: token response: %w", err)
	}
	tr, err := parseTokenResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, err
	}
	if tr.State != m.State {
		return nil, ErrStateMismatch
	}
	return c.verifyTokens(tr)
}

// parseTokenResponse reads the token endpoint's answer: the tokens, or an
// *Error from the JSON of a failure.
func parseTokenResponse(status int, contentType string, body []byte) (*tokenResponse, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	var tr tokenResponse
	jsonErr := errors.New("not JSON")
	if mt == "application/json" || mt == "" || strings.HasSuffix(mt, "+json") {
		jsonErr = json.Unmarshal(body, &tr)
	}
	if status != http.StatusOK || tr.Error != "" {
		if jsonErr == nil && (tr.Error != "" || tr.ErrorDescription != "") {
			return nil, newError(tr.Error, tr.ErrorDescription, tr.State, status)
		}
		return nil, &Error{Status: status, Description: fmt.Sprintf("token endpoint answered HTTP %d", status)}
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("esia: token response: %w", jsonErr)
	}
	if tr.AccessToken == "" {
		return nil, errors.New("esia: token response without access_token")
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return nil, fmt.Errorf("esia: token_type %q, not Bearer", tr.TokenType)
	}
	return &tr, nil
}

func (c *Client) verifyTokens(tr *tokenResponse) (*Token, error) {
	access, err := c.VerifyToken(tr.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("access_token: %w", err)
	}
	t := &Token{
		AccessToken:  tr.AccessToken,
		IDToken:      tr.IDToken,
		RefreshToken: tr.RefreshToken,
		TokenType:    tr.TokenType,
		Expiry:       time.Unix(access.Claims.ExpiresAt, 0),
		Access:       access,
	}
	if tr.IDToken != "" {
		if t.ID, err = c.VerifyToken(tr.IDToken); err != nil {
			return nil, fmt.Errorf("id_token: %w", err)
		}
	}
	return t, nil
}
