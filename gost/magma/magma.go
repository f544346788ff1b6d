// Package magma implements the 64-bit block cipher Magma of
// GOST R 34.12-2015 (RFC 8891).
//
// Byte order: keys and blocks are byte strings in the order RFC 8891 prints
// them; the key is read as one big-endian number and a block as two
// big-endian 32-bit halves (a_1, a_0), which is what RFC 8891 Appendix B
// lists as the difference from GOST 28147-89.
//
// The S-boxes and the rotation are folded into four 256-entry tables
// indexed by data bytes, so the code is not constant-time with respect to
// cache timing.
package magma

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

const (
	// BlockSize is the Magma block size in bytes.
	BlockSize = 8
	// KeySize is the Magma key size in bytes.
	KeySize = 32
)

// sboxes are Pi'_0..Pi'_7 of RFC 8891 §4.1 (id-tc26-gost-28147-param-Z).
var sboxes = [8][16]byte{
	{12, 4, 6, 2, 10, 5, 11, 9, 14, 8, 13, 7, 0, 3, 15, 1},
	{6, 8, 2, 3, 9, 10, 5, 12, 1, 14, 4, 7, 11, 13, 0, 15},
	{11, 3, 5, 8, 2, 15, 10, 13, 14, 1, 7, 4, 12, 9, 6, 0},
	{12, 8, 2, 1, 13, 4, 15, 6, 7, 0, 10, 5, 3, 14, 9, 11},
	{7, 15, 5, 10, 8, 1, 6, 13, 0, 9, 3, 14, 11, 4, 2, 12},
	{5, 13, 15, 6, 9, 2, 12, 10, 11, 7, 8, 1, 4, 3, 14, 0},
	{8, 14, 2, 5, 6, 9, 1, 12, 15, 4, 11, 0, 13, 10, 3, 7},
	{1, 7, 14, 13, 0, 5, 8, 3, 4, 15, 10, 6, 9, 12, 11, 2},
}

// tTables[j][v] is t applied to byte j of a word (two S-boxes, Pi_2j on
// the low nibble and Pi_2j+1 on the high one) placed back at byte j and
// rotated left by 11, so g[k](a) is four lookups of (a + k).
var tTables [4][256]uint32

func init() {
	for j := 0; j < 4; j++ {
		for v := 0; v < 256; v++ {
			s := uint32(sboxes[2*j+1][v>>4])<<4 | uint32(sboxes[2*j][v&15])
			tTables[j][v] = bits.RotateLeft32(s<<(8*j), 11)
		}
	}
}

// g is g[k](a) = t(a [+] k) <<< 11 of RFC 8891 §4.2.
func g(k, a uint32) uint32 {
	x := a + k
	return tTables[0][uint8(x)] ^ tTables[1][uint8(x>>8)] ^
		tTables[2][uint8(x>>16)] ^ tTables[3][uint8(x>>24)]
}

// Cipher is a Magma instance with one key. It implements cipher.Block and
// is safe for concurrent use.
type Cipher struct {
	enc [32]uint32 // round keys K_1..K_32 in the order encryption uses them
	dec [32]uint32 // the same keys in the order decryption uses them
}

// KeySizeError reports a key of the wrong length.
type KeySizeError int

func (k KeySizeError) Error() string {
	return fmt.Sprintf("magma: invalid key size %d, want %d bytes", int(k), KeySize)
}

// NewCipher returns a Magma cipher.Block for a 32-byte key.
func NewCipher(key []byte) (cipher.Block, error) {
	if len(key) != KeySize {
		return nil, KeySizeError(len(key))
	}
	c := new(Cipher)
	// K_1..K_8 are the key's 32-bit words, most significant first; rounds
	// 1-24 use them three times in order, rounds 25-32 in reverse
	// (RFC 8891 §4.3).
	for i := 0; i < 8; i++ {
		k := binary.BigEndian.Uint32(key[4*i:])
		c.enc[i], c.enc[8+i], c.enc[16+i], c.enc[31-i] = k, k, k, k
	}
	for i := range c.dec {
		c.dec[i] = c.enc[31-i]
	}
	return c, nil
}

// BlockSize returns 8.
func (c *Cipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst; they may overlap
// entirely or not at all.
func (c *Cipher) Encrypt(dst, src []byte) { c.crypt(dst, src, &c.enc) }

// Decrypt decrypts the first block of src into dst; they may overlap
// entirely or not at all.
func (c *Cipher) Decrypt(dst, src []byte) { c.crypt(dst, src, &c.dec) }

// crypt runs the 32 rounds G[K_i] with keys in the given order; the last
// round is G*, which is G without the swap of halves.
func (c *Cipher) crypt(dst, src []byte, keys *[32]uint32) {
	if len(src) < BlockSize {
		panic("magma: input not full block")
	}
	if len(dst) < BlockSize {
		panic("magma: output not full block")
	}
	a1 := binary.BigEndian.Uint32(src)
	a0 := binary.BigEndian.Uint32(src[4:])
	for i := 0; i < 32; i += 2 {
		a1 ^= g(keys[i], a0)
		a0 ^= g(keys[i+1], a1)
	}
	// After an even number of swapping rounds the halves are in place; G*
	// means the final round does not swap, so the output is (a0, a1).
	binary.BigEndian.PutUint32(dst, a0)
	binary.BigEndian.PutUint32(dst[4:], a1)
}

// EncryptBlocks encrypts the whole blocks of src into dst one by one (ECB),
// two at a time with their rounds interleaved, which is faster than calling
// Encrypt per block: a single block's 32 rounds form one dependency chain.
// It is for modes built elsewhere that need many independent blocks, such
// as the counters of MGM. dst and src must overlap entirely or not at all;
// src must be a multiple of the block size and dst at least as long.
func (c *Cipher) EncryptBlocks(dst, src []byte) {
	if len(src)%BlockSize != 0 {
		panic("magma: input not a multiple of the block size")
	}
	if len(dst) < len(src) {
		panic("magma: output smaller than input")
	}
	keys := &c.enc
	for len(src) >= 2*BlockSize {
		a1, a0 := binary.BigEndian.Uint32(src), binary.BigEndian.Uint32(src[4:])
		b1, b0 := binary.BigEndian.Uint32(src[8:]), binary.BigEndian.Uint32(src[12:])
		for i := 0; i < 32; i += 2 {
			a1 ^= g(keys[i], a0)
			b1 ^= g(keys[i], b0)
			a0 ^= g(keys[i+1], a1)
			b0 ^= g(keys[i+1], b1)
		}
		binary.BigEndian.PutUint32(dst, a0)
		binary.BigEndian.PutUint32(dst[4:], a1)
		binary.BigEndian.PutUint32(dst[8:], b0)
		binary.BigEndian.PutUint32(dst[12:], b1)
		src, dst = src[2*BlockSize:], dst[2*BlockSize:]
	}
	if len(src) > 0 {
		c.Encrypt(dst, src)
	}
}
