package gost3410

import (
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"

	"github.com/sep-platform/sep/gost/internal/ec"
)

// Curve is a GOST R 34.10-2012 parameter set: an elliptic curve, its base point and the
// object identifier that names the set in keys and certificates. Several parameter sets share
// one curve (CryptoPro-A = TC26-256-B = XchA, for example); they are distinct *Curve values
// because the OID is part of every encoding, but they share arithmetic.
//
// Curve values are created by this package only; compare them by pointer.
type Curve struct {
	// Name is the short name used by the CLI, such as "tc26-256-A" or "cryptopro-XchB".
	Name string
	// OID is the publicKeyParamSet object identifier (RFC 9215 §4.2, RFC 7836, RFC 4357).
	OID asn1.ObjectIdentifier
	// PointSize is the byte length of a coordinate, of a private key and of each half of a
	// signature: 32 for 256-bit curves, 64 for 512-bit ones.
	PointSize int

	g ec.Group // shared by the parameter sets that name the same curve
}

var curves = []*Curve{
	{Name: "tc26-256-A", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}, g: group("tc26-256-A")},
	{Name: "tc26-256-B", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}, g: group("cryptopro-A")},
	{Name: "tc26-256-C", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3}, g: group("cryptopro-B")},
	{Name: "tc26-256-D", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4}, g: group("cryptopro-C")},
	{Name: "tc26-512-A", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}, g: group("tc26-512-A")},
	{Name: "tc26-512-B", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2}, g: group("tc26-512-B")},
	{Name: "tc26-512-C", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3}, g: group("tc26-512-C")},
	{Name: "cryptopro-A", OID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}, g: group("cryptopro-A")},
	{Name: "cryptopro-B", OID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}, g: group("cryptopro-B")},
	{Name: "cryptopro-C", OID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}, g: group("cryptopro-C")},
	{Name: "cryptopro-XchA", OID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}, g: group("cryptopro-A")},
	{Name: "cryptopro-XchB", OID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}, g: group("cryptopro-C")},
	{Name: "test-2001", OID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0}, g: group("test-2001")},
	{Name: "tc26-512-test", OID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0}, g: group("tc26-512-test")},
}

func init() {
	for _, c := range curves {
		c.PointSize = c.g.Params().Size
	}
}

// group returns the arithmetic of a curve known to package ec.
func group(name string) ec.Group {
	g, ok := ec.ByName(name)
	if !ok {
		panic("gost3410: no arithmetic for " + name)
	}
	return g
}

// ErrUnknownCurve is returned by CurveByName and CurveByOID for a name or OID that does not
// denote a supported parameter set.
var ErrUnknownCurve = errors.New("gost3410: unknown curve")

// Curves returns every supported parameter set, the test-only ones (test-2001 and
// tc26-512-test) last. The slice is fresh; the *Curve values are shared.
func Curves() []*Curve {
	return append([]*Curve(nil), curves...)
}

// CurveByName returns the parameter set with the given short name ("tc26-256-A", ...),
// ignoring letter case.
func CurveByName(name string) (*Curve, error) {
	for _, c := range curves {
		if strings.EqualFold(c.Name, name) {
			return c, nil
		}
	}
	return nil, ErrUnknownCurve
}

// CurveByOID returns the parameter set named by a publicKeyParamSet object identifier.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, error) {
	for _, c := range curves {
		if c.OID.Equal(oid) {
			return c, nil
		}
	}
	return nil, ErrUnknownCurve
}

// valid reports whether c is one of this package's curves (not nil, not a Curve value made
// elsewhere).
func (c *Curve) valid() bool { return c != nil && c.g != nil }

// String returns the curve's short name.
func (c *Curve) String() string { return c.Name }

// P returns the field prime p.
func (c *Curve) P() *big.Int { return new(big.Int).Set(c.g.Params().P) }

// Q returns the prime order q of the base point (the subgroup used for signatures).
func (c *Curve) Q() *big.Int { return new(big.Int).Set(c.g.Params().Q) }

// A returns the coefficient a of the short Weierstrass equation y² = x³ + ax + b.
func (c *Curve) A() *big.Int { return new(big.Int).Set(c.g.Params().A) }

// B returns the coefficient b of the short Weierstrass equation y² = x³ + ax + b.
func (c *Curve) B() *big.Int { return new(big.Int).Set(c.g.Params().B) }

// X returns the Weierstrass x coordinate of the base point.
func (c *Curve) X() *big.Int { return new(big.Int).Set(c.g.Params().X) }

// Y returns the Weierstrass y coordinate of the base point.
func (c *Curve) Y() *big.Int { return new(big.Int).Set(c.g.Params().Y) }

// Cofactor returns the number of curve points divided by q (1 or 4).
func (c *Curve) Cofactor() *big.Int { return big.NewInt(int64(c.g.Params().Cofactor)) }

// qBits returns the bit length of q, for rejection sampling of scalars.
func (c *Curve) qBits() int { return c.g.Params().Q.BitLen() }
