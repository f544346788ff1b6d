package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/id/provider"
)

// esiaClient is a small ЕСИА client as the integrators' libraries are: its own GOST key and
// certificate, the signed messages of esia-protocol.md §2 (written here with gost/ directly).
type esiaClient struct {
	t        *testing.T
	sep      *Instance
	mnemonic string
	redirect string
	key      *gost3410.PrivateKey
	cert     *gostx509.Certificate
	// sign makes the v2/v3 client_secret of a message (default: in process).
	sign func(msg string) string
	// now is the client's clock for timestamps.
	now func() time.Time
}

func newESIAClient(t *testing.T, sep *Instance, mnemonic, redirect, scopes string, opts ...func(*provider.NewClient)) *esiaClient {
	t.Helper()
	c, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	name, _ := gostx509.ParseName("CN=" + mnemonic + ",O=Example")
	der, err := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour)}, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := gostx509.ParseCertificate(der)
	ec := &esiaClient{t: t, sep: sep, mnemonic: mnemonic, redirect: redirect, key: key, cert: cert, now: time.Now}
	ec.sign = func(msg string) string {
		d := streebog.Sum256([]byte(msg))
		sig, err := key.Sign(nil, d[:], nil)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(sig)
	}
	ec.register(der, scopes, opts...)
	return ec
}

func (c *esiaClient) register(der []byte, scopes string, opts ...func(*provider.NewClient)) {
	n := provider.NewClient{Mnemonic: c.mnemonic, CertDER: der, RedirectURIs: []string{c.redirect}, Scopes: strings.Fields(scopes)}
	for _, o := range opts {
		o(&n)
	}
	if _, err := c.sep.Provider.RegisterClient(c.t.Context(), n); err != nil {
		c.t.Fatal(err)
	}
}

func (c *esiaClient) hash() string { return strings.ToUpper(provider.CertHash(c.cert.Raw)) }

func (c *esiaClient) timestamp() string { return c.now().Format(provider.TimestampLayout) }

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// acParams are the v2 authorisation parameters, signed.
func (c *esiaClient) acParams(scope, state string) url.Values {
	ts := c.timestamp()
	return url.Values{"client_id": {c.mnemonic}, "scope": {scope}, "response_type": {"code"}, "state": {state},
		"timestamp": {ts}, "access_type": {"offline"}, "redirect_uri": {c.redirect}, "client_certificate_hash": {c.hash()},
		"client_secret": {c.sign(c.mnemonic + scope + ts + state + c.redirect)}}
}

func (c *esiaClient) acURL(q url.Values) string { return c.sep.URL + "/aas/oauth2/v2/ac?" + q.Encode() }

// teParams are the v3 code-exchange parameters, signed, with a new state.
func (c *esiaClient) teParams(scope, code string) url.Values {
	ts, state := c.timestamp(), newUUID()
	return url.Values{"client_id": {c.mnemonic}, "code": {code}, "grant_type": {"authorization_code"}, "state": {state},
		"scope": {scope}, "scope_org": {""}, "timestamp": {ts}, "token_type": {"Bearer"}, "redirect_uri": {c.redirect},
		"client_certificate_hash": {c.hash()}, "client_secret": {c.sign(c.mnemonic + scope + ts + state + c.redirect + code)}}
}

func (c *esiaClient) refreshParams(scope, refresh string) url.Values {
	ts, state := c.timestamp(), newUUID()
	return url.Values{"client_id": {c.mnemonic}, "refresh_token": {refresh}, "grant_type": {"refresh_token"}, "state": {state},
		"scope": {scope}, "timestamp": {ts}, "redirect_uri": {c.redirect}, "client_certificate_hash": {c.hash()},
		"client_secret": {c.sign(c.mnemonic + scope + ts + state + c.redirect + refresh)}}
}

type esiaTokens struct {
	AccessToken, IDToken, RefreshToken, State, TokenType string
	ExpiresIn                                            int
	Error, ErrorDescription                              string
}

