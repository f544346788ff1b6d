package gostx509

import (
	"bytes"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
)

// Reasons a certificate does not verify; errors returned by CheckSignature,
// CheckSignatureFrom and Verify wrap one of these (test with errors.Is).
var (
	ErrSignature          = errors.New("signature does not verify")
	ErrNotGOSTKey         = errors.New("key is not a GOST R 34.10-2012 key")
	ErrNotCA              = errors.New("issuer is not a CA")
	ErrExpired            = errors.New("certificate is not valid at this time")
	ErrUnknownAuthority   = errors.New("certificate signed by unknown authority")
	ErrUnhandledCritical  = errors.New("unhandled critical extension")
	ErrPathLength         = errors.New("too many intermediates for the path length constraint")
	ErrAlgorithmMismatch  = errors.New("signature algorithm differs between tbsCertificate and certificate")
	ErrUnsupportedSigAlgo = errors.New("unsupported signature algorithm")
)

// CheckSignature checks that signature (s||r) is pub's GOST R 34.10-2012
// signature over signed, made with algorithm algo: id-tc26-signwithdigest-
// gost3410-12-256/512 (or the bare key OID the gost engine writes in CMS),
// parameters absent or NULL, digest size fitting the key.
func CheckSignature(pub *gost3410.PublicKey, algo pkix.AlgorithmIdentifier, signed, signature []byte) error {
	if pub == nil {
		return fmt.Errorf("gostx509: %w", ErrNotGOSTKey)
	}
	c := pub.Curve()
	if err := gostpkix.CheckSignatureAlgorithm(algo, c); err != nil {
		return fmt.Errorf("gostx509: %w: %v", ErrUnsupportedSigAlgo, err)
	}
	if len(signature) != 2*c.PointSize {
		return fmt.Errorf("gostx509: %w: signature is %d bytes, want %d for %s",
			ErrSignature, len(signature), 2*c.PointSize, c.Name)
	}
	if !gost3410.VerifyDigest(pub, gostpkix.Digest(c, signed), signature) {
		return fmt.Errorf("gostx509: %w", ErrSignature)
	}
	return nil
}

// CheckSignature checks a signature made by the certificate's key, as
// CheckSignature does for a bare key.
func (c *Certificate) CheckSignature(algo pkix.AlgorithmIdentifier, signed, signature []byte) error {
	return CheckSignature(c.PublicKey, algo, signed, signature)
}

// CheckSignatureFrom checks that parent issued c: parent may sign
// certificates (a version 3 parent needs basicConstraints cA, and keyUsage,
// when present, keyCertSign) and parent's key verifies c's signature. Names
// and validity are not checked here; Verify does that.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if parent.Version == 3 && !parent.BasicConstraintsValid || parent.BasicConstraintsValid && !parent.IsCA {
		return fmt.Errorf("gostx509: %w: %q has no basicConstraints cA", ErrNotCA, parent.Subject)
	}
	if parent.KeyUsage != 0 && parent.KeyUsage&KeyUsageCertSign == 0 {
		return fmt.Errorf("gostx509: %w: keyUsage of %q lacks keyCertSign", ErrNotCA, parent.Subject)
	}
	if !sameAlgorithm(c.SignatureAlgorithm, c.TBSSignature) {
		return fmt.Errorf("gostx509: %w", ErrAlgorithmMismatch)
	}
	if err := CheckSignature(parent.PublicKey, c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		return fmt.Errorf("certificate %q issued by %q: %w", c.Subject, parent.Subject, err)
	}
	return nil
}

func sameAlgorithm(a, b pkix.AlgorithmIdentifier) bool {
	return a.Algorithm.Equal(b.Algorithm) && bytes.Equal(a.Parameters.FullBytes, b.Parameters.FullBytes)
}

