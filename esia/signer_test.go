package esia

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/streebog"
)

// TestFakeCSPTestHelper is the signing half of testdata/fake-csptest: run by
// the script with ESIA_FAKE_SIGN_KEY set, it signs the file named by its
// argument and writes the raw signature (OpenSSL order) to standard output.
func TestFakeCSPTestHelper(t *testing.T) {
	keyPath := os.Getenv("ESIA_FAKE_SIGN_KEY")
	if keyPath == "" {
		t.Skip("only run by testdata/fake-csptest")
	}
	fail := func(err error) {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	pemKey, err := os.ReadFile(keyPath)
	if err != nil {
		fail(err)
	}
	key, err := gostpkix.ParsePrivateKeyPEM(pemKey)
	if err != nil {
		fail(err)
	}
	msg, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	digest := streebog.Sum256(msg)
	sig, err := key.Sign(nil, digest[:], nil)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(sig)
	os.Exit(0) // before the test framework prints PASS on standard output
}

// fakeCSPTest returns a CommandSigner running testdata/fake-csptest with a
// container holding id's key and, when pin is set, that password.
func fakeCSPTest(t *testing.T, id *identity, pin, given string) *CommandSigner {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/fake-csptest")
	if err != nil {
		t.Fatal(err)
	}
	container := t.TempDir()
	if err := os.WriteFile(filepath.Join(container, "key.pem"), id.keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if pin != "" {
		if err := os.WriteFile(filepath.Join(container, "pin"), []byte(pin), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-keyset", "-sign", "GOST12_256", "-container", container, "-keytype", "exchange", "-in", "{in}", "-out", "{out}"}
	if given != "" {
		args = append(args, "-password", given)
	}
	return &CommandSigner{Path: script, Args: args, Reverse: true, Env: append(os.Environ(), "ESIA_TEST_BINARY="+exe)}
}

func verifies(pub *gost3410.PublicKey, msg, sig []byte) bool {
	digest := streebog.Sum256(msg)
	return gost3410.VerifyDigest(pub, digest[:], sig)
}

// TestCommandSignerReversesCryptoProOutput: the fake csptest writes the
// signature reversed; with Reverse it verifies, without it it does not, and
// a whole sign-in works through it.
func TestCommandSignerReversesCryptoProOutput(t *testing.T) {
	id := newIdentity(t, "cryptopro-A", "CN=КриптоПро тест")
	msg := []byte("SEPTESTopenid2026.03.14 10:20:30 +0300" + NewState() + redirect)
	cs := fakeCSPTest(t, id, "", "")
	sig, err := cs.Sign(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != 64 || !verifies(id.key.PublicKey(), msg, sig) {
		t.Fatalf("a %d-byte signature that verifies: %v", len(sig), verifies(id.key.PublicKey(), msg, sig))
	}
	cs.Reverse = false
	raw, err := cs.Sign(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if verifies(id.key.PublicKey(), msg, raw) {
		t.Error("csptest's byte order verified without reversal: the fake does not reverse")
	}

	s := newSetup(t, V2, AlgGOST)
	s.d.register(mnemonic, id, redirect)
	s.c.cfg.Signer = fakeCSPTest(t, id, "", "")
	s.c.certHash, _ = CertificateHash(id.certDER)
	if tok := s.signIn(t, AuthOptions{}); tok.OID() != personOID {
		t.Errorf("oid %d", tok.OID())
	}
}

func TestCommandSignerFailures(t *testing.T) {
	id := newIdentity(t, "tc26-256-A", "CN=Отказы")
	ctx := context.Background()
	_, err := fakeCSPTest(t, id, "12345678", "00000000").Sign(ctx, []byte("m"))
	if err == nil || !strings.Contains(err.Error(), "wrong password") || strings.Contains(err.Error(), "00000000") {
		t.Errorf("wrong PIN: %v", err)
	}
	if _, err := fakeCSPTest(t, id, "12345678", "12345678").Sign(ctx, []byte("m")); err != nil {
		t.Errorf("right PIN: %v", err)
	}
	slow := &CommandSigner{Path: "/bin/sh", Args: []string{"-c", "sleep 5"}, Timeout: 100 * time.Millisecond}
	start := time.Now()
	if _, err := slow.Sign(ctx, []byte("m")); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("a hung signer: %v after %v", err, time.Since(start))
	}
	empty := &CommandSigner{Path: "/bin/sh", Args: []string{"-c", "cat {in} >/dev/null"}}
	if _, err := empty.Sign(ctx, []byte("m")); err == nil {
		t.Error("an empty signature was accepted")
	}
	stdout := &CommandSigner{Path: "/bin/sh", Args: []string{"-c", "printf abc"}, Reverse: true}
	if sig, err := stdout.Sign(ctx, []byte("m")); err != nil || string(sig) != "cba" {
		t.Errorf("standard output: %q %v", sig, err)
	}
}

func TestHTTPSigner(t *testing.T) {
	id := newIdentity(t, "tc26-256-A", "CN=Служба подписи")
	inner, _ := NewKeySigner(id.key)
	var mode string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer s3rvice" || r.Header.Get("Content-Type") != "application/octet-stream" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		msg, _ := io.ReadAll(r.Body)
		sig, _ := inner.Sign(r.Context(), msg)
		switch mode {
		case "binary":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(sig)
		case "base64":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, base64.StdEncoding.EncodeToString(sig)+"\n")
		case "reversed":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(reverse(sig))
		case "down":
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case "slow":
			time.Sleep(500 * time.Millisecond)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>login</p>")
		}
	}))
	defer srv.Close()
	msg := []byte("сообщение для подписи")
	hs := &HTTPSigner{URL: srv.URL, Header: http.Header{"Authorization": {"Bearer s3rvice"}}}
	for _, m := range []string{"binary", "base64", "reversed"} {
		mode = m
		hs.Reverse = m == "reversed"
		sig, err := hs.Sign(context.Background(), msg)
		if err != nil || !verifies(id.key.PublicKey(), msg, sig) {
			t.Errorf("%s: %v", m, err)
		}
	}
	hs.Reverse = false
	mode = "down"
	if _, err := hs.Sign(context.Background(), msg); !errors.Is(err, ErrSignerUnavailable) {
		t.Errorf("503: %v", err)
	}
	mode = "html"
	if _, err := hs.Sign(context.Background(), msg); err == nil {
		t.Error("an HTML page taken for a signature")
	}
	mode = "slow"
	hs.Timeout = 50 * time.Millisecond
	if _, err := hs.Sign(context.Background(), msg); !errors.Is(err, ErrSignerUnavailable) {
		t.Errorf("timeout: %v", err)
	}
	noAuth := &HTTPSigner{URL: srv.URL}
	if _, err := noAuth.Sign(context.Background(), msg); !errors.Is(err, ErrSignerRefused) {
		t.Errorf("403: %v", err)
	}
}

func TestKeySigner(t *testing.T) {
	if _, err := NewKeySigner(newIdentity(t, "tc26-512-A", "CN=512").key); err == nil {
		t.Error("a 512-bit key accepted")
	}
	id := newIdentity(t, "tc26-256-A", "CN=Ключ")
	other := newIdentity(t, "tc26-256-A", "CN=Другой")
	if _, err := NewCMSKeySigner(id.key, other.certPEM); err == nil {
		t.Error("a certificate of another key accepted")
	}
	ks, err := LoadKeySigner(id.keyPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ks.Sign(context.Background(), []byte("m"))
	if err != nil || !verifies(id.key.PublicKey(), []byte("m"), sig) {
		t.Errorf("%v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ks.Sign(ctx, []byte("m")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}
