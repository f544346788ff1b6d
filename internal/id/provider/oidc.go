package provider

// Standard OpenID Connect beside the ЕСИА dialect, for systems that are not ЕСИА clients:
// discovery, JWKS (the RS256 key: GOST keys have no JWK standard), the authorization code
// flow with PKCE, client_secret_basic / client_secret_post for confidential clients and none
// (PKCE required) for public ones, id tokens with the nonce, userinfo and RP-initiated logout.
//
// The person signs in and consents on the same pages as for an ЕСИА system
// (/aas/oauth2/request/{token}); only the front and back doors differ.

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/web"
)

// The endpoints of the standard side.
const (
	OIDCDiscoveryPath = "/.well-known/openid-configuration"
	OIDCJWKSPath      = "/.well-known/jwks.json"
	OIDCAuthorizePath = "/oidc/authorize"
	OIDCTokenPath     = "/oidc/token"
	OIDCUserinfoPath  = "/oidc/userinfo"
	OIDCLogoutPath    = "/oidc/logout"
)

// oidcScopes are the standard scopes an OIDC system may be registered for; each has its
// catalog text "provider.scope.<name>" for the consent page.
var oidcScopes = []string{"openid", "profile", "email", "phone", "address"}

// NewOIDCClient is what registering a standard OpenID Connect system needs.
type NewOIDCClient struct {
	Mnemonic     string // client_id
	RedirectURIs []string
	PostLogout   []string // post_logout_redirect_uris
	Scopes       []string // of oidcScopes; openid is always allowed
	Public       bool     // no secret: PKCE required (browser and mobile applications)
	MinLevel     id.Level
}

// RegisterOIDCClient stores a new OIDC system and journals it; a confidential system's client
// secret is returned once (only its digest is kept).
func (p *Provider) RegisterOIDCClient(ctx context.Context, n NewOIDCClient) (*Client, string, error) {
	fe := id.FieldErrors{}
	if !mnemonicRe.MatchString(n.Mnemonic) {
		fe["mnemonic"] = errs.E(errs.Invalid, "provider.bad_mnemonic", errors.New("provider: a mnemonic is 2–64 letters, digits, _ . -"))
	}
	if len(n.RedirectURIs) == 0 {
		fe["redirect"] = errs.E(errs.Invalid, "provider.bad_redirect", errors.New("provider: at least one redirect URI"))
	}
	for _, u := range n.RedirectURIs {
		if !absoluteURL(u) {
			fe["redirect"] = errs.E(errs.Invalid, "provider.bad_redirect", fmt.Errorf("provider: %q is not an absolute http(s) URL", u))
		}
	}
	for _, u := range n.PostLogout {
		if !absoluteURL(u) {
			fe["post-logout"] = errs.E(errs.Invalid, "provider.bad_redirect", fmt.Errorf("provider: %q is not an absolute http(s) URL", u))
		}
	}
	if !slices.Contains(n.Scopes, "openid") {
		n.Scopes = append([]string{"openid"}, n.Scopes...)
	}
	for _, s := range n.Scopes {
		if !slices.Contains(oidcScopes, s) {
			fe["scopes"] = errs.E(errs.Invalid, "provider.bad_scopes", fmt.Errorf("provider: unknown OIDC scope %q", s))
		}
	}
	if n.MinLevel == "" {
		n.MinLevel = id.Simplified
	}
	if levelRank(n.MinLevel) < 0 {
		fe["min-level"] = errs.E(errs.Invalid, "provider.bad_level", fmt.Errorf("provider: level %q", n.MinLevel))
	}
	if len(fe) > 0 {
		return nil, "", fe
	}
	var secret, secretHash string
	if !n.Public {
		secret = newSecret()
		secretHash = digest(secret)
	}
	c := &Client{ID: db.NewID(), Kind: KindOIDC, Mnemonic: n.Mnemonic, SecretHash: secretHash, RedirectURIs: n.RedirectURIs,
		PostLogout: n.PostLogout, Scopes: n.Scopes, TokenAlg: AlgRS256, MinLevel: n.MinLevel, CreatedAt: p.now().UTC()}
	err := p.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO id_provider_clients (id, kind, mnemonic, cert, cert_hash, secret_hash, redirect_uris,
				post_logout_uris, scopes, token_alg, min_level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			c.ID, c.Kind, c.Mnemonic, []byte{}, "", c.SecretHash, strings.Join(c.RedirectURIs, "\n"), strings.Join(c.PostLogout, "\n"),
			strings.Join(c.Scopes, " "), c.TokenAlg, string(c.MinLevel), c.CreatedAt)
		if db.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "provider.mnemonic_taken", errors.New("provider: the mnemonic is registered already"))
		}
		if err != nil {
			return err
		}
		kind := "confidential"
		if n.Public {
			kind = "public"
		}
		return p.record(ctx, tx, nil, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli", Action: ActionClientRegistered,
			ObjectType: "client", ObjectID: c.ID, Details: map[string]string{"alg": "rs256", "level": string(c.MinLevel), "kind": "oidc_" + kind}})
	})
	if err != nil {
		return nil, "", err
	}
	return c, secret, nil
}

