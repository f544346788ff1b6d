package ec

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

func (tg *testGroup) setup(t *testing.T) (*Params, *oracle, func() *big.Int, func() []byte) {
	pr := tg.g.Params()
	o := newOracle(pr)
	rng := rand.New(rand.NewPCG(uint64(len(tg.name)), uint64(pr.P.Bit(5))))
	randInt := func() *big.Int { return randomBelow(pr.P, pr.Size, rng) }
	randScalar := func() []byte {
		for {
			k := leBytes(randomBelow(pr.Q, pr.Size, rng), pr.Size)
			if tg.g.ValidScalar(k) {
				return k
			}
		}
	}
	return pr, o, randInt, randScalar
}

func TestGroupParams(t *testing.T) {
	for _, tg := range testGroups {
		pr := tg.g.Params()
		g, ok := ByName(tg.name)
		if !ok || g != tg.g || pr.Name != tg.name {
			t.Errorf("%s: registry mismatch", tg.name)
		}
		o := newOracle(pr)
		if o.mul(pr.Q, o.base(pr)) != nil {
			t.Errorf("%s: q·G is not the identity", tg.name)
		}
	}
}

// TestPointOps compares addition, mixed addition, doubling and negation with the oracle,
// on random points with random projective scale and on the edge cases the complete
// formulas must handle: the identity, P + P and P + (-P).
func TestPointOps(t *testing.T) {
	for _, tg := range testGroups {
		t.Run(tg.name, func(t *testing.T) {
			pr, o, randInt, randScalar := tg.setup(t)
			g := o.base(pr)
			pts := []opoint{g, o.mul(big.NewInt(2), g)}
			for range 6 {
				pts = append(pts, o.mul(leInt(randScalar()), g))
			}
			if pr.Cofactor == 1 {
				// Every point has order q: random points are fair game too.
				pts = append(pts, o.randomPoint(randInt), o.randomPoint(randInt))
			}
			check := func(what string, got []byte, want opoint) {
				t.Helper()
				if !bytes.Equal(got, o.encode(want)) {
					t.Fatalf("%s:\n got %x\nwant %x", what, got, o.encode(want))
				}
			}
			scale := func() []byte {
				return leBytes(new(big.Int).Add(randInt(), big.NewInt(1)).Mod(randInt(), pr.P), pr.Size)
			}
			for i, p := range pts {
				pb := o.encode(p)
				check("double", tg.op("double", pb, nil, scale()), o.add(p, p))
				check("jdouble", tg.op("jdouble", pb, nil, scale()), o.add(p, p))
				check("J: P + identity", tg.op("jadd", pb, nil, scale()), p)
				check("J: identity + P", tg.op("jadd", nil, pb, nil), p)
				check("J: identity + P (mixed)", tg.op("jaddAffine", nil, pb, nil), p)
				check("J: P + P", tg.op("jadd", pb, pb, scale()), o.add(p, p))
				check("J: P + P (mixed)", tg.op("jaddAffine", pb, pb, scale()), o.add(p, p))
				check("J: P - P", tg.op("jadd", pb, o.encode(o.neg(p)), scale()), nil)
				check("J: P - P (mixed)", tg.op("jaddAffine", pb, o.encode(o.neg(p)), scale()), nil)
				check("neg", tg.op("neg", pb, nil, nil), o.neg(p))
				check("P + identity", tg.op("add", pb, nil, scale()), p)
				check("identity + P", tg.op("add", nil, pb, nil), p)
				check("identity + P (mixed)", tg.op("addAffine", nil, pb, nil), p)
				check("P + P", tg.op("add", pb, pb, scale()), o.add(p, p))
				check("P + P (mixed)", tg.op("addAffine", pb, pb, scale()), o.add(p, p))
				check("P - P", tg.op("add", pb, o.encode(o.neg(p)), scale()), nil)
				check("P - P (mixed)", tg.op("addAffine", pb, o.encode(o.neg(p)), scale()), nil)
				for _, q := range pts[i+1:] {
					qb := o.encode(q)
					check("P + Q", tg.op("add", pb, qb, scale()), o.add(p, q))
					check("P + Q (mixed)", tg.op("addAffine", pb, qb, scale()), o.add(p, q))
					check("J: P + Q", tg.op("jadd", pb, qb, scale()), o.add(p, q))
					check("J: P + Q (mixed)", tg.op("jaddAffine", pb, qb, scale()), o.add(p, q))
				}
			}
			check("2·identity", tg.op("double", nil, nil, nil), nil)
			check("J: 2·identity", tg.op("jdouble", nil, nil, nil), nil)
		})
	}
}