func (c *esiaClient) post(path string, q url.Values) (int, esiaTokens) {
	c.t.Helper()
	resp, err := http.PostForm(c.sep.URL+path, q)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var raw map[string]any
	var tk esiaTokens
	json.Unmarshal(body, &raw)
	str := func(k string) string { s, _ := raw[k].(string); return s }
	tk.AccessToken, tk.IDToken, tk.RefreshToken, tk.State, tk.TokenType = str("access_token"), str("id_token"), str("refresh_token"), str("state"), str("token_type")
	tk.Error, tk.ErrorDescription = str("error"), str("error_description")
	if n, ok := raw["expires_in"].(float64); ok {
		tk.ExpiresIn = int(n)
	}
	return resp.StatusCode, tk
}

// noFollow is an HTTP client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, u, bearer string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// authorizeAs runs the authorisation as the signed-in owner of session (a bearer session
// token, as the app has), consenting when asked, and returns the redirect back to the system.
func (c *esiaClient) authorizeAs(session string, q url.Values) *url.URL {
	c.t.Helper()
	return c.authorizeAt(session, c.acURL(q))
}

// authorizeAt is authorizeAs for a whole authorisation address (the legacy v1 one, say).
func (c *esiaClient) authorizeAt(session, acURL string) *url.URL {
	c.t.Helper()
	resp, body := get(c.t, acURL, "")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/aas/oauth2/request/") {
		c.t.Fatalf("ac: %d %s %s", resp.StatusCode, loc, body)
	}
	resp, _ = get(c.t, c.sep.URL+loc, session)
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Refresh") == "" { // the consent page: allow
		req, _ := http.NewRequest("POST", c.sep.URL+loc, strings.NewReader("decision=allow"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+session)
		var err error
		if resp, err = noFollow.Do(req); err != nil {
			c.t.Fatal(err)
		}
		resp.Body.Close()
	}
	if resp.Header.Get("Refresh") == "" {
		c.t.Fatalf("the request page: %d, not the way back", resp.StatusCode)
	}
	// The page goes back by itself (Refresh), as a form's navigation may not be redirected away.
	_, target, _ := strings.Cut(resp.Header.Get("Refresh"), "url=")
	u, err := url.Parse(target)
	if resp.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(u.String(), c.redirect) {
		c.t.Fatalf("the request page: %d %q", resp.StatusCode, resp.Header.Get("Refresh"))
	}
	return u
}