func absoluteURL(u string) bool {
	pu, err := url.Parse(u)
	return err == nil && (pu.Scheme == "https" || pu.Scheme == "http") && pu.Host != "" && pu.Fragment == ""
}

// oidcIssuer is the issuer of the standard side: the address the provider is reached at
// (clients compare it with the address they discovered it by).
func (h *handler) oidcIssuer(r *http.Request) string { return h.baseURL(r) }

func (h *handler) registerOIDC() {
	s := h.site
	s.Handle("GET "+OIDCDiscoveryPath, h.discovery)
	s.Handle("GET "+OIDCJWKSPath, h.jwks)
	s.Handle("GET "+OIDCAuthorizePath, h.oidcAuthorize)
	s.Handle("POST "+OIDCTokenPath, h.oidcToken)
	s.Handle("GET "+OIDCUserinfoPath, h.userinfo)
	s.Handle("POST "+OIDCUserinfoPath, h.userinfo)
	s.Handle("GET "+OIDCLogoutPath, h.oidcLogout)
	s.Handle("POST "+OIDCLogoutPath, h.oidcLogoutConfirmed)
	// Systems call the token and userinfo endpoints from their servers, with their own credentials.
	s.AllowWithoutCSRFToken(OIDCTokenPath, OIDCUserinfoPath)
}

