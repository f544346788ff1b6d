package cms

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
)

// Object identifiers of RFC 5652.
var (
	OIDData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// ErrMalformed is wrapped by every error about input that is not a well-formed
// CMS SignedData.
var ErrMalformed = errors.New("malformed CMS SignedData")

// SignedData is a parsed CMS SignedData message.
type SignedData struct {
	// ContentType is the eContentType, id-data for ordinary files.
	ContentType asn1.ObjectIdentifier
	// Content is the signed content, nil when the signature is detached.
	Content []byte
	// Certificates are the certificates the message carries.
	Certificates []*gostx509.Certificate
	// Signers are the SignerInfos, in order.
	Signers []*Signer
	// DigestAlgorithms is the message's list of digest algorithms; each
	// signer's must be in it.
	DigestAlgorithms []pkix.AlgorithmIdentifier
}

// Signer is one SignerInfo.
type Signer struct {
	// RawIssuer and SerialNumber identify the signer's certificate
	// (issuerAndSerialNumber); nil when SubjectKeyId is used instead.
	RawIssuer    []byte
	SerialNumber *big.Int
	SubjectKeyId []byte

	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte

	// SignedAttributes are the signed attributes, nil when there are none
	// (the signature then covers the content's digest).
	SignedAttributes []Attribute
	// SigningTime is the signingTime attribute, zero when absent.
	SigningTime time.Time

	rawSignedAttrs []byte // DER SET OF, as digested
}

// Attribute is one CMS attribute: a type and its values, kept as DER.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue
}

type contentInfoDER struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedDataDER struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfoDER
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []asn1.RawValue `asn1:"set"`
}

type encapContentInfoDER struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type signerInfoDER struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerialDER struct {
	Issuer       asn1.RawValue
	SerialNumber *big.Int
}

type attributeDER struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

// Bounds on what one message may carry. Verify compares every signer with every certificate
// and checks each signer's signature over the content, so the work grows with their product:
// without bounds a message of under a megabyte (thousands of signers, each listed after
// thousands of certificates with its serial number) took seconds. Real messages have one
// signer, a handful when co-signed, and each signer's chain.
const (
	maxSigners      = 16
	maxCertificates = 64
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("cms: %w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Parse reads a CMS ContentInfo holding SignedData, in DER, BER or PEM
// ("CMS" or "PKCS7" blocks). A message with more than 16 signers or 64
// certificates is refused as malformed.
func Parse(data []byte) (*SignedData, error) {
	// DER and BER start with the ContentInfo SEQUENCE tag. Only other input
	// is read as PEM: pem.Decode finds a block anywhere, and signed text
	// content may hold one.
	if len(data) > 0 && data[0] != 0x30 {
		b, _ := pem.Decode(data)
		if b == nil {
			return nil, malformed("neither DER nor PEM")
		}
		if b.Type != "CMS" && b.Type != "PKCS7" {
			return nil, malformed("PEM block %q, want CMS or PKCS7", b.Type)
		}
		data = b.Bytes
	}
	der, err := normalize(data)
	if err != nil {
		return nil, malformed("%v", err)
	}
	var ci contentInfoDER
	if err := unmarshalWhole(der, &ci); err != nil {
		return nil, malformed("ContentInfo: %v", err)
	}
	if !ci.ContentType.Equal(OIDSignedData) {
		return nil, malformed("content type %v is not SignedData", ci.ContentType)
	}
	var sd signedDataDER
	if err := unmarshalWhole(ci.Content.Bytes, &sd); err != nil {
		return nil, malformed("SignedData: %v", err)
	}
	if n := len(sd.SignerInfos); n > maxSigners {
		return nil, malformed("%d signers, more than the %d a message may have", n, maxSigners)
	}
	out := &SignedData{ContentType: sd.EncapContentInfo.EContentType, DigestAlgorithms: sd.DigestAlgorithms}
	if ec := sd.EncapContentInfo.EContent; len(ec.FullBytes) > 0 {
		var content []byte
		if err := unmarshalWhole(ec.Bytes, &content); err != nil {
			return nil, malformed("eContent is not an OCTET STRING: %v", err)
		}
		if content == nil {
			content = []byte{}
		}
		out.Content = content
	}
	for b := sd.Certificates.Bytes; len(b) > 0; {
		var raw asn1.RawValue
		if b, err = asn1.Unmarshal(b, &raw); err != nil {
			return nil, malformed("certificates: %v", err)
		}
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // attribute or other certificate formats: not used here
		}
		if len(out.Certificates) == maxCertificates {
			return nil, malformed("more than %d certificates", maxCertificates)
		}
		c, err := gostx509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, malformed("certificate %d: %v", len(out.Certificates)+1, err)
		}
		out.Certificates = append(out.Certificates, c)
	}
	for i, raw := range sd.SignerInfos {
		s, err := parseSigner(raw.FullBytes)
		if err != nil {
			return nil, malformed("signer %d: %v", i+1, err)
		}
		out.Signers = append(out.Signers, s)
	}
	if len(out.Signers) == 0 {
		return nil, malformed("no SignerInfo")
	}
	return out, nil
}

