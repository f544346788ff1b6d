package gostpkix

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/sep-platform/sep/gost/gost3410"
)

// publicKeyInfo is SubjectPublicKeyInfo (RFC 5280 §4.1).
type publicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// keyParameters is GostR3410-2012-PublicKeyParameters (RFC 9215 §4.2). The
// third OID is the encryptionParamSet of RFC 4491 keys, still found in old
// certificates; it is accepted and ignored.
type keyParameters struct {
	PublicKeyParamSet  asn1.ObjectIdentifier
	DigestParamSet     asn1.ObjectIdentifier `asn1:"optional"`
	EncryptionParamSet asn1.ObjectIdentifier `asn1:"optional"`
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding a GOST
// R 34.10-2012 key, 256 or 512 bits, as RFC 9215 §4 and OpenSSL's gost engine
// encode it. The digestParamSet may be present or absent.
func ParsePKIXPublicKey(der []byte) (*gost3410.PublicKey, error) {
	var spki publicKeyInfo
	rest, err := asn1.Unmarshal(der, &spki)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: malformed SubjectPublicKeyInfo: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gostpkix: trailing data after SubjectPublicKeyInfo")
	}
	c, err := ParseKeyAlgorithm(spki.Algorithm)
	if err != nil {
		return nil, err
	}
	if spki.PublicKey.BitLength%8 != 0 {
		return nil, errors.New("gostpkix: public key BIT STRING has unused bits")
	}
	var raw []byte
	rest, err = asn1.Unmarshal(spki.PublicKey.Bytes, &raw)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: public key is not an OCTET STRING: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gostpkix: trailing data after the public key OCTET STRING")
	}
	if len(raw) != 2*c.PointSize {
		return nil, fmt.Errorf("gostpkix: public key on %s is %d bytes, want %d", c.Name, len(raw), 2*c.PointSize)
	}
	pub, err := gost3410.NewPublicKey(c, raw)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: invalid public key: %v", err)
	}
	return pub, nil
}

// ParseKeyAlgorithm resolves the AlgorithmIdentifier of a GOST R 34.10-2012
// key (in SubjectPublicKeyInfo or PKCS#8) to its curve, checking that the
// curve fits the key size and that a digestParamSet, when present, names the
// Streebog digest of that size.
func ParseKeyAlgorithm(ai pkix.AlgorithmIdentifier) (*gost3410.Curve, error) {
	var size int
	switch {
	case ai.Algorithm.Equal(OIDPublicKey256):
		size = 32
	case ai.Algorithm.Equal(OIDPublicKey512):
		size = 64
	case ai.Algorithm.Equal(oidGostR3410_2001):
		return nil, fmt.Errorf("gostpkix: %w: GOST R 34.10-2001 keys (%v); only GOST R 34.10-2012 keys are supported",
			ErrUnsupportedAlgorithm, ai.Algorithm)
	default:
		return nil, fmt.Errorf("gostpkix: %w: key algorithm %v is not GOST R 34.10-2012", ErrUnsupportedAlgorithm, ai.Algorithm)
	}
	if len(ai.Parameters.FullBytes) == 0 {
		return nil, fmt.Errorf("gostpkix: key algorithm %v has no parameters; want the parameter set", ai.Algorithm)
	}
	var params keyParameters
	rest, err := asn1.Unmarshal(ai.Parameters.FullBytes, &params)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: malformed GOST key parameters: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gostpkix: trailing data after GOST key parameters")
	}
	c, err := gost3410.CurveByOID(params.PublicKeyParamSet)
	if err != nil {
		return nil, fmt.Errorf("gostpkix: unknown parameter set %v: %w", params.PublicKeyParamSet, ErrUnsupportedAlgorithm)
	}
	if c.PointSize != size {
		return nil, fmt.Errorf("gostpkix: parameter set %s is for %d-bit keys, but the algorithm is %v (%d-bit)",
			c.Name, c.PointSize*8, ai.Algorithm, size*8)
	}
	if len(params.DigestParamSet) > 0 && !params.DigestParamSet.Equal(DigestAlgorithm(c)) {
		return nil, fmt.Errorf("gostpkix: digestParamSet %v does not fit a %d-bit key", params.DigestParamSet, size*8)
	}
	return c, nil
}

// KeyAlgorithm returns the AlgorithmIdentifier for keys on curve c, following
// RFC 9215 §4.2: digestParamSet is written for the CryptoPro (GOST R
// 34.10-2001) parameter sets, where it is required, and omitted otherwise.
func KeyAlgorithm(c *gost3410.Curve) (pkix.AlgorithmIdentifier, error) {
	params := keyParameters{PublicKeyParamSet: c.OID}
	if hasPrefix(c.OID, oidCryptoPro) {
		params.DigestParamSet = DigestAlgorithm(c)
	}
	der, err := asn1.Marshal(params)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, fmt.Errorf("gostpkix: encode key parameters: %v", err)
	}
	return pkix.AlgorithmIdentifier{
		Algorithm:  PublicKeyAlgorithm(c),
		Parameters: asn1.RawValue{FullBytes: der},
	}, nil
}

// MarshalPKIXPublicKey encodes pub as a DER SubjectPublicKeyInfo.
func MarshalPKIXPublicKey(pub *gost3410.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, errors.New("gostpkix: nil public key")
	}
	ai, err := KeyAlgorithm(pub.Curve())
	if err != nil {
		return nil, err
	}
	point, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gostpkix: encode public key: %v", err)
	}
	der, err := asn1.Marshal(publicKeyInfo{
		Algorithm: ai,
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
	if err != nil {
		return nil, fmt.Errorf("gostpkix: encode SubjectPublicKeyInfo: %v", err)
	}
	return der, nil
}

func hasPrefix(oid, arc asn1.ObjectIdentifier) bool {
	if len(oid) <= len(arc) {
		return false
	}
	return oid[:len(arc)].Equal(arc)
}