// Discovery is the OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3).
type Discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	ScopesSupported       []string `json:"scopes_supported"`
	ResponseTypes         []string `json:"response_types_supported"`
	ResponseModes         []string `json:"response_modes_supported"`
	GrantTypes            []string `json:"grant_types_supported"`
	SubjectTypes          []string `json:"subject_types_supported"`
	IDTokenAlgs           []string `json:"id_token_signing_alg_values_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	ClaimsSupported       []string `json:"claims_supported"`
	UILocales             []string `json:"ui_locales_supported"`
}

// noRSA answers 404 on the standard side when the provider has no RSA key.
func (h *handler) noRSA(w http.ResponseWriter) bool {
	if h.p.rsa != nil {
		return false
	}
	oauthError(w, http.StatusNotFound, "not_found", "OpenID Connect is not available: the provider has no RSA key")
	return true
}

func (h *handler) discovery(w http.ResponseWriter, r *http.Request) error {
	if h.noRSA(w) {
		return nil
	}
	iss := h.oidcIssuer(r)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	web.JSON(w, http.StatusOK, Discovery{Issuer: iss, AuthorizationEndpoint: iss + OIDCAuthorizePath, TokenEndpoint: iss + OIDCTokenPath,
		UserinfoEndpoint: iss + OIDCUserinfoPath, JWKSURI: iss + OIDCJWKSPath, EndSessionEndpoint: iss + OIDCLogoutPath,
		ScopesSupported: oidcScopes, ResponseTypes: []string{"code"}, ResponseModes: []string{"query"},
		GrantTypes: []string{"authorization_code", "refresh_token"}, SubjectTypes: []string{"public"}, IDTokenAlgs: []string{AlgRS256},
		TokenAuthMethods: []string{"client_secret_basic", "client_secret_post", "none"}, CodeChallengeMethods: []string{"S256"},
		ClaimsSupported: []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr", "acr", "name", "family_name",
			"given_name", "middle_name", "birthdate", "email", "email_verified", "phone_number", "phone_number_verified", "address"},
		UILocales: []string{"ru", "en"}})
	return nil
}

// JWK is an RSA public key as RFC 7517 writes it.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// rsaJWK is the provider's RSA key as a JWK, its kid the RFC 7638 thumbprint.
func rsaJWK(k *rsa.PublicKey) JWK {
	n := base64.RawURLEncoding.EncodeToString(k.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())
	th := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return JWK{Kty: "RSA", Use: "sig", Alg: AlgRS256, Kid: base64.RawURLEncoding.EncodeToString(th[:]), N: n, E: e}
}

func (h *handler) jwks(w http.ResponseWriter, r *http.Request) error {
	if h.noRSA(w) {
		return nil
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	web.JSON(w, http.StatusOK, map[string][]JWK{"keys": {rsaJWK(&h.p.rsa.PublicKey)}})
	return nil
}

// oauthError answers a refused back-channel request as RFC 6749 §5.2 does.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// oidcRedirectError sends an authorisation failure back to the system's registered redirect_uri
// (RFC 6749 §4.1.2.1).
func oidcRedirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, description string) error {
	u, _ := url.Parse(redirectURI)
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", description)
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}

// oidcClient returns the enabled OIDC system of the client_id, or nil.
func (h *handler) oidcClient(ctx context.Context, clientID string) (*Client, error) {
	if clientID == "" {
		return nil, nil
	}
	c, err := h.p.ClientByMnemonic(ctx, clientID)
	if errors.Is(err, errNoClient) || (err == nil && (c.Disabled() || c.Kind != KindOIDC)) {
		return nil, nil
	}
	return c, err
}

// oidcAuthorize is the authorization endpoint: checked, the request waits for the person's
// sign-in and consent on the same pages as an ЕСИА request.
func (h *handler) oidcAuthorize(w http.ResponseWriter, r *http.Request) error {
	if h.noRSA(w) {
		return nil
	}
	q := r.URL.Query()
	for _, vs := range q {
		if len(vs) > 1 {
			return h.refuse(w, r, fail(ErrBadParameter, "oidc: a parameter given twice"))
		}
	}
	c, err := h.oidcClient(r.Context(), q.Get("client_id"))
	if err != nil {
		return err
	}
	if c == nil {
		return h.refuse(w, r, fail(ErrUnauthorized, "oidc: no such enabled system"))
	}
	redirectURI := q.Get("redirect_uri")
	if !c.redirectAllowed(redirectURI) {
		return h.refuse(w, r, fail(ErrRedirectURI, "oidc: redirect_uri not registered"))
	}
	state := q.Get("state")
	back := func(code, desc string) error {
		h.site.Logger().Info("oidc: request refused", "error", code, "detail", desc, "request_id", web.RequestID(r))
		return oidcRedirectError(w, r, redirectURI, state, code, desc)
	}
	if q.Get("request") != "" || q.Get("request_uri") != "" {
		return back("request_not_supported", "request objects are not supported")
	}
	if q.Get("response_type") != "code" {
		return back("unsupported_response_type", "only response_type=code is supported")
	}
	if m := q.Get("response_mode"); m != "" && m != "query" {
		return back("invalid_request", "only response_mode=query is supported")
	}
	scope := parseScope(q.Get("scope"))
	if !slices.Contains(scope, "openid") {
		return back("invalid_scope", "the scope must include openid")
	}
	var asked []string
	for _, s := range scope {
		if s == "offline_access" {
			continue // refresh tokens are issued to every system
		}
		if !slices.Contains(c.Scopes, s) {
			return back("invalid_scope", "scope "+s+" is unknown or not allowed to the client")
		}
		asked = append(asked, s)
	}
	ch, meth := q.Get("code_challenge"), q.Get("code_challenge_method")
	if ch != "" || meth != "" {
		if meth == "" {
			meth = "plain"
		}
		if meth != "S256" || !challengeRe.MatchString(ch) {
			return back("invalid_request", "code_challenge must be S256 of a 43–128 character verifier")
		}
	} else if c.Public() {
		return back("invalid_request", "a public client must use PKCE (code_challenge with S256)")
	}
	if q.Get("prompt") == "none" && citizen(r) == nil {
		return back("login_required", "the person is not signed in")
	}
	nonce := q.Get("nonce")
	if len(nonce) > 255 || len(state) > 1024 {
		return back("invalid_request", "nonce or state too long")
	}
	token, err := h.p.saveRequest(r.Context(), &authRequest{ClientID: c.ID, Version: "oidc", Scope: asked, RedirectURI: redirectURI,
		State: state, Challenge: ch, ChallengeMeth: meth, Nonce: nonce})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/aas/oauth2/request/"+token, http.StatusFound)
	return nil
}

// oidcTokenResponse is the token endpoint's answer (OpenID Connect Core §3.1.3.3).
type oidcTokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// authenticateClient finds the system of a token request and checks its credentials: HTTP
// Basic or client_secret in the form for a confidential system, client_id alone for a public
// one. basic reports whether Basic was used (a failure then answers 401 with a challenge).
func (h *handler) authenticateClient(r *http.Request) (c *Client, basic bool, err error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if id, err = url.QueryUnescape(id); err == nil {
			secret, err = url.QueryUnescape(secret)
		}
		if err != nil {
			return nil, true, nil
		}
		if r.PostForm.Get("client_secret") != "" {
			return nil, true, nil // two methods at once
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if fid := r.PostForm.Get("client_id"); fid != "" && fid != id {
		return nil, basic, nil
	}
	c, err = h.oidcClient(r.Context(), id)
	if c == nil || err != nil {
		return nil, basic, err
	}
	if c.Public() {
		if secret != "" {
			return nil, basic, nil
		}
		return c, basic, nil
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(digest(secret)), []byte(c.SecretHash)) != 1 {
		return nil, basic, nil
	}
	return c, basic, nil
}

func (h *handler) oidcToken(w http.ResponseWriter, r *http.Request) error {
	if h.noRSA(w) {
		return nil
	}
	if err := web.ParseForm(r); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return nil
	}
	q := r.PostForm
	for _, vs := range q {
		if len(vs) > 1 {
			oauthError(w, http.StatusBadRequest, "invalid_request", "a parameter given twice")
			return nil
		}
	}
	c, basic, err := h.authenticateClient(r)
	if err != nil {
		return err
	}
	if c == nil {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="sep"`)
			oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		} else {
			oauthError(w, http.StatusBadRequest, "invalid_client", "client authentication failed")
		}
		return nil
	}
	grantType := q.Get("grant_type")
	if grantType != "authorization_code" && grantType != "refresh_token" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return nil
	}
	ctx := r.Context()
	iss := h.oidcIssuer(r)
	var resp oidcTokenResponse
	err = h.p.db.Tx(ctx, func(tx *sql.Tx) error {
		var g *grant
		var err error
		if grantType == "authorization_code" {
			if q.Get("code") == "" || q.Get("redirect_uri") == "" {
				return &refusal{"invalid_request", "code and redirect_uri are required"}
			}
			g, err = h.p.takeCode(ctx, tx, q.Get("code"))
		} else {
			g, err = h.p.takeRefresh(ctx, tx, q.Get("refresh_token"))
		}
		if errors.Is(err, errGone) || (err == nil && g.ClientID != c.ID) {
			return &refusal{"invalid_grant", "the " + grantType + " is invalid, expired, used or not the client's"}
		}
		if err != nil {
			return err
		}
		if grantType == "authorization_code" {
			if g.RedirectURI != q.Get("redirect_uri") {
				return &refusal{"invalid_grant", "redirect_uri differs from the authorization request's"}
			}
			if g.Challenge != "" {
				v := q.Get("code_verifier")
				sum := sha256.Sum256([]byte(v))
				if v == "" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.Challenge)) != 1 {
					return &refusal{"invalid_grant", "code_verifier missing or wrong"}
				}
			}
		} else {
			g.Nonce = "" // a refreshed id token carries no nonce (Core §12.2)
		}
		if resp, err = h.p.oidcTokens(ctx, tx, iss, c, g); err != nil {
			return err
		}
		return h.p.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorAPIClient, ActorID: c.ID, Action: ActionTokenIssued,
			ObjectType: "account", ObjectID: g.AccountID, Details: map[string]string{"grant": grantType}})
	})
	var refused *refusal
	if errors.As(err, &refused) {
		h.site.Logger().Info("oidc: token request refused", "error", refused.code, "detail", refused.desc, "request_id", web.RequestID(r))
		oauthError(w, http.StatusBadRequest, refused.code, refused.desc)
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	web.JSON(w, http.StatusOK, resp)
	return nil
}

