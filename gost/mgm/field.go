package mgm

import "math/bits"

// Multiplication in GF(2^64) and GF(2^128) as RFC 9058 §3 defines it: a
// block is a big-endian integer whose bit i is the coefficient of w^i.
//
// The carry-less products use ordinary integer multiplication on operands
// with "holes": each factor is split into five parts holding every fifth
// bit, so a column of a 64x64-bit product sums at most 13 one-bits, which
// fits in the five bits before the next used position and cannot carry
// into it. Keeping only every fifth bit of each partial product leaves the
// XOR (carry-less) result. No table lookups and no branches depend on the
// operands, so the multiplication runs in constant time on CPUs whose
// integer multiply does (all current x86-64 and arm64 cores).

// Bit masks of the positions j ≡ k (mod 5) of a 64-bit word, k = 0..4. In
// the upper word of a 128-bit product position 64+j ≡ k (mod 5) means
// j ≡ k+1, so the upper word of class k uses mask k+1.
const (
	mask0 = 0x1084210842108421
	mask1 = 0x2108421084210842
	mask2 = 0x4210842108421084
	mask3 = 0x8421084210842108
	mask4 = 0x0842108421084210
)

// clmul returns the 128-bit carry-less product of x and y as (hi, lo).
func clmul(x, y uint64) (hi, lo uint64) {
	x0, x1, x2, x3, x4 := x&mask0, x&mask1, x&mask2, x&mask3, x&mask4
	y0, y1, y2, y3, y4 := y&mask0, y&mask1, y&mask2, y&mask3, y&mask4
	// Class k collects x part i times y part (k-i) mod 5.
	h0, l0 := mulXor(x0, y0, x1, y4, x2, y3, x3, y2, x4, y1)
	h1, l1 := mulXor(x0, y1, x1, y0, x2, y4, x3, y3, x4, y2)
	h2, l2 := mulXor(x0, y2, x1, y1, x2, y0, x3, y4, x4, y3)
	h3, l3 := mulXor(x0, y3, x1, y2, x2, y1, x3, y0, x4, y4)
	h4, l4 := mulXor(x0, y4, x1, y3, x2, y2, x3, y1, x4, y0)
	hi = h0&mask1 | h1&mask2 | h2&mask3 | h3&mask4 | h4&mask0
	lo = l0&mask0 | l1&mask1 | l2&mask2 | l3&mask3 | l4&mask4
	return hi, lo
}

// mulXor returns the XOR of the five 128-bit integer products a_i*b_i.
func mulXor(a0, b0, a1, b1, a2, b2, a3, b3, a4, b4 uint64) (uint64, uint64) {
	h, l := bits.Mul64(a0, b0)
	h1, l1 := bits.Mul64(a1, b1)
	h2, l2 := bits.Mul64(a2, b2)
	h3, l3 := bits.Mul64(a3, b3)
	h4, l4 := bits.Mul64(a4, b4)
	return h ^ h1 ^ h2 ^ h3 ^ h4, l ^ l1 ^ l2 ^ l3 ^ l4
}

// mul64 multiplies in GF(2^64) modulo f(w) = w^64 + w^4 + w^3 + w + 1.
func mul64(x, y uint64) uint64 {
	h, l := clmul(x, y)
	// w^64 = w^4 + w^3 + w + 1: fold the high word, then the few bits the
	// fold pushed past w^63.
	over := h>>63 ^ h>>61 ^ h>>60
	l ^= h ^ h<<1 ^ h<<3 ^ h<<4
	return l ^ over ^ over<<1 ^ over<<3 ^ over<<4
}

// mul128 multiplies in GF(2^128) modulo f(w) = w^128 + w^7 + w^2 + w + 1;
// x and y are (high, low) 64-bit halves.
func mul128(x1, x0, y1, y0 uint64) (uint64, uint64) {
	// Karatsuba: three 64-bit products give the 256-bit product z3:z2:z1:z0.
	h1, h0 := clmul(x1, y1)
	l1, l0 := clmul(x0, y0)
	m1, m0 := clmul(x1^x0, y1^y0)
	m1 ^= h1 ^ l1
	m0 ^= h0 ^ l0
	z3, z2, z1, z0 := h1, h0^m1, l1^m0, l0
	// w^128 = w^7 + w^2 + w + 1: fold z3:z2 into z1:z0 and then the bits
	// that the shifts pushed past w^127.
	over := z3>>63 ^ z3>>62 ^ z3>>57
	r1 := z3 ^ (z3<<1 | z2>>63) ^ (z3<<2 | z2>>62) ^ (z3<<7 | z2>>57)
	r0 := z2 ^ z2<<1 ^ z2<<2 ^ z2<<7
	r0 ^= over ^ over<<1 ^ over<<2 ^ over<<7
	return z1 ^ r1, z0 ^ r0
}
