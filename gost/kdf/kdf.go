// Package kdf implements the key derivation functions of RFC 7836 §4.4 and
// §4.5, built on HMAC-Streebog-256.
package kdf

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"

	"github.com/sep-platform/sep/gost/streebog"
)

// KDF256 is KDF_GOSTR3411_2012_256 (RFC 7836 §4.5):
// HMAC_GOSTR3411_2012_256(key, 0x01 | label | 0x00 | seed | 0x01 | 0x00).
// It returns 32 bytes.
func KDF256(key, label, seed []byte) []byte {
	m := hmac.New(streebog.New256, key)
	m.Write([]byte{0x01})
	m.Write(label)
	m.Write([]byte{0x00})
	m.Write(seed)
	m.Write([]byte{0x01, 0x00})
	return m.Sum(nil)
}

// Tree256 is KDF_TREE_GOSTR3411_2012_256 (RFC 7836 §4.4) producing length
// bytes: K(1) | K(2) | ... with K(i) = HMAC_GOSTR3411_2012_256(key,
// [i]_b | label | 0x00 | seed | [L]_b), where [i]_b is the counter in r
// big-endian bytes (r is 1 to 4) and [L]_b the output length in bits,
// big-endian without leading zero bytes. Tree256(key, label, seed, 1, 32)
// equals KDF256.
func Tree256(key, label, seed []byte, r, length int) ([]byte, error) {
	if r < 1 || r > 4 {
		return nil, fmt.Errorf("kdf: counter width R = %d, want 1 to 4 bytes", r)
	}
	blocks := (length + streebog.Size256 - 1) / streebog.Size256
	if length < 1 || uint64(blocks) > 1<<(8*r)-1 {
		return nil, fmt.Errorf("kdf: %d bytes of output cannot be counted in %d counter bytes", length, r)
	}
	var l [8]byte
	binary.BigEndian.PutUint64(l[:], uint64(length)*8)
	lb := l[:]
	for len(lb) > 1 && lb[0] == 0 {
		lb = lb[1:]
	}
	out := make([]byte, 0, blocks*streebog.Size256)
	m := hmac.New(streebog.New256, key)
	var ctr [4]byte
	for i := 1; i <= blocks; i++ {
		binary.BigEndian.PutUint32(ctr[:], uint32(i))
		m.Reset()
		m.Write(ctr[4-r:])
		m.Write(label)
		m.Write([]byte{0x00})
		m.Write(seed)
		m.Write(lb)
		out = m.Sum(out)
	}
	return out[:length], nil
}
