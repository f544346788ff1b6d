package kuznyechik

//go:generate go run gen.go

import (
	"math/bits"
	"sync"
)

// pi is the substitution Pi' of RFC 7801 §4.1.
var pi = [256]byte{
	252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250,
	218, 35, 197, 4, 77, 233, 119, 240, 219, 147, 46,
	153, 186, 23, 54, 241, 187, 20, 205, 95, 193, 249,
	24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66,
	139, 1, 142, 79, 5, 132, 2, 174, 227, 106, 143,
	160, 6, 11, 237, 152, 127, 212, 211, 31, 235, 52,
	44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253,
	58, 206, 204, 181, 112, 14, 86, 8, 12, 118, 18,
	191, 114, 19, 71, 156, 183, 93, 135, 21, 161, 150,
	41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158,
	178, 177, 50, 117, 25, 61, 255, 53, 138, 126, 109,
	84, 198, 128, 195, 189, 13, 87, 223, 245, 36, 169,
	62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185,
	3, 224, 15, 236, 222, 122, 148, 176, 188, 220, 232,
	40, 80, 78, 51, 10, 74, 167, 151, 96, 115, 30,
	0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65,
	173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165,
	125, 105, 213, 149, 59, 7, 88, 179, 64, 134, 172,
	29, 247, 48, 55, 107, 228, 136, 217, 231, 137, 225,
	27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144,
	202, 216, 133, 97, 32, 113, 103, 164, 45, 43, 9,
	91, 203, 155, 37, 208, 190, 229, 108, 82, 89, 166,
	116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57,
	75, 99, 182,
}

// lCoeffs are the coefficients of l (RFC 7801 §4.2) in memory order: the
// RFC's a_15 is the first byte of a block, and its coefficient is 148.
var lCoeffs = [16]byte{148, 32, 133, 16, 194, 192, 1, 251, 1, 192, 194, 16, 133, 32, 148, 1}

// piInv is the inverse substitution.
var piInv [256]byte

// Combined tables, split into the low and high 64-bit halves of a block
// (bytes 0..7 and 8..15, little-endian), indexed by 256*position + byte:
//   - encLo/encHi: L applied to the block holding Pi(v) at the position and
//     zeros elsewhere, so one encryption round LS is 16 lookups;
//   - decLo/decHi: L^-1 applied to the block holding Pi^-1(v) at the
//     position, the round of decryption rearranged as L^-1 S^-1.
var encLo, encHi, decLo, decHi [16 * 256]uint64

// roundConstants are C_i = L(Vec_128(i)), i = 1..32, of the key schedule.
var roundConstants [32][2]uint64

// tablesOnce builds the tables on first use rather than at program start,
// so programs that import the package without using it pay nothing.
var tablesOnce sync.Once

func buildTables() {
	for i, v := range pi {
		piInv[v] = byte(i)
	}
	// L is linear over GF(2^8) (l is a GF(2^8)-linear form and R only moves
	// bytes), so L(x at pos) = x * L(1 at pos) byte by byte: one L per
	// position and a multiplication row per output byte build the tables in
	// well under a millisecond, against tens of milliseconds for 8192
	// evaluations of L.
	for pos := 0; pos < 16; pos++ {
		var e, eInv [16]byte
		e[pos], eInv[pos] = 1, 1
		linear(&e)
		linearInv(&eInv)
		for j := 0; j < 16; j++ {
			row, rowInv := mulRow(e[j]), mulRow(eInv[j])
			lo, hi := &encLo, &encHi
			dlo, dhi := &decLo, &decHi
			shift := 8 * (j % 8)
			if j >= 8 {
				lo, dlo = hi, dhi
			}
			for v := 0; v < 256; v++ {
				lo[256*pos+v] |= uint64(row[pi[v]]) << shift
				dlo[256*pos+v] |= uint64(rowInv[piInv[v]]) << shift
			}
		}
	}
	for i := range roundConstants {
		var b [16]byte
		b[15] = byte(i + 1)
		linear(&b)
		roundConstants[i] = load(b[:])
	}
}

// mulRow returns c*v in GF(2^8) for every v, built from c*x^k by
// linearity in v.
func mulRow(c byte) [256]byte {
	var pow [8]byte
	pow[0] = c
	for k := 1; k < 8; k++ {
		pow[k] = gfMul(pow[k-1], 2)
	}
	var row [256]byte
	for v := 1; v < 256; v++ {
		low := v & -v
		row[v] = row[v^low] ^ pow[bits.TrailingZeros(uint(low))]
	}
	return row
}

// gfMul multiplies in GF(2^8) modulo p(x) = x^8 + x^7 + x^6 + x + 1.
func gfMul(a, b byte) byte {
	var r byte
	for b != 0 {
		if b&1 != 0 {
			r ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0xc3 // x^8 = x^7 + x^6 + x + 1
		}
		b >>= 1
	}
	return r
}

// lFunc is l of RFC 7801 §4.2 over a block in memory order.
func lFunc(b *[16]byte) byte {
	var r byte
	for i, c := range lCoeffs {
		r ^= gfMul(b[i], c)
	}
	return r
}

// linear is L = R^16, where R shifts the block one byte towards its end
// and puts l of the old block in front. It is used only to build tables
// and constants.
func linear(b *[16]byte) {
	for range 16 {
		x := lFunc(b)
		copy(b[1:], b[:15])
		b[0] = x
	}
}

// linearInv is L^-1 = (R^-1)^16: R^-1 shifts the block one byte towards
// its start and puts l of (old bytes 1..15, old byte 0) last.
func linearInv(b *[16]byte) {
	for range 16 {
		first := b[0]
		copy(b[:15], b[1:])
		b[15] = first
		b[15] = lFunc(b)
	}
}
