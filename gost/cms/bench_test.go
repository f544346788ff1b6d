package cms

import (
	"testing"
)

// Benchmarks of whole CMS operations on 1 MiB: Streebog over the content
// plus one GOST R 34.10-2012 signature or verification.
func benchmarkCMS(b *testing.B, curve string) {
	s := newSigner(b, curve, "CN=Bench", nil)
	content := make([]byte, 1<<20)
	b.Run("Sign", func(b *testing.B) {
		b.SetBytes(int64(len(content)))
		for b.Loop() {
			if _, err := Sign(content, s.cert, s.key, SignOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	der, _ := Sign(content, s.cert, s.key, SignOptions{})
	b.Run("Verify", func(b *testing.B) {
		b.SetBytes(int64(len(content)))
		for b.Loop() {
			if _, _, err := Verify(der, VerifyOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCMS256(b *testing.B) { benchmarkCMS(b, "tc26-256-A") }
func BenchmarkCMS512(b *testing.B) { benchmarkCMS(b, "tc26-512-A") }
