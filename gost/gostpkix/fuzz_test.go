package gostpkix

import (
	"crypto/rand"
	"os"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

// FuzzParsePKIXPublicKey: the parser never panics, and whatever it accepts
// re-encodes to a key that parses back equal.
func FuzzParsePKIXPublicKey(f *testing.F) {
	for _, path := range rfcCerts {
		f.Add(certSPKI(f, readPEM(f, path)))
	}
	for _, c := range gost3410.Curves() {
		key, _ := gost3410.GenerateKey(c, rand.Reader)
		der, _ := MarshalPKIXPublicKey(key.PublicKey())
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKIXPublicKey(again)
		if err != nil || !back.Equal(pub) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

// FuzzParsePKCS8PrivateKey: the parser never panics, and an accepted key
// re-encodes to the same key.
func FuzzParsePKCS8PrivateKey(f *testing.F) {
	data, err := os.ReadFile("../gostx509/testdata/rfc9215-d2-key.pem")
	if err != nil {
		f.Fatal(err)
	}
	d2, err := findBlock(data, PEMPrivateKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(d2)
	for _, c := range gost3410.Curves() {
		key, _ := gost3410.GenerateKey(c, rand.Reader)
		der, _ := MarshalPKCS8PrivateKey(key)
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		key, err := ParsePKCS8PrivateKey(der)
		if err != nil {
			return
		}
		again, err := MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(again)
		if err != nil || !back.Equal(key) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}

// FuzzParsePEM: PEM wrappers never panic either.
func FuzzParsePEM(f *testing.F) {
	for _, path := range []string{"../gostx509/testdata/rfc9215-d2-key.pem", rfcCerts[0]} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ParsePrivateKeyPEM(data)
		ParsePublicKeyPEM(data)
	})
}
