// Package kuznyechik implements the 128-bit block cipher Kuznyechik of
// GOST R 34.12-2015 (RFC 7801).
//
// Byte order: the hex strings of RFC 7801 (and of GOST R 34.13-2015 and
// RFC 9058) are byte strings in printed order, first printed byte first in
// memory; keys and blocks here use that order, as the OpenSSL gost engine
// does.
//
// Speed comes from combined tables: a round LS is 16 lookups in tables of
// 16×256 128-bit entries, decryption uses the same trick for L^-1 S^-1.
// The lookups are indexed by key- and data-dependent bytes, so like other
// table-driven software ciphers this code is not constant-time with
// respect to cache timing; use it where that side channel is acceptable.
//
// The cipher.Block returned by NewCipher also provides a fast counter mode
// through crypto/cipher.NewCTR (see NewCTR on the block), which is what the
// GOST R 34.13-2015 CTR mode in package ctr uses.
package kuznyechik

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
)

const (
	// BlockSize is the Kuznyechik block size in bytes.
	BlockSize = 16
	// KeySize is the Kuznyechik key size in bytes.
	KeySize = 32
)

// Cipher is a Kuznyechik instance with one key. It implements cipher.Block
// and is safe for concurrent use.
type Cipher struct {
	enc [10][2]uint64 // round keys K_1..K_10 as (low, high) words
	dec [10][2]uint64 // L^-1(K_i) for the rearranged decryption rounds
}

// KeySizeError reports a key of the wrong length.
type KeySizeError int

func (k KeySizeError) Error() string {
	return fmt.Sprintf("kuznyechik: invalid key size %d, want %d bytes", int(k), KeySize)
}

// NewCipher returns a Kuznyechik cipher.Block for a 32-byte key.
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	tablesOnce.Do(buildTables)
	c := new(Cipher)
	c.expand(key)
	return c, nil
}

// BlockSize returns 16.
func (c *Cipher) BlockSize() int { return BlockSize }

// expand derives the round keys (RFC 7801 §4.4): K_1 and K_2 are the key
// halves; each further pair is eight Feistel steps F[C_i] with the
// constants C_i = L(Vec_128(i)).
func (c *Cipher) expand(key []byte) {
	k1 := load(key[:16])
	k2 := load(key[16:])
	c.enc[0], c.enc[1] = k1, k2
	for i := 1; i <= 32; i++ {
		ci := roundConstants[i-1]
		// F[C](a1, a0) = (LSX[C](a1) ^ a0, a1)
		lo, hi := ls(k1[0]^ci[0], k1[1]^ci[1])
		k1, k2 = [2]uint64{lo ^ k2[0], hi ^ k2[1]}, k1
		if i%8 == 0 {
			c.enc[i/4], c.enc[i/4+1] = k1, k2
		}
	}
	for i, k := range c.enc {
		// L^-1(k) through the L^-1 S^-1 table: S first cancels S^-1.
		c.dec[i][0], c.dec[i][1] = lsInv(subst(k[0], k[1], &pi))
	}
}

func load(b []byte) [2]uint64 {
	return [2]uint64{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}
}

func store(b []byte, w [2]uint64) {
	binary.LittleEndian.PutUint64(b, w[0])
	binary.LittleEndian.PutUint64(b[8:], w[1])
}

// Encrypt encrypts the first block of src into dst; they may overlap
// entirely or not at all.
func (c *Cipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize {
		panic("kuznyechik: input not full block")
	}
	if len(dst) < BlockSize {
		panic("kuznyechik: output not full block")
	}
	lo, hi := c.encrypt(binary.LittleEndian.Uint64(src), binary.LittleEndian.Uint64(src[8:]))
	binary.LittleEndian.PutUint64(dst, lo)
	binary.LittleEndian.PutUint64(dst[8:], hi)
}

// Decrypt decrypts the first block of src into dst; they may overlap
// entirely or not at all.
func (c *Cipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize {
		panic("kuznyechik: input not full block")
	}
	if len(dst) < BlockSize {
		panic("kuznyechik: output not full block")
	}
	lo, hi := c.decrypt(binary.LittleEndian.Uint64(src), binary.LittleEndian.Uint64(src[8:]))
	binary.LittleEndian.PutUint64(dst, lo)
	binary.LittleEndian.PutUint64(dst[8:], hi)
}

