package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
)

// openssl runs OpenSSL with the gost engine, as the PHP and Python ЕСИА clients do; without
// the engine the test is skipped with a notice (it fails under CI=true).
func openssl(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v: %s", args[0], err, errOut.String())
	}
	return out.Bytes()
}

func requireGOSTEngine(t *testing.T) {
	t.Helper()
	if err := exec.Command("openssl", "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA").Run(); err != nil {
		msg := "OpenSSL gost engine unavailable; install Debian packages: openssl libengine-gost-openssl"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// Client secrets made by OpenSSL exactly as the clients in use make them are accepted:
// `openssl dgst -md_gost12_256 -sign` (v2 authorisation, v3 code exchange) and `openssl smime
// -sign -binary -outform DER -noattr` (v1), base64url.
func TestESIAProviderAcceptsOpenSSLSecrets(t *testing.T) {
	requireGOSTEngine(t)
	sep := Start(t)
	dir := t.TempDir()
	keyPath, certPath, msgPath := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "msg.txt")
	os.WriteFile(keyPath, openssl(t, nil, "genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"), 0o600)
	openssl(t, nil, "req", "-engine", "gost", "-x509", "-new", "-key", keyPath, "-md_gost12_256", "-subj", "/CN=OSSLSYS/O=Example",
		"-days", "2", "-out", certPath)
	certPEM, _ := os.ReadFile(certPath)
	certs, err := gostx509.ParseCertificatesPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	c := &esiaClient{t: t, sep: sep, mnemonic: "OSSLSYS", redirect: "https://ossl.example.ru/cb", cert: certs[0], now: time.Now}
	c.sign = func(msg string) string {
		return b64(openssl(t, []byte(msg), "dgst", "-engine", "gost", "-md_gost12_256", "-sign", keyPath))
	}
	blk, _ := pem.Decode(certPEM)
	const scope = "openid fullname"
	c.register(blk.Bytes, scope)

	// v2 and v3, the secrets by `openssl dgst`.
	session := registerAccount(t, sep, "+79005558201", "esia.openssl@example.ru", "Сложный-Пароль-2026")
	back := c.authorizeAs(session, c.acParams(scope, newUUID()))
	status, tk := c.post("/aas/oauth2/v3/te", c.teParams(scope, back.Query().Get("code")))
	if status != 200 || tk.AccessToken == "" {
		t.Fatalf("te with an OpenSSL secret: %d %+v", status, tk)
	}

	// v1, the secret a detached CMS by `openssl smime`.
	state, ts := newUUID(), c.timestamp()
	os.WriteFile(msgPath, []byte(scope+ts+c.mnemonic+state), 0o600)
	sig := openssl(t, nil, "smime", "-sign", "-engine", "gost", "-binary", "-outform", "DER", "-noattr", "-signer", certPath,
		"-inkey", keyPath, "-in", msgPath)
	q := url.Values{"client_id": {c.mnemonic}, "scope": {scope}, "response_type": {"code"}, "state": {state}, "timestamp": {ts},
		"access_type": {"online"}, "redirect_uri": {c.redirect}, "client_secret": {b64(sig)}}
	resp, body := get(t, sep.URL+"/aas/oauth2/ac?"+q.Encode(), "")
	if resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), "/aas/oauth2/request/") {
		t.Fatalf("v1 ac with an OpenSSL CMS secret: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	// The same CMS over another message is refused.
	q.Set("state", newUUID())
	if resp, _ := get(t, sep.URL+"/aas/oauth2/ac?"+q.Encode(), ""); !strings.Contains(resp.Header.Get("Location"), "ESIA-007053") {
		t.Fatalf("a CMS secret over another state: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
