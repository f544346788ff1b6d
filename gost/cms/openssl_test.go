package cms

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/internal/ossltest"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// modes are the four shapes of a signature: attached or detached, with or
// without signed attributes.
var modes = []struct {
	name               string
	detached, noAttrib bool
}{
	{"attached", false, false},
	{"detached", true, false},
	{"attached-noattr", false, true},
	{"detached-noattr", true, true},
}

// TestOpenSSLVerifiesOurs: on every parameter set the engine supports, our
// signatures in all four shapes pass `openssl cms -verify`, the attached
// content comes out unchanged, and the chain to our self-signed CA verifies.
// The same command must refuse a signature over other content.
func TestOpenSSLVerifiesOurs(t *testing.T) {
	o := ossltest.Require(t)
	content := []byte("Заявление № 42\nсодержимое документа\x00\x01\xff")
	for _, ps := range ossltest.Paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			dir := t.TempDir()
			ca := newSigner(t, ps.Curve, "CN=CMS Test CA,O=Example", nil)
			s := newSigner(t, ps.Curve, "CN=Иван Петров,SNILS=11223344595", ca)
			caPath := writeFile(t, dir, "ca.pem", ca.cert.EncodePEM())
			inPath := writeFile(t, dir, "in.bin", content)
			otherPath := writeFile(t, dir, "other.bin", append([]byte("x"), content...))
			for _, m := range modes {
				sig, err := Sign(content, s.cert, s.key, SignOptions{Detached: m.detached, NoAttributes: m.noAttrib})
				if err != nil {
					t.Fatal(err)
				}
				sigPath := writeFile(t, dir, m.name+".p7s", sig)
				args := []string{"cms", "-verify", "-engine", "gost", "-inform", "DER", "-binary", "-in", sigPath}
				if m.detached {
					args = append(args, "-content", inPath)
				}
				out, err := o.Run(nil, append(args, "-noverify")...)
				if err != nil {
					t.Fatalf("%s: openssl cms -verify: %v", m.name, err)
				}
				if string(out) != string(content) {
					t.Errorf("%s: openssl extracted %q", m.name, out)
				}
				if _, err := o.Run(nil, append(args, "-CAfile", caPath)...); err != nil {
					t.Errorf("%s: openssl chain verification: %v", m.name, err)
				}
				if m.detached {
					bad := append([]string(nil), args...)
					bad[len(bad)-1] = otherPath
					if _, err := o.Run(nil, append(bad, "-noverify")...); err == nil {
						t.Errorf("%s: openssl accepted the signature over other content", m.name)
					}
				}
			}
		})
	}
}

// TestWeVerifyOpenSSL: on every parameter set, `openssl cms -sign` output in
// all four shapes verifies here (engine quirks included: NULL parameters,
// the key OID as signature algorithm), and other content is refused.
func TestWeVerifyOpenSSL(t *testing.T) {
	o := ossltest.Require(t)
	content := []byte("Квитанция об оплате\r\n1000.00 RUB\n")
	for _, ps := range ossltest.Paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			dir := t.TempDir()
			keyPEM, err := o.GenerateKey(ps)
			if err != nil {
				t.Fatal(err)
			}
			keyPath := writeFile(t, dir, "key.pem", keyPEM)
			certPath := filepath.Join(dir, "cert.pem")
			o.MustRun(t, nil, "req", "-engine", "gost", "-x509", "-new", "-key", keyPath, ps.Digest,
				"-subj", "/CN=Engine Signer/O=Example", "-days", "2", "-out", certPath)
			inPath := writeFile(t, dir, "in.bin", content)
			certPEM, _ := os.ReadFile(certPath)
			certs, err := gostx509.ParseCertificatesPEM(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			md := "md_gost12_256"
			if strings.HasSuffix(ps.Algorithm, "512") {
				md = "md_gost12_512"
			}
			for _, m := range modes {
				args := []string{"cms", "-sign", "-engine", "gost", "-binary", "-md", md, "-signer", certPath,
					"-inkey", keyPath, "-in", inPath, "-outform", "DER"}
				if !m.detached {
					args = append(args, "-nodetach")
				}
				if m.noAttrib {
					args = append(args, "-noattr")
				}
				sig := o.MustRun(t, nil, args...)
				sd, err := Parse(sig)
				if err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				if (sd.Content == nil) != m.detached || (sd.Signers[0].SignedAttributes == nil) != m.noAttrib {
					t.Fatalf("%s: parsed detached=%v attributes=%v", m.name, sd.Content == nil, sd.Signers[0].SignedAttributes != nil)
				}
				if !gostpkix.ParamsAbsentOrNull(sd.Signers[0].SignatureAlgorithm) {
					t.Fatalf("%s: signature parameters", m.name)
				}
				opts := VerifyOptions{Roots: certs}
				if m.detached {
					opts.Content = content
				}
				signers, err := sd.Verify(opts)
				if err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				if !signers[0].Equal(certs[0]) {
					t.Errorf("%s: verified another signer", m.name)
				}
				if !m.detached && string(sd.Content) != string(content) {
					t.Errorf("%s: content %q", m.name, sd.Content)
				}
				if !m.noAttrib && sd.Signers[0].SigningTime.IsZero() {
					t.Errorf("%s: no signingTime read", m.name)
				}
				// Other content must fail: the digest check with
				// attributes, the signature without.
				opts.Content = append([]byte(nil), content...)
				opts.Content[0] ^= 1
				if m.detached {
					if _, err := sd.Verify(opts); err == nil {
						t.Errorf("%s: other content verified", m.name)
					}
				} else {
					sd.Content[0] ^= 1
					if _, err := sd.Verify(VerifyOptions{}); err == nil {
						t.Errorf("%s: tampered content verified", m.name)
					}
				}
			}
		})
	}
}

// TestOpenSSLStreamed reads the indefinite-length BER that `openssl cms
// -sign -stream` writes.
func TestOpenSSLStreamed(t *testing.T) {
	o := ossltest.Require(t)
	ps := ossltest.Paramsets[0]
	dir := t.TempDir()
	keyPEM, err := o.GenerateKey(ps)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := writeFile(t, dir, "key.pem", keyPEM)
	certPath := filepath.Join(dir, "cert.pem")
	o.MustRun(t, nil, "req", "-engine", "gost", "-x509", "-new", "-key", keyPath, "-subj", "/CN=Streamer", "-days", "2", "-out", certPath)
	content := []byte(strings.Repeat("streamed content ", 1000))
	inPath := writeFile(t, dir, "in.bin", content)
	sig := o.MustRun(t, nil, "cms", "-sign", "-engine", "gost", "-binary", "-stream", "-nodetach", "-signer", certPath,
		"-inkey", keyPath, "-in", inPath, "-outform", "DER")
	if !strings.Contains(string(sig[:4]), "\x30\x80") {
		t.Fatalf("openssl -stream did not write indefinite lengths: %x", sig[:8])
	}
	sd, _, err := Verify(sig, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(sd.Content) != string(content) {
		t.Error("streamed content read wrongly")
	}
}
