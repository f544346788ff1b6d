package gost3410

// TEMPORARY reference arithmetic with math/big: correct but variable-time and slow. It lets the
// rest of the GOST family build on the final API while the constant-time code is written; the
// same code then moves to the tests as the oracle. It does not meet the constant-time
// requirement for secret scalars.

import (
	"errors"
	"math/big"
)

type bigGroup struct {
	p, a, b, q, x, y *big.Int
	cofactor         int
	size             int
}

// bigPoint is an affine point; inf marks the identity.
type bigPoint struct {
	x, y *big.Int
	inf  bool
}

func newBigGroup(cp *curveParams) *bigGroup {
	return &bigGroup{
		p: mustHex(cp.p), a: mustHex(cp.a), b: mustHex(cp.b), q: mustHex(cp.q),
		x: mustHex(cp.x), y: mustHex(cp.y), cofactor: cp.cofactor, size: cp.size,
	}
}

func leInt(b []byte) *big.Int { return new(big.Int).SetBytes(reverse(b)) }

func (g *bigGroup) leBytes(n *big.Int) []byte {
	return reverse(n.FillBytes(make([]byte, g.size)))
}

func (g *bigGroup) qBits() int { return g.q.BitLen() }

func (g *bigGroup) validScalar(k []byte) bool {
	n := leInt(k)
	return len(k) == g.size && n.Sign() > 0 && n.Cmp(g.q) < 0
}

func (g *bigGroup) add(p1, p2 bigPoint) bigPoint {
	if p1.inf {
		return p2
	}
	if p2.inf {
		return p1
	}
	var l *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		if new(big.Int).Add(p1.y, p2.y).Mod(new(big.Int).Add(p1.y, p2.y), g.p).Sign() == 0 {
			return bigPoint{inf: true}
		}
		// λ = (3x² + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, g.a)
		den := new(big.Int).Lsh(p1.y, 1)
		l = num.Mul(num, den.ModInverse(den.Mod(den, g.p), g.p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, g.p)
		l = num.Mul(num, den.ModInverse(den, g.p))
	}
	l.Mod(l, g.p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, g.p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, l).Sub(y3, p1.y).Mod(y3, g.p)
	return bigPoint{x: x3, y: y3}
}

func (g *bigGroup) mul(k *big.Int, pt bigPoint) bigPoint {
	r := bigPoint{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = g.add(r, r)
		if k.Bit(i) == 1 {
			r = g.add(r, pt)
		}
	}
	return r
}

func (g *bigGroup) base() bigPoint { return bigPoint{x: g.x, y: g.y} }

func (g *bigGroup) encode(pt bigPoint) []byte {
	return append(g.leBytes(pt.x), g.leBytes(pt.y)...)
}

func (g *bigGroup) publicKey(d []byte) []byte {
	return g.encode(g.mul(leInt(d), g.base()))
}

func (g *bigGroup) digestScalar(digest []byte) *big.Int {
	e := leInt(digest)
	e.Mod(e, g.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return e
}

func (g *bigGroup) sign(d, k, digest []byte) (r, s []byte, ok bool) {
	kn := leInt(k)
	c := g.mul(kn, g.base())
	rn := new(big.Int).Mod(c.x, g.q)
	if rn.Sign() == 0 {
		return nil, nil, false
	}
	sn := new(big.Int).Mul(rn, leInt(d))
	sn.Add(sn, new(big.Int).Mul(kn, g.digestScalar(digest))).Mod(sn, g.q)
	if sn.Sign() == 0 {
		return nil, nil, false
	}
	return g.leBytes(rn), g.leBytes(sn), true
}

func (g *bigGroup) checkPoint(pub []byte) error {
	if len(pub) != 2*g.size {
		return errors.New("gost3410: public key has the wrong length")
	}
	x, y := leInt(pub[:g.size]), leInt(pub[g.size:])
	if x.Cmp(g.p) >= 0 || y.Cmp(g.p) >= 0 {
		return errors.New("gost3410: public key coordinate out of range")
	}
	lhs := new(big.Int).Mul(y, y)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, g.a).Mul(rhs, x).Add(rhs, g.b)
	if lhs.Sub(lhs, rhs).Mod(lhs, g.p).Sign() != 0 {
		return errors.New("gost3410: public key is not on the curve")
	}
	if g.cofactor != 1 && !g.mul(g.q, bigPoint{x: x, y: y}).inf {
		return errors.New("gost3410: public key is not in the prime-order subgroup")
	}
	return nil
}

func (g *bigGroup) verify(pub, digest, r, s []byte) bool {
	rn, sn := leInt(r), leInt(s)
	if rn.Sign() == 0 || rn.Cmp(g.q) >= 0 || sn.Sign() == 0 || sn.Cmp(g.q) >= 0 {
		return false
	}
	v := new(big.Int).ModInverse(g.digestScalar(digest), g.q)
	z1 := new(big.Int).Mul(sn, v)
	z1.Mod(z1, g.q)
	z2 := new(big.Int).Mul(rn, v)
	z2.Neg(z2).Mod(z2, g.q)
	q := bigPoint{x: leInt(pub[:g.size]), y: leInt(pub[g.size:])}
	c := g.add(g.mul(z1, g.base()), g.mul(z2, q))
	if c.inf {
		return false
	}
	return new(big.Int).Mod(c.x, g.q).Cmp(rn) == 0
}

// groupFor returns the arithmetic for a curve.
func groupFor(cp *curveParams) group { return newBigGroup(cp) }
