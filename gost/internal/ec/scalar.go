package ec

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

// ctEqMask returns all ones when a = b and 0 otherwise, without branching.
func ctEqMask(a, b uint64) uint64 {
	v := a ^ b
	return ((v | -v) >> 63) - 1
}

// booth6 returns signed digit i of k in the width-6 Booth recoding, as a magnitude in
// [0, 32] and a sign bit: k = Σ d_i·2^(6i) with d_i = b(6i-1) + Σ_{j<5} b(6i+j)·2^j -
// 32·b(6i+5), where b(n) is bit n of k and b(-1) = 0. Only the position i, which is
// public, steers memory accesses; the digit itself is computed with arithmetic alone.
func booth6(k []uint64, i int) (mag, neg uint64) {
	var w uint64
	if pos := 6*i - 1; pos < 0 {
		w = k[0] << 1
	} else {
		word, shift := pos/64, uint(pos%64)
		w = k[word] >> shift
		if shift > 57 && word+1 < len(k) {
			w |= k[word+1] << (64 - shift)
		}
	}
	w &= 0x7f
	// d = ⌊(w+1)/2⌋ - 64·b6, in [-32, 32].
	d := (w+1)>>1 - (w>>6)<<6
	neg = d >> 63
	mag = (d ^ -neg) + neg
	return mag, neg
}

// wnaf returns the width-w non-adjacent form of the little-endian integer k, least
// significant digit first: odd digits in (-2^(w-1), 2^(w-1)) separated by at least w-1
// zeros. Variable time: for public scalars only.
func wnaf(k []byte, w uint) []int8 {
	x := make([]uint64, len(k)/8+1)
	limbsLE(x[:len(x)-1], k)
	out := make([]int8, 0, 64*len(x))
	mask := uint64(1)<<w - 1
	for !isZeroLimbs(x) {
		var d int64
		if x[0]&1 == 1 {
			d = int64(x[0] & mask)
			if d >= 1<<(w-1) {
				d -= 1 << w
			}
			if d > 0 {
				subSmall(x, uint64(d))
			} else {
				addSmall(x, uint64(-d))
			}
		}
		out = append(out, int8(d))
		for i := 0; i < len(x)-1; i++ {
			x[i] = x[i]>>1 | x[i+1]<<63
		}
		x[len(x)-1] >>= 1
	}
	return out
}

func abs8(d int8) int8 {
	if d < 0 {
		return -d
	}
	return d
}

func isZeroLimbs(x []uint64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

func subSmall(x []uint64, v uint64) {
	var b uint64
	x[0], b = bits.Sub64(x[0], v, 0)
	for i := 1; i < len(x); i++ {
		x[i], b = bits.Sub64(x[i], 0, b)
	}
}

func addSmall(x []uint64, v uint64) {
	var c uint64
	x[0], c = bits.Add64(x[0], v, 0)
	for i := 1; i < len(x); i++ {
		x[i], c = bits.Add64(x[i], 0, c)
	}
}

// limbsLE reads little-endian bytes into limbs (len(b) = 8·len(x)).
func limbsLE(x []uint64, b []byte) {
	for i := range x {
		x[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
}

// putLimbsLE writes limbs as little-endian bytes (len(b) = 8·len(x)).
func putLimbsLE(b []byte, x []uint64) {
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
}

// lessLimbs reports whether a < b. Variable time.
func lessLimbs(a, b []uint64) bool {
	var borrow uint64
	for i := range a {
		_, borrow = bits.Sub64(a[i], b[i], borrow)
	}
	return borrow == 1
}

// addLimbs sets a += b and returns the carry out.
func addLimbs(a, b []uint64) uint64 {
	var c uint64
	for i := range a {
		a[i], c = bits.Add64(a[i], b[i], c)
	}
	return c
}

// invPublic replaces the little-endian integer x, which must be invertible mod q, by its
// inverse mod q. Variable time: for public values only.
func invPublic(x []byte, q *big.Int) {
	be := make([]byte, len(x))
	for i, v := range x {
		be[len(x)-1-i] = v
	}
	n := new(big.Int).SetBytes(be)
	n.ModInverse(n, q)
	n.FillBytes(be)
	for i, v := range be {
		x[len(be)-1-i] = v
	}
}
