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

// BenchmarkCompress4 times g_N alone, the function gen.go writes: four chained compressions
// per operation (each takes the state the one before left), as in hashing 256 bytes, without
// the padding, counter and checksum work of Write and Sum. Compare generator changes with it
// (alternating runs of the old and the new code: the build machines are shared).
func BenchmarkCompress4(b *testing.B) {
	var h, n [8]uint64
	var m [BlockSize]byte
	for i := range m {
		m[i] = byte(i)
	}
	b.SetBytes(4 * BlockSize)
	for b.Loop() {
		for range 4 {
			compress(&h, &n, &m)
		}
	}
}
