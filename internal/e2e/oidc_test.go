package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/web"
)

// validating sends an independent client library's requests through apitest, so that every
// answer of ours it reads is checked against the OpenAPI document.
type validating struct{ c *apitest.Client }

func (v validating) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, body := v.c.Do(req)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// direct is for what a library fetches on goroutines of its own (the key set), where a test
// may not fail: checked separately.
type direct struct{ checked, plain http.RoundTripper }

func (d direct) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == provider.OIDCJWKSPath {
		return d.plain.RoundTrip(req)
	}
	return d.checked.RoundTrip(req)
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorizeOIDC goes through the authorization endpoint as the owner of the session (a bearer
// session token), consenting when asked, and returns the address the person is sent back to.
func authorizeOIDC(t *testing.T, sep *Instance, session, authURL, redirect string) *url.URL {
	t.Helper()
	resp, body := get(t, authURL, "")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	if strings.HasPrefix(loc, redirect) { // refused straight back to the system
		u, _ := url.Parse(loc)
		return u
	}
	if !strings.HasPrefix(loc, "/aas/oauth2/request/") {
		t.Fatalf("authorize: to %s", loc)
	}
	resp, _ = get(t, sep.URL+loc, session)
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Refresh") == "" { // the consent page: allow
		req, _ := http.NewRequest("POST", sep.URL+loc, strings.NewReader("decision=allow"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+session)
		var err error
		if resp, err = noFollow.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, target, _ := strings.Cut(resp.Header.Get("Refresh"), "url=")
	u, err := url.Parse(target)
	if resp.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(target, redirect) {
		t.Fatalf("the request page: %d %q", resp.StatusCode, resp.Header.Get("Refresh"))
	}
	return u
}

// A system that is not an ЕСИА client signs a citizen in through standard OpenID Connect, with
// an independent client library (coreos/go-oidc and golang.org/x/oauth2): discovery, the code
// flow with PKCE and the nonce, the id token verified by the published JWKS, userinfo, refresh
// rotation, client_secret_basic and client_secret_post, a public client, and RP-initiated
// logout. Every JSON answer is checked against the OpenAPI document.
func TestOIDCWithAnIndependentClient(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005558101", "oidc.citizen@example.ru", "Сложный-Пароль-2026"
	session := registerAccount(t, sep, phone, email, pw)
	const redirect, back = "https://rp.example.ru/callback", "https://rp.example.ru/bye"
	conf, secret, err := sep.Provider.RegisterOIDCClient(t.Context(), provider.NewOIDCClient{Mnemonic: "rp-portal",
		RedirectURIs: []string{redirect}, PostLogout: []string{back}, Scopes: []string{"openid", "profile", "email", "phone"}})
	if err != nil || secret == "" || conf.Public() {
		t.Fatalf("register: %v", err)
	}

	ac := apitest.New(t, sep.API, sep.URL)
	hc := &http.Client{Transport: direct{checked: validating{ac}, plain: http.DefaultTransport}}
	ctx := oidc.ClientContext(context.Background(), hc)
	op, err := oidc.NewProvider(ctx, sep.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if resp, body := ac.Get(provider.OIDCJWKSPath); resp.StatusCode != 200 || !strings.Contains(string(body), `"kty":"RSA"`) {
		t.Fatalf("jwks: %d %s", resp.StatusCode, body)
	}
	var meta struct {
		EndSession string   `json:"end_session_endpoint"`
		Methods    []string `json:"code_challenge_methods_supported"`
	}
	if err := op.Claims(&meta); err != nil || meta.EndSession != sep.URL+"/oidc/logout" || meta.Methods[0] != "S256" {
		t.Fatalf("metadata: %+v %v", meta, err)
	}
	ep := op.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic
	oc := &oauth2.Config{ClientID: "rp-portal", ClientSecret: secret, Endpoint: ep, RedirectURL: redirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", "phone"}}
	verifier := op.Verifier(&oidc.Config{ClientID: "rp-portal"})

	state, nonce, pkce := randomString(16), randomString(16), oauth2.GenerateVerifier()
	cb := authorizeOIDC(t, sep, session, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), redirect)
	if cb.Query().Get("state") != state || cb.Query().Get("code") == "" {
		t.Fatalf("back at the system: %s", cb)
	}
	code := cb.Query().Get("code")
	if _, err := oc.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("a wrong code_verifier: %v", err)
	}
	// A refusal rolls back: the code stays good for the right verifier.
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("the id token: %v", err)
	}
	if idt.Nonce != nonce || idt.Issuer != sep.URL || idt.Subject == "" {
		t.Fatalf("id token: nonce %q iss %q sub %q", idt.Nonce, idt.Issuer, idt.Subject)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Fatalf("at_hash: %v", err)
	}
	var ic struct {
		ACR string `json:"acr"`
		SID string `json:"sid"`
	}
	if idt.Claims(&ic); ic.ACR != "urn:sep:level:simplified" || ic.SID == "" {
		t.Fatalf("id token claims %+v", ic)
	}
	ui, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != idt.Subject || ui.Email != email || !ui.EmailVerified {
		t.Fatalf("userinfo: %+v %v", ui, err)
	}
	var claims map[string]any
	ui.Claims(&claims)
	if claims["phone_number"] != phone {
		t.Fatalf("userinfo claims %v", claims)
	}
	if _, err := oc.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err == nil {
		t.Fatal("a code exchanged twice")
	}

	// Refresh tokens rotate; a refreshed id token still verifies, without a nonce.
	tok2, err := oc.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}
	if idt2, err := verifier.Verify(ctx, tok2.Extra("id_token").(string)); err != nil || idt2.Nonce != "" || idt2.Subject != idt.Subject {
		t.Fatalf("a refreshed id token: %v", err)
	}
	if _, err := oc.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Fatal("a used refresh token works again")
	}

	// client_secret_post; a wrong secret is invalid_client (401 with a challenge under Basic).
	post := *oc
	post.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	cb = authorizeOIDC(t, sep, session, post.AuthCodeURL(randomString(8)), redirect) // remembered consent: straight back
	if _, err := post.Exchange(ctx, cb.Query().Get("code")); err != nil {
		t.Fatalf("client_secret_post: %v", err)
	}
	wrong := *oc
	wrong.ClientSecret = "not-the-secret"
	cb = authorizeOIDC(t, sep, session, wrong.AuthCodeURL(randomString(8)), redirect)
	var re *oauth2.RetrieveError
	if _, err := wrong.Exchange(ctx, cb.Query().Get("code")); !asRetrieve(err, &re) || re.Response.StatusCode != 401 || re.ErrorCode != "invalid_client" {
		t.Fatalf("a wrong secret: %v", err)
	}

	// A public client: no secret, PKCE required.
	if _, _, err := sep.Provider.RegisterOIDCClient(t.Context(), provider.NewOIDCClient{Mnemonic: "rp-app",
		RedirectURIs: []string{"http://127.0.0.1:9/app"}, Scopes: []string{"openid", "email"}, Public: true}); err != nil {
		t.Fatal(err)
	}
	pub := &oauth2.Config{ClientID: "rp-app", Endpoint: oauth2.Endpoint{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL,
		AuthStyle: oauth2.AuthStyleInParams}, RedirectURL: "http://127.0.0.1:9/app", Scopes: []string{oidc.ScopeOpenID, "email"}}
	if cb := authorizeOIDC(t, sep, session, pub.AuthCodeURL("s1"), "http://127.0.0.1:9/app"); cb.Query().Get("error") != "invalid_request" ||
		cb.Query().Get("state") != "s1" {
		t.Fatalf("a public client without PKCE: %s", cb)
	}
	if cb := authorizeOIDC(t, sep, session, pub.AuthCodeURL("s2", oauth2.S256ChallengeOption(pkce), oauth2.SetAuthURLParam("scope", "openid phone")),
		"http://127.0.0.1:9/app"); cb.Query().Get("error") != "invalid_scope" {
		t.Fatalf("a scope the client may not ask: %s", cb)
	}
	cb = authorizeOIDC(t, sep, session, pub.AuthCodeURL("s3", oauth2.S256ChallengeOption(pkce)), "http://127.0.0.1:9/app")
	ptok, err := pub.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("a public client's exchange: %v", err)
	}
	if _, err := op.Verifier(&oidc.Config{ClientID: "rp-app"}).Verify(ctx, ptok.Extra("id_token").(string)); err != nil {
		t.Fatalf("the public client's id token: %v", err)
	}
	if _, err := op.Verifier(&oidc.Config{ClientID: "rp-portal"}).Verify(ctx, ptok.Extra("id_token").(string)); err == nil {
		t.Fatal("an id token for another audience verified")
	}
	// An ЕСИА endpoint does not know an OIDC client, nor the reverse.
	if resp, body := get(t, sep.URL+"/aas/oauth2/v2/ac?client_id=rp-portal&redirect_uri="+url.QueryEscape(redirect), ""); resp.StatusCode != 400 ||
		!strings.Contains(string(body), "ESIA-007005") {
		t.Fatalf("an OIDC client at the ЕСИА endpoint: %d", resp.StatusCode)
	}

	// Bad access tokens are refused at userinfo, as documented.
	if resp, _ := ac.Get(provider.OIDCUserinfoPath, "Authorization", "Bearer "+tok.AccessToken[:len(tok.AccessToken)-4]+"AAAA"); resp.StatusCode != 401 ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("a forged access token: %d", resp.StatusCode)
	}
	if resp, _ := ac.Get(provider.OIDCUserinfoPath); resp.StatusCode != 401 {
		t.Fatalf("no access token: %d", resp.StatusCode)
	}

	// RP-initiated logout: only to a registered address, then the ID session is over.
	lo := meta.EndSession + "?" + url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {"https://evil.example.ru/"}}.Encode()
	if resp, body := get(t, lo, session); resp.StatusCode != 400 || !strings.Contains(string(body), "ESIA-007023") {
		t.Fatalf("logout to an unregistered address: %d", resp.StatusCode)
	}
	lo = meta.EndSession + "?" + url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {back}, "state": {"bye-1"}}.Encode()
	if resp, _ := get(t, lo, session); resp.StatusCode != 302 || resp.Header.Get("Location") != back+"?state=bye-1" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, sep.URL+"/api/v1/account", session); resp.StatusCode != 401 {
		t.Fatalf("after the system's logout the session still works: %d", resp.StatusCode)
	}
	// An access token lives its hour after the sign-out, as access tokens do.
	if _, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err != nil {
		t.Fatalf("userinfo after logout (the access token lives on): %v", err)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	if ok {
		*re = r
	}
	return ok
}

