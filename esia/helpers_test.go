package esia

import (
	"crypto/rand"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
)

// identity is a key with its self-signed certificate.
type identity struct {
	key     *gost3410.PrivateKey
	certDER []byte
	certPEM []byte
	keyPEM  []byte
}

func newIdentity(t testing.TB, curve, subject string) *identity {
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
	der, err := gostx509.CreateCertificate(rand.Reader, &gostx509.Template{
		SerialNumber: big.NewInt(42),
		Subject:      name,
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
	}, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := gostx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := gostpkix.EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return &identity{key: key, certDER: der, certPEM: cert.EncodePEM(), keyPEM: keyPEM}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	msk := time.FixedZone("MSK", 3*3600)
	return &clock{t: time.Date(2026, 3, 14, 10, 20, 30, 0, msk)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
