package gostpkix

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
)

// Object identifiers of RFC 9215 (gost-vectors.md §8).
var (
	// OIDPublicKey256 is id-tc26-gost3410-12-256, a 256-bit public key.
	OIDPublicKey256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	// OIDPublicKey512 is id-tc26-gost3410-12-512, a 512-bit public key.
	OIDPublicKey512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	// OIDStreebog256 is id-tc26-gost3411-12-256, the Streebog-256 digest.
	OIDStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	// OIDStreebog512 is id-tc26-gost3411-12-512, the Streebog-512 digest.
	OIDStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
	// OIDSignatureStreebog256 is id-tc26-signwithdigest-gost3410-12-256.
	OIDSignatureStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	// OIDSignatureStreebog512 is id-tc26-signwithdigest-gost3410-12-512.
	OIDSignatureStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}

	// oidGostR3410_2001 is the legacy GOST R 34.10-2001 key algorithm, named
	// only to say clearly that it is not supported.
	oidGostR3410_2001 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	// oidCryptoPro is the arc of the CryptoPro (RFC 4357) parameter sets,
	// whose keys carry a digestParamSet (RFC 9215 §4.2).
	oidCryptoPro = asn1.ObjectIdentifier{1, 2, 643, 2, 2}
)

// ErrUnsupportedAlgorithm reports an algorithm identifier this package does
// not implement (for example RSA, or GOST R 34.10-2001 with GOST R 34.11-94).
var ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")

// is512 tells the key family of a curve: 64-byte coordinates are the 512-bit
// family, everything else the 256-bit one.
func is512(c *gost3410.Curve) bool { return c.PointSize == 64 }

// PublicKeyAlgorithm returns the key algorithm OID for keys on curve c.
func PublicKeyAlgorithm(c *gost3410.Curve) asn1.ObjectIdentifier {
	if is512(c) {
		return OIDPublicKey512
	}
	return OIDPublicKey256
}

// DigestAlgorithm returns the OID of the Streebog digest that keys on curve c
// sign: Streebog-256 for 256-bit keys, Streebog-512 for 512-bit ones.
func DigestAlgorithm(c *gost3410.Curve) asn1.ObjectIdentifier {
	if is512(c) {
		return OIDStreebog512
	}
	return OIDStreebog256
}

// SignatureAlgorithm returns the signwithdigest OID for keys on curve c.
func SignatureAlgorithm(c *gost3410.Curve) asn1.ObjectIdentifier {
	if is512(c) {
		return OIDSignatureStreebog512
	}
	return OIDSignatureStreebog256
}

// NewHash returns a fresh Streebog hash of the size keys on curve c sign.
func NewHash(c *gost3410.Curve) hash.Hash {
	if is512(c) {
		return streebog.New512()
	}
	return streebog.New256()
}

// Digest returns the Streebog digest of data that a key on curve c signs.
func Digest(c *gost3410.Curve, data []byte) []byte {
	h := NewHash(c)
	h.Write(data)
	return h.Sum(nil)
}

// CheckSignatureAlgorithm checks that ai names a GOST R 34.10-2012 signature
// that a key on curve c can have made: id-tc26-signwithdigest-gost3410-12-*
// of the key's size, or (as OpenSSL's gost engine writes in CMS) the bare
// public-key OID. Parameters must be absent (RFC 9215) or NULL (the engine).
func CheckSignatureAlgorithm(ai pkix.AlgorithmIdentifier, c *gost3410.Curve) error {
	want, wantKey := SignatureAlgorithm(c), PublicKeyAlgorithm(c)
	switch {
	case ai.Algorithm.Equal(want), ai.Algorithm.Equal(wantKey):
	case ai.Algorithm.Equal(OIDSignatureStreebog256), ai.Algorithm.Equal(OIDSignatureStreebog512),
		ai.Algorithm.Equal(OIDPublicKey256), ai.Algorithm.Equal(OIDPublicKey512):
		return fmt.Errorf("signature algorithm %v does not fit a %d-bit key", ai.Algorithm, c.PointSize*8)
	default:
		return fmt.Errorf("%w: signature algorithm %v", ErrUnsupportedAlgorithm, ai.Algorithm)
	}
	if !ParamsAbsentOrNull(ai) {
		return fmt.Errorf("signature algorithm %v has parameters; want none or NULL", ai.Algorithm)
	}
	return nil
}

// CheckDigestAlgorithm checks that ai names the Streebog digest that keys on
// curve c sign, with absent or NULL parameters.
func CheckDigestAlgorithm(ai pkix.AlgorithmIdentifier, c *gost3410.Curve) error {
	want := DigestAlgorithm(c)
	switch {
	case ai.Algorithm.Equal(want):
	case ai.Algorithm.Equal(OIDStreebog256), ai.Algorithm.Equal(OIDStreebog512):
		return fmt.Errorf("digest algorithm %v does not fit a %d-bit key", ai.Algorithm, c.PointSize*8)
	default:
		return fmt.Errorf("%w: digest algorithm %v", ErrUnsupportedAlgorithm, ai.Algorithm)
	}
	if !ParamsAbsentOrNull(ai) {
		return fmt.Errorf("digest algorithm %v has parameters; want none or NULL", ai.Algorithm)
	}
	return nil
}

// ParamsAbsentOrNull reports whether ai has no parameters or a NULL.
func ParamsAbsentOrNull(ai pkix.AlgorithmIdentifier) bool {
	p := ai.Parameters
	if len(p.FullBytes) == 0 && p.Tag == 0 && p.Class == 0 && len(p.Bytes) == 0 {
		return true
	}
	return p.Class == asn1.ClassUniversal && p.Tag == asn1.TagNull && len(p.Bytes) == 0 && !p.IsCompound
}
