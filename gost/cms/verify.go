package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
)

// Reasons a SignedData does not verify (test with errors.Is); chain errors
// wrap the gostx509 ones.
var (
	ErrNoContent        = errors.New("detached signature: the signed content is required")
	ErrContentMismatch  = errors.New("given content differs from the content in the message")
	ErrSignerNotFound   = errors.New("signer certificate not found")
	ErrDigestMismatch   = errors.New("message digest does not match the content")
	ErrSignature        = errors.New("signature does not verify")
	ErrBadAttributes    = errors.New("signed attributes are incomplete or inconsistent")
	ErrUnsupported      = errors.New("unsupported algorithm")
	ErrKeyUsage         = errors.New("signer certificate's keyUsage does not allow signing")
	ErrNotGOSTSignerKey = errors.New("signer certificate key is not a GOST R 34.10-2012 key")
)

// VerifyOptions are what Verify needs beyond the message.
type VerifyOptions struct {
	// Content is the signed content of a detached signature.
	Content []byte
	// Certificates are searched for signer certificates before the ones in
	// the message.
	Certificates []*gostx509.Certificate
	// Roots, when given, are the trusted CA certificates each signer's
	// certificate must chain to; the message's certificates and
	// Intermediates may serve as intermediates. Without Roots only the
	// signatures are checked (openssl cms -verify -noverify).
	Roots         []*gostx509.Certificate
	Intermediates []*gostx509.Certificate
	// CurrentTime is when the chain must be valid; zero means now.
	CurrentTime time.Time
}

// Verify checks every signer of the message and returns their certificates
// in signer order. For each signer it finds the certificate, checks the
// digest and signature algorithms fit its key, with signed attributes
// checks contentType and messageDigest against the content and the
// signature over the attributes, without them the signature over the
// content; with Roots it verifies the certificate chain.
func (sd *SignedData) Verify(opts VerifyOptions) ([]*gostx509.Certificate, error) {
	content := sd.Content
	switch {
	case content == nil && opts.Content == nil:
		return nil, fmt.Errorf("cms: %w", ErrNoContent)
	case content == nil:
		content = opts.Content
	case opts.Content != nil && !bytes.Equal(content, opts.Content):
		return nil, fmt.Errorf("cms: %w", ErrContentMismatch)
	}
	var signers []*gostx509.Certificate
	for i, s := range sd.Signers {
		cert, err := sd.verifySigner(s, content, opts)
		if err != nil {
			if len(sd.Signers) > 1 {
				return nil, fmt.Errorf("signer %d: %w", i+1, err)
			}
			return nil, err
		}
		signers = append(signers, cert)
	}
	return signers, nil
}

func (sd *SignedData) listsDigest(oid asn1.ObjectIdentifier) bool {
	for _, d := range sd.DigestAlgorithms {
		if d.Algorithm.Equal(oid) {
			return true
		}
	}
	return false
}

func (sd *SignedData) findCertificate(s *Signer, extra []*gostx509.Certificate) *gostx509.Certificate {
	for _, pool := range [][]*gostx509.Certificate{extra, sd.Certificates} {
		for _, c := range pool {
			if s.identifies(c) {
				return c
			}
		}
	}
	return nil
}

func (sd *SignedData) verifySigner(s *Signer, content []byte, opts VerifyOptions) (*gostx509.Certificate, error) {
	cert := sd.findCertificate(s, opts.Certificates)
	if cert == nil {
		if s.SubjectKeyId != nil {
			return nil, fmt.Errorf("cms: %w: subject key identifier %x", ErrSignerNotFound, s.SubjectKeyId)
		}
		issuer, _ := gostx509.ParseNameDER(s.RawIssuer)
		return nil, fmt.Errorf("cms: %w: issuer %q, serial %x", ErrSignerNotFound, issuer, s.SerialNumber)
	}
	if cert.PublicKey == nil {
		return nil, fmt.Errorf("cms: %w: %q", ErrNotGOSTSignerKey, cert.Subject)
	}
	curve := cert.PublicKey.Curve()
	if err := gostpkix.CheckDigestAlgorithm(s.DigestAlgorithm, curve); err != nil {
		return nil, fmt.Errorf("cms: %w: %v", ErrUnsupported, err)
	}
	if !sd.listsDigest(s.DigestAlgorithm.Algorithm) {
		return nil, malformed("digest algorithm %v of the signer is not in digestAlgorithms", s.DigestAlgorithm.Algorithm)
	}
	signed := content
	if s.SignedAttributes != nil {
		if err := s.checkAttributes(sd.ContentType, gostpkix.Digest(curve, content)); err != nil {
			return nil, err
		}
		signed = s.rawSignedAttrs
	} else if !sd.ContentType.Equal(OIDData) {
		// RFC 5652 §5.3: other content types need signed attributes.
		return nil, fmt.Errorf("cms: %w: content type %v without signed attributes", ErrBadAttributes, sd.ContentType)
	}
	if err := gostx509.CheckSignature(cert.PublicKey, s.SignatureAlgorithm, signed, s.Signature); err != nil {
		if errors.Is(err, gostx509.ErrSignature) {
			return nil, fmt.Errorf("cms: %w by %q", ErrSignature, cert.Subject)
		}
		return nil, fmt.Errorf("cms: %w: %v", ErrUnsupported, err)
	}
	if len(opts.Roots) > 0 {
		if cert.KeyUsage != 0 && cert.KeyUsage&(gostx509.KeyUsageDigitalSignature|gostx509.KeyUsageContentCommitment) == 0 {
			return nil, fmt.Errorf("cms: %w: %q", ErrKeyUsage, cert.Subject)
		}
		inter := append(append([]*gostx509.Certificate(nil), opts.Intermediates...), sd.Certificates...)
		if _, err := cert.Verify(gostx509.VerifyOptions{Roots: opts.Roots, Intermediates: inter, CurrentTime: opts.CurrentTime}); err != nil {
			return nil, fmt.Errorf("cms: signer certificate %q: %w", cert.Subject, err)
		}
	}
	return cert, nil
}

// checkAttributes checks the attributes RFC 5652 §11 requires once signed
// attributes are present: contentType equal to the eContentType, and
// messageDigest equal to the content's digest.
func (s *Signer) checkAttributes(contentType asn1.ObjectIdentifier, digest []byte) error {
	ct, ok := s.attribute(OIDContentType)
	if !ok {
		return fmt.Errorf("cms: %w: no single contentType attribute", ErrBadAttributes)
	}
	var oid asn1.ObjectIdentifier
	if err := unmarshalWhole(ct.FullBytes, &oid); err != nil || !oid.Equal(contentType) {
		return fmt.Errorf("cms: %w: contentType attribute %v, content is %v", ErrBadAttributes, oid, contentType)
	}
	md, ok := s.attribute(OIDMessageDigest)
	if !ok {
		return fmt.Errorf("cms: %w: no single messageDigest attribute", ErrBadAttributes)
	}
	var got []byte
	if err := unmarshalWhole(md.FullBytes, &got); err != nil {
		return fmt.Errorf("cms: %w: messageDigest is not an OCTET STRING", ErrBadAttributes)
	}
	if !bytes.Equal(got, digest) {
		return fmt.Errorf("cms: %w", ErrDigestMismatch)
	}
	return nil
}

// Verify parses data and verifies it; see SignedData.Verify.
func Verify(data []byte, opts VerifyOptions) (*SignedData, []*gostx509.Certificate, error) {
	sd, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	certs, err := sd.Verify(opts)
	return sd, certs, err
}
