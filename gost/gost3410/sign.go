package gost3410

import (
	"crypto"
	"crypto/hmac"
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
// The nonce k is drawn from rand (crypto/rand.Reader when nil) and hedged: k comes from
// HMAC-SHA-512 keyed with d over fresh random bytes and the digest, so a weak or repeating
// random source cannot make two different digests share a nonce (which would reveal d), while
// a good one keeps k uniformly random in [1, q-1] as the standard asks.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	size := k.curve.PointSize
	if len(digest) != size {
		return nil, errors.New("gost3410: digest length does not match the key size")
	}
	entropy := make([]byte, 32)
	if _, err := io.ReadFull(randOrDefault(rand), entropy); err != nil {
		return nil, err
	}
	nonces := newNonceStream(k.d, entropy, digest)
	g := k.curve.g
	nonce := make([]byte, size)
	for range 1000 {
		nonces.read(nonce)
		maskScalar(nonce, k.curve.qBits())
		if !g.ValidScalar(nonce) {
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
	r, s, ok := k.curve.g.Sign(k.d, nonce, digest)
	if !ok {
		return nil, false
	}
	return append(reverse(s), reverse(r)...), true
}

// VerifyDigest reports whether sig (s ‖ r, big-endian halves of PointSize bytes) is a valid
// signature of digest (the Streebog output bytes, PointSize long) under pub. It returns false
// for any malformed input.
func VerifyDigest(pub *PublicKey, digest, sig []byte) bool {
	if pub == nil || pub.curve == nil {
		return false
	}
	size := pub.curve.PointSize
	if len(digest) != size || len(sig) != 2*size {
		return false
	}
	s, r := reverse(sig[:size]), reverse(sig[size:])
	return pub.curve.g.Verify(pub.raw, digest, r, s)
}

// reverse returns b with its bytes in reverse order, in a new slice: signatures are
// big-endian, the arithmetic little-endian.
func reverse(b []byte) []byte {
	r := make([]byte, len(b))
	for i, v := range b {
		r[len(b)-1-i] = v
	}
	return r
}

func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// nonceStream expands the key, fresh randomness and the digest into candidate nonces with
// HMAC-SHA-512 in counter mode.
type nonceStream struct {
	key     []byte
	counter uint64
	buf     []byte
}

func newNonceStream(d, entropy, digest []byte) *nonceStream {
	mac := hmac.New(sha512.New, d)
	mac.Write([]byte("gost3410 hedged nonce"))
	mac.Write(entropy)
	mac.Write(digest)
	return &nonceStream{key: mac.Sum(nil)}
}

func (n *nonceStream) read(out []byte) {
	for i := range out {
		if len(n.buf) == 0 {
			mac := hmac.New(sha512.New, n.key)
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], n.counter)
			n.counter++
			mac.Write(c[:])
			n.buf = mac.Sum(nil)
		}
		out[i] = n.buf[0]
		n.buf = n.buf[1:]
	}
}