func TestScalarBaseMult(t *testing.T) {
	for _, tg := range testGroups {
		t.Run(tg.name, func(t *testing.T) {
			pr, o, _, randScalar := tg.setup(t)
			g := o.base(pr)
			size := pr.Size
			ks := [][]byte{leBytes(big.NewInt(1), size), leBytes(big.NewInt(2), size),
				leBytes(big.NewInt(31), size), leBytes(big.NewInt(32), size), leBytes(big.NewInt(33), size),
				leBytes(new(big.Int).Sub(pr.Q, big.NewInt(1)), size),
				leBytes(new(big.Int).Sub(pr.Q, big.NewInt(2)), size),
				// Digits of all 32s and all -32s: 0b100000 repeated and similar patterns.
				bytes.Repeat([]byte{0x82, 0x20, 0x08}, size/3+1)[:size],
				bytes.Repeat([]byte{0xff}, size),
				make([]byte, size),
			}
			for range 20 {
				ks = append(ks, randScalar())
			}
			for _, k := range ks {
				want := o.encode(o.mul(leInt(k), g))
				if got := tg.baseMult(k); !bytes.Equal(got, want) {
					t.Fatalf("k = %x:\n got %x\nwant %x", leInt(k), got, want)
				}
			}
		})
	}
}

func TestDoubleScalarMult(t *testing.T) {
	for _, tg := range testGroups {
		t.Run(tg.name, func(t *testing.T) {
			pr, o, _, randScalar := tg.setup(t)
			g := o.base(pr)
			size := pr.Size
			zero := make([]byte, size)
			for range 10 {
				q := o.mul(leInt(randScalar()), g)
				z1, z2 := randScalar(), randScalar()
				cases := [][2][]byte{{z1, z2}, {zero, z2}, {z1, zero}, {zero, zero}}
				for _, c := range cases {
					want := o.add(o.mul(leInt(c[0]), g), o.mul(leInt(c[1]), q))
					if got := tg.doubleMult(c[0], c[1], o.encode(q)); !bytes.Equal(got, o.encode(want)) {
						t.Fatalf("z1 = %x, z2 = %x:\n got %x\nwant %x", leInt(c[0]), leInt(c[1]), got, o.encode(want))
					}
				}
				// z1·G + z2·Q = identity when Q = G and z2 = q - z1.
				negZ1 := leBytes(new(big.Int).Sub(pr.Q, leInt(z1)), size)
				if got := tg.doubleMult(z1, negZ1, o.encode(g)); got != nil {
					t.Fatalf("z·G - z·G = %x, want the identity", got)
				}
			}
		})
	}
}

func TestSignAgainstOracle(t *testing.T) {
	for _, tg := range testGroups {
		t.Run(tg.name, func(t *testing.T) {
			pr, o, _, randScalar := tg.setup(t)
			size := pr.Size
			digests := [][]byte{make([]byte, size), leBytes(pr.Q, size), bytes.Repeat([]byte{0xff}, size)}
			for range 10 {
				digests = append(digests, randScalar())
			}
			for _, digest := range digests {
				d, k := randScalar(), randScalar()
				pub := tg.g.PublicKey(d)
				if want := o.encode(o.mul(leInt(d), o.base(pr))); !bytes.Equal(pub, want) {
					t.Fatalf("public key\n got %x\nwant %x", pub, want)
				}
				if err := tg.g.CheckPoint(pub); err != nil {
					t.Fatalf("CheckPoint(own key): %v", err)
				}
				r, s := make([]byte, size), make([]byte, size)
				ok := tg.g.Sign(d, k, digest, r, s)
				wr, ws := o.sign(pr, d, k, digest)
				if !ok || !bytes.Equal(r, wr) || !bytes.Equal(s, ws) {
					t.Fatalf("sign:\n got %x %x %v\nwant %x %x", r, s, ok, wr, ws)
				}
				if !tg.g.Verify(pub, digest, r, s) || !o.verify(pr, pub, digest, r, s) {
					t.Fatal("a good signature fails")
				}
				bad := bytes.Clone(s)
				bad[0] ^= 1
				if tg.g.Verify(pub, digest, r, bad) || o.verify(pr, pub, digest, r, bad) {
					t.Fatal("a bad signature verifies")
				}
			}
		})
	}
}