// IsSelfSigned reports whether the certificate's subject and issuer match
// and its own key verifies its signature.
func (c *Certificate) IsSelfSigned() bool {
	return c.Subject.Equal(c.Issuer) &&
		CheckSignature(c.PublicKey, c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// CheckValidity checks that t lies within the certificate's validity.
func (c *Certificate) CheckValidity(t time.Time) error {
	if t.Before(c.NotBefore) || t.After(c.NotAfter) {
		return fmt.Errorf("gostx509: %w: %q is valid from %s to %s, checked at %s", ErrExpired, c.Subject,
			c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	return nil
}

func (c *Certificate) checkCritical() error {
	for _, e := range c.Extensions {
		if e.Critical && !handledExtension(e.Id) {
			return fmt.Errorf("gostx509: %w %v in %q", ErrUnhandledCritical, e.Id, c.Subject)
		}
	}
	return nil
}

// VerifyOptions are the trust anchors and the time for Verify.
type VerifyOptions struct {
	// Roots are the trusted certificates; a chain must end at one of them.
	Roots []*Certificate
	// Intermediates may be used to build the chain without being trusted.
	Intermediates []*Certificate
	// CurrentTime is when every certificate in the chain must be valid; zero
	// means now.
	CurrentTime time.Time
}

// maxChainLength bounds path building so that a loop or a huge pool cannot
// make Verify run long.
const maxChainLength = 10

// maxSignatureChecks bounds the signatures one Verify checks while it looks
// for a chain. Certificates that all verify one another (one key, many
// certificates with one name, as anyone can make) would otherwise have the
// depth-first search try every ordering of them up to maxChainLength.
const maxSignatureChecks = 100

// Verify builds a chain from c through Intermediates to one of Roots and
// checks it: each signature, each certificate's validity at CurrentTime, the
// CA flags and keyUsage of issuers, pathLenConstraint, issuer and subject
// names chaining (and key identifiers when both are present), and no
// unhandled critical extension. It returns the chain, leaf first, root last.
// A certificate that is itself one of Roots verifies as a chain of one.
// Only Roots may be version 1 certificates without basicConstraints. The
// search gives up with ErrUnknownAuthority after 100 issuer signatures.
func (c *Certificate) Verify(opts VerifyOptions) ([]*Certificate, error) {
	if len(opts.Roots) == 0 {
		return nil, errors.New("gostx509: no root certificates to verify against")
	}
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	if err := c.CheckValidity(now); err != nil {
		return nil, err
	}
	if err := c.checkCritical(); err != nil {
		return nil, err
	}
	s := &chainSearch{opts: opts, now: now}
	return s.extend([]*Certificate{c})
}

func isIn(c *Certificate, pool []*Certificate) bool {
	for _, p := range pool {
		if p.Equal(c) {
			return true
		}
	}
	return false
}

// chainSearch is one Verify's search for a chain.
type chainSearch struct {
	opts   VerifyOptions
	now    time.Time
	checks int // issuer signatures checked so far
}

// errSearchLimit ends the search once maxSignatureChecks are spent.
var errSearchLimit = fmt.Errorf("gostx509: %w: gave up after %d signature checks", ErrUnknownAuthority, maxSignatureChecks)

// extend extends chain (whose last element is already checked on its own)
// depth first. The error returned is the most telling one met: a candidate
// issuer that failed a check beats "unknown authority".
func (s *chainSearch) extend(chain []*Certificate) ([]*Certificate, error) {
	cur := chain[len(chain)-1]
	if isIn(cur, s.opts.Roots) {
		return chain, nil
	}
	if len(chain) >= maxChainLength {
		return nil, fmt.Errorf("gostx509: %w: chain longer than %d", ErrUnknownAuthority, maxChainLength)
	}
	var firstErr error
	candidates := append(append([]*Certificate(nil), s.opts.Roots...), s.opts.Intermediates...)
	for _, cand := range candidates {
		if isIn(cand, chain) || !cand.Subject.Equal(cur.Issuer) {
			continue
		}
		if len(cur.AuthorityKeyId) > 0 && len(cand.SubjectKeyId) > 0 && !bytes.Equal(cur.AuthorityKeyId, cand.SubjectKeyId) {
			continue
		}
		if s.checks++; s.checks > maxSignatureChecks {
			return nil, errSearchLimit
		}
		err := s.checkIssuer(cur, cand, len(chain)-1)
		if err == nil {
			var full []*Certificate
			full, err = s.extend(append(chain[:len(chain):len(chain)], cand))
			if err == nil || err == errSearchLimit {
				return full, err
			}
		}
		if firstErr == nil || errors.Is(firstErr, ErrUnknownAuthority) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, fmt.Errorf("gostx509: %w: no issuer %q found for %q", ErrUnknownAuthority, cur.Issuer, cur.Subject)
}

// checkIssuer checks cand as the issuer of cur, with below intermediate CA
// certificates between cand and the leaf. Only a trust anchor may be a
// version 1 or 2 certificate without basicConstraints: RFC 5280 §6.1.4 (k)
// requires an intermediate to be a CA by basicConstraints or by means
// outside the certificate, and Intermediates are not trusted.
func (s *chainSearch) checkIssuer(cur, cand *Certificate, below int) error {
	if !cand.BasicConstraintsValid && !isIn(cand, s.opts.Roots) {
		return fmt.Errorf("gostx509: %w: intermediate %q has no basicConstraints cA", ErrNotCA, cand.Subject)
	}
	if err := cur.CheckSignatureFrom(cand); err != nil {
		return err
	}
	if err := cand.CheckValidity(s.now); err != nil {
		return err
	}
	if err := cand.checkCritical(); err != nil {
		return err
	}
	if cand.MaxPathLen >= 0 && below > cand.MaxPathLen {
		return fmt.Errorf("gostx509: %w: %q allows %d, chain has %d", ErrPathLength, cand.Subject, cand.MaxPathLen, below)
	}
	return nil
}