// refusal is a refused token request (the transaction rolls back: a code stays good after a
// mistaken attempt, as on the ЕСИА side).
type refusal struct{ code, desc string }

func (r *refusal) Error() string { return r.code + ": " + r.desc }

// oidcIDClaims are the claims of a standard id token.
type oidcIDClaims struct {
	ISS      string   `json:"iss"`
	SUB      string   `json:"sub"`
	AUD      string   `json:"aud"`
	EXP      int64    `json:"exp"`
	IAT      int64    `json:"iat"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce,omitempty"`
	SID      string   `json:"sid"`
	AMR      []string `json:"amr"`
	ACR      string   `json:"acr"`
	AtHash   string   `json:"at_hash"`
}

// oidcAccessClaims are the claims of a standard access token (a JWT, RFC 9068's shape).
type oidcAccessClaims struct {
	ISS      string `json:"iss"`
	SUB      string `json:"sub"`
	AUD      string `json:"aud"`
	EXP      int64  `json:"exp"`
	IAT      int64  `json:"iat"`
	JTI      string `json:"jti"`
	ClientID string `json:"client_id"`
	SID      string `json:"sid"`
	Scope    string `json:"scope"`
}

// acr is the account level as an Authentication Context Class Reference.
func acr(l id.Level) string { return "urn:sep:level:" + string(l) }