func parseSigner(der []byte) (*Signer, error) {
	var si signerInfoDER
	if err := unmarshalWhole(der, &si); err != nil {
		return nil, err
	}
	s := &Signer{
		DigestAlgorithm:    si.DigestAlgorithm,
		SignatureAlgorithm: si.SignatureAlgorithm,
		Signature:          si.Signature,
	}
	switch {
	case si.SID.Class == asn1.ClassUniversal && si.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerialDER
		if err := unmarshalWhole(si.SID.FullBytes, &ias); err != nil {
			return nil, fmt.Errorf("issuerAndSerialNumber: %v", err)
		}
		s.RawIssuer, s.SerialNumber = ias.Issuer.FullBytes, ias.SerialNumber
	case si.SID.Class == asn1.ClassContextSpecific && si.SID.Tag == 0 && !si.SID.IsCompound:
		s.SubjectKeyId = si.SID.Bytes
	default:
		return nil, errors.New("unknown signer identifier")
	}
	if len(si.SignedAttrs.FullBytes) > 0 {
		set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: si.SignedAttrs.Bytes})
		if err != nil {
			return nil, err
		}
		s.rawSignedAttrs = set
		if s.SignedAttributes, err = parseAttributes(si.SignedAttrs.Bytes); err != nil {
			return nil, err
		}
		if len(s.SignedAttributes) == 0 {
			return nil, errors.New("empty signed attributes")
		}
		if v, ok := s.attribute(OIDSigningTime); ok {
			var t time.Time
			if err := unmarshalWhole(v.FullBytes, &t); err != nil {
				return nil, fmt.Errorf("signingTime: %v", err)
			}
			s.SigningTime = t
		}
	}
	return s, nil
}

func parseAttributes(b []byte) ([]Attribute, error) {
	var attrs []Attribute
	seen := make(map[string]bool)
	for len(b) > 0 {
		var a attributeDER
		var err error
		if b, err = asn1.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("attribute: %v", err)
		}
		if a.Values.Tag != asn1.TagSet || a.Values.Class != asn1.ClassUniversal {
			return nil, fmt.Errorf("attribute %v values are not a SET", a.Type)
		}
		attr := Attribute{Type: a.Type}
		for v := a.Values.Bytes; len(v) > 0; {
			var raw asn1.RawValue
			if v, err = asn1.Unmarshal(v, &raw); err != nil {
				return nil, fmt.Errorf("attribute %v: %v", a.Type, err)
			}
			attr.Values = append(attr.Values, raw)
		}
		typ := a.Type.String()
		if seen[typ] {
			return nil, fmt.Errorf("attribute %v appears twice", a.Type)
		}
		seen[typ] = true
		attrs = append(attrs, attr)
	}
	return attrs, nil
}

// attribute returns the single value of the signed attribute typ; ok is
// false when it is absent. An attribute with several values yields none.
func (s *Signer) attribute(typ asn1.ObjectIdentifier) (asn1.RawValue, bool) {
	for _, a := range s.SignedAttributes {
		if a.Type.Equal(typ) {
			if len(a.Values) != 1 {
				return asn1.RawValue{}, false
			}
			return a.Values[0], true
		}
	}
	return asn1.RawValue{}, false
}

// identifies reports whether c is the certificate the signer names.
func (s *Signer) identifies(c *gostx509.Certificate) bool {
	if s.SubjectKeyId != nil {
		return bytes.Equal(s.SubjectKeyId, c.SubjectKeyId)
	}
	if s.SerialNumber == nil || c.SerialNumber == nil || s.SerialNumber.Cmp(c.SerialNumber) != 0 {
		return false
	}
	if bytes.Equal(s.RawIssuer, c.RawIssuer) {
		return true
	}
	issuer, err := gostx509.ParseNameDER(s.RawIssuer)
	return err == nil && issuer.Equal(c.Issuer)
}

func unmarshalWhole(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}
