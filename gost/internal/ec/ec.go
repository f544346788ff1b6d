// Package ec is the elliptic-curve arithmetic behind package gost3410: the fields, scalar
// rings and point groups of the GOST R 34.10-2012 curves, generated per curve by ecgen with
// fixed 64-bit limbs.
//
// Everything that touches secret scalars (key generation, signing) runs in constant time:
// no branches and no memory indices depend on secret values. Verification, which only
// handles public values, uses faster variable-time code.
//
// What ecgen emits, per curve:
//   - field arithmetic on fixed limbs, kept canonical: pseudo-Mersenne reduction for
//     p = 2^n - c, a 2^n = -2c folding for p = 2^(n-1) + c, Montgomery multiplication for
//     other primes and for every scalar ring mod q; inversion by Fermat with a fixed chain;
//   - points: complete Renes–Costello–Batina projective formulas on the Weierstrass curves,
//     complete extended Edwards formulas on TC26-256-A and TC26-512-C (with the map to and
//     from the Weierstrass form the standard and the encodings use);
//   - signing: k·G by a width-6 Booth comb over per-window tables of 32 affine multiples,
//     each row read in full under masks;
//   - verification: a width-7/width-5 NAF double-scalar multiplication, in Jacobian
//     coordinates on the a = -3 curves, comparing x(C) with r projectively.
//
// The tests compare all of it with plain math/big arithmetic.
package ec

//go:generate go run ../ecgen -out .

import (
	"errors"
	"math/big"
)

// Group is the arithmetic of one curve. Integers travel as little-endian byte strings of
// Params().Size bytes, the byte order of GOST keys and digests; a point is LE(x) ‖ LE(y) in
// short Weierstrass coordinates.
type Group interface {
	// Params returns the curve parameters.
	Params() *Params
	// ValidScalar reports, in constant time, whether k is an integer in [1, q-1].
	ValidScalar(k []byte) bool
	// PublicKey returns d·G for a valid scalar d, in constant time.
	PublicKey(d []byte) []byte
	// Sign writes r = x(k·G) mod q and s = r·d + k·e mod q to r and s, with e the digest
	// read as a little-endian integer mod q (0 becomes 1); it returns false when r or s is
	// zero. The work does not depend on the values of the valid scalars d and k.
	Sign(d, k, digest, r, s []byte) bool
	// CheckPoint returns nil when pub encodes a point of order q.
	CheckPoint(pub []byte) error
	// Verify checks the signature (r, s) of digest for a key that passed CheckPoint.
	Verify(pub, digest, r, s []byte) bool
}

// Params are the parameters of a curve y² = x³ + ax + b over GF(p) with base point (X, Y)
// of prime order Q.
type Params struct {
	Name             string
	P, A, B, Q, X, Y *big.Int
	Cofactor         int
	Size             int // bytes of a coordinate or a scalar
}

// Errors of CheckPoint.
var (
	ErrPointLength   = errors.New("gost3410: public key has the wrong length")
	ErrPointRange    = errors.New("gost3410: public key coordinate is not below p")
	ErrNotOnCurve    = errors.New("gost3410: public key is not on the curve")
	ErrNotInSubgroup = errors.New("gost3410: public key is not in the subgroup of order q")
)

// ByName returns the arithmetic of a curve by the name of its first parameter set
// ("tc26-256-A", "cryptopro-A", ...).
func ByName(name string) (Group, bool) {
	g, ok := groups[name]
	return g, ok
}

func mustParams(name string, cofactor, size int, p, a, b, q, x, y string) *Params {
	h := func(s string) *big.Int {
		n, ok := new(big.Int).SetString(s, 16)
		if !ok {
			panic("ec: bad constant " + s)
		}
		return n
	}
	return &Params{Name: name, P: h(p), A: h(a), B: h(b), Q: h(q), X: h(x), Y: h(y), Cofactor: cofactor, Size: size}
}
