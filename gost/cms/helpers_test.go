package cms

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
)

// signer is a certificate made in a test with its key.
type signer struct {
	cert *gostx509.Certificate
	key  *gost3410.PrivateKey
}

// newSigner makes a key on curve and a certificate for it; parent nil makes
// a self-signed CA.
func newSigner(t testing.TB, curve, subject string, parent *signer) *signer {
	return newCertified(t, curve, subject, parent, parent == nil)
}

// newCertified is newSigner with the CA flag chosen.
func newCertified(t testing.TB, curve, subject string, parent *signer, isCA bool) *signer {
	t.Helper()
	c, err := gost3410.CurveByName(curve)
	if err != nil {
		t.Fatal(err)
	}
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name, err := gostx509.ParseName(subject)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &gostx509.Template{Subject: name, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: isCA}
	var pc *gostx509.Certificate
	by := key
	if parent != nil {
		pc, by = parent.cert, parent.key
	}
	der, err := gostx509.CreateCertificate(rand.Reader, tmpl, pc, key.PublicKey(), by)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := gostx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{cert, key}
}