// oidcTokens issues the access, id and refresh tokens of a grant for an OIDC system, in tx.
func (p *Provider) oidcTokens(ctx context.Context, tx *sql.Tx, iss string, c *Client, g *grant) (oidcTokenResponse, error) {
	acc, err := p.id.Account(ctx, g.AccountID)
	if err != nil {
		return oidcTokenResponse{}, err
	}
	oid, err := p.id.ESIAOID(ctx, g.AccountID)
	if err != nil {
		return oidcTokenResponse{}, err
	}
	sub := strconv.FormatInt(oid, 10)
	now := p.now()
	iat, exp := now.Unix(), now.Add(TokenTTL).Unix()
	scope := strings.Join(g.Scope, " ")
	access, err := p.signRS256("at+jwt", oidcAccessClaims{ISS: iss, SUB: sub, AUD: iss + OIDCUserinfoPath, EXP: exp, IAT: iat, JTI: newSecret(),
		ClientID: c.Mnemonic, SID: g.SID, Scope: scope})
	if err != nil {
		return oidcTokenResponse{}, err
	}
	ah := sha256.Sum256([]byte(access))
	idt, err := p.signRS256("JWT", oidcIDClaims{ISS: iss, SUB: sub, AUD: c.Mnemonic, EXP: exp, IAT: iat, AuthTime: g.AuthTime.Unix(),
		Nonce: g.Nonce, SID: g.SID, AMR: []string{strings.ToLower(g.AMR)}, ACR: acr(acc.Level),
		AtHash: base64.RawURLEncoding.EncodeToString(ah[:16])})
	if err != nil {
		return oidcTokenResponse{}, err
	}
	refresh, err := p.saveRefresh(ctx, tx, g)
	if err != nil {
		return oidcTokenResponse{}, err
	}
	return oidcTokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(TokenTTL.Seconds()), IDToken: idt,
		RefreshToken: refresh, Scope: scope}, nil
}

// jwsHeader is the JOSE header of the standard side's tokens.
type jwsHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

// signRS256 makes a JWT of claims under the provider's RSA key, with its kid.
func (p *Provider) signRS256(typ string, claims any) (string, error) {
	if p.rsa == nil {
		return "", errors.New("provider: no RSA key for RS256 tokens")
	}
	h, _ := json.Marshal(jwsHeader{Alg: AlgRS256, Typ: typ, Kid: rsaJWK(&p.rsa.PublicKey).Kid})
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.rsa, crypto.SHA256, d[:])
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// verifyRS256 checks a JWT of the standard side (its typ and our signature) and decodes its
// claims into v.
func (p *Provider) verifyRS256(token, typ string, v any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || p.rsa == nil {
		return errors.New("provider: not a JWT of ours")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	var h jwsHeader
	if err := json.Unmarshal(hb, &h); err != nil || h.Alg != AlgRS256 || h.Typ != typ {
		return errors.New("provider: not a token of the kind")
	}
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&p.rsa.PublicKey, crypto.SHA256, d[:], sig) != nil {
		return errors.New("provider: bad signature")
	}
	return json.Unmarshal(cb, v)
}

