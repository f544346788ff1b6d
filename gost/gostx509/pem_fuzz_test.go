package gostx509

import (
	"bytes"
	"encoding/pem"
	"os"
	"testing"
)

// FuzzParseCertificatesPEM: a file of several certificates (PEM blocks with other blocks and
// text between them, or DER laid end to end) either fails as a whole or yields certificates
// that come back the same, in order, from their own PEM and from their DER.
func FuzzParseCertificatesPEM(f *testing.F) {
	root := issue(f, "tc26-256-A", "CN=Root,O=Example,C=RU", Template{IsCA: true}, nil)
	mid := issue(f, "tc26-512-A", "CN=Intermediate,O=Example", Template{IsCA: true}, root)
	leaf := issue(f, "tc26-256-B", "CN=Leaf,SNILS=11223344595", Template{}, mid)
	chain := append(append(leaf.cert.EncodePEM(), mid.cert.EncodePEM()...), root.cert.EncodePEM()...)
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x00}})
	f.Add(chain)
	f.Add(append(append(append([]byte("subject=CN=Leaf\n"), leaf.cert.EncodePEM()...), key...), root.cert.EncodePEM()...))
	f.Add(append(append([]byte(nil), leaf.cert.Raw...), root.cert.Raw...))
	f.Add(key)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	for _, o := range rfcObjects {
		data, err := os.ReadFile("testdata/rfc9215-" + o.name + "-cert.pem")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificatesPEM(data)
		if err != nil {
			if certs != nil {
				t.Fatalf("an error (%v) with %d certificates", err, len(certs))
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		var asPEM, asDER []byte
		for _, c := range certs {
			asPEM = append(asPEM, c.EncodePEM()...)
			asDER = append(asDER, c.Raw...)
		}
		for name, again := range map[string][]byte{"PEM": asPEM, "DER": asDER} {
			back, err := ParseCertificatesPEM(again)
			if err != nil || len(back) != len(certs) {
				t.Fatalf("%d certificates do not read back from their %s: %d, %v", len(certs), name, len(back), err)
			}
			for i := range back {
				if !back[i].Equal(certs[i]) || !back[i].Subject.Equal(certs[i].Subject) {
					t.Fatalf("certificate %d differs when read back from its %s", i+1, name)
				}
			}
		}
	})
}

// FuzzParseNameDER: a raw DER name (as a CMS signer or a certificate names its issuer) either
// fails or re-encodes as DER that reads back equal and encodes the same again; its text form,
// where ParseName takes it, names the same.
func FuzzParseNameDER(f *testing.F) {
	for _, s := range []string{"CN=Example", `CN=Иван\, Петров+OU=x,O=ООО,C=RU,OGRN=1027700132195`,
		"SNILS=11223344595,INN=500100732259,emailAddress=a@example.test", "1.2.3=#020107", `CN=\ a\20b\ `} {
		n, err := ParseName(s)
		if err != nil {
			f.Fatal(err)
		}
		der, err := n.MarshalDER()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x04, 0x31, 0x02, 0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		n, err := ParseNameDER(der)
		if err != nil {
			return
		}
		if !n.Equal(n) {
			t.Fatalf("%x: a name unequal to itself", der)
		}
		out, err := n.MarshalDER()
		if err != nil {
			t.Fatalf("%x: a parsed name does not re-encode: %v", der, err)
		}
		back, err := ParseNameDER(out)
		if err != nil || !back.Equal(n) {
			t.Fatalf("%x → %x does not read back equal: %v", der, out, err)
		}
		if again, err := back.MarshalDER(); err != nil || !bytes.Equal(again, out) {
			t.Fatalf("%x: encoding is not stable: %x then %x", der, out, again)
		}
		if text, err := ParseName(n.String()); err == nil && !text.Equal(n) {
			t.Fatalf("%x: its text %q names %q", der, n.String(), text.String())
		}
	})
}