// encrypt is E = X[K_10] LSX[K_9] ... LSX[K_1].
func (c *Cipher) encrypt(lo, hi uint64) (uint64, uint64) {
	k := &c.enc
	lo ^= k[0][0]
	hi ^= k[0][1]
	for r := 1; r < 10; r++ {
		lo, hi = ls(lo, hi)
		lo ^= k[r][0]
		hi ^= k[r][1]
	}
	return lo, hi
}

// decrypt is D = X[K_1] S^-1 L^-1 X[K_2] ... S^-1 L^-1 X[K_10], computed
// as u = L^-1(b ^ K_10) = (L^-1 S^-1)(S(b ^ K_10)), then eight rounds
// u = (L^-1 S^-1)(u) ^ L^-1(K_i) for i = 9..2 (L^-1 is linear, so the key
// can be moved through it), and finally a = S^-1(u) ^ K_1.
func (c *Cipher) decrypt(lo, hi uint64) (uint64, uint64) {
	lo ^= c.enc[9][0]
	hi ^= c.enc[9][1]
	lo, hi = subst(lo, hi, &pi)
	lo, hi = lsInv(lo, hi)
	for r := 8; r >= 1; r-- {
		lo, hi = lsInv(lo, hi)
		lo ^= c.dec[r][0]
		hi ^= c.dec[r][1]
	}
	lo, hi = subst(lo, hi, &piInv)
	return lo ^ c.enc[0][0], hi ^ c.enc[0][1]
}

// subst applies an S-box to every byte of a block.
func subst(lo, hi uint64, s *[256]byte) (uint64, uint64) {
	var rl, rh uint64
	for i := 0; i < 64; i += 8 {
		rl |= uint64(s[uint8(lo>>i)]) << i
		rh |= uint64(s[uint8(hi>>i)]) << i
	}
	return rl, rh
}

// encrypt2 encrypts two blocks with their rounds interleaved.
func (c *Cipher) encrypt2(alo, ahi, blo, bhi uint64) (uint64, uint64, uint64, uint64) {
	k := &c.enc
	alo ^= k[0][0]
	ahi ^= k[0][1]
	blo ^= k[0][0]
	bhi ^= k[0][1]
	for r := 1; r < 10; r++ {
		alo, ahi, blo, bhi = ls2(alo, ahi, blo, bhi)
		alo ^= k[r][0]
		ahi ^= k[r][1]
		blo ^= k[r][0]
		bhi ^= k[r][1]
	}
	return alo, ahi, blo, bhi
}

// EncryptBlocks encrypts the whole blocks of src into dst one by one (ECB),
// two at a time, which is faster than calling Encrypt per block. It is for
// modes built elsewhere that need many independent blocks, such as the
// counters of MGM. dst and src must overlap entirely or not at all; src
// must be a multiple of the block size and dst at least as long.
func (c *Cipher) EncryptBlocks(dst, src []byte) {
	if len(src)%BlockSize != 0 {
		panic("kuznyechik: input not a multiple of the block size")
	}
	if len(dst) < len(src) {
		panic("kuznyechik: output smaller than input")
	}
	for len(src) >= 2*BlockSize {
		a0, a1, b0, b1 := c.encrypt2(
			binary.LittleEndian.Uint64(src), binary.LittleEndian.Uint64(src[8:]),
			binary.LittleEndian.Uint64(src[16:]), binary.LittleEndian.Uint64(src[24:]))
		binary.LittleEndian.PutUint64(dst, a0)
		binary.LittleEndian.PutUint64(dst[8:], a1)
		binary.LittleEndian.PutUint64(dst[16:], b0)
		binary.LittleEndian.PutUint64(dst[24:], b1)
		src, dst = src[2*BlockSize:], dst[2*BlockSize:]
	}
	if len(src) > 0 {
		c.Encrypt(dst, src)
	}
}
