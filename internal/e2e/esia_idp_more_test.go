package e2e

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/id/provider"
)

// postForm sends a token request through apitest: the answer is checked against the document.
func postForm(ac *apitest.Client, path string, q url.Values) (int, esiaTokens, []byte) {
	resp, body := ac.Send("POST", path, []byte(q.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	var tk esiaTokens
	var raw map[string]any
	json.Unmarshal(body, &raw)
	str := func(k string) string { s, _ := raw[k].(string); return s }
	tk.AccessToken, tk.IDToken, tk.RefreshToken, tk.State = str("access_token"), str("id_token"), str("refresh_token"), str("state")
	tk.Error, tk.ErrorDescription = str("error"), str("error_description")
	return resp.StatusCode, tk, body
}

// The legacy v1 endpoints end to end with secrets made by `openssl smime` (a detached CMS of
// scope + timestamp + client_id + state), as the PHP and Python libraries in use make them:
// /aas/oauth2/ac, then /aas/oauth2/te with a new state, the answers as the document says.
func TestESIAProviderV1TokenEndpoint(t *testing.T) {
	requireGOSTEngine(t)
	sep := Start(t)
	dir := t.TempDir()
	keyPath, certPath, msgPath := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "msg.txt")
	os.WriteFile(keyPath, openssl(t, nil, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"), 0o600)
	openssl(t, nil, "req", "-engine", "gost", "-x509", "-new", "-key", keyPath, "-md_gost12_256", "-subj", "/CN=V1SYS/O=Example",
		"-days", "2", "-out", certPath)
	certPEM, _ := os.ReadFile(certPath)
	certs, err := gostx509.ParseCertificatesPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	cms := func(msg string) string {
		os.WriteFile(msgPath, []byte(msg), 0o600)
		return b64(openssl(t, nil, "smime", "-sign", "-engine", "gost", "-binary", "-outform", "DER", "-noattr", "-signer", certPath,
			"-inkey", keyPath, "-in", msgPath))
	}
	c := &esiaClient{t: t, sep: sep, mnemonic: "V1SYS", redirect: "https://v1.example.ru/cb", cert: certs[0], now: time.Now}
	blk, _ := pem.Decode(certPEM)
	const scope = "openid fullname"
	c.register(blk.Bytes, scope)
	session := registerAccount(t, sep, "+79005558301", "esia.v1@example.ru", "Сложный-Пароль-2026")

	state, ts := newUUID(), c.timestamp()
	q := url.Values{"client_id": {c.mnemonic}, "scope": {scope}, "response_type": {"code"}, "state": {state}, "timestamp": {ts},
		"access_type": {"offline"}, "redirect_uri": {c.redirect}, "client_secret": {cms(scope + ts + c.mnemonic + state)}}
	back := c.authorizeAt(session, sep.URL+"/aas/oauth2/ac?"+q.Encode())
	code := back.Query().Get("code")
	if back.Query().Get("state") != state || code == "" {
		t.Fatalf("v1 ac: back at %s", back)
	}
	ac := apitest.New(t, sep.API, sep.URL)
	te := func(code, state string, secret string) url.Values {
		return url.Values{"client_id": {c.mnemonic}, "code": {code}, "grant_type": {"authorization_code"}, "state": {state},
			"scope": {scope}, "timestamp": {ts}, "token_type": {"Bearer"}, "redirect_uri": {c.redirect}, "client_secret": {secret}}
	}
	// A CMS over another state is refused with 008010, and the code stays good.
	ts = c.timestamp()
	state2 := newUUID()
	if status, tk, body := postForm(ac.Bad(), "/aas/oauth2/te", te(code, state2, cms(scope+ts+c.mnemonic+newUUID()))); status != 400 ||
		!strings.HasPrefix(tk.ErrorDescription, "ESIA-008010") || tk.State != state2 {
		t.Fatalf("v1 te with a secret over another state: %d %s", status, body)
	}
	state2 = newUUID()
	status, tk, body := postForm(ac, "/aas/oauth2/te", te(code, state2, cms(scope+ts+c.mnemonic+state2)))
	if status != 200 || tk.State != state2 || tk.AccessToken == "" || tk.RefreshToken == "" {
		t.Fatalf("v1 te: %d %s", status, body)
	}
	if h := jwtPart(t, tk.AccessToken, 0); h["alg"] != provider.AlgGOST {
		t.Fatalf("v1 access token header %v", h)
	}
	// A refresh through v1, and the used code refused.
	state3 := newUUID()
	rq := url.Values{"client_id": {c.mnemonic}, "refresh_token": {tk.RefreshToken}, "grant_type": {"refresh_token"}, "state": {state3},
		"scope": {scope}, "timestamp": {ts}, "redirect_uri": {c.redirect}, "client_secret": {cms(scope + ts + c.mnemonic + state3)}}
	if status, tk2, body := postForm(ac, "/aas/oauth2/te", rq); status != 200 || tk2.RefreshToken == "" || tk2.RefreshToken == tk.RefreshToken {
		t.Fatalf("v1 refresh: %d %s", status, body)
	}
	state4 := newUUID()
	if status, tk3, body := postForm(ac, "/aas/oauth2/te", te(code, state4, cms(scope+ts+c.mnemonic+state4))); status != 400 ||
		!strings.HasPrefix(tk3.ErrorDescription, "ESIA-007011") {
		t.Fatalf("v1 te with a used code: %d %s", status, body)
	}
}

// A system registered with RS256 gets RS256 tokens end to end: they verify with the published
// RSA certificate, and its access token opens /rs/prns; every JSON answer as the document says.
func TestESIAProviderRS256EndToEnd(t *testing.T) {
	sep := Start(t)
	const scope = "openid fullname email usr_org"
	c := newESIAClient(t, sep, "RSASYS", "https://rsa.example.ru/cb", scope, func(n *provider.NewClient) { n.TokenAlg = provider.AlgRS256 })
	session := registerAccount(t, sep, "+79005558302", "esia.rsa@example.ru", "Сложный-Пароль-2026")
	back := c.authorizeAs(session, c.acParams(scope, newUUID()))
	ac := apitest.New(t, sep.API, sep.URL)
	status, tk, body := postForm(ac, "/aas/oauth2/v3/te", c.teParams(scope, back.Query().Get("code")))
	if status != 200 {
		t.Fatalf("te: %d %s", status, body)
	}
	resp, certPEM := get(t, sep.URL+"/aas/oauth2/certs/rsa.pem", "")
	blk, _ := pem.Decode(certPEM)
	if resp.StatusCode != 200 || blk == nil {
		t.Fatalf("rsa.pem: %d", resp.StatusCode)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{tk.AccessToken, tk.IDToken} {
		if h := jwtPart(t, tok, 0); h["alg"] != "RS256" || h["ver"] != float64(1) {
			t.Fatalf("header %v", h)
		}
		parts := strings.Split(tok, ".")
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, d[:], sig); err != nil {
			t.Fatalf("an RS256 token does not verify with the published certificate: %v", err)
		}
	}
	oid := int64(jwtPart(t, tk.AccessToken, 1)["urn:esia:sbj_id"].(float64))
	resp, body = ac.Get(fmt.Sprintf("/rs/prns/%d", oid), "Authorization", "Bearer "+tk.AccessToken)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"stateFacts":["EntityRoot"]`) {
		t.Fatalf("/rs/prns with an RS256 token: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/ctts?embed=(elements)", "/roles", "/orgs"} {
		if resp, body := ac.Get(fmt.Sprintf("/rs/prns/%d%s", oid, path), "Authorization", "Bearer "+tk.AccessToken); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := ac.Get(fmt.Sprintf("/rs/prns/%d/addrs", oid), "Authorization", "Bearer "+tk.AccessToken); resp.StatusCode != 403 {
		t.Fatalf("addresses without the scope: %d", resp.StatusCode)
	}
	if resp, _ := ac.Get(fmt.Sprintf("/rs/prns/%d", oid), "Authorization", "Bearer "+tk.AccessToken[:len(tk.AccessToken)-4]+"AAAA"); resp.StatusCode != 401 {
		t.Fatalf("a forged RS256 token: %d", resp.StatusCode)
	}
	if resp, _ := ac.Get("/rs/orgs/1", "Authorization", "Bearer "+tk.AccessToken); resp.StatusCode != 404 {
		t.Fatalf("an organisation the person does not act for: %d", resp.StatusCode)
	}
	// A refresh keeps the algorithm.
	status, tk2, body := postForm(ac, "/aas/oauth2/v3/te", c.refreshParams(scope, tk.RefreshToken))
	if status != 200 || jwtPart(t, tk2.AccessToken, 0)["alg"] != "RS256" {
		t.Fatalf("refresh: %d %s", status, body)
	}
}
