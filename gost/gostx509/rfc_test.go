package gostx509

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gostpkix"
)

// rfcObject names one RFC 9215 Appendix D example.
type rfcObject struct {
	name, curve string
	serial      int64
}

var rfcObjects = []rfcObject{
	{"d1", "test-2001", 10},
	{"d2", "tc26-256-A", 10},
	{"d3", "tc26-512-test", 11},
}

func readPEMFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return b.Bytes
}

func rfcCert(t testing.TB, name string) *Certificate {
	t.Helper()
	c, err := ParseCertificate(readPEMFile(t, "testdata/rfc9215-"+name+"-cert.pem"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// TestRFC9215Certificates parses the Appendix D certificates, checks their
// fields, verifies their self-signatures and chains at a time inside their
// validity, and re-encodes every part to the published bytes.
func TestRFC9215Certificates(t *testing.T) {
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range rfcObjects {
		c := rfcCert(t, o.name)
		if c.Version != 3 || c.SerialNumber.Cmp(big.NewInt(o.serial)) != 0 {
			t.Errorf("%s: version %d serial %v", o.name, c.Version, c.SerialNumber)
		}
		if c.Subject.String() != "CN=Example" || c.Issuer.String() != "CN=Example" {
			t.Errorf("%s: subject %q issuer %q", o.name, c.Subject, c.Issuer)
		}
		if !c.NotBefore.Equal(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)) ||
			!c.NotAfter.Equal(time.Date(2050, 12, 31, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: validity %v – %v", o.name, c.NotBefore, c.NotAfter)
		}
		if c.PublicKey == nil || c.PublicKey.Curve().Name != o.curve {
			t.Fatalf("%s: key %v, want one on %s", o.name, c.PublicKey, o.curve)
		}
		if !c.BasicConstraintsValid || !c.IsCA || c.MaxPathLen != -1 {
			t.Errorf("%s: basicConstraints valid=%v cA=%v pathLen=%d", o.name, c.BasicConstraintsValid, c.IsCA, c.MaxPathLen)
		}
		if !c.IsSelfSigned() {
			t.Errorf("%s: self-signature does not verify", o.name)
		}
		chain, err := c.Verify(VerifyOptions{Roots: []*Certificate{c}, CurrentTime: at})
		if err != nil || len(chain) != 1 {
			t.Errorf("%s: Verify: %v", o.name, err)
		}

		// Re-encode from the parsed fields.
		subject, err := c.Subject.MarshalDER()
		if err != nil || !bytes.Equal(subject, c.RawSubject) {
			t.Errorf("%s: subject re-encoded to %x, want %x (%v)", o.name, subject, c.RawSubject, err)
		}
		spki, err := gostpkix.MarshalPKIXPublicKey(c.PublicKey)
		if err != nil || !bytes.Equal(spki, c.RawSubjectPublicKeyInfo) {
			t.Errorf("%s: key re-encoded differently (%v)", o.name, err)
		}
		tbs, err := marshalTBS(tbsFields{Version: c.Version, Serial: c.SerialNumber, SigAlg: c.TBSSignature,
			Issuer: subject, NotBefore: c.NotBefore, NotAfter: c.NotAfter, Subject: subject, SPKI: spki,
			Extensions: c.Extensions})
		if err != nil || !bytes.Equal(tbs, c.RawTBSCertificate) {
			t.Errorf("%s: tbsCertificate re-encoded to\n%x\nwant\n%x (%v)", o.name, tbs, c.RawTBSCertificate, err)
		}
		whole, err := asn1.Marshal(certificateDER{TBS: asn1.RawValue{FullBytes: tbs}, SignatureAlgorithm: c.SignatureAlgorithm,
			SignatureValue: asn1.BitString{Bytes: c.Signature, BitLength: 8 * len(c.Signature)}})
		if err != nil || !bytes.Equal(whole, c.Raw) {
			t.Errorf("%s: certificate re-encoded differently (%v)", o.name, err)
		}
		bc, _ := basicConstraintsExt(true, -1)
		if !bytes.Equal(bc.Value, c.Extensions[0].Value) || !c.Extensions[0].Critical {
			t.Errorf("%s: basicConstraints written as %x, published %x", o.name, bc.Value, c.Extensions[0].Value)
		}
	}
}

// signedObject splits a CRL or CSR into its signed part, algorithm and
// signature: both have the shape SEQUENCE { tbs, AlgorithmIdentifier, BIT
// STRING }.
func signedObject(t *testing.T, der []byte) (tbs []byte, algo pkix.AlgorithmIdentifier, sig []byte) {
	t.Helper()
	var obj certificateDER
	if _, err := asn1.Unmarshal(der, &obj); err != nil {
		t.Fatal(err)
	}
	return obj.TBS.FullBytes, obj.SignatureAlgorithm, obj.SignatureValue.Bytes
}

// TestRFC9215CRLAndRequest verifies the Appendix D CRLs with their
// certificate's key and the certification requests with the key they carry;
// a single flipped bit in the signed part must fail.
func TestRFC9215CRLAndRequest(t *testing.T) {
	for _, o := range rfcObjects {
		c := rfcCert(t, o.name)
		tbs, algo, sig := signedObject(t, readPEMFile(t, "testdata/rfc9215-"+o.name+"-crl.pem"))
		if err := c.CheckSignature(algo, tbs, sig); err != nil {
			t.Errorf("%s CRL: %v", o.name, err)
		}
		tbs[len(tbs)-1] ^= 1
		if err := c.CheckSignature(algo, tbs, sig); !errors.Is(err, ErrSignature) {
			t.Errorf("%s CRL with a flipped bit: %v, want ErrSignature", o.name, err)
		}

		tbs, algo, sig = signedObject(t, readPEMFile(t, "testdata/rfc9215-"+o.name+"-csr.pem"))
		var info struct {
			Version    int
			Subject    asn1.RawValue
			SPKI       asn1.RawValue
			Attributes asn1.RawValue `asn1:"tag:0"`
		}
		if _, err := asn1.Unmarshal(tbs, &info); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(info.SPKI.FullBytes, c.RawSubjectPublicKeyInfo) {
			t.Errorf("%s CSR carries another key than the certificate", o.name)
		}
		pub, err := gostpkix.ParsePKIXPublicKey(info.SPKI.FullBytes)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckSignature(pub, algo, tbs, sig); err != nil {
			t.Errorf("%s CSR: %v", o.name, err)
		}
	}
}
