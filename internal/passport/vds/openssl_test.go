package vds

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gostpkix"
)

// requireOpenSSL finds openssl with the gost engine: skipped with a notice locally, a failure
// when CI=true (as the gost packages' tests do).
func requireOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err == nil {
		_, err = exec.Command(path, "engine", "gost", "-t").CombinedOutput()
	}
	if err != nil {
		msg := fmt.Sprintf("OpenSSL with the gost engine unavailable (%v); install openssl libengine-gost-openssl", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// A third party verifies a seal with OpenSSL alone, following docs/passport-seal.md: strip the
// prefix, decode Base45, inflate if the first byte is 0x78, cut the last 66 bytes (FF 40 and
// the signature) and verify the rest with the signer's public key.
func TestOpenSSLVerifiesSeal(t *testing.T) {
	openssl := requireOpenSSL(t)
	root := newSigner(t, "Root", nil, years(-1), years(30))
	iss := newSigner(t, "Issuing", root, years(-1), years(3), OIDPassportSigning)
	payload, err := testSeal(iss).Sign(iss.key)
	if err != nil {
		t.Fatal(err)
	}
	// The steps of the document, done with nothing but the standard library's decoders.
	raw, err := Unwrap(payload, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	signed, zone := raw[:len(raw)-66], raw[len(raw)-66:]
	if zone[0] != 0xFF || zone[1] != 0x40 {
		t.Fatalf("signature zone starts % x", zone[:2])
	}
	dir := t.TempDir()
	pub, err := gostpkix.EncodePublicKeyPEM(iss.cert.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pubPath, sigPath := write("pub.pem", pub), write("sig", zone[2:])
	verify := func(data []byte) (string, error) {
		cmd := exec.Command(openssl, "dgst", "-engine", "gost", "-md_gost12_256", "-verify", pubPath,
			"-signature", sigPath, write("signed.bin", data))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(signed); err != nil || !strings.Contains(out, "Verified OK") {
		t.Fatalf("openssl: %v: %s", err, out)
	}
	bad := bytes.Clone(signed)
	bad[len(bad)-1] ^= 1
	if out, err := verify(bad); err == nil || strings.Contains(out, "Verified OK") {
		t.Fatalf("openssl verified a tampered seal: %s", out)
	}
}
