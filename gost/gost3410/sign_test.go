package gost3410_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

func TestSignVerifyEveryCurve(t *testing.T) {
	for _, c := range gost3410.Curves() {
		t.Run(c.Name, func(t *testing.T) {
			priv, err := gost3410.GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if priv.Curve() != c || priv.PublicKey().Curve() != c {
				t.Fatal("key reports the wrong curve")
			}
			digest := make([]byte, c.PointSize)
			rand.Read(digest)
			var signer crypto.Signer = priv
			sig, err := signer.Sign(rand.Reader, digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != 2*c.PointSize {
				t.Fatalf("signature length %d", len(sig))
			}
			pub := signer.Public().(*gost3410.PublicKey)
			if !gost3410.VerifyDigest(pub, digest, sig) {
				t.Fatal("fresh signature does not verify")
			}
			// Every single-bit change of signature or digest is rejected.
			for i := 0; i < len(sig)*8; i += 7 {
				bad := bytes.Clone(sig)
				bad[i/8] ^= 1 << (i % 8)
				if gost3410.VerifyDigest(pub, digest, bad) {
					t.Fatalf("signature with bit %d flipped verifies", i)
				}
			}
			for i := 0; i < len(digest)*8; i += 5 {
				bad := bytes.Clone(digest)
				bad[i/8] ^= 1 << (i % 8)
				if gost3410.VerifyDigest(pub, bad, sig) {
					t.Fatalf("digest with bit %d flipped verifies", i)
				}
			}
			// Another key does not verify it.
			other, _ := gost3410.GenerateKey(c, rand.Reader)
			if gost3410.VerifyDigest(other.PublicKey(), digest, sig) {
				t.Fatal("signature verifies under another key")
			}
			// Two signatures of one digest differ (fresh nonces) and both verify.
			sig2, _ := priv.Sign(nil, digest, nil)
			if bytes.Equal(sig, sig2) || !gost3410.VerifyDigest(pub, digest, sig2) {
				t.Fatal("second signature repeats the first or fails")
			}
		})
	}
}

func TestKeyEncodingRoundTrip(t *testing.T) {
	for _, c := range gost3410.Curves() {
		priv, err := gost3410.GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw := priv.Bytes()
		if len(raw) != c.PointSize {
			t.Fatalf("%s: private key length %d", c.Name, len(raw))
		}
		again, err := gost3410.NewPrivateKey(c, raw)
		if err != nil || !again.Equal(priv) || !again.PublicKey().Equal(priv.PublicKey()) {
			t.Fatalf("%s: private key round trip: %v", c.Name, err)
		}
		pub, err := gost3410.NewPublicKey(c, priv.PublicKey().Bytes())
		if err != nil || !pub.Equal(priv.PublicKey()) {
			t.Fatalf("%s: public key round trip: %v", c.Name, err)
		}
		// Bytes returns a copy.
		raw[0] ^= 1
		if !bytes.Equal(again.Bytes(), priv.Bytes()) {
			t.Fatalf("%s: Bytes exposes internal state", c.Name)
		}
	}
	// Same point, other OID: not equal.
	a := mustCurve(t, "cryptopro-A")
	b := mustCurve(t, "tc26-256-B")
	ka, _ := gost3410.GenerateKey(a, nil)
	kb, err := gost3410.NewPrivateKey(b, ka.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if ka.Equal(kb) || ka.PublicKey().Equal(kb.PublicKey()) {
		t.Fatal("keys on different parameter sets compare equal")
	}
	if !bytes.Equal(ka.PublicKey().Bytes(), kb.PublicKey().Bytes()) {
		t.Fatal("aliased curves derive different points")
	}
}

func TestNewPrivateKeyRejects(t *testing.T) {
	c := mustCurve(t, "tc26-256-A")
	q := c.Q()
	qLE := reversed(q.FillBytes(make([]byte, 32)))
	qMinus1 := reversed(q.Sub(q, bigOne).FillBytes(make([]byte, 32)))
	for name, raw := range map[string][]byte{
		"empty": nil, "short": make([]byte, 31), "long": make([]byte, 33),
		"zero": make([]byte, 32), "q": qLE, "all ones": bytes.Repeat([]byte{0xff}, 32),
	} {
		if _, err := gost3410.NewPrivateKey(c, raw); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := gost3410.NewPrivateKey(c, qMinus1); err != nil {
		t.Errorf("q-1 rejected: %v", err)
	}
	if _, err := gost3410.NewPrivateKey(nil, qMinus1); err == nil {
		t.Error("nil curve accepted")
	}
}

func TestNewPublicKeyRejects(t *testing.T) {
	for _, c := range gost3410.Curves() {
		n := c.PointSize
		priv, _ := gost3410.GenerateKey(c, nil)
		good := priv.PublicKey().Bytes()
		offCurve := bytes.Clone(good)
		offCurve[0] ^= 1
		p := reversed(c.P().FillBytes(make([]byte, n)))
		xPlusP := bytes.Clone(good) // x + p still fits only when x is small; use x = p instead
		copy(xPlusP[:n], p)
		cases := map[string][]byte{
			"empty": nil, "short": good[:2*n-1], "long": append(bytes.Clone(good), 0),
			"identity (zeros)": make([]byte, 2*n), "off curve": offCurve, "x = p": xPlusP,
		}
		for name, raw := range cases {
			if _, err := gost3410.NewPublicKey(c, raw); err == nil {
				t.Errorf("%s: %s accepted", c.Name, name)
			}
		}
	}
}

func TestSignRejectsBadInput(t *testing.T) {
	c := mustCurve(t, "tc26-256-B")
	priv, _ := gost3410.GenerateKey(c, nil)
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := priv.Sign(nil, make([]byte, n), nil); err == nil {
			t.Errorf("digest of %d bytes accepted", n)
		}
	}
	failing := errReader{errors.New("no entropy")}
	if _, err := priv.Sign(failing, make([]byte, 32), nil); err == nil {
		t.Error("Sign succeeded with a failing random source")
	}
	if _, err := gost3410.GenerateKey(c, failing); err == nil {
		t.Error("GenerateKey succeeded with a failing random source")
	}
}

func TestVerifyRejectsMalformed(t *testing.T) {
	c := mustCurve(t, "tc26-256-A")
	priv, _ := gost3410.GenerateKey(c, nil)
	pub := priv.PublicKey()
	digest := make([]byte, 32)
	sig, _ := priv.Sign(nil, digest, nil)
	q := c.Q().FillBytes(make([]byte, 32))
	zero := make([]byte, 32)
	s, r := sig[:32], sig[32:]
	cases := map[string][]byte{
		"empty": nil, "short": sig[:63], "long": append(bytes.Clone(sig), 0),
		"r = 0": append(bytes.Clone(s), zero...), "s = 0": append(bytes.Clone(zero), r...),
		"r = q": append(bytes.Clone(s), q...), "s = q": append(bytes.Clone(q), r...),
		"r ‖ s swapped": append(bytes.Clone(r), s...),
	}
	for name, bad := range cases {
		if gost3410.VerifyDigest(pub, digest, bad) {
			t.Errorf("%s verifies", name)
		}
	}
	if gost3410.VerifyDigest(pub, digest[:31], sig) || gost3410.VerifyDigest(nil, digest, sig) {
		t.Error("short digest or nil key verifies")
	}
	if !gost3410.VerifyDigest(pub, digest, sig) {
		t.Error("the good signature fails")
	}
}

// TestZeroDigest checks the e = 0 → 1 rule: a digest that is 0 mod q is signed as e = 1, so
// a signature of the all-zero digest also verifies for the digest holding q.
func TestZeroDigest(t *testing.T) {
	c := mustCurve(t, "tc26-256-A")
	priv, _ := gost3410.GenerateKey(c, nil)
	zero := make([]byte, 32)
	one := make([]byte, 32)
	one[0] = 1
	qLE := reversed(c.Q().FillBytes(make([]byte, 32)))
	sig, err := priv.Sign(nil, zero, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range [][]byte{zero, one, qLE} {
		if !gost3410.VerifyDigest(priv.PublicKey(), d, sig) {
			t.Errorf("digest %x does not verify", d)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestConcurrentUse signs and verifies from several goroutines at once, the first use of a
// curve included (its tables are built lazily); run with -race.
func TestConcurrentUse(t *testing.T) {
	for _, name := range []string{"tc26-512-B", "cryptopro-C"} {
		c := mustCurve(t, name)
		priv, err := gost3410.GenerateKey(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				digest := make([]byte, c.PointSize)
				rand.Read(digest)
				sig, err := priv.Sign(nil, digest, nil)
				if err == nil && !gost3410.VerifyDigest(priv.PublicKey(), digest, sig) {
					err = errors.New("concurrent signature does not verify")
				}
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestZeroValues checks that keys and curves not made by this package give errors, not
// panics.
func TestZeroValues(t *testing.T) {
	var priv gost3410.PrivateKey
	if _, err := priv.Sign(nil, make([]byte, 32), nil); err == nil {
		t.Error("zero PrivateKey signs")
	}
	var pub gost3410.PublicKey
	if gost3410.VerifyDigest(&pub, make([]byte, 32), make([]byte, 64)) {
		t.Error("zero PublicKey verifies")
	}
	fake := &gost3410.Curve{Name: "fake", PointSize: 32}
	if _, err := gost3410.GenerateKey(fake, nil); err == nil {
		t.Error("GenerateKey on a foreign Curve value succeeds")
	}
	if _, err := gost3410.NewPrivateKey(fake, make([]byte, 32)); err == nil {
		t.Error("NewPrivateKey on a foreign Curve value succeeds")
	}
	if _, err := gost3410.NewPublicKey(nil, make([]byte, 64)); err == nil {
		t.Error("NewPublicKey on a nil curve succeeds")
	}
}

// zeroReader is a broken random source: all zeros.
type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// TestHedgedNonce checks the point of hedging: with a random source stuck at zeros, two
// different digests still get different nonces (equal nonces would reveal the key), and the
// signatures still verify.
func TestHedgedNonce(t *testing.T) {
	c := mustCurve(t, "tc26-256-A")
	priv, _ := gost3410.GenerateKey(c, nil)
	d1, d2 := make([]byte, 32), make([]byte, 32)
	d2[0] = 1
	s1, err1 := priv.Sign(zeroReader{}, d1, nil)
	s2, err2 := priv.Sign(zeroReader{}, d2, nil)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if bytes.Equal(s1[32:], s2[32:]) {
		t.Fatal("two digests signed with the same r: the nonce repeated")
	}
	if !gost3410.VerifyDigest(priv.PublicKey(), d1, s1) || !gost3410.VerifyDigest(priv.PublicKey(), d2, s2) {
		t.Fatal("signatures made with a stuck random source do not verify")
	}
	// Another key with the same stuck source gets another nonce as well.
	other, _ := gost3410.GenerateKey(c, nil)
	s3, _ := other.Sign(zeroReader{}, d1, nil)
	if bytes.Equal(s1[32:], s3[32:]) {
		t.Fatal("two keys share a nonce")
	}
}
