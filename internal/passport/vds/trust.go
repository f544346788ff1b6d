package vds

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

// OIDPassportSigning is the extended key usage of a certificate whose key signs passport seals
// and status lists: id-sep-kp-passportSeal, 1.3.6.1.4.1.62183.13.1 (arc 13 of СЭП's private
// enterprise arc, after the issue that introduced it; 1 = seals and status lists). See
// docs/passport-seal.md.
var OIDPassportSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 62183, 13, 1}

// Errors of signature checking: each is a reason to answer «Подпись недействительна».
var (
	ErrUnknownSigner   = errors.New("vds: the signer certificate is not among the known ones")
	ErrNotForPassports = errors.New("vds: the signer certificate is not meant for passports")
	ErrSignerInvalid   = errors.New("vds: the signer certificate was not valid on the issue date or does not chain to a trusted root")
	ErrBadSignature    = errors.New("vds: the signature does not match")
)

// Trust is what a verifier trusts: the roots given to it, and the certificates that may lead
// to them (the issuing certificates an instance publishes; not trusted by themselves).
type Trust struct {
	Roots []*gostx509.Certificate
	Certs []*gostx509.Certificate
	refs  map[Ref]*gostx509.Certificate
	// checked remembers the chains found valid, by signer and day: a chain check costs two
	// signature verifications more than the seal's own, and a day's seals share their signer.
	checked sync.Map // signerDay → *gostx509.Certificate
}

type signerDay struct {
	ref Ref
	day int64
}

// NewTrust returns a Trust of roots and the other certificates.
func NewTrust(roots, certs []*gostx509.Certificate) *Trust {
	t := &Trust{Roots: roots, Certs: certs, refs: map[Ref]*gostx509.Certificate{}}
	for _, c := range slices.Concat(roots, certs) {
		t.refs[RefOf(c.Raw)] = c
	}
	return t
}

// Signer returns the certificate of ref that may sign passports on day: it is known, has the
// passport extended key usage and chains to a root with every certificate valid on that day.
func (t *Trust) Signer(ref Ref, day time.Time) (*gostx509.Certificate, error) {
	key := signerDay{ref, Day(day).Unix()}
	if c, ok := t.checked.Load(key); ok {
		return c.(*gostx509.Certificate), nil
	}
	c := t.refs[ref]
	if c == nil {
		return nil, ErrUnknownSigner
	}
	if !slices.ContainsFunc(c.ExtKeyUsage, func(o asn1.ObjectIdentifier) bool { return o.Equal(OIDPassportSigning) }) {
		return nil, ErrNotForPassports
	}
	if c.PublicKey == nil || c.PublicKey.Curve().PointSize != 32 {
		return nil, ErrNotForPassports
	}
	if _, err := c.Verify(gostx509.VerifyOptions{Roots: t.Roots, Intermediates: t.Certs, CurrentTime: Day(day)}); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignerInvalid, err)
	}
	t.checked.Store(key, c)
	return c, nil
}

// Verify checks the seal's signature: its signer may sign passports on the issue date and the
// signature over the signed bytes is that signer's.
func (t *Trust) Verify(s *Seal) (*gostx509.Certificate, error) {
	c, err := t.Signer(s.Signer, s.Issued)
	if err != nil {
		return nil, err
	}
	if !checkSignature(c.PublicKey, s.signed, s.Signature) {
		return nil, ErrBadSignature
	}
	return c, nil
}

func checkSignature(pub *gost3410.PublicKey, signed, sig []byte) bool {
	d := streebog.Sum256(signed)
	return len(sig) == SigSize && gost3410.VerifyDigest(pub, d[:], sig)
}

// Equal reports whether two seals say the same (their signed bytes are equal).
func (s *Seal) Equal(o *Seal) bool { return bytes.Equal(s.signed, o.signed) }
