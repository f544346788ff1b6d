// Package mgm implements the Multilinear Galois Mode (MGM) AEAD of
// RFC 9058 for 64- and 128-bit block ciphers (Magma and Kuznyechik).
//
// The nonce is one block, the RFC's ICN with a leading 0 bit: its most
// significant bit must be 0 (Seal panics and Open fails otherwise), since
// the mode uses 0||ICN for the encryption counter and 1||ICN for the
// authentication counter. The tag is the first tagSize bytes of the
// authenticator, 4 to block-size bytes (RFC 9058 §4: 32 <= S <= n bits).
//
// Guarantees: the GF(2^n) multiplications use integer multiplication on
// bit-sliced operands, with no table lookups or branches on data, and the
// tag is compared in constant time; decryption happens only after the tag
// has been verified. The block ciphers of this module (Kuznyechik and
// Magma) are table-driven, so the whole AEAD is not constant-time with
// respect to cache timing.
//
// Limits (RFC 9058 §4.1): the bit lengths of the associated data and of the
// plaintext, and their sum, must be below 2^(n/2); for Magma that is
// 2^32 bits, so A and P together must stay under 512 MiB. Seal panics
// beyond the limit and Open rejects such input. The RFC also requires
// |A| + |P| > 0; an empty message with empty data is still computed
// (the result is well defined) but carries no information.
package mgm

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// aead is MGM over one block cipher.
type aead struct {
	b       cipher.Block
	multi   blocksEncrypter // b, if it can encrypt many blocks at once
	n       int             // block size in bytes: 8 or 16
	tagSize int
}

// blocksEncrypter is implemented by block ciphers with a faster way to
// encrypt several independent blocks (ECB), such as kuznyechik.Cipher.
// MGM needs two streams of independent block encryptions, the counters
// Y_i and Z_i, so it hands them over in batches.
type blocksEncrypter interface {
	EncryptBlocks(dst, src []byte)
}

// batch is how many blocks are encrypted together.
const batch = 8

// New returns MGM over block (block size 8 or 16 bytes) with tags of
// tagSize bytes (4 to the block size).
func New(block cipher.Block, tagSize int) (cipher.AEAD, error) {
	n := block.BlockSize()
	if n != 8 && n != 16 {
		return nil, fmt.Errorf("mgm: block size %d bytes, want 8 or 16", n)
	}
	if tagSize < 4 || tagSize > n {
		return nil, fmt.Errorf("mgm: tag size %d bytes, want 4 to %d", tagSize, n)
	}
	a := &aead{b: block, n: n, tagSize: tagSize}
	a.multi, _ = block.(blocksEncrypter)
	return a, nil
}

// NonceSize returns the block size: the nonce is one block with its most
// significant bit 0.
func (a *aead) NonceSize() int { return a.n }

// Overhead returns the tag size.
func (a *aead) Overhead() int { return a.tagSize }

var errOpen = errors.New("mgm: message authentication failed")

// Seal encrypts and authenticates plaintext, authenticates additionalData
// and appends the ciphertext and tag to dst. To reuse plaintext's storage
// use plaintext[:0] as dst. It panics if the nonce has the wrong length or
// its most significant bit set, or the input exceeds the mode's limits.
func (a *aead) Seal(dst, nonce, plaintext, additionalData []byte) []byte {
	if len(nonce) != a.n {
		panic("mgm: incorrect nonce length given to MGM")
	}
	if nonce[0]&0x80 != 0 {
		panic("mgm: nonce has its most significant bit set")
	}
	if !a.withinLimits(len(additionalData), len(plaintext)) {
		panic("mgm: message or additional data too large for MGM")
	}
	ret, out := sliceForAppend(dst, len(plaintext)+a.tagSize)
	ct, tag := out[:len(plaintext)], out[len(plaintext):]
	s := new(scratch)
	a.crypt(ct, plaintext, nonce, s)
	a.auth(tag, nonce, additionalData, ct, s)
	return ret
}

// Open authenticates ciphertext (which ends with the tag) and
// additionalData and, if they are genuine, decrypts and appends the
// plaintext to dst. Nothing is decrypted before the tag is checked.
func (a *aead) Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if len(nonce) != a.n {
		return nil, fmt.Errorf("mgm: nonce is %d bytes, want %d", len(nonce), a.n)
	}
	if nonce[0]&0x80 != 0 {
		return nil, errors.New("mgm: nonce has its most significant bit set")
	}
	if len(ciphertext) < a.tagSize {
		return nil, errOpen
	}
	ct, tag := ciphertext[:len(ciphertext)-a.tagSize], ciphertext[len(ciphertext)-a.tagSize:]
	if !a.withinLimits(len(additionalData), len(ct)) {
		return nil, errOpen
	}
	s := new(scratch)
	a.auth(s.want[:a.tagSize], nonce, additionalData, ct, s)
	if subtle.ConstantTimeCompare(s.want[:a.tagSize], tag) != 1 {
		return nil, errOpen
	}
	ret, out := sliceForAppend(dst, len(ct))
	a.crypt(out, ct, nonce, s)
	return ret, nil
}

// withinLimits checks |A|, |P| and |A| + |P| (in bits) are below 2^(n/2).
func (a *aead) withinLimits(adLen, textLen int) bool {
	if a.n == 16 {
		// 2^64 bits is 2^61 bytes; int lengths on 64-bit platforms stay
		// below it unless both are near the top.
		return uint64(adLen)+uint64(textLen) < 1<<61
	}
	return uint64(adLen)+uint64(textLen) < 1<<29
}

