package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
)

// Every refusal of the provider carries ЕСИА's own error code, by the transport ЕСИА uses:
// a page while the redirect_uri is not known to be the system's, then a redirect back with
// error, error_description and state; HTTP 400 JSON from the token endpoint.
func TestESIAProviderErrorCodes(t *testing.T) {
	sep := Start(t)
	const scope = "openid fullname"
	c := newESIAClient(t, sep, "ERRSYS01", "https://sys.example.ru/cb", scope)
	other := newESIAClient(t, sep, "ERRSYS02", "https://other.example.ru/cb", scope)
	strict := newESIAClient(t, sep, "ERRSYS03", "https://strict.example.ru/cb", scope,
		func(n *provider.NewClient) { n.MinLevel = id.Confirmed })
	session := registerAccount(t, sep, "+79005558101", "esia.errors@example.ru", "Сложный-Пароль-2026")

	page := func(name string, q url.Values, code string) {
		t.Helper()
		resp, body := get(t, c.acURL(q), "")
		if resp.StatusCode != 400 || !strings.Contains(string(body), code) {
			t.Errorf("%s: %d, want a page with %s", name, resp.StatusCode, code)
		}
	}
	redirect := func(name string, q url.Values, code string) {
		t.Helper()
		resp, _ := get(t, c.acURL(q), "")
		u, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || !strings.HasPrefix(u.String(), q.Get("redirect_uri")) ||
			!strings.HasPrefix(u.Query().Get("error_description"), code) || u.Query().Get("state") != q.Get("state") {
			t.Errorf("%s: %d %s, want a redirect with %s", name, resp.StatusCode, u, code)
		}
	}
	good := func() url.Values { return c.acParams(scope, newUUID()) }
	with := func(q url.Values, k, v string) url.Values { q.Set(k, v); return q }
	without := func(q url.Values, k string) url.Values { q.Del(k); return q }

	q := good()
	q.Add("scope", "openid")
	page("a duplicated parameter", q, "ESIA-007003")
	page("no client_id", without(good(), "client_id"), "ESIA-007014")
	page("an unknown system", with(good(), "client_id", "NOSUCH"), "ESIA-007005")
	page("an unregistered redirect_uri", with(good(), "redirect_uri", "https://evil.example.ru/cb"), "ESIA-007023")
	redirect("no scope", without(good(), "scope"), "ESIA-007013")
	redirect("no timestamp", without(good(), "timestamp"), "ESIA-007014")
	redirect("state not a UUID", with(good(), "state", "12345"), "ESIA-007003")
	redirect("response_type token", with(good(), "response_type", "token"), "ESIA-007003")
	redirect("an unreadable timestamp", with(good(), "timestamp", "02.09.2025 13:00"), "ESIA-007015")
	c.now = func() time.Time { return time.Now().Add(-time.Hour) }
	redirect("an old timestamp", good(), "ESIA-007015")
	c.now = time.Now
	redirect("a wrong secret", with(good(), "client_secret", strings.Repeat("A", 86)), "ESIA-007053")
	redirect("the hash of another system's certificate", with(good(), "client_certificate_hash", other.hash()), "ESIA-007002")
	redirect("a SHA-1 hash", with(good(), "client_certificate_hash", strings.Repeat("AB", 20)), "ESIA-007053")
	// The lower-case hash is the same hash.
	if resp, _ := get(t, c.acURL(with(good(), "client_certificate_hash", strings.ToLower(c.hash()))), ""); resp.StatusCode != 302 ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/aas/oauth2/request/") {
		t.Errorf("a lower-case hash: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	redirect("a scope not allowed", c.acParams("openid snils", newUUID()), "ESIA-007006")
	pk := good()
	pk.Set("code_challenge", "short")
	pk.Set("code_challenge_method", "S256")
	redirect("a malformed code_challenge", pk, "ESIA-007039")
	pk = good()
	pk.Set("code_challenge", strings.Repeat("a", 43))
	pk.Set("code_challenge_method", "plain")
	redirect("PKCE plain", pk, "ESIA-007039")

	// A simplified account at a system that takes confirmed ones only.
	if u := strict.authorizeAs(session, strict.acParams(scope, newUUID())); !strings.HasPrefix(u.Query().Get("error_description"), "ESIA-007055") {
		t.Errorf("a simplified account at a strict system: %s", u)
	}

	// The token endpoint.
	te := func(name string, q url.Values, code string) {
		t.Helper()
		status, tk := c.post("/aas/oauth2/v3/te", q)
		if status != 400 || !strings.HasPrefix(tk.ErrorDescription, code) || (q.Get("state") != "" && tk.State != q.Get("state")) {
			t.Errorf("te, %s: %d %+v, want %s", name, status, tk, code)
		}
	}
	codeOf := func(q url.Values) string { return c.authorizeAs(session, q).Query().Get("code") }
	code := codeOf(good())
	te("an unknown code", c.teParams(scope, "no-such-code"), "ESIA-007011")
	te("no code", without(c.teParams(scope, code), "code"), "ESIA-007014")
	te("no scope", without(c.teParams(scope, code), "scope"), "ESIA-007013")
	te("a wrong secret", with(c.teParams(scope, code), "client_secret", strings.Repeat("A", 86)), "ESIA-008010")
	te("another system's certificate", with(c.teParams(scope, code), "client_certificate_hash", other.hash()), "ESIA-007002")
	c.now = func() time.Time { return time.Now().Add(time.Hour) }
	te("a future timestamp", c.teParams(scope, code), "ESIA-007015")
	c.now = time.Now
	te("state not a UUID", with(c.teParams(scope, code), "state", "x"), "ESIA-007003")
	te("another system's code", other.teParams(scope, code), "ESIA-007011")
	// (the code was not spent by the refusals above)
	if status, tk := c.post("/aas/oauth2/v3/te", c.teParams(scope, code)); status != 200 {
		t.Fatalf("te after the refusals: %d %+v", status, tk)
	}
	te("a used code", c.teParams(scope, code), "ESIA-007011")
	sep.Provider.DisableClient(t.Context(), "ERRSYS02")
	if resp, body := get(t, other.acURL(other.acParams(scope, newUUID())), ""); resp.StatusCode != 400 || !strings.Contains(string(body), "ESIA-007005") {
		t.Errorf("a disabled system: %d", resp.StatusCode)
	}

	// PKCE: the verifier must match the challenge.
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	pk = good()
	pk.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
	pk.Set("code_challenge_method", "S256")
	code = codeOf(pk)
	te("no code_verifier", c.teParams(scope, code), "ESIA-007040")
	code = codeOf(pk2(c, pk))
	te("a wrong code_verifier", with(c.teParams(scope, code), "code_verifier", strings.Repeat("w", 50)), "ESIA-007040")
	code = codeOf(pk2(c, pk))
	if status, tk := c.post("/aas/oauth2/v3/te", with(c.teParams(scope, code), "code_verifier", verifier)); status != 200 {
		t.Errorf("the right code_verifier: %d %+v", status, tk)
	}

	// The person declining (ESIA-007004) is in the browser test; the error pages pass axe-core.
	b := NewBrowser(t)
	b.Open(c.acURL(with(good(), "redirect_uri", "https://evil.example.ru/cb")))
	if b.Text(".esia-code") != "ESIA-007023" {
		t.Fatalf("the error page: %q", b.Text("main"))
	}
	b.CheckA11y()
}

// pk2 is the PKCE request again, with a new state and signature.
func pk2(c *esiaClient, pk url.Values) url.Values {
	q := c.acParams(pk.Get("scope"), newUUID())
	q.Set("code_challenge", pk.Get("code_challenge"))
	q.Set("code_challenge_method", "S256")
	return q
}