func jwtPart(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// A system registered with ID signs a citizen in exactly as through ЕСИА: in a real browser
// the citizen signs in on ID's pages and consents (axe-clean, without JavaScript), the system
// exchanges the code for GOST-signed tokens, reads the person, refreshes; the consent is
// remembered, listed on /id/security/consents and revoked there.
func TestESIAProviderCodeFlowInTheBrowser(t *testing.T) {
	sep := Start(t)
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!doctype html><html lang=\"ru\"><title>ok</title><main>ok</main></html>")
	}))
	defer back.Close()
	const phone, email, pw = "+79005558001", "esia.citizen@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	const scope = "openid fullname email mobile"
	c := newESIAClient(t, sep, "TESTSYS01", back.URL+"/esia/callback", scope)

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	state := newUUID()
	b.Open(c.acURL(c.acParams(scope, state)))
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("ac leads to %q, want ID's sign-in", h1)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), email), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if h1 := b.Text("h1"); h1 != "Предоставление доступа к данным" {
		t.Fatalf("after signing in: %q, want the consent", h1)
	}
	if list := b.Text(".consent-scopes"); !strings.Contains(list, "Фамилия, имя и отчество") || !strings.Contains(list, "Номер мобильного телефона") {
		t.Fatalf("the consent lists %q", list)
	}
	b.CheckA11y()
	b.Submit("#allow")
	back1 := waitBack(t, b, back.URL)
	if back1.Path != "/esia/callback" || back1.Query().Get("state") != state || back1.Query().Get("code") == "" {
		t.Fatalf("back at the system: %s", back1)
	}
	code := back1.Query().Get("code")

	te := c.teParams(scope, code)
	status, tk := c.post("/aas/oauth2/v3/te", te)
	if status != 200 || tk.State != te.Get("state") || tk.TokenType != "Bearer" || tk.ExpiresIn != 3600 || tk.RefreshToken == "" {
		t.Fatalf("te: %d %+v", status, tk)
	}
	h := jwtPart(t, tk.AccessToken, 0)
	if h["alg"] != "GOST3410_2012_256" || h["sbt"] != "access" || h["ver"] != float64(1) {
		t.Fatalf("access token header %v", h)
	}
	claims := jwtPart(t, tk.AccessToken, 1)
	oid := int64(claims["urn:esia:sbj_id"].(float64))
	if claims["iss"] != "http://esia.gosuslugi.ru/" || !strings.Contains(claims["scope"].(string), fmt.Sprintf("fullname?oid=%d", oid)) {
		t.Fatalf("access claims %v", claims)
	}
	idc := jwtPart(t, tk.IDToken, 1)
	sbj := idc["urn:esia:sbj"].(map[string]any)
	if idc["aud"] != "TESTSYS01" || sbj["urn:esia:sbj:oid"] != float64(oid) || sbj["urn:esia:sbj:typ"] != "P" || sbj["urn:esia:sbj:lvl"] != float64(1) {
		t.Fatalf("id token %v", idc)
	}
	if _, tru := sbj["urn:esia:sbj:is_tru"]; tru {
		t.Fatal("a simplified account is_tru")
	}
	// The verification of the token signature by the published certificate.
	resp, certPEM := get(t, sep.URL+"/aas/oauth2/certs/gost.pem", "")
	certs, err := gostx509.ParseCertificatesPEM(certPEM)
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("published certificate: %d %v", resp.StatusCode, err)
	}
	parts := strings.Split(tk.AccessToken, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	d := streebog.Sum256([]byte(parts[0] + "." + parts[1]))
	if !gost3410.VerifyDigest(certs[0].PublicKey, d[:], sig) {
		t.Fatal("the access token does not verify with the published certificate")
	}

	// The person, by the token's scopes.
	resp, body := get(t, fmt.Sprintf("%s/rs/prns/%d?embed=(contacts.elements)", sep.URL, oid), tk.AccessToken)
	var person provider.Person
	json.Unmarshal(body, &person)
	if resp.StatusCode != 200 || person.Contacts == nil || person.Contacts.Size != 2 || person.Trusted {
		t.Fatalf("/rs/prns: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), `"value":"esia.citizen@example.ru"`) || !strings.Contains(string(body), `"+7(900)5558001"`) {
		t.Fatalf("contacts: %s", body)
	}
	resp, body = get(t, fmt.Sprintf("%s/rs/prns/%d/ctts", sep.URL, oid), tk.AccessToken)
	if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`/rs/prns/%d/ctts/1"`, oid)) {
		t.Fatalf("/ctts: %d %s", resp.StatusCode, body)
	}
	if resp, _ = get(t, fmt.Sprintf("%s/rs/prns/%d/addrs", sep.URL, oid), tk.AccessToken); resp.StatusCode != 403 {
		t.Fatalf("addresses without the scope: %d", resp.StatusCode)
	}
	if resp, _ = get(t, fmt.Sprintf("%s/rs/prns/%d", sep.URL, oid+1), tk.AccessToken); resp.StatusCode != 403 {
		t.Fatalf("another person's data: %d", resp.StatusCode)
	}
	if resp, _ = get(t, fmt.Sprintf("%s/rs/prns/%d", sep.URL, oid), tk.AccessToken[:len(tk.AccessToken)-4]+"AAAA"); resp.StatusCode != 401 {
		t.Fatalf("a forged token: %d", resp.StatusCode)
	}

	// The code is single use; refresh tokens rotate.
	if status, tk2 := c.post("/aas/oauth2/v3/te", c.teParams(scope, code)); status != 400 || !strings.HasPrefix(tk2.ErrorDescription, "ESIA-007011") {
		t.Fatalf("the code again: %d %+v", status, tk2)
	}
	status, tk3 := c.post("/aas/oauth2/v3/te", c.refreshParams(scope, tk.RefreshToken))
	if status != 200 || tk3.RefreshToken == "" || tk3.RefreshToken == tk.RefreshToken {
		t.Fatalf("refresh: %d %+v", status, tk3)
	}
	if status, tk4 := c.post("/aas/oauth2/v3/te", c.refreshParams(scope, tk.RefreshToken)); status != 400 || !strings.HasPrefix(tk4.ErrorDescription, "ESIA-007011") {
		t.Fatalf("a used refresh token: %d %+v", status, tk4)
	}

	// The consent is remembered: the next sign-in of the system goes straight back.
	state2 := newUUID()
	b.Open(c.acURL(c.acParams(scope, state2)))
	if again := waitBack(t, b, back.URL); again.Query().Get("state") != state2 || again.Query().Get("code") == "" {
		t.Fatalf("a second sign-in: %s", again)
	}

	// Revoked on the security page.
	b.Open(sep.URL + "/id/security")
	b.Submit(`a[href="/id/security/consents"]`)
	if h1 := b.Text("h1"); h1 != "Доступ систем к данным" || !strings.Contains(b.Text(".provider-consents"), "TESTSYS01") {
		t.Fatalf("the consents page: %q", b.Text("main"))
	}
	b.CheckA11y()
	b.Submit(`.provider-consent form button`)
	if !strings.Contains(b.Text(".form-notice"), "Доступ отозван") || !strings.Contains(b.Text(".provider-consents"), "не предоставляли") {
		t.Fatalf("after revoking: %q", b.Text("main"))
	}
	b.CheckA11y()
	if status, tk5 := c.post("/aas/oauth2/v3/te", c.refreshParams(scope, tk3.RefreshToken)); status != 400 || !strings.HasPrefix(tk5.ErrorDescription, "ESIA-007011") {
		t.Fatalf("a refresh token after revoking: %d %+v", status, tk5)
	}
	b.Open(c.acURL(c.acParams(scope, newUUID())))
	if h1 := b.Text("h1"); h1 != "Предоставление доступа к данным" {
		t.Fatalf("after revoking, the system's sign-in: %q, want the consent again", h1)
	}
	// Declining sends ESIA-007004 back.
	b.Submit("#deny")
	if d := waitBack(t, b, back.URL); !strings.HasPrefix(d.Query().Get("error_description"), "ESIA-007004") {
		t.Fatalf("declined: %s", d)
	}

	// Logout: the ID session ends, and back only to a registered address.
	if resp, body := get(t, sep.URL+"/idp/ext/Logout?client_id=TESTSYS01&redirect_url="+url.QueryEscape("https://evil.example.ru/"), ""); resp.StatusCode != 400 ||
		!strings.Contains(string(body), "ESIA-007023") {
		t.Fatalf("logout to an unregistered address: %d", resp.StatusCode)
	}
	b.Open(sep.URL + "/idp/ext/Logout?client_id=TESTSYS01&redirect_url=" + url.QueryEscape(c.redirect))
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("after the system's logout the account page shows %q", h1)
	}
}

// waitBack waits until the browser is back at the system (the page going back refreshes by
// itself) and returns the address it came back to.
func waitBack(t *testing.T, b *Browser, system string) *url.URL {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		href := Eval[string](b, "location.href")
		if strings.HasPrefix(href, system) {
			u, _ := url.Parse(href)
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("the browser stays at %s", href)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