// Address is the address claim (Core §5.1.1).
type Address struct {
	Formatted     string `json:"formatted"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country"`
}

// Userinfo is the userinfo endpoint's answer: the claims of the access token's scopes.
type Userinfo struct {
	Sub                 string   `json:"sub"`
	Name                string   `json:"name,omitempty"`
	FamilyName          string   `json:"family_name,omitempty"`
	GivenName           string   `json:"given_name,omitempty"`
	MiddleName          string   `json:"middle_name,omitempty"`
	Birthdate           string   `json:"birthdate,omitempty"`
	Email               string   `json:"email,omitempty"`
	EmailVerified       *bool    `json:"email_verified,omitempty"`
	PhoneNumber         string   `json:"phone_number,omitempty"`
	PhoneNumberVerified *bool    `json:"phone_number_verified,omitempty"`
	Address             *Address `json:"address,omitempty"`
}

// bearerError answers a refused userinfo request (RFC 6750 §3).
func bearerError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+desc+`"`)
	oauthError(w, status, code, desc)
}

func (h *handler) userinfo(w http.ResponseWriter, r *http.Request) error {
	if h.noRSA(w) {
		return nil
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && r.Method == http.MethodPost {
		if err := web.ParseForm(r); err == nil {
			token = r.PostForm.Get("access_token")
		}
	}
	if token == "" {
		bearerError(w, http.StatusUnauthorized, "invalid_request", "no access token")
		return nil
	}
	var ac oidcAccessClaims
	iss := h.oidcIssuer(r)
	if err := h.p.verifyRS256(token, "at+jwt", &ac); err != nil || ac.ISS != iss || h.p.now().Unix() >= ac.EXP {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "the access token is invalid or expired")
		return nil
	}
	ctx := r.Context()
	// The token ends with its system: disabled, or the person revoked the consent.
	c, err := h.oidcClient(ctx, ac.ClientID)
	if err != nil {
		return err
	}
	oid, _ := strconv.ParseInt(ac.SUB, 10, 64)
	acc, err := h.p.id.AccountByESIAOID(ctx, oid)
	if c == nil || err != nil || acc.Status == id.Blocked {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "the access token is no longer valid")
		return nil
	}
	granted, err := h.p.consentScopes(ctx, acc.ID, c.ID)
	if err != nil {
		return err
	}
	if granted == nil {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "the access token is no longer valid")
		return nil
	}
	scope := strings.Fields(ac.Scope)
	u := Userinfo{Sub: ac.SUB}
	pf := acc.Profile
	yes := true
	if has(scope, "profile") {
		u.FamilyName, u.GivenName, u.MiddleName = pf.LastName, pf.FirstName, pf.MiddleName
		u.Name = strings.Join(slices.DeleteFunc([]string{pf.LastName, pf.FirstName, pf.MiddleName}, func(s string) bool { return s == "" }), " ")
		if !pf.BirthDate.IsZero() {
			u.Birthdate = pf.BirthDate.Format("2006-01-02")
		}
	}
	if has(scope, "email") && acc.Email != "" {
		u.Email, u.EmailVerified = acc.Email, &yes
	}
	if has(scope, "phone") && acc.Phone != "" {
		u.PhoneNumber, u.PhoneNumberVerified = acc.Phone, &yes
	}
	if has(scope, "address") && pf.Address != nil {
		a := pf.Address
		street := strings.Join(slices.DeleteFunc([]string{a.Street, a.House}, func(s string) bool { return s == "" }), ", ")
		if a.Flat != "" {
			street += ", кв. " + a.Flat
		}
		formatted := addressesOf(acc, []string{"addresses"})[0].(PostalAddress).AddressStr
		u.Address = &Address{Formatted: formatted, StreetAddress: street, Locality: a.City, Region: a.Region, PostalCode: a.Postcode, Country: "RU"}
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, u)
	return nil
}

