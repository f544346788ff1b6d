package gost3410

import (
	"crypto"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"io"
)

// Sign signs a Streebog digest with the key and returns s ‖ r, each big-endian and PointSize
// bytes long: the octets of X.509 signatureValue and CMS SignerInfo.signature (RFC 9215 §2).
//
// digest is the hash output exactly as the hash returns it: Streebog-256 (32 bytes) for
// 256-bit keys, Streebog-512 (64 bytes) for 512-bit keys. It is read as a little-endian
// integer e mod q, with 0 replaced by 1 (GOST R 34.10-2012 §6.1). opts may be nil; its
// HashFunc is ignored because Streebog has no crypto.Hash value.
//
// The nonce k is drawn from rand (crypto/rand.Reader when nil) and hedged, as crypto/ecdsa
// does: k comes from SHA-512 over the key, 32 fresh random bytes and the digest, so a weak or
// repeating random source cannot make two different digests share a nonce (which would
// reveal d), while a good one keeps k uniformly random in [1, q-1] as the standard asks.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k == nil || !k.curve.valid() {
		return nil, errors.New("gost3410: invalid private key")
	}
	size := k.curve.PointSize
	if len(digest) != size {
		return nil, errors.New("gost3410: digest length does not match the key size")
	}
	var entropy [32]byte
	if _, err := io.ReadFull(randOrDefault(rand), entropy[:]); err != nil {
		return nil, err
	}
	var nonces nonceSource
	nonces.init(k.d, entropy[:], digest)
	defer nonces.wipe()
	var buf [64]byte
	defer clear(buf[:])
	nonce := buf[:size]
	for range 1000 {
		nonces.read(nonce)
		maskScalar(nonce, k.curve.qBits())
		if !k.curve.g.ValidScalar(nonce) {
			continue
		}
		if sig, ok := k.signWithNonce(digest, nonce); ok {
			return sig, nil
		}
	}
	return nil, errors.New("gost3410: could not find a usable nonce")
}

// signWithNonce signs with a given nonce k (little-endian, valid). Tests reach it to
// reproduce published vectors; everything else goes through Sign.
func (k *PrivateKey) signWithNonce(digest, nonce []byte) ([]byte, bool) {
	size := k.curve.PointSize
	var rs [128]byte
	r, s := rs[:size], rs[64:64+size]
	if !k.curve.g.Sign(k.d, nonce, digest, r, s) {
		return nil, false
	}
	sig := make([]byte, 2*size)
	reverseInto(sig[:size], s)
	reverseInto(sig[size:], r)
	return sig, true
}

// VerifyDigest reports whether sig (s ‖ r, big-endian halves of PointSize bytes) is a valid
// signature of digest (the Streebog output bytes, PointSize long) under pub. It returns false
// for any malformed input.
func VerifyDigest(pub *PublicKey, digest, sig []byte) bool {
	if pub == nil || !pub.curve.valid() {
		return false
	}
	size := pub.curve.PointSize
	if len(digest) != size || len(sig) != 2*size {
		return false
	}
	var rs [128]byte
	r, s := rs[:size], rs[64:64+size]
	reverseInto(s, sig[:size])
	reverseInto(r, sig[size:])
	return pub.curve.g.Verify(pub.raw, digest, r, s)
}

// reverseInto writes the bytes of src to dst in reverse order: signatures are big-endian,
// the arithmetic little-endian.
func reverseInto(dst, src []byte) {
	for i, v := range src {
		dst[len(src)-1-i] = v
	}
}

func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// nonceDomain separates the nonce derivation from any other use of SHA-512 on these inputs.
const nonceDomain = "GOST R 34.10-2012 hedged nonce\x00"

// nonceSource expands the key, fresh random bytes and the digest into candidate nonces:
// block i is SHA-512(domain ‖ d ‖ entropy ‖ digest ‖ i), with d and digest of fixed length
// for the curve, so the encoding is unambiguous.
type nonceSource struct {
	material [len(nonceDomain) + 64 + 32 + 64 + 8]byte
	n        int
	counter  uint64
	block    [sha512.Size]byte
	left     []byte
}

func (ns *nonceSource) init(d, entropy, digest []byte) {
	ns.n = copy(ns.material[:], nonceDomain)
	ns.n += copy(ns.material[ns.n:], d)
	ns.n += copy(ns.material[ns.n:], entropy)
	ns.n += copy(ns.material[ns.n:], digest)
}

// wipe clears the copies of the key and of the nonce material.
func (ns *nonceSource) wipe() {
	clear(ns.material[:])
	clear(ns.block[:])
}

func (ns *nonceSource) read(out []byte) {
	for i := range out {
		if len(ns.left) == 0 {
			binary.BigEndian.PutUint64(ns.material[ns.n:], ns.counter)
			ns.counter++
			ns.block = sha512.Sum512(ns.material[:ns.n+8])
			ns.left = ns.block[:]
		}
		out[i] = ns.left[0]
		ns.left = ns.left[1:]
	}
}