// The ЕСИА sandbox guide and the logout question are pages like any: in Russian and English,
// without JavaScript, axe-clean. A logout without a valid id_token_hint asks the person first,
// then goes back to the system's registered address with the state.
func TestOIDCLogoutPageAndSandboxGuideInTheBrowser(t *testing.T) {
	sep := Start(t)
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!doctype html><html lang=\"ru\"><title>ok</title><main>ok</main></html>")
	}))
	defer back.Close()
	const phone, email, pw = "+79005558102", "oidc.logout@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	if _, _, err := sep.Provider.RegisterOIDCClient(t.Context(), provider.NewOIDCClient{Mnemonic: "rp-logout",
		RedirectURIs: []string{back.URL + "/cb"}, PostLogout: []string{back.URL + "/bye"}, Public: true}); err != nil {
		t.Fatal(err)
	}

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + provider.SandboxDocsPath)
	if h1 := b.Text("h1"); h1 != "СЭП как тестовая среда ЕСИА" || !strings.Contains(b.Text(".esia-users"), "EsiaTest003") ||
		!strings.Contains(b.Text(".esia-errors"), "ESIA-007053") || !strings.Contains(b.Text("main"), "openssl smime -sign") {
		t.Fatalf("the guide: %q", b.Text("main"))
	}
	b.CheckA11y()
	resp, body := getLang(t, sep.URL+provider.SandboxDocsPath, "en")
	if resp.StatusCode != 200 || !strings.Contains(body, "as an ЕСИА test stand") || !strings.Contains(body, "Standard OpenID Connect") {
		t.Fatalf("the guide in English: %d", resp.StatusCode)
	}

	b.Open(sep.URL + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), email), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)

	lo := sep.URL + provider.OIDCLogoutPath + "?" + url.Values{"client_id": {"rp-logout"}, "post_logout_redirect_uri": {back.URL + "/bye"},
		"state": {"st-7"}}.Encode()
	b.Open(lo)
	if h1 := b.Text("h1"); h1 != "Выход из СЭП ID" || !strings.Contains(b.Text("main"), "rp-logout") {
		t.Fatalf("the logout question: %q", b.Text("main"))
	}
	b.CheckA11y()
	b.Submit("#stay")
	if u := waitBack(t, b, back.URL); u.Path != "/bye" || u.Query().Get("state") != "st-7" {
		t.Fatalf("back after staying: %s", u)
	}
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 == "Вход" {
		t.Fatal("staying signed the person out")
	}
	b.Open(lo)
	b.Submit("#signout")
	if u := waitBack(t, b, back.URL); u.Path != "/bye" || u.Query().Get("state") != "st-7" {
		t.Fatalf("back after signing out: %s", u)
	}
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("after the logout the account page shows %q", h1)
	}
}

// getLang is a GET of a page in a language (the visitor's choice, kept in its cookie).
func getLang(t *testing.T, u, lang string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.AddCookie(&http.Cookie{Name: web.LangCookie, Value: lang})
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}
