package vds

import (
	"crypto/rand"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

type signer struct {
	cert *gostx509.Certificate
	key  *gost3410.PrivateKey
}

func newKey(t testing.TB) *gost3410.PrivateKey {
	t.Helper()
	c, err := gost3410.CurveByName("tc26-256-A")
	if err != nil {
		t.Fatal(err)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newSigner makes a certificate: a self-signed root when parent is nil, else an issuing
// certificate with the extended key usages given.
func newSigner(t testing.TB, name string, parent *signer, from, to time.Time, eku ...asn1.ObjectIdentifier) *signer {
	t.Helper()
	k := newKey(t)
	subject, err := gostx509.ParseName("CN=" + name + ",O=Example")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &gostx509.Template{Subject: subject, NotBefore: from, NotAfter: to, IsCA: parent == nil, ExtKeyUsage: eku}
	var pc *gostx509.Certificate
	pk := k
	if parent != nil {
		pc, pk = parent.cert, parent.key
	}
	der, err := gostx509.CreateCertificate(nil, tmpl, pc, k.PublicKey(), pk)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := gostx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{cert, k}
}

var (
	issued = time.Date(2025, 3, 14, 0, 0, 0, 0, Moscow)
	years  = func(n int) time.Time { return issued.AddDate(n, 0, 0) }
)

func testSeal(s *signer) *Seal {
	photo := streebog.Sum256([]byte("photo"))
	return &Seal{Country: "RUS", Signer: RefOf(s.cert.Raw), Issued: issued, Number: "EP1000017",
		Surname: "Иванова", GivenNames: "Анна Сергеевна", BirthDate: time.Date(1990, 1, 31, 0, 0, 0, 0, Moscow),
		Sex: "F", PhotoDigest: photo[:], Expires: years(10)}
}