// logoutPage asks the person whether to sign out when the request does not say which system
// it comes from (a valid id_token_hint), so that another site cannot sign them out unasked.
type logoutPage struct {
	web.Page
	System, Target, State, ClientID string
}

// logoutTarget checks an end-session request: the system (by id_token_hint or client_id) and
// where to go back (a registered post_logout_redirect_uri, with the state). hinted reports a
// valid id_token_hint.
func (h *handler) logoutTarget(r *http.Request, q url.Values) (c *Client, target string, hinted bool, f *Failure, err error) {
	clientID := q.Get("client_id")
	if hint := q.Get("id_token_hint"); hint != "" {
		var ic oidcIDClaims
		if h.p.verifyRS256(hint, "JWT", &ic) != nil || ic.ISS != h.oidcIssuer(r) || (clientID != "" && clientID != ic.AUD) {
			return nil, "", false, fail(ErrBadParameter, "oidc logout: id_token_hint is not ours"), nil
		}
		clientID, hinted = ic.AUD, true
	}
	if c, err = h.oidcClient(r.Context(), clientID); err != nil {
		return nil, "", false, nil, err
	}
	if clientID != "" && c == nil {
		return nil, "", false, fail(ErrUnauthorized, "oidc logout: no such enabled system"), nil
	}
	if u := q.Get("post_logout_redirect_uri"); u != "" {
		if c == nil || !slices.Contains(c.PostLogout, u) {
			return nil, "", false, fail(ErrRedirectURI, "oidc logout: post_logout_redirect_uri not registered"), nil
		}
		pu, _ := url.Parse(u)
		if s := q.Get("state"); s != "" {
			v := pu.Query()
			v.Set("state", s)
			pu.RawQuery = v.Encode()
		}
		target = pu.String()
	}
	return c, target, hinted, nil, nil
}

// oidcLogout is the end_session_endpoint (RP-initiated logout): with a valid id_token_hint
// the ID session ends at once; otherwise the person is asked first.
func (h *handler) oidcLogout(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	c, target, hinted, f, err := h.logoutTarget(r, q)
	if err != nil {
		return err
	}
	if f != nil {
		return h.refuse(w, r, f)
	}
	if hinted || citizen(r) == nil {
		return h.endSession(w, r, c, target, false)
	}
	p := &logoutPage{Target: q.Get("post_logout_redirect_uri"), State: q.Get("state")}
	if c != nil {
		p.System, p.ClientID = c.Mnemonic, c.Mnemonic
	}
	p.Title = h.site.Printer(r).T("provider.logout.title")
	return h.site.Render(w, r, http.StatusOK, "provider_logout", p)
}

// oidcLogoutConfirmed is the answer of the logout question.
func (h *handler) oidcLogoutConfirmed(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	q := url.Values{"client_id": {r.PostForm.Get("client_id")}, "post_logout_redirect_uri": {r.PostForm.Get("post_logout_redirect_uri")},
		"state": {r.PostForm.Get("state")}}
	c, target, _, f, err := h.logoutTarget(r, q)
	if err != nil {
		return err
	}
	if f != nil {
		return h.refuse(w, r, f)
	}
	if r.PostForm.Get("decision") != "signout" {
		if target == "" { // no system to go back to (a target is always some system's)
			http.Redirect(w, r, "/id/account", http.StatusSeeOther)
			return nil
		}
		return h.returnTo(w, r, c.Mnemonic, target)
	}
	return h.endSession(w, r, c, target, true)
}

// endSession signs the person out of ID and goes back to the system's address (or home).
func (h *handler) endSession(w http.ResponseWriter, r *http.Request, c *Client, target string, fromForm bool) error {
	if pr := citizen(r); pr != nil && c != nil {
		if err := h.p.record(r.Context(), nil, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: pr.ID, Action: ActionLogout,
			ObjectType: "client", ObjectID: c.ID}); err != nil {
			return err
		}
	}
	if err := h.p.id.SignOut(w, r); err != nil {
		return err
	}
	if target == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if fromForm { // a form's navigation may not be redirected to another site (CSP form-action)
		return h.returnTo(w, r, c.Mnemonic, target)
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}
