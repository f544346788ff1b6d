// Package omac implements the message authentication code of
// GOST R 34.13-2015 §5.6 ("имитовставка", OMAC1/CMAC) for 64- and 128-bit
// block ciphers.
//
// The MAC is a hash.Hash: Write the message, Sum appends the first size
// bytes of the last cipher output. The results match the gost engine's
// kuznyechik-mac and magma-mac, and GOST R 34.13-2015 A.1.6/A.2.6, which
// publish the MAC truncated to 8 (Kuznyechik) and 4 (Magma) bytes.
package omac

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"hash"
)

// MAC is a running GOST R 34.13-2015 MAC computation.
type MAC struct {
	b      cipher.Block
	size   int
	k1, k2 []byte // the derived subkeys
	state  []byte // C_i: the chaining value
	buf    []byte // the last, not yet processed, block (up to a full one)
	nbuf   int
}

// New returns a MAC over block with a tag of size bytes, 1 <= size <=
// block size. The block size must be 8 or 16 bytes, the two sizes
// GOST R 34.13-2015 defines the subkey constant for.
func New(block cipher.Block, size int) (*MAC, error) {
	n := block.BlockSize()
	var rb byte
	switch n {
	case 8:
		rb = 0x1b // B_64 = 0^59 || 11011
	case 16:
		rb = 0x87 // B_128 = 0^120 || 10000111
	default:
		return nil, fmt.Errorf("omac: block size %d bytes is not 8 or 16", n)
	}
	if size < 1 || size > n {
		return nil, fmt.Errorf("omac: tag size %d bytes is outside 1..%d", size, n)
	}
	m := &MAC{b: block, size: size, k1: make([]byte, n), k2: make([]byte, n),
		state: make([]byte, n), buf: make([]byte, n)}
	// R = E(0^n); K1 = R << 1 (^ B if MSB(R) = 1); K2 = K1 << 1 likewise.
	block.Encrypt(m.k1, m.k1)
	double(m.k1, rb)
	copy(m.k2, m.k1)
	double(m.k2, rb)
	return m, nil
}

// double shifts the big-endian block left by one bit and, if the bit
// shifted out was 1, XORs rb into the last byte; without branching on the
// (secret) bit.
func double(b []byte, rb byte) {
	mask := byte(0) - b[0]>>7
	for i := 0; i < len(b)-1; i++ {
		b[i] = b[i]<<1 | b[i+1]>>7
	}
	b[len(b)-1] = b[len(b)-1]<<1 ^ rb&mask
}

// Size returns the tag length in bytes.
func (m *MAC) Size() int { return m.size }

// BlockSize returns the cipher's block size.
func (m *MAC) BlockSize() int { return len(m.state) }

// Reset forgets the message written so far; the key stays.
func (m *MAC) Reset() {
	clear(m.state)
	clear(m.buf)
	m.nbuf = 0
}

// Write absorbs p; it never returns an error. The last block is held
// back, since the final step treats it differently.
func (m *MAC) Write(p []byte) (int, error) {
	n := len(p)
	bs := len(m.state)
	for len(p) > 0 {
		if m.nbuf == bs {
			subtle.XORBytes(m.state, m.state, m.buf)
			m.b.Encrypt(m.state, m.state)
			m.nbuf = 0
		}
		k := copy(m.buf[m.nbuf:], p)
		m.nbuf += k
		p = p[k:]
	}
	return n, nil
}

// Sum appends the tag of the message written so far to b; the state is
// unchanged, so writing may go on.
func (m *MAC) Sum(b []byte) []byte {
	bs := len(m.state)
	last := make([]byte, bs)
	copy(last, m.buf[:m.nbuf])
	key := m.k1
	if m.nbuf < bs {
		// Pad with a single 1 bit and zeros, and use K2.
		last[m.nbuf] = 0x80
		key = m.k2
	}
	subtle.XORBytes(last, last, key)
	subtle.XORBytes(last, last, m.state)
	m.b.Encrypt(last, last)
	return append(b, last[:m.size]...)
}

var _ hash.Hash = (*MAC)(nil)
