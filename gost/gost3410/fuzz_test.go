package gost3410_test

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

// FuzzNewPublicKey feeds arbitrary bytes to NewPublicKey on every curve: it must never panic,
// and what it accepts must be a point of order q, checked here with math/big.
func FuzzNewPublicKey(f *testing.F) {
	for _, c := range gost3410.Curves() {
		priv, _ := gost3410.GenerateKey(c, nil)
		f.Add(uint8(0), priv.PublicKey().Bytes())
	}
	f.Add(uint8(3), make([]byte, 64))
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		all := gost3410.Curves()
		c := all[int(which)%len(all)]
		pub, err := gost3410.NewPublicKey(c, raw)
		if err != nil {
			return
		}
		n := c.PointSize
		x := new(big.Int).SetBytes(reversed(raw[:n]))
		y := new(big.Int).SetBytes(reversed(raw[n:]))
		p := c.P()
		lhs := new(big.Int).Mul(y, y)
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, c.A()).Mul(rhs, x).Add(rhs, c.B())
		if x.Cmp(p) >= 0 || y.Cmp(p) >= 0 || lhs.Sub(lhs, rhs).Mod(lhs, p).Sign() != 0 {
			t.Fatalf("%s accepted %x, not a curve point", c.Name, raw)
		}
		if !bytes.Equal(pub.Bytes(), raw) {
			t.Fatal("Bytes does not round-trip")
		}
	})
}

// FuzzVerifyDigest feeds arbitrary digests and signatures: never a panic, never a success
// for a signature that was not made with the key.
func FuzzVerifyDigest(f *testing.F) {
	c := mustCurve(f, "tc26-256-A")
	priv, _ := gost3410.GenerateKey(c, nil)
	digest := []byte("a fixed 32-byte digest for fuzz!")
	sig, _ := priv.Sign(nil, digest, nil)
	// e is the digest as a little-endian integer mod q, 0 read as 1: digests with the same e
	// share signatures.
	e := func(d []byte) *big.Int {
		n := new(big.Int).SetBytes(reversed(d))
		n.Mod(n, c.Q())
		if n.Sign() == 0 {
			n.SetInt64(1)
		}
		return n
	}
	f.Add(digest, sig)
	f.Add([]byte{}, []byte{})
	f.Add(digest, make([]byte, 64))
	f.Fuzz(func(t *testing.T, d, s []byte) {
		ok := gost3410.VerifyDigest(priv.PublicKey(), d, s)
		if ok && !(e(d).Cmp(e(digest)) == 0 && bytes.Equal(s, sig)) {
			// Another valid signature of the same digest would need the private key.
			t.Fatalf("forged signature accepted: digest %x sig %x", d, s)
		}
	})
}

// FuzzNewPrivateKey checks that exactly the scalars in [1, q-1] are accepted.
func FuzzNewPrivateKey(f *testing.F) {
	f.Add(uint8(0), make([]byte, 32))
	f.Add(uint8(4), bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		all := gost3410.Curves()
		c := all[int(which)%len(all)]
		_, err := gost3410.NewPrivateKey(c, raw)
		d := new(big.Int).SetBytes(reversed(raw))
		valid := len(raw) == c.PointSize && d.Sign() > 0 && d.Cmp(c.Q()) < 0
		if valid != (err == nil) {
			t.Fatalf("%s: NewPrivateKey(%x) error %v, valid %v", c.Name, raw, err, valid)
		}
	})
}
