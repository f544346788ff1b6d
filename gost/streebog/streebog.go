// Package streebog implements the hash function GOST R 34.11-2012
// ("Streebog", RFC 6986) with 256- and 512-bit digests.
//
// Byte order: RFC 6986 prints messages and digests as big numbers, most
// significant byte first; the byte strings this package reads and returns
// are those numbers reversed, which is what `openssl dgst -md_gost12_256`,
// GoGOST and RustCrypto produce. For example Sum256 of the 63 ASCII bytes
// "012345678901234567890123456789012345678901234567890123456789012" (RFC
// 6986 M1) is 9d151eef…e57b5500, printed in the RFC as 00557be5…ef1e159d.
//
// The digests implement hash.Hash, so HMAC-Streebog (RFC 7836 §4.1.1) is
// crypto/hmac with New256 or New512, and PBKDF2 is crypto/pbkdf2 with them.
// Their running state can be saved (encoding.BinaryMarshaler) and copied
// (hash.Cloner).
//
// The implementation looks up tables indexed by data bytes; like most
// software implementations of Streebog it is not constant-time with respect
// to cache timing of the hashed data.
package streebog

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

const (
	// Size256 is the length in bytes of a Streebog-256 digest.
	Size256 = 32
	// Size512 is the length in bytes of a Streebog-512 digest.
	Size512 = 64
	// BlockSize is the block size of Streebog in bytes.
	BlockSize = 64
)

// digest is the running state of the hash (RFC 6986 §9): the chaining value
// h, the bit counter N, the block sum Sigma and the unprocessed tail.
type digest struct {
	h     [8]uint64
	n     [8]uint64
	sigma [8]uint64
	buf   [BlockSize]byte
	nbuf  int
	size  int
}

// New256 returns a hash.Hash computing Streebog-256. It also implements
// encoding.BinaryMarshaler, encoding.BinaryAppender,
// encoding.BinaryUnmarshaler and hash.Cloner to save and restore its state.
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// New512 returns a hash.Hash computing Streebog-512, with the same extra
// interfaces as New256.
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// Sum256 returns the Streebog-256 digest of data.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:])
	return out
}

// Sum512 returns the Streebog-512 digest of data.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:])
	return out
}

// Reset restores the initial state: IV = 0^512 for the 512-bit hash and
// (00000001)^64 for the 256-bit one (RFC 6986 §6.1).
func (d *digest) Reset() {
	var iv uint64
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.nbuf = 0
}

// Size returns the digest length in bytes.
func (d *digest) Size() int { return d.size }

// BlockSize returns the block size in bytes.
func (d *digest) BlockSize() int { return BlockSize }

// Write absorbs p; it never returns an error.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		k := copy(d.buf[d.nbuf:], p)
		d.nbuf += k
		p = p[k:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.block(&d.buf)
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block((*[BlockSize]byte)(p))
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

// block processes one full 64-byte block (RFC 6986 §9 step 2).
func (d *digest) block(p *[BlockSize]byte) {
	compress(&d.h, &d.n, p)
	addCounter(&d.n, BlockSize*8)
	addBlock(&d.sigma, p)
}

// Sum appends the digest of the data written so far to b without changing
// the state.
func (d *digest) Sum(b []byte) []byte {
	d0 := *d
	var out [Size512]byte
	d0.checkSum(out[:d.size])
	return append(b, out[:d.size]...)
}

// checkSum finishes the hash (RFC 6986 §9 step 3) into out, which is
// d.size bytes long.
func (d *digest) checkSum(out []byte) {
	var pad [BlockSize]byte
	copy(pad[:], d.buf[:d.nbuf])
	pad[d.nbuf] = 1
	compress(&d.h, &d.n, &pad)
	addCounter(&d.n, uint64(d.nbuf)*8)
	addBlock(&d.sigma, &pad)
	var zero [8]uint64
	var b [BlockSize]byte
	compress(&d.h, &zero, wordBytes(&b, &d.n))
	compress(&d.h, &zero, wordBytes(&b, &d.sigma))
	// The 256-bit digest is MSB_256 of h: its upper four words.
	first := 8 - d.size/8
	for i := first; i < 8; i++ {
		binary.LittleEndian.PutUint64(out[8*(i-first):], d.h[i])
	}
}

// wordBytes stores the words x in b, least significant byte first, and
// returns b.
func wordBytes(b *[BlockSize]byte, x *[8]uint64) *[BlockSize]byte {
	for i, w := range x {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
	return b
}

// addCounter adds v to the 512-bit little-endian word counter x.
func addCounter(x *[8]uint64, v uint64) {
	var c uint64
	x[0], c = bits.Add64(x[0], v, 0)
	for i := 1; i < 8 && c != 0; i++ {
		x[i], c = bits.Add64(x[i], 0, c)
	}
}

// addBlock adds the block m, read as a little-endian 512-bit number, to
// the sum x modulo 2^512.
func addBlock(x *[8]uint64, m *[BlockSize]byte) {
	var c uint64
	for i := range x {
		x[i], c = bits.Add64(x[i], binary.LittleEndian.Uint64(m[8*i:]), c)
	}
}
