package gost3410_test

import (
	"crypto/rand"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

var benchCurves = []string{"tc26-256-A", "cryptopro-A", "cryptopro-B", "cryptopro-C", "tc26-512-A", "tc26-512-B", "tc26-512-C"}

func BenchmarkSign(b *testing.B) {
	for _, name := range benchCurves {
		b.Run(name, func(b *testing.B) {
			c := mustCurve(b, name)
			priv, err := gost3410.GenerateKey(c, rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			digest := make([]byte, c.PointSize)
			rand.Read(digest)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := priv.Sign(rand.Reader, digest, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, name := range benchCurves {
		b.Run(name, func(b *testing.B) {
			c := mustCurve(b, name)
			priv, _ := gost3410.GenerateKey(c, rand.Reader)
			digest := make([]byte, c.PointSize)
			rand.Read(digest)
			sig, _ := priv.Sign(rand.Reader, digest, nil)
			pub := priv.PublicKey()
			b.ReportAllocs()
			for b.Loop() {
				if !gost3410.VerifyDigest(pub, digest, sig) {
					b.Fatal("verify failed")
				}
			}
		})
	}
}

func BenchmarkGenerateKey(b *testing.B) {
	for _, name := range []string{"tc26-256-A", "tc26-512-A"} {
		b.Run(name, func(b *testing.B) {
			c := mustCurve(b, name)
			for b.Loop() {
				if _, err := gost3410.GenerateKey(c, rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
