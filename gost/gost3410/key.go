package gost3410

import (
	"crypto"
	"crypto/subtle"
	"errors"
	"io"
)

// PrivateKey is a GOST R 34.10-2012 signing key: a scalar d in [1, q-1] on a parameter set.
// It implements crypto.Signer.
type PrivateKey struct {
	curve *Curve
	d     []byte // little-endian, PointSize bytes
	pub   *PublicKey
}

// PublicKey is a GOST R 34.10-2012 verification key: the point Q = d·P, checked to be on the
// curve and of order q when it was made.
type PublicKey struct {
	curve *Curve
	raw   []byte // LE(x) ‖ LE(y)
}

// GenerateKey makes a new private key on curve c, drawing d uniformly from [1, q-1] with
// bytes read from rand (crypto/rand.Reader when rand is nil).
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	if !c.valid() {
		return nil, ErrUnknownCurve
	}
	rand = randOrDefault(rand)
	g := c.g
	buf := make([]byte, c.PointSize)
	for range 1000 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, err
		}
		maskScalar(buf, c.qBits())
		if g.ValidScalar(buf) {
			return newPrivateKey(c, buf), nil
		}
	}
	return nil, errors.New("gost3410: random source keeps producing out-of-range scalars")
}

// NewPrivateKey makes a private key from its raw form: d as PointSize little-endian bytes,
// as stored in gost-engine PKCS#8. It rejects a wrong length, 0 and d >= q.
func NewPrivateKey(c *Curve, raw []byte) (*PrivateKey, error) {
	if !c.valid() {
		return nil, ErrUnknownCurve
	}
	if len(raw) != c.PointSize {
		return nil, errors.New("gost3410: private key has the wrong length")
	}
	if !c.g.ValidScalar(raw) {
		return nil, errors.New("gost3410: private key is out of range [1, q-1]")
	}
	return newPrivateKey(c, raw), nil
}

func newPrivateKey(c *Curve, d []byte) *PrivateKey {
	d = append([]byte(nil), d...)
	return &PrivateKey{
		curve: c,
		d:     d,
		pub:   &PublicKey{curve: c, raw: c.g.PublicKey(d)},
	}
}

// maskScalar clears the bits of a little-endian candidate scalar above bit length bits, so
// that rejection sampling accepts it with probability at least one half.
func maskScalar(b []byte, bits int) {
	for i := range b {
		switch {
		case i*8 >= bits:
			b[i] = 0
		case i*8+8 > bits:
			b[i] &= byte(1)<<(bits-i*8) - 1
		}
	}
}

// Curve returns the key's parameter set.
func (k *PrivateKey) Curve() *Curve { return k.curve }

// Bytes returns d as PointSize little-endian bytes, the form gost-engine stores in PKCS#8.
func (k *PrivateKey) Bytes() []byte { return append([]byte(nil), k.d...) }

// PublicKey returns the matching verification key.
func (k *PrivateKey) PublicKey() *PublicKey { return k.pub }

// Public returns the matching verification key as a *PublicKey (for crypto.Signer).
func (k *PrivateKey) Public() crypto.PublicKey { return k.pub }

// Equal reports whether x is a *PrivateKey with the same parameter set and scalar. The
// scalars are compared in constant time.
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && o.curve == k.curve && subtle.ConstantTimeCompare(o.d, k.d) == 1
}

// NewPublicKey makes a verification key from its raw form LE(x) ‖ LE(y) (2·PointSize bytes,
// the contents of the SubjectPublicKeyInfo OCTET STRING). It rejects a wrong length,
// coordinates not below p, points off the curve, the identity and, on the curves with
// cofactor 4, points outside the subgroup of order q.
func NewPublicKey(c *Curve, raw []byte) (*PublicKey, error) {
	if !c.valid() {
		return nil, ErrUnknownCurve
	}
	if len(raw) != 2*c.PointSize {
		return nil, errors.New("gost3410: public key has the wrong length")
	}
	if err := c.g.CheckPoint(raw); err != nil {
		return nil, err
	}
	return &PublicKey{curve: c, raw: append([]byte(nil), raw...)}, nil
}

// Curve returns the key's parameter set.
func (p *PublicKey) Curve() *Curve { return p.curve }

// Bytes returns LE(x) ‖ LE(y), 2·PointSize bytes.
func (p *PublicKey) Bytes() []byte { return append([]byte(nil), p.raw...) }

// Equal reports whether x is a *PublicKey with the same parameter set and point.
func (p *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	return ok && o.curve == p.curve && subtle.ConstantTimeCompare(o.raw, p.raw) == 1
}
