package cms

import (
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
)

// crowded builds a message whose signer, repeated signers times, is listed after decoys
// certificates that carry its serial number under another issuer: Verify compares every signer
// with every certificate, parsing the signer's issuer each time, so the work grows as their
// product. Before the bounds, 1300 decoys and 2600 signers (780 KB) took 5 s to verify.
func crowded(t *testing.T, decoys, signers int) []byte {
	t.Helper()
	s := newSigner(t, "tc26-256-A", "CN=S", nil)
	c, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name, _ := gostx509.ParseName("CN=Decoy")
	now := time.Now()
	decoy, err := gostx509.CreateCertificate(rand.Reader, &gostx509.Template{SerialNumber: s.cert.SerialNumber,
		Subject: name, NotBefore: now, NotAfter: now.Add(time.Hour)}, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	der, err := Sign([]byte("x"), s.cert, s.key, SignOptions{NoAttributes: true})
	if err != nil {
		t.Fatal(err)
	}
	var ci contentInfoDER
	var sd signedDataDER
	if unmarshalWhole(der, &ci) != nil || unmarshalWhole(ci.Content.Bytes, &sd) != nil {
		t.Fatal("cannot take apart a signed message")
	}
	var certs []byte
	for range decoys {
		certs = append(certs, decoy...)
	}
	sd.Certificates = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(certs, s.cert.Raw...)}
	one := sd.SignerInfos[0]
	sd.SignerInfos = nil
	for range signers {
		sd.SignerInfos = append(sd.SignerInfos, one)
	}
	b, err := asn1.Marshal(sd)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := asn1.Marshal(contentInfoDER{ContentType: OIDSignedData, Content: explicit0(b)})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// TestParseBoundsSignersAndCertificates: a message may carry at most maxSigners signers and
// maxCertificates certificates; more is refused as malformed before any is parsed or verified,
// so a message of a megabyte cannot cost seconds of work.
func TestParseBoundsSignersAndCertificates(t *testing.T) {
	for _, c := range []struct {
		decoys, signers int
		want            string // "" parses and verifies
	}{
		{maxCertificates - 1, maxSigners, ""},
		{maxCertificates, 1, "more than 64 certificates"},
		{0, maxSigners + 1, "17 signers, more than the 16 a message may have"},
		{1300, 2600, "2600 signers, more than the 16 a message may have"},
	} {
		msg := crowded(t, c.decoys, c.signers)
		start := time.Now()
		sd, err := Parse(msg)
		if c.want != "" {
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%d certificates, %d signers: %v, want %q", c.decoys+1, c.signers, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d certificates, %d signers: %v", c.decoys+1, c.signers, err)
		}
		if certs, err := sd.Verify(VerifyOptions{}); err != nil || len(certs) != c.signers {
			t.Fatalf("%d certificates, %d signers: %v", c.decoys+1, c.signers, err)
		}
		t.Logf("%d certificates, %d signers, %d bytes: parsed and verified in %v", c.decoys+1, c.signers, len(msg), time.Since(start))
	}
}
