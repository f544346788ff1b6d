package gostx509

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
)

// Certificate is a parsed X.509 certificate.
type Certificate struct {
	Raw                     []byte // the whole certificate, DER
	RawTBSCertificate       []byte // the signed part
	RawSubjectPublicKeyInfo []byte
	RawSubject              []byte
	RawIssuer               []byte

	Version            int // 1, 2 or 3
	SerialNumber       *big.Int
	SignatureAlgorithm pkix.AlgorithmIdentifier // outer signatureAlgorithm
	TBSSignature       pkix.AlgorithmIdentifier // the copy inside the signed part
	Signature          []byte                   // signatureValue: s||r for GOST

	Issuer, Subject     Name
	NotBefore, NotAfter time.Time

	// PublicKeyAlgorithm is the key algorithm OID of the subject key.
	PublicKeyAlgorithm asn1.ObjectIdentifier
	// PublicKey is the subject key, nil when it is not a GOST R 34.10-2012
	// key (such a certificate parses, but nothing it signed verifies here).
	PublicKey *gost3410.PublicKey

	// Extensions holds every extension in encoded order, the ones parsed
	// into the fields below included.
	Extensions []pkix.Extension

	BasicConstraintsValid bool // basicConstraints present
	IsCA                  bool
	// MaxPathLen is the pathLenConstraint, or -1 when there is none.
	MaxPathLen     int
	KeyUsage       KeyUsage // 0 when the extension is absent
	ExtKeyUsage    []asn1.ObjectIdentifier
	SubjectKeyId   []byte
	AuthorityKeyId []byte
}

type certificateDER struct {
	TBS                asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	SignatureValue     asn1.BitString
}

type tbsCertificateDER struct {
	Version            int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber       *big.Int
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Issuer             asn1.RawValue
	Validity           validityDER
	Subject            asn1.RawValue
	PublicKey          publicKeyInfoDER
	IssuerUniqueID     asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUniqueID    asn1.BitString   `asn1:"optional,tag:2"`
	Extensions         []pkix.Extension `asn1:"omitempty,optional,explicit,tag:3"`
}

type validityDER struct {
	NotBefore, NotAfter time.Time
}

type publicKeyInfoDER struct {
	Raw       asn1.RawContent
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ParseCertificate parses one DER certificate. A certificate whose key is
// not GOST R 34.10-2012 parses with a nil PublicKey; a GOST key that is
// malformed is an error.
func ParseCertificate(der []byte) (*Certificate, error) {
	var outer certificateDER
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil {
		return nil, fmt.Errorf("gostx509: malformed certificate: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gostx509: trailing data after certificate")
	}
	var tbs tbsCertificateDER
	rest, err = asn1.Unmarshal(outer.TBS.FullBytes, &tbs)
	if err != nil {
		return nil, fmt.Errorf("gostx509: malformed tbsCertificate: %v", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gostx509: trailing data after tbsCertificate")
	}
	if tbs.Version < 0 || tbs.Version > 2 {
		return nil, fmt.Errorf("gostx509: unknown certificate version %d", tbs.Version+1)
	}
	if outer.SignatureValue.BitLength%8 != 0 {
		return nil, errors.New("gostx509: signature BIT STRING has unused bits")
	}
	c := &Certificate{
		Raw:                     der,
		RawTBSCertificate:       outer.TBS.FullBytes,
		RawSubjectPublicKeyInfo: tbs.PublicKey.Raw,
		RawSubject:              tbs.Subject.FullBytes,
		RawIssuer:               tbs.Issuer.FullBytes,
		Version:                 tbs.Version + 1,
		SerialNumber:            tbs.SerialNumber,
		SignatureAlgorithm:      outer.SignatureAlgorithm,
		TBSSignature:            tbs.SignatureAlgorithm,
		Signature:               outer.SignatureValue.Bytes,
		NotBefore:               tbs.Validity.NotBefore,
		NotAfter:                tbs.Validity.NotAfter,
		PublicKeyAlgorithm:      tbs.PublicKey.Algorithm.Algorithm,
		Extensions:              tbs.Extensions,
		MaxPathLen:              -1,
	}
	if c.Issuer, err = ParseNameDER(c.RawIssuer); err != nil {
		return nil, fmt.Errorf("gostx509: issuer: %v", err)
	}
	if c.Subject, err = ParseNameDER(c.RawSubject); err != nil {
		return nil, fmt.Errorf("gostx509: subject: %v", err)
	}
	if isGOSTKey(c.PublicKeyAlgorithm) {
		if c.PublicKey, err = gostpkix.ParsePKIXPublicKey(c.RawSubjectPublicKeyInfo); err != nil {
			return nil, fmt.Errorf("gostx509: subject public key: %w", err)
		}
	}
	if len(c.Extensions) > 0 && c.Version != 3 {
		return nil, fmt.Errorf("gostx509: version %d certificate has extensions", c.Version)
	}
	if err := c.parseExtensions(); err != nil {
		return nil, err
	}
	return c, nil
}

func isGOSTKey(oid asn1.ObjectIdentifier) bool {
	return oid.Equal(gostpkix.OIDPublicKey256) || oid.Equal(gostpkix.OIDPublicKey512)
}

// ParseCertificates parses one or more DER certificates laid end to end.
func ParseCertificates(der []byte) ([]*Certificate, error) {
	var certs []*Certificate
	for len(der) > 0 {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(der, &raw)
		if err != nil {
			return nil, fmt.Errorf("gostx509: malformed certificate %d: %v", len(certs)+1, err)
		}
		c, err := ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
		der = rest
	}
	if len(certs) == 0 {
		return nil, errors.New("gostx509: no certificate")
	}
	return certs, nil
}

// ParseCertificatesPEM reads every "CERTIFICATE" block in data; input with no
// PEM block is read as DER. Blocks of other types (a key beside the
// certificate) are skipped.
func ParseCertificatesPEM(data []byte) ([]*Certificate, error) {
	var certs []*Certificate
	sawPEM := false
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if !sawPEM {
		return ParseCertificates(data)
	}
	if len(certs) == 0 {
		return nil, errors.New("gostx509: no CERTIFICATE PEM block")
	}
	return certs, nil
}

// EncodePEM returns the certificate as a "CERTIFICATE" PEM block.
func (c *Certificate) EncodePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Equal reports whether c and other are the same certificate.
func (c *Certificate) Equal(other *Certificate) bool {
	return c != nil && other != nil && bytes.Equal(c.Raw, other.Raw)
}
