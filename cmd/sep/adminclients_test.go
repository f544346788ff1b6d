package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/id/provider"
)

// testCertificate writes a GOST R 34.10-2012 certificate (PEM) as an integrator would have it,
// and returns its file and its client_certificate_hash.
func testCertificate(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	c, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := gostx509.ParseName("CN=" + name + ",O=Example")
	der, err := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: subject, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour)}, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name+".pem")
	os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	return file, strings.ToUpper(provider.CertHash(der))
}

// An administrator registers ЕСИА and OpenID Connect systems from the command line, lists and
// disables them; refusals name what is wrong, and every change is journaled.
func TestAdminClients(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SEP_DATABASE_URL": dbtest.SQLiteURL(t), "SEP_DATA_DIR": dir}
	if code, out, errOut := sep(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate: %s %s", out, errOut)
	}
	cert, hash := testCertificate(t, dir, "TESTSYS")
	code, out, errOut := sep(t, env, "admin", "register-client", "-mnemonic", "TESTSYS", "-cert", cert,
		"-redirect", "https://sys.example.ru/esia,https://sys.example.ru/esia2", "-scopes", "openid fullname,snils", "-min-level", "standard")
	if code != 0 || !strings.Contains(out, "registered TESTSYS") || !strings.Contains(out, "client_certificate_hash "+hash) {
		t.Fatalf("register-client: exit %d\n%s%s", code, out, errOut)
	}
	// The same mnemonic again; a bad certificate, scope, level; missing flags.
	if code, _, errOut := sep(t, env, "admin", "register-client", "-mnemonic", "TESTSYS", "-cert", cert, "-redirect", "https://sys.example.ru/x",
		"-scopes", "openid"); code != exitFailure || !strings.Contains(errOut, "registered already") {
		t.Fatalf("a taken mnemonic: exit %d %q", code, errOut)
	}
	notCert := filepath.Join(dir, "not.pem")
	os.WriteFile(notCert, []byte("not a certificate"), 0o600)
	code, _, errOut = sep(t, env, "admin", "register-client", "-mnemonic", "OTHER", "-cert", notCert, "-redirect", "ftp://x",
		"-scopes", "openid telepathy", "-min-level", "gold")
	for _, want := range []string{"-cert: A GOST R 34.10-2012", "-redirect: Give at least one", "-scopes: Give the allowed scopes", "-min-level: The account level"} {
		if code != exitFailure || !strings.Contains(errOut, want) {
			t.Fatalf("bad values: exit %d, %q lacks %q", code, errOut, want)
		}
	}
	if code, _, errOut := sep(t, env, "admin", "register-client", "-mnemonic", "OTHER"); code != exitUsage || !strings.Contains(errOut, "required") {
		t.Fatalf("missing flags: exit %d %q", code, errOut)
	}
	if code, _, _ := sep(t, env, "admin", "register-client", "-mnemonic", "OTHER", "-cert", filepath.Join(dir, "missing.pem"),
		"-redirect", "https://x.example.ru/", "-scopes", "openid"); code != exitUsage {
		t.Fatalf("a missing certificate file: exit %d", code)
	}

	// OpenID Connect: a confidential client's secret printed once; a public one has none.
	code, out, errOut = sep(t, env, "admin", "register-client", "-oidc", "-mnemonic", "rp-portal", "-redirect", "https://rp.example.ru/cb",
		"-post-logout", "https://rp.example.ru/bye", "-scopes", "openid profile email")
	m := regexp.MustCompile(`(?m)^client_secret (\S{40,})$`).FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "registered rp-portal (OpenID Connect)") {
		t.Fatalf("register-client -oidc: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = sep(t, env, "admin", "register-client", "-oidc", "-public", "-mnemonic", "rp-app", "-redirect", "http://127.0.0.1:8400/cb")
	if code != 0 || strings.Contains(out, "client_secret ") || !strings.Contains(out, "PKCE") {
		t.Fatalf("register-client -oidc -public: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := sep(t, env, "admin", "register-client", "-oidc", "-mnemonic", "rp-x", "-cert", cert, "-redirect", "https://x.example.ru/"); code != exitUsage ||
		!strings.Contains(errOut, "no certificate") {
		t.Fatalf("-oidc with -cert: exit %d %q", code, errOut)
	}
	if code, _, errOut := sep(t, env, "admin", "register-client", "-oidc", "-mnemonic", "rp-x", "-redirect", "https://x.example.ru/",
		"-scopes", "openid snils"); code != exitFailure || !strings.Contains(errOut, "-scopes") {
		t.Fatalf("-oidc with an ЕСИА scope: exit %d %q", code, errOut)
	}
	if code, _, errOut := sep(t, env, "admin", "register-client", "-public", "-mnemonic", "X2", "-cert", cert, "-redirect", "https://x.example.ru/",
		"-scopes", "openid"); code != exitUsage || !strings.Contains(errOut, "-oidc") {
		t.Fatalf("-public without -oidc: exit %d %q", code, errOut)
	}

	code, out, _ = sep(t, env, "admin", "list-clients")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "MNEMONIC") ||
		!regexp.MustCompile(`^TESTSYS\s+esia\s+enabled\s+GOST3410_2012_256\s+standard\s+openid fullname snils\s+https://sys.example.ru/esia https://sys.example.ru/esia2\s+`+hash+`\s+\d{4}-\d\d-\d\d \d\d:\d\d MSK`).MatchString(lines[1]) ||
		!regexp.MustCompile(`^rp-portal\s+oidc confidential\s+enabled\s+RS256\s+simplified\s+openid profile email`).MatchString(lines[2]) ||
		!regexp.MustCompile(`^rp-app\s+oidc public\s+enabled\s+RS256`).MatchString(lines[3]) {
		t.Fatalf("list-clients: exit %d\n%s", code, out)
	}
	if code, out, errOut := sep(t, env, "admin", "disable-client", "-mnemonic", "TESTSYS"); code != 0 || !strings.Contains(out, "disabled TESTSYS") {
		t.Fatalf("disable-client: exit %d %s%s", code, out, errOut)
	}
	if code, _, errOut := sep(t, env, "admin", "disable-client", "-mnemonic", "TESTSYS"); code != exitFailure || !strings.Contains(errOut, "no such system") {
		t.Fatalf("disabling again: exit %d %q", code, errOut)
	}
	if code, _, _ := sep(t, env, "admin", "disable-client"); code != exitUsage {
		t.Fatalf("disable-client without -mnemonic: exit %d", code)
	}
	if _, out, _ := sep(t, env, "admin", "list-clients"); !regexp.MustCompile(`(?m)^TESTSYS\s+esia\s+disabled \d{4}-`).MatchString(out) {
		t.Fatalf("list after disabling:\n%s", out)
	}
	// Every registration and the disabling are journaled, and the journal is intact.
	code, out, _ = sep(t, env, "audit", "export", "-format", "csv")
	if code != 0 || strings.Count(out, "provider.client_registered") != 3 || strings.Count(out, "provider.client_disabled") != 1 {
		t.Fatalf("journal: exit %d\n%s", code, out)
	}
	if code, out, errOut := sep(t, env, "audit", "verify"); code != 0 {
		t.Fatalf("audit verify: exit %d %s%s", code, out, errOut)
	}
}

// Demo mode prints the ЕСИА test stand beside the demo users: the test users with their
// levels, oids, passwords and organisations (standard output only, never the log), and the
// demo systems with the demo key's place.
func TestServePrintsTheESIATestStand(t *testing.T) {
	dir := t.TempDir()
	out, logged := serveOutput(t, dir, regexp.MustCompile(`^Demo OpenID Connect client`))
	row := regexp.MustCompile(`(?m)^\s+(EsiaTest00\d)\s+(simplified|standard|confirmed)\s+(\d{10})\s+(\+7900000\d{4})\s+(esiatest00\d@example\.ru)\s+(\S{20,})\s+(.+)$`)
	rows := row.FindAllStringSubmatch(out, -1)
	if len(rows) != 4 || rows[0][2] != "simplified" || rows[1][2] != "standard" || rows[2][2] != "confirmed" || !strings.Contains(rows[2][7], "(chief)") {
		t.Fatalf("the stand:\n%s", out)
	}
	for _, r := range rows {
		if strings.Contains(logged, r[6]) {
			t.Fatalf("the password of %s is in the log", r[1])
		}
	}
	key := filepath.Join(dir, "esia-demo", "key.pem")
	if !strings.Contains(out, "Demo ЕСИА system SEPDEMO: key "+key) || !regexp.MustCompile(`client_certificate_hash [0-9A-F]{64}`).MatchString(out) {
		t.Fatalf("the demo system:\n%s", out)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the demo key: %v", err)
	}
}
