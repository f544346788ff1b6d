package cms

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	ca := newSigner(t, "tc26-512-A", "CN=Root,O=Example", nil)
	s := newSigner(t, "tc26-256-A", "CN=Signer,O=Example", ca)
	content := []byte("hello, CMS")
	when := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, m := range modes {
		der, err := Sign(content, s.cert, s.key, SignOptions{Detached: m.detached, NoAttributes: m.noAttrib, SigningTime: when})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(der)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if len(sd.Certificates) != 1 || !sd.Certificates[0].Equal(s.cert) {
			t.Errorf("%s: the signer certificate is not in the message", m.name)
		}
		if !m.noAttrib && !sd.Signers[0].SigningTime.Equal(when) {
			t.Errorf("%s: signingTime %v", m.name, sd.Signers[0].SigningTime)
		}
		opts := VerifyOptions{Roots: []*gostx509.Certificate{ca.cert}}
		if m.detached {
			if _, err := sd.Verify(opts); !errors.Is(err, ErrNoContent) {
				t.Errorf("%s without content: %v", m.name, err)
			}
			opts.Content = content
		}
		signers, err := sd.Verify(opts)
		if err != nil || !signers[0].Equal(s.cert) {
			t.Fatalf("%s: %v", m.name, err)
		}
		// Tampered content: attributes catch it as a digest mismatch, a
		// bare signature as a bad signature.
		want := ErrDigestMismatch
		if m.noAttrib {
			want = ErrSignature
		}
		if m.detached {
			opts.Content = []byte("hello, CMs")
		} else {
			sd.Content[len(sd.Content)-1] ^= 0x20
		}
		if _, err := sd.Verify(opts); !errors.Is(err, want) {
			t.Errorf("%s tampered: %v, want %v", m.name, err, want)
		}
	}
}

func TestAttachedContentMustMatchGiven(t *testing.T) {
	s := newSigner(t, "tc26-256-B", "CN=S", nil)
	der, _ := Sign([]byte("abc"), s.cert, s.key, SignOptions{})
	sd, _ := Parse(der)
	if _, err := sd.Verify(VerifyOptions{Content: []byte("abc")}); err != nil {
		t.Errorf("same content given: %v", err)
	}
	if _, err := sd.Verify(VerifyOptions{Content: []byte("abd")}); !errors.Is(err, ErrContentMismatch) {
		t.Errorf("other content given: %v", err)
	}
}

// TestWrongKey swaps the certificate in the message for one with the same
// issuer and serial number but another key.
func TestWrongKey(t *testing.T) {
	s := newSigner(t, "cryptopro-A", "CN=S", nil)
	other := newSigner(t, "cryptopro-A", "CN=S", nil)
	der, _ := Sign([]byte("data"), s.cert, s.key, SignOptions{})
	sd, _ := Parse(der)
	sd.Signers[0].SerialNumber = other.cert.SerialNumber
	sd.Certificates = []*gostx509.Certificate{other.cert}
	if _, err := sd.Verify(VerifyOptions{}); !errors.Is(err, ErrSignature) {
		t.Errorf("another key: %v", err)
	}
	sd.Certificates = nil
	if _, err := sd.Verify(VerifyOptions{}); !errors.Is(err, ErrSignerNotFound) || !strings.Contains(err.Error(), `"CN=S"`) {
		t.Errorf("no certificate: %v", err)
	}
	// The certificate may also come from outside the message.
	sd.Signers[0].SerialNumber = s.cert.SerialNumber
	if _, err := sd.Verify(VerifyOptions{Certificates: []*gostx509.Certificate{s.cert}}); err != nil {
		t.Errorf("certificate given separately: %v", err)
	}
	if _, err := Sign([]byte("x"), s.cert, other.key, SignOptions{}); err == nil {
		t.Error("signed with a key that is not the certificate's")
	}
}

