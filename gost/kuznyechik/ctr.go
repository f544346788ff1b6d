package kuznyechik

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"math/bits"
)

// NewCTR returns a counter-mode stream starting at the 16-byte counter
// block iv, incremented as one big-endian 128-bit integer, exactly like
// crypto/cipher's generic CTR (which calls this method when given a
// Kuznyechik block). GOST R 34.13-2015 CTR is this with iv = IV || 0^64;
// package ctr builds that.
func (c *Cipher) NewCTR(iv []byte) cipher.Stream {
	if len(iv) != BlockSize {
		panic("cipher.NewCTR: IV length must equal block size")
	}
	return &ctrStream{
		c:   c,
		hi:  binary.BigEndian.Uint64(iv),
		lo:  binary.BigEndian.Uint64(iv[8:]),
		pos: len(ctrBuffer{}),
	}
}

// ctrBuffer holds keystream for requests shorter than a block.
type ctrBuffer [BlockSize]byte

type ctrStream struct {
	c      *Cipher
	hi, lo uint64 // the next counter block, big-endian halves
	buf    ctrBuffer
	pos    int // bytes of buf already used
}

// next2 returns the keystream blocks for the next two counters and
// advances the counter by two.
func (s *ctrStream) next2() (uint64, uint64, uint64, uint64) {
	hi1, lo1 := s.hi, s.lo
	lo2, carry := bits.Add64(lo1, 1, 0)
	hi2 := hi1 + carry
	s.lo, carry = bits.Add64(lo2, 1, 0)
	s.hi = hi2 + carry
	return s.c.encrypt2(bits.ReverseBytes64(hi1), bits.ReverseBytes64(lo1),
		bits.ReverseBytes64(hi2), bits.ReverseBytes64(lo2))
}

// next returns the keystream block for the current counter and advances
// the counter.
func (s *ctrStream) next() (uint64, uint64) {
	// The cipher's words are little-endian loads of the block bytes; the
	// counter is big-endian, so the byte order is swapped on the way in.
	k0, k1 := s.c.encrypt(bits.ReverseBytes64(s.hi), bits.ReverseBytes64(s.lo))
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, 1, 0)
	s.hi += carry
	return k0, k1
}

// XORKeyStream XORs src with the keystream into dst. dst and src must
// overlap entirely or not at all.
func (s *ctrStream) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("crypto/cipher: output smaller than input")
	}
	if s.pos < len(s.buf) && len(src) > 0 {
		n := subtle.XORBytes(dst, src, s.buf[s.pos:])
		s.pos += n
		src, dst = src[n:], dst[n:]
	}
	for len(src) >= 2*BlockSize {
		a0, a1, b0, b1 := s.next2()
		binary.LittleEndian.PutUint64(dst, binary.LittleEndian.Uint64(src)^a0)
		binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:])^a1)
		binary.LittleEndian.PutUint64(dst[16:], binary.LittleEndian.Uint64(src[16:])^b0)
		binary.LittleEndian.PutUint64(dst[24:], binary.LittleEndian.Uint64(src[24:])^b1)
		src, dst = src[2*BlockSize:], dst[2*BlockSize:]
	}
	for len(src) > 0 {
		k0, k1 := s.next()
		binary.LittleEndian.PutUint64(s.buf[:], k0)
		binary.LittleEndian.PutUint64(s.buf[8:], k1)
		n := subtle.XORBytes(dst, src, s.buf[:])
		s.pos = n
		src, dst = src[n:], dst[n:]
	}
}
