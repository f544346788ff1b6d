package streebog

//go:generate go run gen.go

// compress is the round function g_N (RFC 6986 §8):
// h = E(LPS(h ^ N), m) ^ h ^ m.
func compress(h, n, m *[8]uint64) {
	var k, s [8]uint64
	lpsXor(&k, h, n)
	lpsXor(&s, &k, m)
	for i := 0; i < 11; i++ {
		lpsXor(&k, &k, &roundConstants[i])
		lpsXor(&s, &s, &k)
	}
	lpsXor(&k, &k, &roundConstants[11])
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}