// TestVerifyAgainstOracle checks signatures made by the oracle, including ones whose x(C)
// exceeds q (r = x - q), which the candidate loop of Verify must find.
func TestVerifyAgainstOracle(t *testing.T) {
	for _, tg := range testGroups {
		t.Run(tg.name, func(t *testing.T) {
			pr, o, _, randScalar := tg.setup(t)
			wrapped, n := 0, 40
			if testing.Short() {
				n = 10
			}
			for i := range n {
				d, k, digest := randScalar(), randScalar(), randScalar()
				pub := o.encode(o.mul(leInt(d), o.base(pr)))
				r, s := o.sign(pr, d, k, digest)
				if x := o.mul(leInt(k), o.base(pr))[0]; x.Cmp(pr.Q) >= 0 {
					wrapped++
				}
				if !tg.g.Verify(pub, digest, r, s) {
					t.Fatalf("signature %d from the oracle does not verify", i)
				}
			}
			t.Logf("%d of %d signatures had x(kG) >= q", wrapped, n)
		})
	}
}

func TestCheckPointRejects(t *testing.T) {
	for _, tg := range testGroups {
		t.Run(tg.name, func(t *testing.T) {
			pr, o, randInt, randScalar := tg.setup(t)
			size := pr.Size
			good := tg.g.PublicKey(randScalar())
			offCurve := bytes.Clone(good)
			offCurve[size] ^= 1
			xIsP := bytes.Clone(good)
			copy(xIsP, leBytes(pr.P, size))
			cases := map[string]struct {
				pub []byte
				err error
			}{
				"short":     {good[:2*size-1], ErrPointLength},
				"long":      {append(bytes.Clone(good), 0), ErrPointLength},
				"zeros":     {make([]byte, 2*size), ErrNotOnCurve},
				"off curve": {offCurve, ErrNotOnCurve},
				"x = p":     {xIsP, ErrPointRange},
			}
			if pr.Cofactor > 1 {
				// A point of order 4q (or 2q) and a point of order dividing 4.
				for {
					r := o.randomPoint(randInt)
					low := o.mul(pr.Q, r)
					if low == nil {
						continue
					}
					cases["order 4q or 2q"] = struct {
						pub []byte
						err error
					}{o.encode(r), ErrNotInSubgroup}
					cases["small order"] = struct {
						pub []byte
						err error
					}{o.encode(low), ErrNotInSubgroup}
					cases["key plus small order"] = struct {
						pub []byte
						err error
					}{o.encode(o.add(o.decode(good), low)), ErrNotInSubgroup}
					break
				}
			}
			for name, c := range cases {
				if err := tg.g.CheckPoint(c.pub); !errors.Is(err, c.err) {
					t.Errorf("%s: err = %v, want %v", name, err, c.err)
				}
			}
		})
	}
}

func TestValidScalar(t *testing.T) {
	for _, tg := range testGroups {
		pr := tg.g.Params()
		size := pr.Size
		one := big.NewInt(1)
		for _, c := range []struct {
			k    []byte
			want bool
		}{
			{leBytes(one, size), true},
			{leBytes(new(big.Int).Sub(pr.Q, one), size), true},
			{make([]byte, size), false},
			{leBytes(pr.Q, size), false},
			{bytes.Repeat([]byte{0xff}, size), false},
			{leBytes(one, size)[:size-1], false},
		} {
			if got := tg.g.ValidScalar(c.k); got != c.want {
				t.Errorf("%s: ValidScalar(%x) = %v", tg.name, c.k, got)
			}
		}
	}
}
