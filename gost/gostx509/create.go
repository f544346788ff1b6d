package gostx509

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
)

// Template describes a certificate to create.
type Template struct {
	// SerialNumber must be positive; nil draws 128 random bits.
	SerialNumber *big.Int
	Subject      Name
	NotBefore    time.Time
	NotAfter     time.Time
	// IsCA writes basicConstraints cA TRUE; otherwise basicConstraints is
	// written with cA FALSE.
	IsCA bool
	// MaxPathLen is the pathLenConstraint of a CA; -1 or 0 with
	// MaxPathLenZero false means none.
	MaxPathLen     int
	MaxPathLenZero bool
	// KeyUsage zero picks the default: keyCertSign, cRLSign and
	// digitalSignature for a CA, digitalSignature and nonRepudiation
	// (contentCommitment) for an end entity.
	KeyUsage    KeyUsage
	ExtKeyUsage []asn1.ObjectIdentifier
	// SubjectKeyId nil computes one as RFC 5280 §4.2.1.2 method 1 (SHA-1 of
	// the public key bits), as OpenSSL does.
	SubjectKeyId []byte
	// ExtraExtensions are appended as given.
	ExtraExtensions []pkix.Extension
}

// CreateCertificate makes a version 3 certificate for pub described by
// template, issued by parent and signed with priv, parent's key; a nil
// parent makes a self-signed certificate (priv must then be pub's key). The
// signature algorithm is id-tc26-signwithdigest-gost3410-12-256/512 by the
// size of priv, with no parameters (RFC 9215 §2); rand may be nil for
// crypto/rand. It returns the DER.
func CreateCertificate(random io.Reader, template *Template, parent *Certificate, pub *gost3410.PublicKey, priv *gost3410.PrivateKey) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	if template == nil || pub == nil || priv == nil {
		return nil, errors.New("gostx509: template, public key and signing key are required")
	}
	if len(template.Subject) == 0 {
		return nil, errors.New("gostx509: empty subject")
	}
	if template.NotBefore.IsZero() || !template.NotAfter.After(template.NotBefore) {
		return nil, errors.New("gostx509: NotAfter must be after NotBefore")
	}
	serial := template.SerialNumber
	if serial == nil {
		b := make([]byte, 16)
		if _, err := io.ReadFull(random, b); err != nil {
			return nil, fmt.Errorf("gostx509: serial number: %v", err)
		}
		b[0] &= 0x7f
		b[0] |= 0x40 // keep it 16 bytes long and positive
		serial = new(big.Int).SetBytes(b)
	}
	if serial.Sign() <= 0 {
		return nil, errors.New("gostx509: serial number must be positive")
	}
	spki, err := gostpkix.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	subject, err := template.Subject.MarshalDER()
	if err != nil {
		return nil, err
	}
	issuer := subject
	var authorityKeyID []byte
	if parent == nil {
		if !priv.PublicKey().Equal(pub) {
			return nil, errors.New("gostx509: self-signed certificate: the signing key does not match the public key")
		}
	} else {
		if !parent.IsCA || parent.KeyUsage != 0 && parent.KeyUsage&KeyUsageCertSign == 0 {
			return nil, fmt.Errorf("gostx509: %w: %q cannot issue certificates", ErrNotCA, parent.Subject)
		}
		if parent.PublicKey == nil || !priv.PublicKey().Equal(parent.PublicKey) {
			return nil, errors.New("gostx509: the CA key does not match the CA certificate")
		}
		issuer = parent.RawSubject
		authorityKeyID = parent.SubjectKeyId
	}
	exts, err := template.extensions(spki, authorityKeyID)
	if err != nil {
		return nil, err
	}
	sigAlg := pkix.AlgorithmIdentifier{Algorithm: gostpkix.SignatureAlgorithm(priv.Curve())}
	tbs, err := marshalTBS(tbsFields{
		Version: 3, Serial: serial, SigAlg: sigAlg, Issuer: issuer,
		NotBefore: template.NotBefore, NotAfter: template.NotAfter,
		Subject: subject, SPKI: spki, Extensions: exts,
	})
	if err != nil {
		return nil, err
	}
	sig, err := priv.Sign(random, gostpkix.Digest(priv.Curve(), tbs), nil)
	if err != nil {
		return nil, fmt.Errorf("gostx509: sign: %v", err)
	}
	der, err := asn1.Marshal(certificateDER{
		TBS:                asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: sigAlg,
		SignatureValue:     asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
	if err != nil {
		return nil, fmt.Errorf("gostx509: encode certificate: %v", err)
	}
	return der, nil
}

func (t *Template) extensions(spki, akid []byte) ([]pkix.Extension, error) {
	maxPathLen := -1
	if t.IsCA && (t.MaxPathLen > 0 || t.MaxPathLenZero) {
		maxPathLen = t.MaxPathLen
	}
	bc, err := basicConstraintsExt(t.IsCA, maxPathLen)
	if err != nil {
		return nil, err
	}
	exts := []pkix.Extension{bc}

	ku := t.KeyUsage
	if ku == 0 {
		ku = KeyUsageDigitalSignature | KeyUsageContentCommitment
		if t.IsCA {
			ku = KeyUsageCertSign | KeyUsageCRLSign | KeyUsageDigitalSignature
		}
	}
	kuDER, err := marshalKeyUsage(ku)
	if err != nil {
		return nil, err
	}
	exts = append(exts, pkix.Extension{Id: OIDExtKeyUsage, Critical: true, Value: kuDER})

	if len(t.ExtKeyUsage) > 0 {
		der, err := asn1.Marshal(t.ExtKeyUsage)
		if err != nil {
			return nil, err
		}
		exts = append(exts, pkix.Extension{Id: OIDExtExtKeyUsage, Value: der})
	}

	ski := t.SubjectKeyId
	if ski == nil {
		var info publicKeyInfoDER
		if _, err := asn1.Unmarshal(spki, &info); err != nil {
			return nil, err
		}
		sum := sha1.Sum(info.PublicKey.Bytes)
		ski = sum[:]
	}
	der, err := asn1.Marshal(ski)
	if err != nil {
		return nil, err
	}
	exts = append(exts, pkix.Extension{Id: OIDExtSubjectKeyID, Value: der})

	if len(akid) > 0 {
		der, err := asn1.Marshal(authorityKeyID{ID: akid})
		if err != nil {
			return nil, err
		}
		exts = append(exts, pkix.Extension{Id: OIDExtAuthorityKeyID, Value: der})
	}
	return append(exts, t.ExtraExtensions...), nil
}

// tbsFields are the parts of a tbsCertificate, already encoded where they
// come from elsewhere (names, key), so that parsed certificates can be
// re-encoded exactly.
type tbsFields struct {
	Version             int
	Serial              *big.Int
	SigAlg              pkix.AlgorithmIdentifier
	Issuer, Subject     []byte
	NotBefore, NotAfter time.Time
	SPKI                []byte
	Extensions          []pkix.Extension
}

// marshalTBS encodes a tbsCertificate. encoding/asn1 writes times as
// UTCTime up to 2049 and GeneralizedTime from 2050, as RFC 5280 §4.1.2.5
// requires.
func marshalTBS(f tbsFields) ([]byte, error) {
	type tbsOut struct {
		Version            int `asn1:"optional,explicit,default:0,tag:0"`
		SerialNumber       *big.Int
		SignatureAlgorithm pkix.AlgorithmIdentifier
		Issuer             asn1.RawValue
		Validity           validityDER
		Subject            asn1.RawValue
		PublicKey          asn1.RawValue
		Extensions         []pkix.Extension `asn1:"omitempty,optional,explicit,tag:3"`
	}
	der, err := asn1.Marshal(tbsOut{
		Version:            f.Version - 1,
		SerialNumber:       f.Serial,
		SignatureAlgorithm: f.SigAlg,
		Issuer:             asn1.RawValue{FullBytes: f.Issuer},
		Validity:           validityDER{NotBefore: f.NotBefore.UTC().Truncate(time.Second), NotAfter: f.NotAfter.UTC().Truncate(time.Second)},
		Subject:            asn1.RawValue{FullBytes: f.Subject},
		PublicKey:          asn1.RawValue{FullBytes: f.SPKI},
		Extensions:         f.Extensions,
	})
	if err != nil {
		return nil, fmt.Errorf("gostx509: encode tbsCertificate: %v", err)
	}
	return der, nil
}