// encryptBlocks encrypts the whole blocks of src into dst.
func (a *aead) encryptBlocks(dst, src []byte) {
	if a.multi != nil {
		a.multi.EncryptBlocks(dst, src)
		return
	}
	for i := 0; i < len(src); i += a.n {
		a.b.Encrypt(dst[i:], src[i:])
	}
}

// scratch holds the counter blocks and cipher outputs of one batch and the
// single blocks of a call.
// All block buffers live here, so a call allocates once: buffers handed to
// the cipher through an interface escape to the heap.
type scratch struct {
	ctr, out           [batch * 16]byte
	y, z, h, blk, want [16]byte
}

// crypt XORs src with the keystream E(Y_1), E(Y_2), ... where
// Y_1 = E(0 || ICN) and Y_{i+1} = incr_r(Y_i).
func (a *aead) crypt(dst, src, nonce []byte, s *scratch) {
	if len(src) == 0 {
		return
	}
	n := a.n
	y := &s.y
	a.b.Encrypt(y[:n], nonce) // the nonce's top bit is 0
	for len(src) > 0 {
		k := min(batch, (len(src)+n-1)/n)
		for j := 0; j < k; j++ {
			copy(s.ctr[j*n:], y[:n])
			incrRight(y[:n])
		}
		a.encryptBlocks(s.out[:k*n], s.ctr[:k*n])
		m := subtle.XORBytes(dst, src, s.out[:k*n])
		dst, src = dst[m:], src[m:]
	}
}

// auth computes the tag (RFC 9058 §4.1 step 3) into tag:
// sum of H_i ⊗ A_i, then H_{h+j} ⊗ C_j, then H ⊗ (len(A) || len(C)), with
// H_i = E(Z_i), Z_1 = E(1 || ICN), Z_{i+1} = incr_l(Z_i); the tag is the
// first bytes of E(sum).
func (a *aead) auth(tag, nonce, ad, ct []byte, s *scratch) {
	n := a.n
	z, blk := &s.z, &s.blk
	copy(z[:n], nonce)
	z[0] |= 0x80
	a.b.Encrypt(z[:n], z[:n])
	var s1, s0 uint64 // the running sum, high and low words
	for _, data := range [2][]byte{ad, ct} {
		for len(data) > 0 {
			k := min(batch, (len(data)+n-1)/n)
			for j := 0; j < k; j++ {
				copy(s.ctr[j*n:], z[:n])
				incrLeft(z[:n])
			}
			a.encryptBlocks(s.out[:k*n], s.ctr[:k*n])
			for j := 0; j < k; j++ {
				m := copy(blk[:n], data)
				clear(blk[m:n]) // the last block is padded with zeros
				data = data[m:]
				s1, s0 = a.mulAdd(s1, s0, s.out[j*n:(j+1)*n], blk[:n])
			}
		}
	}
	// len(A) || len(C), each n/2 bits, big-endian bit counts.
	if n == 16 {
		binary.BigEndian.PutUint64(blk[:8], uint64(len(ad))*8)
		binary.BigEndian.PutUint64(blk[8:], uint64(len(ct))*8)
	} else {
		binary.BigEndian.PutUint32(blk[:4], uint32(len(ad))*8)
		binary.BigEndian.PutUint32(blk[4:], uint32(len(ct))*8)
	}
	h := &s.h
	a.b.Encrypt(h[:n], z[:n])
	s1, s0 = a.mulAdd(s1, s0, h[:n], blk[:n])
	if n == 16 {
		binary.BigEndian.PutUint64(blk[:8], s1)
		binary.BigEndian.PutUint64(blk[8:], s0)
	} else {
		binary.BigEndian.PutUint64(blk[:8], s0)
	}
	a.b.Encrypt(blk[:n], blk[:n])
	copy(tag, blk[:a.tagSize])
}

// mulAdd returns sum ^ (h ⊗ x) for blocks h and x of the field's size.
func (a *aead) mulAdd(s1, s0 uint64, h, x []byte) (uint64, uint64) {
	if a.n == 16 {
		p1, p0 := mul128(binary.BigEndian.Uint64(h), binary.BigEndian.Uint64(h[8:]),
			binary.BigEndian.Uint64(x), binary.BigEndian.Uint64(x[8:]))
		return s1 ^ p1, s0 ^ p0
	}
	return 0, s0 ^ mul64(binary.BigEndian.Uint64(h), binary.BigEndian.Uint64(x))
}

// incrRight adds 1 to the right half of the block modulo 2^(n/2).
func incrRight(b []byte) {
	if len(b) == 16 {
		binary.BigEndian.PutUint64(b[8:], binary.BigEndian.Uint64(b[8:])+1)
	} else {
		binary.BigEndian.PutUint32(b[4:], binary.BigEndian.Uint32(b[4:])+1)
	}
}

// incrLeft adds 1 to the left half of the block modulo 2^(n/2).
func incrLeft(b []byte) {
	if len(b) == 16 {
		binary.BigEndian.PutUint64(b, binary.BigEndian.Uint64(b)+1)
	} else {
		binary.BigEndian.PutUint32(b, binary.BigEndian.Uint32(b)+1)
	}
}

// sliceForAppend extends in by n bytes, reusing its capacity if it can,
// and returns the whole slice and the new part.
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	return head, head[len(in):]
}
