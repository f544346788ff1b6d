package ec

// The math/big reference arithmetic: slow, variable-time affine formulas written straight
// from the textbook, the oracle the generated code is compared with.

import "math/big"

// testGroup drives one generated curve with byte strings (points as LE(x) ‖ LE(y), nil for
// the identity).
type testGroup struct {
	name       string
	g          Group
	edwards    bool
	baseMult   func(k []byte) []byte
	doubleMult func(z1, z2, q []byte) []byte
	op         func(op string, a, b, scale []byte) []byte
}

type oracle struct {
	p, a, b, q *big.Int
	size       int
}

// opoint is an affine point; nil is the identity.
type opoint *[2]*big.Int

func newOracle(pr *Params) *oracle {
	return &oracle{p: pr.P, a: pr.A, b: pr.B, q: pr.Q, size: pr.Size}
}

func (o *oracle) base(pr *Params) opoint { return &[2]*big.Int{pr.X, pr.Y} }

func (o *oracle) mod(n *big.Int) *big.Int { return n.Mod(n, o.p) }

func (o *oracle) add(p1, p2 opoint) opoint {
	if p1 == nil {
		return p2
	}
	if p2 == nil {
		return p1
	}
	x1, y1, x2, y2 := p1[0], p1[1], p2[0], p2[1]
	var l *big.Int
	if x1.Cmp(x2) == 0 {
		if o.mod(new(big.Int).Add(y1, y2)).Sign() == 0 {
			return nil
		}
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3)).Add(num, o.a)
		den := o.mod(new(big.Int).Lsh(y1, 1))
		l = num.Mul(num, den.ModInverse(den, o.p))
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := o.mod(new(big.Int).Sub(x2, x1))
		l = num.Mul(num, den.ModInverse(den, o.p))
	}
	o.mod(l)
	x3 := new(big.Int).Mul(l, l)
	o.mod(x3.Sub(x3, x1).Sub(x3, x2))
	y3 := new(big.Int).Sub(x1, x3)
	o.mod(y3.Mul(y3, l).Sub(y3, y1))
	return &[2]*big.Int{x3, y3}
}

func (o *oracle) neg(p opoint) opoint {
	if p == nil {
		return nil
	}
	return &[2]*big.Int{p[0], o.mod(new(big.Int).Neg(p[1]))}
}

func (o *oracle) mul(k *big.Int, p opoint) opoint {
	var r opoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = o.add(r, r)
		if k.Bit(i) == 1 {
			r = o.add(r, p)
		}
	}
	return r
}

func (o *oracle) encode(p opoint) []byte {
	if p == nil {
		return nil
	}
	return append(leBytes(p[0], o.size), leBytes(p[1], o.size)...)
}

func (o *oracle) decode(b []byte) opoint {
	if b == nil {
		return nil
	}
	return &[2]*big.Int{leInt(b[:o.size]), leInt(b[o.size:])}
}

// randomPoint returns a random curve point (any order) by trying x until x³ + ax + b is a
// square.
func (o *oracle) randomPoint(next func() *big.Int) opoint {
	for {
		x := next()
		rhs := new(big.Int).Mul(x, x)
		o.mod(rhs.Add(rhs, o.a).Mul(rhs, x).Add(rhs, o.b))
		if y := new(big.Int).ModSqrt(rhs, o.p); y != nil && y.Sign() != 0 {
			return &[2]*big.Int{x, y}
		}
	}
}

func (o *oracle) digestScalar(digest []byte) *big.Int {
	e := new(big.Int).Mod(leInt(digest), o.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return e
}

// sign returns r, s (little-endian) for nonce k, or nil when r or s is zero.
func (o *oracle) sign(pr *Params, d, k, digest []byte) (r, s []byte) {
	kn := leInt(k)
	c := o.mul(kn, o.base(pr))
	rn := new(big.Int).Mod(c[0], o.q)
	sn := new(big.Int).Mul(rn, leInt(d))
	sn.Add(sn, new(big.Int).Mul(kn, o.digestScalar(digest))).Mod(sn, o.q)
	if rn.Sign() == 0 || sn.Sign() == 0 {
		return nil, nil
	}
	return leBytes(rn, o.size), leBytes(sn, o.size)
}

func (o *oracle) verify(pr *Params, pub, digest, r, s []byte) bool {
	rn, sn := leInt(r), leInt(s)
	if rn.Sign() == 0 || rn.Cmp(o.q) >= 0 || sn.Sign() == 0 || sn.Cmp(o.q) >= 0 {
		return false
	}
	v := new(big.Int).ModInverse(o.digestScalar(digest), o.q)
	z1 := new(big.Int).Mul(sn, v)
	z1.Mod(z1, o.q)
	z2 := new(big.Int).Mul(rn, v)
	z2.Neg(z2).Mod(z2, o.q)
	c := o.add(o.mul(z1, o.base(pr)), o.mul(z2, o.decode(pub)))
	return c != nil && new(big.Int).Mod(c[0], o.q).Cmp(rn) == 0
}
