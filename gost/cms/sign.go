package cms

import (
	"bytes"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
)

// SignOptions adjust Sign.
type SignOptions struct {
	// Detached leaves the content out of the message.
	Detached bool
	// NoAttributes signs the content's digest directly, with no signed
	// attributes (openssl cms -noattr).
	NoAttributes bool
	// SigningTime is written in the signingTime attribute; zero means now.
	SigningTime time.Time
	// ExtraCertificates are included beside the signer's certificate
	// (intermediate CAs, for example).
	ExtraCertificates []*gostx509.Certificate
	// Rand is the randomness for the signature; nil means crypto/rand.
	Rand io.Reader
}

// Sign makes a CMS SignedData over content with key, whose certificate cert
// is included and named as issuerAndSerialNumber. The digest is Streebog of
// the key's size; the signed attributes (unless NoAttributes) are
// contentType id-data, signingTime and messageDigest. It returns the DER.
func Sign(content []byte, cert *gostx509.Certificate, key *gost3410.PrivateKey, opts SignOptions) ([]byte, error) {
	if cert == nil || key == nil {
		return nil, errors.New("cms: a certificate and its key are required")
	}
	if cert.PublicKey == nil || !cert.PublicKey.Equal(key.PublicKey()) {
		return nil, errors.New("cms: the private key does not belong to the certificate")
	}
	random := opts.Rand
	if random == nil {
		random = rand.Reader
	}
	curve := key.Curve()
	digestAlg := pkix.AlgorithmIdentifier{Algorithm: gostpkix.DigestAlgorithm(curve)}
	digest := gostpkix.Digest(curve, content)

	sid, err := asn1.Marshal(issuerAndSerialDER{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, SerialNumber: cert.SerialNumber})
	if err != nil {
		return nil, fmt.Errorf("cms: encode signer identifier: %v", err)
	}
	si := signerInfoDER{
		Version:            1,
		SID:                asn1.RawValue{FullBytes: sid},
		DigestAlgorithm:    digestAlg,
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: gostpkix.SignatureAlgorithm(curve)},
	}
	toSign := digest
	if !opts.NoAttributes {
		when := opts.SigningTime
		if when.IsZero() {
			when = time.Now()
		}
		attrs, err := signedAttributes(digest, when)
		if err != nil {
			return nil, err
		}
		si.SignedAttrs = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: attrs}
		set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: attrs})
		if err != nil {
			return nil, err
		}
		toSign = gostpkix.Digest(curve, set)
	}
	if si.Signature, err = key.Sign(random, toSign, nil); err != nil {
		return nil, fmt.Errorf("cms: sign: %v", err)
	}
	siDER, err := asn1.Marshal(si)
	if err != nil {
		return nil, fmt.Errorf("cms: encode SignerInfo: %v", err)
	}

	certs := [][]byte{cert.Raw}
	for _, c := range opts.ExtraCertificates {
		if !c.Equal(cert) {
			certs = append(certs, c.Raw)
		}
	}
	sd := signedDataDER{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{digestAlg},
		EncapContentInfo: encapContentInfoDER{EContentType: OIDData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sortedConcat(certs)},
		SignerInfos:      []asn1.RawValue{{FullBytes: siDER}},
	}
	if !opts.Detached {
		octets, err := asn1.Marshal(content)
		if err != nil {
			return nil, err
		}
		sd.EncapContentInfo.EContent = explicit0(octets)
	}
	sdDER, err := asn1.Marshal(sd)
	if err != nil {
		return nil, fmt.Errorf("cms: encode SignedData: %v", err)
	}
	out, err := asn1.Marshal(contentInfoDER{ContentType: OIDSignedData, Content: explicit0(sdDER)})
	if err != nil {
		return nil, fmt.Errorf("cms: encode ContentInfo: %v", err)
	}
	return out, nil
}

// explicit0 wraps DER in an [0] EXPLICIT tag. encoding/asn1 writes a
// RawValue as it is, ignoring the explicit tag of its field, so the wrapper is
// built here.
func explicit0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}

// signedAttributes returns the content octets of the signed attributes SET,
// in DER order.
func signedAttributes(digest []byte, when time.Time) ([]byte, error) {
	values := []struct {
		typ asn1.ObjectIdentifier
		val any
	}{
		{OIDContentType, OIDData},
		{OIDSigningTime, when.UTC().Truncate(time.Second)},
		{OIDMessageDigest, digest},
	}
	var attrs [][]byte
	for _, v := range values {
		val, err := asn1.Marshal(v.val)
		if err != nil {
			return nil, err
		}
		set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: val})
		if err != nil {
			return nil, err
		}
		a, err := asn1.Marshal(attributeDER{Type: v.typ, Values: asn1.RawValue{FullBytes: set}})
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
	}
	return sortedConcat(attrs), nil
}

// sortedConcat joins DER elements in SET OF order.
func sortedConcat(elems [][]byte) []byte {
	sorted := append([][]byte(nil), elems...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return bytes.Join(sorted, nil)
}
