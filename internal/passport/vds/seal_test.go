package vds

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gostx509"
)

// The examples of RFC 9285 §4.
func TestBase45(t *testing.T) {
	for plain, enc := range map[string]string{"AB": "BB8", "Hello!!": "%69 VD92EX0", "base-45": "UJCLQE7W581", "ietf!": "QED8WEX0", "": ""} {
		if got := Base45Encode([]byte(plain)); got != enc {
			t.Errorf("encode %q = %q, want %q", plain, got, enc)
		}
		if got, err := Base45Decode(enc); err != nil || string(got) != plain {
			t.Errorf("decode %q = %q, %v", enc, got, err)
		}
	}
	for _, bad := range []string{"GGW", "A", "aaa", "BB8="} {
		if _, err := Base45Decode(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestSealRoundTrip(t *testing.T) {
	root := newSigner(t, "Root", nil, years(-1), years(30))
	iss := newSigner(t, "Issuing", root, years(-1), years(3), OIDPassportSigning)
	trust := NewTrust([]*gostx509.Certificate{root.cert}, []*gostx509.Certificate{iss.cert})
	s := testSeal(iss)
	payload, err := s.Sign(iss.key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(payload, Prefix) || len(payload) > 320 {
		t.Fatalf("payload %d characters: %s", len(payload), payload)
	}
	for _, c := range payload {
		if !strings.ContainsRune(base45Alphabet, c) {
			t.Fatalf("payload has %q, not a QR alphanumeric character", c)
		}
	}
	got, err := Decode(payload)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != s.Number || got.Surname != s.Surname || got.GivenNames != s.GivenNames || !got.BirthDate.Equal(s.BirthDate) ||
		!got.Expires.Equal(s.Expires) || !got.Issued.Equal(s.Issued) || got.Sex != "F" || !bytes.Equal(got.PhotoDigest, s.PhotoDigest) {
		t.Fatalf("decoded %+v", got)
	}
	if _, err := trust.Verify(got); err != nil {
		t.Fatal(err)
	}
	// A pasted payload with a line break still reads.
	if _, err := Decode(payload + "\r\n"); err != nil {
		t.Error(err)
	}
}

// Every single changed byte of the seal either makes it unreadable or breaks the signature.
func TestTamperedByteAnywhere(t *testing.T) {
	root := newSigner(t, "Root", nil, years(-1), years(30))
	iss := newSigner(t, "Issuing", root, years(-1), years(3), OIDPassportSigning)
	trust := NewTrust([]*gostx509.Certificate{root.cert}, []*gostx509.Certificate{iss.cert})
	s := testSeal(iss)
	if _, err := s.Sign(iss.key); err != nil {
		t.Fatal(err)
	}
	raw := s.Bytes()
	for i := range raw {
		for _, x := range []byte{0x01, 0x80} {
			b := bytes.Clone(raw)
			b[i] ^= x
			got, err := Decode(Encode(b))
			if err != nil {
				if !errors.Is(err, ErrUnrecognized) {
					t.Fatalf("byte %d: %v", i, err)
				}
				continue
			}
			if _, err := trust.Verify(got); err == nil {
				t.Fatalf("byte %d ^ %#x: still verifies", i, x)
			}
		}
	}
}

func TestSignerRules(t *testing.T) {
	root := newSigner(t, "Root", nil, years(-1), years(30))
	iss := newSigner(t, "Issuing", root, years(-1), years(3), OIDPassportSigning)
	otherRoot := newSigner(t, "Root", nil, years(-1), years(30))
	foreign := newSigner(t, "Issuing", otherRoot, years(-1), years(3), OIDPassportSigning)
	noEKU := newSigner(t, "Audit", root, years(-1), years(3))
	later := newSigner(t, "Issuing 2", root, years(1), years(4), OIDPassportSigning)
	expired := newSigner(t, "Issuing 0", root, years(-3), issued.AddDate(0, 0, -1), OIDPassportSigning)
	trust := NewTrust([]*gostx509.Certificate{root.cert}, []*gostx509.Certificate{iss.cert, foreign.cert, noEKU.cert, later.cert, expired.cert})
	for _, c := range []struct {
		name string
		by   *signer
		ref  *signer // the certificate the seal names, when not by's
		want error
	}{
		{"another key under the same name", iss, nil, nil},
		{"another key's signature", newSigner(t, "x", root, years(-1), years(3), OIDPassportSigning), iss, ErrBadSignature},
		{"unknown signer", newSigner(t, "x", root, years(-1), years(3), OIDPassportSigning), nil, ErrUnknownSigner},
		{"signer of another root", foreign, nil, ErrSignerInvalid},
		{"certificate without the passport usage", noEKU, nil, ErrNotForPassports},
		{"certificate not yet valid on the issue date", later, nil, ErrSignerInvalid},
		{"certificate expired on the issue date", expired, nil, ErrSignerInvalid},
	} {
		s := testSeal(c.by)
		if c.ref != nil {
			s.Signer = RefOf(c.ref.cert.Raw)
		}
		p, err := s.Sign(c.by.key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = trust.Verify(got)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Rotation: a seal issued under a certificate that has expired since still verifies,
	// because what counts is the issue date.
	s := testSeal(expired)
	s.Issued = issued.AddDate(-1, 0, 0)
	p, _ := s.Sign(expired.key)
	got, _ := Decode(p)
	if _, err := trust.Verify(got); err != nil {
		t.Errorf("a seal of a rotated-out key: %v", err)
	}
}

func TestUnrecognized(t *testing.T) {
	for _, p := range []string{"", "SEP1:", "HC1:NCFOXN%TS3DH", "SEP1:BB8", "SEP1:aaaa", strings.Repeat("A", 1<<20),
		"SEP1:" + Base45Encode([]byte{Magic, 2}), "SEP1:" + Base45Encode([]byte{0x78, 0x9c, 1, 2, 3})} {
		if _, err := Decode(p); !errors.Is(err, ErrUnrecognized) {
			t.Errorf("%.40q: %v", p, err)
		}
	}
	// A zlib bomb stops at the limit.
	bomb := Encode(bytes.Repeat([]byte{0}, 1<<20))
	if _, err := Decode(bomb); !errors.Is(err, ErrUnrecognized) {
		t.Errorf("bomb: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	root := newSigner(f, "Root", nil, years(-1), years(30))
	iss := newSigner(f, "Issuing", root, years(-1), years(3), OIDPassportSigning)
	trust := NewTrust([]*gostx509.Certificate{root.cert}, []*gostx509.Certificate{iss.cert})
	s := testSeal(iss)
	p, _ := s.Sign(iss.key)
	f.Add(p)
	f.Add("SEP1:")
	f.Add("SEP1:" + Base45Encode(s.Bytes()))
	f.Fuzz(func(t *testing.T, p string) {
		got, err := Decode(p)
		if err != nil {
			if !errors.Is(err, ErrUnrecognized) {
				t.Fatal(err)
			}
			return
		}
		if _, err := trust.Verify(got); err == nil && !got.Equal(s) {
			t.Fatalf("a different seal verifies: %q", p)
		}
	})
}

func TestStatusList(t *testing.T) {
	root := newSigner(t, "Root", nil, years(-1), years(30))
	iss := newSigner(t, "Issuing", root, years(-1), years(3), OIDPassportSigning)
	trust := NewTrust([]*gostx509.Certificate{root.cert}, []*gostx509.Certificate{iss.cert})
	l := &StatusList{Country: "RUS", Signer: RefOf(iss.cert.Raw), Issued: issued.Add(36 * 3600e9),
		Entries: []Entry{{"EP2000001", Annulled}, {"EP1000017", Suspended}}}
	b, err := l.Sign(iss.key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseStatusList(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := trust.VerifyList(got); err != nil {
		t.Fatal(err)
	}
	if got.Lookup("EP1000017") != Suspended || got.Lookup("EP2000001") != Annulled || got.Lookup("EP3") != 0 || !got.Issued.Equal(l.Issued) {
		t.Fatalf("%+v", got)
	}
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 1
		if l, err := ParseStatusList(c); err == nil && trust.VerifyList(l) == nil {
			t.Fatalf("byte %d changed: still verifies", i)
		}
	}
}

func FuzzStatusList(f *testing.F) {
	f.Add([]byte{ListMagic, ListVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := ParseStatusList(b); err == nil {
			l.Lookup("EP1")
		}
	})
}
