// Package ctr implements the counter mode (CTR, "гаммирование") of
// GOST R 34.13-2015 §5.2 for any block cipher.
//
// The initial vector IV is half a block; the first counter block is
// IV || 0^(n/2) and each next one adds 1 to the whole block as a
// big-endian integer. That is crypto/cipher's CTR with the IV padded by
// zeros, so New builds exactly that, and Kuznyechik's fast counter mode is
// picked up through cipher.NewCTR. The keystream matches
// `openssl enc -kuznyechik-ctr` / `-magma-ctr` of the gost engine, whose
// -iv is the same half-block IV.
//
// GOST R 34.13-2015 allows at most 2^(n/2) blocks under one IV (2^32
// blocks, 32 GiB, for Magma); the stream does not stop there, so callers
// must keep messages below that limit.
package ctr

import (
	"crypto/cipher"
	"fmt"
)

// New returns the GOST R 34.13-2015 counter-mode stream of block under the
// initial vector iv, which must be half a block long (8 bytes for
// Kuznyechik, 4 for Magma).
func New(block cipher.Block, iv []byte) (cipher.Stream, error) {
	n := block.BlockSize()
	if len(iv) != n/2 {
		return nil, fmt.Errorf("ctr: IV is %d bytes, want %d (half the %d-byte block)", len(iv), n/2, n)
	}
	counter := make([]byte, n)
	copy(counter, iv)
	return cipher.NewCTR(block, counter), nil
}
