package mgm

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// polyMulMod is a slow reference: schoolbook carry-less multiplication of
// big.Int polynomials and reduction modulo f, one bit at a time.
func polyMulMod(x, y, f *big.Int, n int) *big.Int {
	p := new(big.Int)
	for i := 0; i < y.BitLen(); i++ {
		if y.Bit(i) == 1 {
			p.Xor(p, new(big.Int).Lsh(x, uint(i)))
		}
	}
	for i := p.BitLen() - 1; i >= n; i-- {
		if p.Bit(i) == 1 {
			p.Xor(p, new(big.Int).Lsh(f, uint(i-n)))
		}
	}
	return p
}

func TestMulAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	f64, _ := new(big.Int).SetString("1000000000000001b", 16)
	f128, _ := new(big.Int).SetString("100000000000000000000000000000087", 16)
	special := []uint64{0, 1, 2, 1 << 63, ^uint64(0), 0x8000000000000001}
	for i := 0; i < 2000; i++ {
		a, b, c, d := r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()
		if i < len(special)*len(special) {
			a, b = special[i%len(special)], special[i/len(special)]
			c, d = a, b
		}
		got := mul64(a, b)
		want := polyMulMod(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b), f64, 64)
		if want.Uint64() != got {
			t.Fatalf("mul64(%x, %x) = %x, want %x", a, b, got, want)
		}
		x := new(big.Int).Lsh(new(big.Int).SetUint64(a), 64)
		x.Or(x, new(big.Int).SetUint64(b))
		y := new(big.Int).Lsh(new(big.Int).SetUint64(c), 64)
		y.Or(y, new(big.Int).SetUint64(d))
		h, l := mul128(a, b, c, d)
		w := polyMulMod(x, y, f128, 128)
		wl := new(big.Int).And(w, new(big.Int).SetUint64(^uint64(0))).Uint64()
		wh := new(big.Int).Rsh(w, 64).Uint64()
		if h != wh || l != wl {
			t.Fatalf("mul128(%x%016x, %x%016x) = %x%016x, want %x%016x", a, b, c, d, h, l, wh, wl)
		}
	}
}

func BenchmarkMul128(b *testing.B) {
	x1, x0 := uint64(0x0123456789abcdef), uint64(0xfedcba9876543210)
	for b.Loop() {
		x1, x0 = mul128(x1, x0, 0x1111222233334444, 0x5555666677778888)
	}
}

func TestMasks(t *testing.T) {
	masks := []uint64{mask0, mask1, mask2, mask3, mask4}
	for k := 0; k < 5; k++ {
		var lo, hi uint64
		for j := 0; j < 64; j++ {
			if j%5 == k {
				lo |= 1 << j
			}
			if (64+j)%5 == k {
				hi |= 1 << j
			}
		}
		if masks[k] != lo || masks[(k+1)%5] != hi {
			t.Errorf("class %d: masks %x/%x, want %x/%x", k, masks[k], masks[(k+1)%5], lo, hi)
		}
	}
}
