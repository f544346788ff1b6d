package streebog

import (
	"hash"
	"testing"
)

func benchmarkHash(b *testing.B, h hash.Hash, size int) {
	buf := make([]byte, size)
	out := make([]byte, 0, Size512)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		h.Write(buf)
		out = h.Sum(out[:0])
	}
}

func BenchmarkHash256_8K(b *testing.B) { benchmarkHash(b, New256(), 8192) }
func BenchmarkHash512_8K(b *testing.B) { benchmarkHash(b, New512(), 8192) }
func BenchmarkHash256_64(b *testing.B) { benchmarkHash(b, New256(), 64) }
func BenchmarkSum256_1K(b *testing.B) {
	buf := make([]byte, 1024)
	b.SetBytes(1024)
	b.ReportAllocs()
	for b.Loop() {
		Sum256(buf)
	}
}
