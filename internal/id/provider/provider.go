// Package provider makes ID an identity provider that speaks the ЕСИА dialect of OAuth 2.0 /
// OpenID Connect, so that an information system written for the real ЕСИА (Госуслуги) signs
// its users in through СЭП with no change but the address — and integrators get the strict,
// faithful ЕСИА test stand they never had.
//
// The flow of an authorisation, as the endpoints see it:
//
//	client ── GET /aas/oauth2/v2/ac (signed) ──▶ checked ──▶ request stored
//	       ──▶ /id/signin?return=/aas/oauth2/request/{id} (ID's own pages) ──▶ consent (first use)
//	       ──▶ redirect_uri?code=…&state=…
//	client ── POST /aas/oauth2/v3/te (signed, new state) ──▶ access, id and refresh tokens
//	client ── GET /rs/prns/{oid} (Bearer access token) ──▶ the person's data, by scope
//
// Every refusal carries ЕСИА's error code (errors.go): on the front channel as a redirect with
// error, error_description and state once the redirect_uri is known to be the system's, else
// as a page; on the back channel as HTTP 400 JSON.
//
// Beside the dialect, standard OpenID Connect (oidc.go) serves systems that are not ЕСИА
// clients: discovery, JWKS (RS256), the code flow with PKCE and nonce, client secrets or public
// clients, userinfo and RP-initiated logout, through the same sign-in and consent pages. In
// demo mode the provider is also an ЕСИА test stand (sandbox.go: EsiaTest001… and a demo
// system), documented at /docs/esia-sandbox.
package provider

import (
	"context"
	"crypto/rsa"
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// Templates are the provider's pages, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// OpenAPI is the provider's part of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Tables declares the provider's tables of sealed personal data: none — people appear by
// account id and oid only, codes, tokens and client secrets by digests.
func Tables() []seal.Table { return nil }

// The lifetimes of what the provider issues.
const (
	RequestTTL = 30 * time.Minute    // an authorisation request waiting for sign-in and consent
	CodeTTL    = 2 * time.Minute     // an authorisation code
	TokenTTL   = time.Hour           // access and id tokens (expires_in 3600, as ЕСИА)
	RefreshTTL = 30 * 24 * time.Hour // a refresh token (access_type=offline)
)

// Issuer is the iss of ЕСИА's tokens, which clients in use compare with.
const Issuer = "http://esia.gosuslugi.ru/"

// Options configure the Provider.
type Options struct {
	DB      *db.DB
	ID      *id.Service
	Journal *audit.Journal // nil in tests that do not look
	// GOSTKey signs GOST3410_2012_256 tokens (the instance signing key); RSAKey signs RS256
	// tokens for the systems registered with that algorithm (nil: RS256 refused).
	GOSTKey *gost3410.PrivateKey
	RSAKey  *rsa.PrivateKey
	// Issuer is the iss of the tokens (default Issuer).
	Issuer string
	// Skew is how far a request's timestamp may be from now (default 5 minutes).
	Skew time.Duration
	// BaseURL is the address the provider is reached at, for the absolute URLs of person
	// data (asked per request: the port may be known only once the server listens).
	BaseURL func() string
	Now     func() time.Time
	Logger  *slog.Logger
}

// Provider is ID as an ЕСИА provider.
type Provider struct {
	db      *db.DB
	id      *id.Service
	journal *audit.Journal
	gost    *gost3410.PrivateKey
	rsa     *rsa.PrivateKey
	issuer  string
	skew    time.Duration
	base    func() string
	now     func() time.Time
	log     *slog.Logger
	certs   certificates // published certificates of the token keys
}

// New returns the provider.
func New(o Options) (*Provider, error) {
	if o.Issuer == "" {
		o.Issuer = Issuer
	}
	if o.Skew <= 0 {
		o.Skew = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BaseURL == nil {
		o.BaseURL = func() string { return "" }
	}
	p := &Provider{db: o.DB, id: o.ID, journal: o.Journal, gost: o.GOSTKey, rsa: o.RSAKey, issuer: o.Issuer, skew: o.Skew,
		base: o.BaseURL, now: o.Now, log: o.Logger}
	var err error
	if p.certs, err = newCertificates(o.GOSTKey, o.RSAKey, o.Now()); err != nil {
		return nil, err
	}
	return p, nil
}

// Journal actions of the provider. Their readable names are the catalog messages
// "audit.action.<code>".
const (
	ActionClientRegistered = "provider.client_registered"
	ActionClientDisabled   = "provider.client_disabled"
	ActionAuthorized       = "provider.authorized"   // a code issued to a system for the account
	ActionTokenIssued      = "provider.token_issued" // tokens for a code or a refresh token (failure: refused)
	ActionConsentGiven     = "provider.consent_given"
	ActionConsentRevoked   = "provider.consent_revoked"
	ActionDeclined         = "provider.declined" // the person refused a system's request
	ActionLogout           = "provider.logout"   // a system's logout ended the session
)

// record journals e in x, with the request's address when r is given.
func (p *Provider) record(ctx context.Context, x db.Querier, r *http.Request, e audit.Entry) error {
	if p.journal == nil {
		return nil
	}
	var err error
	if r != nil {
		_, err = p.journal.AppendRequest(ctx, x, r, e)
	} else {
		_, err = p.journal.Append(ctx, x, e)
	}
	return err
}

// Register adds the provider's routes to the site.
func Register(site *web.Site, p *Provider) {
	h := &handler{site: site, p: p}
	h.register()
}
