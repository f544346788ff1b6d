package gostx509

import (
	"testing"
	"time"
)

// FuzzParseCertificate: the parser never panics; what it accepts can be
// printed, checked and, when its key is GOST, verified without panicking.
func FuzzParseCertificate(f *testing.F) {
	for _, o := range rfcObjects {
		f.Add(readPEMFile(f, "testdata/rfc9215-"+o.name+"-cert.pem"))
	}
	root := issue(f, "tc26-256-A", "CN=Root,O=Example,C=RU", Template{IsCA: true, MaxPathLenZero: true}, nil)
	leaf := issue(f, "tc26-512-A", "CN=Иван,SNILS=11223344595,emailAddress=a@example.test", Template{}, root)
	f.Add(root.cert.Raw)
	f.Add(leaf.cert.Raw)
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCertificate(der)
		if err != nil {
			return
		}
		_ = c.Subject.String()
		_ = c.Issuer.String()
		_ = c.IsSelfSigned()
		_ = c.CheckSignatureFrom(root.cert)
		_, _ = c.Verify(VerifyOptions{Roots: []*Certificate{root.cert, c}, CurrentTime: time.Unix(1e9, 0)})
		if _, err := c.Subject.MarshalDER(); err != nil {
			// A parsed name must re-encode: every value was read from a
			// string type it can be written back in.
			t.Fatalf("parsed subject does not re-encode: %v", err)
		}
	})
}

// FuzzParseName: the text form of names never panics and what it accepts
// round-trips through DER and String.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"CN=Example", `CN=Иван\, Петров+OU=x,O=ООО,C=RU,OGRN=1027700132195`, `CN=\ a\20b\ `, "1.2.3=#0101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseName(s)
		if err != nil {
			return
		}
		der, err := n.MarshalDER()
		if err != nil {
			return // values that fit no string type of their attribute
		}
		back, err := ParseNameDER(der)
		if err != nil || !back.Equal(n) {
			t.Fatalf("DER round trip of %q: %v", s, err)
		}
		again, err := ParseName(back.String())
		if err != nil || !again.Equal(n) {
			t.Fatalf("String round trip of %q via %q: %v", s, back.String(), err)
		}
	})
}
