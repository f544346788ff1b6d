package ec

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"
)

// testField drives one generated field with little-endian byte strings.
type testField struct {
	name   string
	p      string // hex
	mont   bool
	binary func(op string, a, b []byte) []byte
	unary  func(op string, a []byte) []byte
	set    func(a []byte) ([]byte, uint64)
	reduce func(a []byte) []byte // scalar rings only
}

func leBytes(n *big.Int, size int) []byte {
	b := n.FillBytes(make([]byte, size))
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

func leInt(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i, v := range b {
		r[len(b)-1-i] = v
	}
	return new(big.Int).SetBytes(r)
}

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
	}
	return n
}

// interestingValues returns field elements that exercise carries and reductions: small
// values, values next to p and next to powers of two, limbs all ones or all zeros.
func interestingValues(p *big.Int, size int, rng *rand.Rand) []*big.Int {
	one := big.NewInt(1)
	var vs []*big.Int
	for _, v := range []int64{0, 1, 2, 3, 617, 1 << 32} {
		vs = append(vs, big.NewInt(v))
	}
	for _, k := range []int64{1, 2, 3, 569, 617} {
		vs = append(vs, new(big.Int).Sub(p, big.NewInt(k)))
	}
	for bit := 63; bit < 8*size; bit += 64 {
		b := new(big.Int).Lsh(one, uint(bit))
		vs = append(vs, b, new(big.Int).Sub(b, one), new(big.Int).Add(b, one))
		all := new(big.Int).Sub(new(big.Int).Lsh(one, uint(bit+1)), one)
		vs = append(vs, all)
	}
	half := new(big.Int).Rsh(p, 1)
	vs = append(vs, half, new(big.Int).Add(half, one))
	for range 20 {
		vs = append(vs, randomBelow(p, size, rng))
	}
	// Random values with long runs of ones or zeros in their limbs.
	for range 20 {
		b := make([]byte, size)
		for i := range b {
			switch rng.IntN(3) {
			case 0:
				b[i] = 0xff
			case 1:
				b[i] = 0
			default:
				b[i] = byte(rng.Uint32())
			}
		}
		vs = append(vs, leInt(b))
	}
	var out []*big.Int
	for _, v := range vs {
		if v.Sign() >= 0 && v.Cmp(p) < 0 {
			out = append(out, v)
		}
	}
	return out
}

func randomBelow(p *big.Int, size int, rng *rand.Rand) *big.Int {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return new(big.Int).Mod(leInt(b), p)
}

func TestFieldsAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range testFields {
		t.Run(f.name, func(t *testing.T) {
			p := hexInt(f.p)
			size := (p.BitLen() + 63) / 64 * 8
			vals := interestingValues(p, size, rng)
			enc := func(v *big.Int) []byte { return leBytes(v, size) }
			check := func(op string, got []byte, want *big.Int, args ...*big.Int) {
				t.Helper()
				want = new(big.Int).Mod(want, p)
				if !bytes.Equal(got, enc(want)) {
					t.Fatalf("%s(%x): got %x, want %x", op, args, leInt(got), want)
				}
			}
			for _, x := range vals {
				xb := enc(x)
				check("sqr", f.unary("sqr", xb), new(big.Int).Mul(x, x), x)
				check("neg", f.unary("neg", xb), new(big.Int).Neg(x), x)
				check("double", f.unary("double", xb), new(big.Int).Lsh(x, 1), x)
				zero := big.NewInt(0)
				if x.Sign() == 0 {
					check("isZero", f.unary("isZero", xb), big.NewInt(1), x)
					check("inv", f.unary("inv", xb), zero, x)
				} else {
					check("isZero", f.unary("isZero", xb), zero, x)
					check("inv", f.unary("inv", xb), new(big.Int).ModInverse(x, p), x)
				}
				got, ok := f.set(xb)
				if ok != 1 || !bytes.Equal(got, xb) {
					t.Fatalf("setBytes(%x) round trip: %x %d", x, got, ok)
				}
				for _, y := range vals {
					yb := enc(y)
					check("add", f.binary("add", xb, yb), new(big.Int).Add(x, y), x, y)
					check("sub", f.binary("sub", xb, yb), new(big.Int).Sub(x, y), x, y)
					check("mul", f.binary("mul", xb, yb), new(big.Int).Mul(x, y), x, y)
					check("sel0", f.binary("sel0", xb, yb), y, x, y)
					check("sel1", f.binary("sel1", xb, yb), x, x, y)
					eq := int64(0)
					if x.Cmp(y) == 0 {
						eq = 1
					}
					check("equal", f.binary("equal", xb, yb), big.NewInt(eq), x, y)
				}
			}
			// Non-canonical encodings are rejected and leave zero.
			top := new(big.Int).Lsh(big.NewInt(1), uint(8*size))
			for _, v := range []*big.Int{p, new(big.Int).Add(p, big.NewInt(1)), new(big.Int).Sub(top, big.NewInt(1))} {
				got, ok := f.set(leBytes(v, size))
				if ok != 0 || new(big.Int).SetBytes(got).Sign() != 0 {
					t.Fatalf("setBytes(%x) = %x, %d; want rejection", v, got, ok)
				}
			}
			if f.reduce != nil {
				for range 200 {
					b := make([]byte, size)
					for i := range b {
						b[i] = byte(rng.Uint32())
					}
					check("reduce", f.reduce(b), leInt(b), leInt(b))
				}
				allOnes := bytes.Repeat([]byte{0xff}, size)
				check("reduce", f.reduce(allOnes), leInt(allOnes))
			}
		})
	}
}

// TestFieldsRandom runs many random products, the operation most likely to hide a rare
// carry bug.
func TestFieldsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, f := range testFields {
		p := hexInt(f.p)
		size := (p.BitLen() + 63) / 64 * 8
		for range n {
			x, y := randomBelow(p, size, rng), randomBelow(p, size, rng)
			want := new(big.Int).Mul(x, y)
			want.Mod(want, p)
			if got := f.binary("mul", leBytes(x, size), leBytes(y, size)); !bytes.Equal(got, leBytes(want, size)) {
				t.Fatalf("%s: %x·%x = %x, want %x", f.name, x, y, leInt(got), want)
			}
			want.Mul(x, x).Mod(want, p)
			if got := f.unary("sqr", leBytes(x, size)); !bytes.Equal(got, leBytes(want, size)) {
				t.Fatalf("%s: %x² = %x, want %x", f.name, x, leInt(got), want)
			}
		}
	}
}
