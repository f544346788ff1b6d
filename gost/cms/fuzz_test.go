package cms

import (
	"encoding/asn1"
	"testing"

	"github.com/sep-platform/sep/gost/gostx509"
)

// FuzzParse: parsing and verifying arbitrary bytes never panics, and no
// mutation of a signed message verifies with other content.
//
// The seeds leave the signer's certificate out (Verify is given it): each
// new input the fuzzer finds is minimised by removing every span of bytes in
// turn, work that grows as the square of its length, and inputs grown from
// the 600–720-byte messages with the certificate kept the workers busy for
// 10 s each at start-up (0 execs/s). Certificates are fuzzed by
// gostx509.FuzzParseCertificate.
func FuzzParse(f *testing.F) {
	s := newSigner(f, "tc26-256-A", "CN=Fuzz", nil)
	for _, m := range modes {
		der, err := Sign([]byte("fuzz content"), s.cert, s.key, SignOptions{Detached: m.detached, NoAttributes: m.noAttrib})
		if err != nil {
			f.Fatal(err)
		}
		der = withoutCertificates(f, der)
		if _, _, err := Verify(der, VerifyOptions{Content: []byte("fuzz content"), Certificates: []*gostx509.Certificate{s.cert}}); err != nil {
			f.Fatalf("%s seed: %v", m.name, err)
		}
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0, 0, 0, 0})
	certs := []*gostx509.Certificate{s.cert}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			return
		}
		sd.Verify(VerifyOptions{Content: []byte("fuzz content"), Certificates: certs})
		if _, err := sd.Verify(VerifyOptions{Content: []byte("other content"), Certificates: certs}); err == nil && sd.Content == nil {
			t.Fatal("a detached signature verified over other content")
		}
	})
}

// withoutCertificates returns the signed message der with its certificates
// field dropped.
func withoutCertificates(t testing.TB, der []byte) []byte {
	t.Helper()
	var ci contentInfoDER
	var sd signedDataDER
	if unmarshalWhole(der, &ci) != nil || unmarshalWhole(ci.Content.Bytes, &sd) != nil {
		t.Fatal("cannot take apart a signed message")
	}
	sd.Certificates = asn1.RawValue{}
	b, err := asn1.Marshal(sd)
	if err != nil {
		t.Fatal(err)
	}
	out, err := asn1.Marshal(contentInfoDER{ContentType: OIDSignedData, Content: explicit0(b)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(out); err != nil {
		t.Fatal(err)
	}
	return out
}
