package gostpkix

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/sep-platform/sep/gost/gost3410"
)

// privateKeyInfo is PKCS#8 PrivateKeyInfo (RFC 5208), extended to
// OneAsymmetricKey (RFC 5958) so version 1 keys carrying their public key
// parse too.
type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue  `asn1:"optional,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,tag:1"`
}

// maskedKey is the MASKED_GOST_KEY structure of CryptoPro exports: the masked
// scalar followed by masks, and the public key.
type maskedKey struct {
	MaskedKey []byte
	PublicKey []byte
}

// ParsePKCS8PrivateKey parses a DER PKCS#8 PrivateKeyInfo holding a GOST
// R 34.10-2012 private key. The privateKey OCTET STRING may hold the raw
// little-endian scalar (OpenSSL's gost engine), the scalar wrapped in an
// inner OCTET STRING (little-endian) or INTEGER, or a masked key (the scalar
// multiplied by masks modulo q, raw or in a SEQUENCE), as CryptoPro writes.
func ParsePKCS8PrivateKey(der []byte) (*gost3410.PrivateKey, error) {
	var info privateKeyInfo
	rest, err := asn1.Unmarshal(der, &info)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: malformed PKCS#8 private key: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gostpkix: trailing data after PKCS#8 private key")
	}
	if info.Version != 0 && info.Version != 1 {
		return nil, fmt.Errorf("gostpkix: PKCS#8 version %d, want 0 or 1", info.Version)
	}
	c, err := ParseKeyAlgorithm(info.Algorithm)
	if err != nil {
		return nil, err
	}
	d, err := privateScalar(c, info.PrivateKey)
	if err != nil {
		return nil, err
	}
	key, err := gost3410.NewPrivateKey(c, d)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: invalid private key: %v", err)
	}
	if len(info.PublicKey.Bytes) > 0 {
		pub, err := gost3410.NewPublicKey(c, publicKeyBytes(info.PublicKey.Bytes))
		if err != nil {
			return nil, fmt.Errorf("gostpkix: invalid public key in PKCS#8: %v", err)
		}
		if !pub.Equal(key.PublicKey()) {
			return nil, errors.New("gostpkix: the public key in PKCS#8 does not belong to the private key")
		}
	}
	return key, nil
}

// publicKeyBytes unwraps the OCTET STRING a public key is usually encoded in;
// bytes that are not one are returned as they are.
func publicKeyBytes(b []byte) []byte {
	var raw []byte
	if rest, err := asn1.Unmarshal(b, &raw); err == nil && len(rest) == 0 {
		return raw
	}
	return b
}

// privateScalar decodes the contents of the privateKey OCTET STRING into the
// little-endian scalar of c.PointSize bytes. The forms are told apart as the
// gost engine does: a length that is a multiple of the key size is a raw
// (possibly masked) key; otherwise the first byte names the wrapping.
func privateScalar(c *gost3410.Curve, b []byte) ([]byte, error) {
	n := c.PointSize
	if len(b) == 0 {
		return nil, errors.New("gostpkix: empty private key")
	}
	if len(b)%n == 0 {
		return unmask(c, b)
	}
	switch b[0] {
	case 0x04: // OCTET STRING: little-endian d
		var inner []byte
		if err := unmarshalWhole(b, &inner); err != nil {
			return nil, fmt.Errorf("gostpkix: malformed wrapped private key: %v", err)
		}
		if len(inner) != n {
			return nil, fmt.Errorf("gostpkix: wrapped private key on %s is %d bytes, want %d", c.Name, len(inner), n)
		}
		return inner, nil
	case 0x02: // INTEGER: d as a number
		var v *big.Int
		if err := unmarshalWhole(b, &v); err != nil {
			return nil, fmt.Errorf("gostpkix: malformed private key INTEGER: %v", err)
		}
		if v.Sign() <= 0 || v.BitLen() > 8*n {
			return nil, fmt.Errorf("gostpkix: private key INTEGER out of range for %s", c.Name)
		}
		return littleEndian(v, n), nil
	case 0x30: // MASKED_GOST_KEY
		var m maskedKey
		if err := unmarshalWhole(b, &m); err != nil {
			return nil, fmt.Errorf("gostpkix: malformed masked private key: %v", err)
		}
		if len(m.MaskedKey) == 0 || len(m.MaskedKey)%n != 0 {
			return nil, fmt.Errorf("gostpkix: masked private key is %d bytes, not a multiple of %d", len(m.MaskedKey), n)
		}
		return unmask(c, m.MaskedKey)
	}
	return nil, fmt.Errorf("gostpkix: private key on %s is %d bytes in no known form", c.Name, len(b))
}

// unmask multiplies the little-endian numbers in b (the masked key and its
// masks, each c.PointSize bytes) modulo q. A single number is returned as is,
// so that NewPrivateKey can reject a scalar outside [1, q).
func unmask(c *gost3410.Curve, b []byte) ([]byte, error) {
	n := c.PointSize
	if len(b) == n {
		return b, nil
	}
	q := c.Q()
	d := fromLittleEndian(b[:n])
	for off := n; off < len(b); off += n {
		d.Mul(d, fromLittleEndian(b[off:off+n]))
		d.Mod(d, q)
	}
	return littleEndian(d, n), nil
}

func unmarshalWhole(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

func fromLittleEndian(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i, x := range b {
		be[len(b)-1-i] = x
	}
	return new(big.Int).SetBytes(be)
}

func littleEndian(v *big.Int, n int) []byte {
	be := v.FillBytes(make([]byte, n))
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		be[i], be[j] = be[j], be[i]
	}
	return be
}

// MarshalPKCS8PrivateKey encodes key as a DER PKCS#8 PrivateKeyInfo in the
// form OpenSSL's gost engine writes: version 0, the key algorithm with its
// parameter set, and the raw little-endian scalar.
func MarshalPKCS8PrivateKey(key *gost3410.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("gostpkix: nil private key")
	}
	ai, err := KeyAlgorithm(key.Curve())
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(privateKeyInfo{Algorithm: ai, PrivateKey: key.Bytes()})
	if err != nil {
		return nil, fmt.Errorf("gostpkix: encode PKCS#8: %v", err)
	}
	return der, nil
}
