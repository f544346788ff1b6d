package gostx509

import (
	"encoding/asn1"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gostpkix"
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

// TestOpenSSLReadsOurCertificates: on every parameter set the engine
// supports, a CA certificate and an end-entity certificate issued by it,
// both made here, are printed by `openssl x509` with the subject written
// here and accepted by `openssl verify`.
func TestOpenSSLReadsOurCertificates(t *testing.T) {
	o := ossltest.Require(t)
	now := time.Now()
	for _, ps := range ossltest.Paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			dir := t.TempDir()
			validity := Template{NotBefore: now.Add(-time.Minute), NotAfter: now.Add(24 * time.Hour)}
			caTmpl := validity
			caTmpl.IsCA = true
			ca := issue(t, ps.Curve, "CN=Тестовый УЦ,O=Example,C=RU,OGRN=1027700132195", caTmpl, nil)
			leaf := issue(t, ps.Curve, "CN=Иван Петров,SNILS=11223344595,INN=500100732259", validity, ca)
			caPath := writeFile(t, dir, "ca.pem", ca.cert.EncodePEM())
			leafPath := writeFile(t, dir, "leaf.pem", leaf.cert.EncodePEM())

			subject := strings.TrimSpace(string(o.MustRun(t, nil, "x509", "-engine", "gost", "-in", leafPath,
				"-noout", "-subject", "-nameopt", "utf8,sep_comma_plus")))
			if want := "subject=" + leaf.cert.Subject.String(); subject != want {
				t.Errorf("openssl printed %q, want %q", subject, want)
			}
			text := string(o.MustRun(t, nil, "x509", "-engine", "gost", "-in", caPath, "-noout", "-text"))
			for _, want := range []string{"CA:TRUE", "Certificate Sign", "GOST R 34.10-2012 with GOST R 34.11-2012"} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl x509 -text of our CA lacks %q:\n%s", want, text)
				}
			}
			out, err := o.Run(nil, "verify", "-engine", "gost", "-check_ss_sig", "-CAfile", caPath, leafPath)
			if err != nil || !strings.Contains(string(out), "OK") {
				t.Fatalf("openssl verify of our chain: %s %v", out, err)
			}
			// The witness must be able to say no: our leaf against a CA
			// with the same name but another key.
			other := issue(t, ps.Curve, "CN=Тестовый УЦ,O=Example,C=RU,OGRN=1027700132195", caTmpl, nil)
			otherPath := writeFile(t, dir, "other.pem", other.cert.EncodePEM())
			if out, err := o.Run(nil, "verify", "-engine", "gost", "-CAfile", otherPath, leafPath); err == nil {
				t.Fatalf("openssl verified our leaf against a foreign CA: %s", out)
			}
		})
	}
}

// TestOurVerifyOfOpenSSLCertificates: the engine makes a CA (openssl req
// -x509) and an end-entity certificate signed by it (openssl x509 -req -CA)
// on every parameter set; both parse here, the chain verifies, and the
// engine's NULL signature parameters are accepted.
func TestOurVerifyOfOpenSSLCertificates(t *testing.T) {
	o := ossltest.Require(t)
	for _, ps := range ossltest.Paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			dir := t.TempDir()
			caKey, err := o.GenerateKey(ps)
			if err != nil {
				t.Fatal(err)
			}
			leafKey, err := o.GenerateKey(ps)
			if err != nil {
				t.Fatal(err)
			}
			caKeyPath := writeFile(t, dir, "ca.key", caKey)
			leafKeyPath := writeFile(t, dir, "leaf.key", leafKey)
			caPath := filepath.Join(dir, "ca.pem")
			o.MustRun(t, nil, "req", "-engine", "gost", "-x509", "-new", "-key", caKeyPath, ps.Digest,
				"-subj", "/CN=Engine CA/O=Example/C=RU", "-days", "2", "-out", caPath)
			csr := o.MustRun(t, nil, "req", "-engine", "gost", "-new", "-key", leafKeyPath, ps.Digest,
				"-subj", "/CN=Engine Leaf/SNILS=11223344595")
			csrPath := writeFile(t, dir, "leaf.csr", csr)
			leafPath := filepath.Join(dir, "leaf.pem")
			o.MustRun(t, nil, "x509", "-engine", "gost", "-req", "-in", csrPath, "-CA", caPath, "-CAkey", caKeyPath,
				ps.Digest, "-set_serial", "7", "-days", "1", "-out", leafPath)

			caData, _ := os.ReadFile(caPath)
			leafData, _ := os.ReadFile(leafPath)
			cas, err := ParseCertificatesPEM(caData)
			if err != nil {
				t.Fatal(err)
			}
			leaves, err := ParseCertificatesPEM(leafData)
			if err != nil {
				t.Fatal(err)
			}
			ca, leaf := cas[0], leaves[0]
			// The engine writes NULL parameters (RFC 9215 says omit): the
			// quirk this test is about.
			if leaf.SignatureAlgorithm.Parameters.Tag != asn1.TagNull {
				t.Errorf("engine wrote signature parameters %x, expected NULL", leaf.SignatureAlgorithm.Parameters.FullBytes)
			}
			key, err := gostpkix.ParsePrivateKeyPEM(leafKey)
			if err != nil {
				t.Fatal(err)
			}
			if !leaf.PublicKey.Equal(key.PublicKey()) || leaf.PublicKey.Curve().Name != ps.Curve {
				t.Error("the engine leaf certificate carries another key")
			}
			if leaf.Subject.String() != "CN=Engine Leaf,SNILS=11223344595" || leaf.SerialNumber.Int64() != 7 {
				t.Errorf("leaf subject %q serial %v", leaf.Subject, leaf.SerialNumber)
			}
			if !ca.IsSelfSigned() {
				t.Error("engine CA self-signature does not verify here")
			}
			chain, err := leaf.Verify(VerifyOptions{Roots: []*Certificate{ca}})
			if err != nil || len(chain) != 2 {
				t.Fatalf("engine chain: %v", err)
			}
			// A bit flipped in the engine's signature must fail here too.
			leaf.Signature[3] ^= 1
			if err := leaf.CheckSignatureFrom(ca); err == nil {
				t.Error("damaged engine signature verified")
			}
		})
	}
}