func TestChainOptions(t *testing.T) {
	root := newSigner(t, "tc26-256-A", "CN=Root", nil)
	inter := newCertified(t, "tc26-512-C", "CN=Intermediate", root, true)
	s := newSigner(t, "tc26-256-D", "CN=Leaf", inter)
	roots := []*gostx509.Certificate{root.cert}
	der, _ := Sign([]byte("data"), s.cert, s.key, SignOptions{})
	sd, _ := Parse(der)
	if _, err := sd.Verify(VerifyOptions{Roots: roots}); !errors.Is(err, gostx509.ErrUnknownAuthority) {
		t.Errorf("missing intermediate: %v", err)
	}
	if _, err := sd.Verify(VerifyOptions{Roots: roots, Intermediates: []*gostx509.Certificate{inter.cert}}); err != nil {
		t.Errorf("intermediate given: %v", err)
	}
	der, _ = Sign([]byte("data"), s.cert, s.key, SignOptions{ExtraCertificates: []*gostx509.Certificate{inter.cert}})
	sd, _ = Parse(der)
	if len(sd.Certificates) != 2 {
		t.Errorf("%d certificates in the message, want 2", len(sd.Certificates))
	}
	if _, err := sd.Verify(VerifyOptions{Roots: roots}); err != nil {
		t.Errorf("intermediate in the message: %v", err)
	}
	if _, err := sd.Verify(VerifyOptions{Roots: roots, CurrentTime: time.Now().Add(48 * time.Hour)}); !errors.Is(err, gostx509.ErrExpired) {
		t.Errorf("expired signer: %v", err)
	}
	// A certificate whose keyUsage does not allow signing documents.
	now := time.Now()
	tmpl := &gostx509.Template{Subject: gostx509.Name{{{Type: gostx509.OIDCommonName, Value: "CRL signer"}}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: gostx509.KeyUsageCRLSign}
	crlDER, err := gostx509.CreateCertificate(nil, tmpl, root.cert, s.key.PublicKey(), root.key)
	if err != nil {
		t.Fatal(err)
	}
	crlSigner, _ := gostx509.ParseCertificate(crlDER)
	der, _ = Sign([]byte("data"), crlSigner, s.key, SignOptions{})
	sd, _ = Parse(der)
	if _, err := sd.Verify(VerifyOptions{Roots: roots}); !errors.Is(err, ErrKeyUsage) {
		t.Errorf("signed with a CA-only key: %v", err)
	}
}

// TestMalformed truncates and garbles a good message at many places; each
// must give an error wrapping ErrMalformed or a verification error, never a
// panic and never success.
func TestMalformed(t *testing.T) {
	s := newSigner(t, "tc26-256-C", "CN=S", nil)
	der, _ := Sign([]byte("payload"), s.cert, s.key, SignOptions{})
	for n := 0; n < len(der); n += 7 {
		if _, err := Parse(der[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for i := 0; i < len(der); i += 3 {
		bad := append([]byte(nil), der...)
		bad[i] ^= 0x55
		if _, _, err := Verify(bad, VerifyOptions{Roots: []*gostx509.Certificate{s.cert}}); err == nil {
			t.Fatalf("byte %d garbled and still verified", i)
		}
	}
	if _, err := Parse([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")); err == nil || !strings.Contains(err.Error(), "CERTIFICATE") {
		t.Errorf("PEM of another type: %v", err)
	}
	notSigned, _ := asn1.Marshal(contentInfoDER{ContentType: OIDData, Content: explicit0([]byte{4, 0})})
	if _, err := Parse(notSigned); err == nil || !strings.Contains(err.Error(), "not SignedData") {
		t.Errorf("id-data ContentInfo: %v", err)
	}
}

// toBER rewrites DER with indefinite lengths on every constructed element
// and the content OCTET STRING in 5-byte segments, as streaming encoders do.
func toBER(t *testing.T, der []byte) []byte {
	t.Helper()
	var out []byte
	for len(der) > 0 {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(der, &raw)
		if err != nil {
			t.Fatal(err)
		}
		id := raw.FullBytes[0]
		switch {
		case raw.IsCompound:
			out = append(out, id, 0x80)
			out = append(out, toBER(t, raw.Bytes)...)
			out = append(out, 0, 0)
		case id == 0x04 && len(raw.Bytes) > 5:
			out = append(out, 0x24, 0x80)
			for b := raw.Bytes; len(b) > 0; {
				n := min(5, len(b))
				out = append(out, 0x04, byte(n))
				out = append(out, b[:n]...)
				b = b[n:]
			}
			out = append(out, 0, 0)
		default:
			out = append(out, raw.FullBytes...)
		}
		der = rest
	}
	return out
}

func TestBER(t *testing.T) {
	s := newSigner(t, "tc26-512-B", "CN=S", nil)
	content := []byte(strings.Repeat("segment ", 20))
	der, _ := Sign(content, s.cert, s.key, SignOptions{})
	ber := toBER(t, der)
	if bytes.Equal(ber, der) {
		t.Fatal("toBER changed nothing")
	}
	back, err := normalize(ber)
	if err != nil || !bytes.Equal(back, der) {
		t.Fatalf("normalize(BER) differs from the DER (%v)", err)
	}
	same, err := normalize(der)
	if err != nil || !bytes.Equal(same, der) {
		t.Fatal("normalize changed DER")
	}
	sd, _, err := Verify(ber, VerifyOptions{})
	if err != nil || !bytes.Equal(sd.Content, content) {
		t.Fatalf("BER message: %v", err)
	}
	for _, bad := range [][]byte{
		{0x30, 0x80, 0x04, 0x00},             // no end-of-contents
		{0x04, 0x80, 0x00, 0x00},             // indefinite primitive
		{0x30, 0x85, 1, 0, 0, 0, 0},          // length of 5 bytes
		{0x30, 0x02, 0x00, 0x00},             // end-of-contents in definite length
		{0x24, 0x80, 0x02, 0x01, 0x00, 0, 0}, // INTEGER inside an OCTET STRING
		{0x30, 0x05, 0x04, 0x00},             // length past the end
	} {
		if _, err := normalize(bad); err == nil {
			t.Errorf("normalize(%x) accepted", bad)
		}
	}
	deep := bytes.Repeat([]byte{0x30, 0x80}, maxDepth+5)
	if _, err := normalize(deep); err == nil || !strings.Contains(err.Error(), "deeply") {
		t.Errorf("deep nesting: %v", err)
	}
}

// TestEmptyContent signs zero bytes: attached, the message must still carry
// an (empty) content and not read as detached.
func TestEmptyContent(t *testing.T) {
	s := newSigner(t, "tc26-256-A", "CN=S", nil)
	for _, noattr := range []bool{false, true} {
		der, err := Sign(nil, s.cert, s.key, SignOptions{NoAttributes: noattr})
		if err != nil {
			t.Fatal(err)
		}
		sd, _, err := Verify(der, VerifyOptions{})
		if err != nil || sd.Content == nil || len(sd.Content) != 0 {
			t.Errorf("noattr=%v: content %v, %v", noattr, sd, err)
		}
	}
}

// TestRepeatedAttribute: RFC 5652 §5.3 allows each signed attribute type
// once; a second contentType or messageDigest must not parse.
func TestRepeatedAttribute(t *testing.T) {
	attrs, err := signedAttributes(make([]byte, 32), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := parseAttributes(attrs); err != nil || len(got) != 3 {
		t.Fatalf("the three attributes Sign writes: %d, %v", len(got), err)
	}
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(attrs, &first); err != nil {
		t.Fatal(err)
	}
	if _, err := parseAttributes(append(attrs, first.FullBytes...)); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("repeated attribute: %v", err)
	}
}

// TestPEMInsideContent signs a text that holds a PEM block (a certificate
// request, say): the attached content must not make the DER message read as
// PEM. A PEM-wrapped message still parses.
func TestPEMInsideContent(t *testing.T) {
	s := newSigner(t, "tc26-256-A", "CN=S", nil)
	content := []byte("Please sign:\n-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
	der, err := Sign(content, s.cert, s.key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sd, _, err := Verify(der, VerifyOptions{})
	if err != nil || !bytes.Equal(sd.Content, content) {
		t.Fatalf("DER message with PEM text inside its content: %v", err)
	}
	wrapped := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: der})
	if _, _, err := Verify(append([]byte("\n"), wrapped...), VerifyOptions{}); err != nil {
		t.Errorf("PEM-wrapped message: %v", err)
	}
}
