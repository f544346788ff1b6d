package main

import (
	"math/big"
	"strings"
)

// emitMul writes mul and sqr: a schoolbook product into 2n limbs t0 ... t(2n-1), then the
// reduction of the field's kind. Within a row all 64×64 products come first and the
// additions follow as unbroken carry chains, which the compiler turns into ADC sequences.
func emitMul(e *emitter, f *field, pl []uint64) {
	n, T := f.N, f.Name
	e.p("// mul sets z = x·y mod p and returns z.")
	e.p("func (z *%s) mul(x, y *%s) *%s {", T, T, T)
	e.p("var c uint64")
	e.p("%s := %s", join("x%d", n, ", "), join("x[%d]", n, ", "))
	e.p("%s := %s", join("y%d", n, ", "), join("y[%d]", n, ", "))
	e.p("var %s uint64", join("t%d", 2*n, ", "))
	if n >= 8 {
		emitProductKaratsuba(e, n)
	} else {
		emitProduct(e, n)
	}
	emitReduce(e, f, pl)
	e.p("return z")
	e.p("}")
	e.p("")
	e.p("// sqr sets z = x² mod p and returns z.")
	e.p("func (z *%s) sqr(x *%s) *%s {", T, T, T)
	e.p("var c uint64")
	e.p("%s := %s", join("x%d", n, ", "), join("x[%d]", n, ", "))
	e.p("var %s uint64", join("t%d", 2*n, ", "))
	emitSquare(e, n)
	emitReduce(e, f, pl)
	e.p("return z")
	e.p("}")
	e.p("")
	e.p("// sqrN sets z = x^(2^k) mod p and returns z.")
	e.p("func (z *%s) sqrN(x *%s, k int) *%s {", T, T, T)
	e.p("z.sqr(x)")
	e.p("for i := 1; i < k; i++ {")
	e.p("z.sqr(z)")
	e.p("}")
	e.p("return z")
	e.p("}")
	e.p("")
}

// emitProduct writes t = x·y by rows (operand scanning).
func emitProduct(e *emitter, n int) {
	for i := range n {
		for j := range n {
			e.p("h%d_%d, l%d_%d := bits.Mul64(x%d, y%d)", i, j, i, j, i, j)
		}
		if i == 0 {
			e.p("t0 = l0_0")
			for j := 1; j < n; j++ {
				e.p("t%d, c = bits.Add64(h0_%d, l0_%d, %s)", j, j-1, j, cin(j-1, "c"))
			}
			e.p("t%d = h0_%d + c", n, n-1)
			continue
		}
		for j := 1; j < n; j++ {
			e.p("r%d_%d, c := bits.Add64(h%d_%d, l%d_%d, %s)", i, j, i, j-1, i, j, cin(j-1, "c"))
		}
		e.p("r%d_%d := h%d_%d + c", i, n, i, n-1)
		e.p("t%d, c = bits.Add64(t%d, l%d_0, 0)", i, i, i)
		for j := 1; j < n; j++ {
			e.p("t%d, c = bits.Add64(t%d, r%d_%d, c)", i+j, i+j, i, j)
		}
		e.p("t%d = r%d_%d + c", i+n, i, n)
	}
}

// emitSquare writes t = x² as twice the cross products plus the squares of the limbs.
func emitSquare(e *emitter, n int) {
	// Cross products x_i·x_j, i < j, summed into u1 ... u(2n-2).
	e.p("var %s uint64", strings.Join(strings.Split(join("u%d", 2*n, ","), ",")[1:], ", "))
	for i := 0; i < n-1; i++ {
		for j := i + 1; j < n; j++ {
			e.p("h%d_%d, l%d_%d := bits.Mul64(x%d, x%d)", i, j, i, j, i, j)
		}
		// Row value at positions 2i+1 ... i+n.
		for j := i + 2; j < n; j++ {
			e.p("r%d_%d, c := bits.Add64(h%d_%d, l%d_%d, %s)", i, i+j, i, j-1, i, j, cin(j-i-2, "c"))
		}
		if n-1 == i+1 {
			e.p("r%d_%d := h%d_%d", i, i+n, i, n-1)
		} else {
			e.p("r%d_%d := h%d_%d + c", i, i+n, i, n-1)
		}
		if i == 0 {
			e.p("u1 = l0_1")
			for k := 2; k < n; k++ {
				e.p("u%d = r0_%d", k, k)
			}
			e.p("u%d = r0_%d", n, n)
			continue
		}
		e.p("u%d, c = bits.Add64(u%d, l%d_%d, 0)", 2*i+1, 2*i+1, i, i+1)
		for k := 2*i + 2; k < i+n; k++ {
			e.p("u%d, c = bits.Add64(u%d, r%d_%d, c)", k, k, i, k)
		}
		e.p("u%d = r%d_%d + c", i+n, i, i+n)
	}
	// Double.
	e.p("u%d = u%d >> 63", 2*n-1, 2*n-2)
	for k := 2*n - 2; k >= 2; k-- {
		e.p("u%d = u%d<<1 | u%d>>63", k, k, k-1)
	}
	e.p("u1 <<= 1")
	// Add the squares.
	for i := range n {
		e.p("s%d_1, s%d_0 := bits.Mul64(x%d, x%d)", i, i, i, i)
	}
	e.p("t0 = s0_0")
	for k := 1; k < 2*n; k++ {
		half := "0"
		if k%2 == 1 {
			half = "1"
		}
		e.p("t%d, c = bits.Add64(u%d, s%d_%s, %s)", k, k, k/2, half, cin(k-1, "c"))
	}
	e.p("_ = c")
}

// emitReduce writes z = t mod p (or t/2^(64n) mod p for Montgomery fields).
func emitReduce(e *emitter, f *field, pl []uint64) {
	switch f.Kind {
	case kindMinus:
		emitReduceMinus(e, f)
	case kindPlus:
		emitReducePlus(e, f, pl)
	default:
		emitReduceMont(e, f, pl)
	}
}

// emitReduceMinus reduces modulo p = 2^(64n) - c: 2^(64n) = c, so t = lo + c·hi, folded
// twice, then one conditional subtraction of p (done as adding c and watching the carry).
func emitReduceMinus(e *emitter, f *field) {
	n, C := f.N, f.C
	e.p("// Fold the high half: t = lo + %d·hi.", C)
	for j := range n {
		e.p("fh%d, fl%d := bits.Mul64(t%d, %#x)", j, j, n+j, C)
	}
	for k := 1; k < n; k++ {
		e.p("m%d, c := bits.Add64(fh%d, fl%d, %s)", k, k-1, k, cin(k-1, "c"))
	}
	e.p("m%d := fh%d + c", n, n-1)
	e.p("r0, c := bits.Add64(t0, fl0, 0)")
	for k := 1; k < n; k++ {
		e.p("r%d, c := bits.Add64(t%d, m%d, c)", k, k, k)
	}
	e.p("r%d := m%d + c", n, n)
	e.p("// Fold the top limb (at most %d) the same way.", C+1)
	e.p("r0, c = bits.Add64(r0, r%d*%#x, 0)", n, C)
	for k := 1; k < n; k++ {
		e.p("r%d, c = bits.Add64(r%d, 0, c)", k, k)
	}
	e.p("// A carry here leaves a tiny value: adding c once more cannot carry.")
	e.p("r0 += %#x & -c", C)
	e.p("// Subtract p when r >= p, that is when r + %d carries.", C)
	e.p("v0, c := bits.Add64(r0, %#x, 0)", C)
	for k := 1; k < n; k++ {
		e.p("v%d, c := bits.Add64(r%d, 0, c)", k, k)
	}
	e.p("mask := -c")
	for k := range n {
		e.p("z[%d] = v%d&mask | r%d&^mask", k, k, k)
	}
}

// emitReducePlus reduces modulo p = 2^(64n-1) + c: 2^(64n) = -2c mod p, so
// t = lo - 2c·hi = D - h·2^(64n) = D + 2c·h for small h, then the rare wrap-arounds are fixed
// with masked constants.
func emitReducePlus(e *emitter, f *field, pl []uint64) {
	n, C2 := f.N, 2*f.C
	e.p("// M = %d·hi, %d limbs.", C2, n+1)
	for j := range n {
		e.p("fh%d, fl%d := bits.Mul64(t%d, %#x)", j, j, n+j, C2)
	}
	for k := 1; k < n; k++ {
		e.p("m%d, c := bits.Add64(fh%d, fl%d, %s)", k, k-1, k, cin(k-1, "c"))
	}
	e.p("m%d := fh%d + c", n, n-1)
	e.p("// D = lo - M mod 2^%d; t = D - h·2^%d = D + %d·h (mod p) with h = m%d + borrow.", 64*n, 64*n, C2, n)
	e.p("var b uint64")
	e.p("d0, b := bits.Sub64(t0, fl0, 0)")
	for k := 1; k < n; k++ {
		e.p("d%d, b := bits.Sub64(t%d, m%d, b)", k, k, k)
	}
	e.p("h := m%d + b", n)
	e.p("e0, c := bits.Add64(d0, h*%#x, 0)", C2)
	for k := 1; k < n; k++ {
		e.p("e%d, c := bits.Add64(d%d, 0, c)", k, k)
	}
	e.p("// A carry wraps 2^%d = -%d (mod p); the value left is small.", 64*n, C2)
	e.p("g0, b := bits.Sub64(e0, %#x&-c, 0)", C2)
	for k := 1; k < n; k++ {
		e.p("g%d, b := bits.Sub64(e%d, 0, b)", k, k)
	}
	e.p("// A borrow means the value was negative: add p.")
	e.p("bm := -b")
	for k := range n {
		e.p("g%d, c = bits.Add64(g%d, %#x&bm, %s)", k, k, pl[k], cin(k, "c"))
	}
	e.p("// Now g < 2^%d < 2p: subtract p once if g >= p.", 64*n)
	for k := range n {
		e.p("v%d, b := bits.Sub64(g%d, %#x, %s)", k, k, pl[k], cin(k, "b"))
	}
	e.p("mask := -b // all ones when g < p")
	for k := range n {
		e.p("z[%d] = g%d&mask | v%d&^mask", k, k, k)
	}
}

// emitReduceMont writes Montgomery reduction: n rows, each adding m·p with m chosen to clear
// the lowest limb; row carries out of the top are deferred and added at the end.
func emitReduceMont(e *emitter, f *field, pl []uint64) {
	n := f.N
	r := new(big.Int).Lsh(big.NewInt(1), 64)
	inv := new(big.Int).ModInverse(f.P, r)
	pinv := new(big.Int).Sub(r, inv).Uint64() // -p^-1 mod 2^64
	for i := range n {
		e.p("q%d := t%d * %#x", i, i, pinv)
		for j := range n {
			e.p("g%d_%d, k%d_%d := bits.Mul64(q%d, %#x)", i, j, i, j, i, pl[j])
		}
		for j := 1; j < n; j++ {
			e.p("w%d_%d, c := bits.Add64(g%d_%d, k%d_%d, %s)", i, j, i, j-1, i, j, cin(j-1, "c"))
		}
		e.p("w%d_%d := g%d_%d + c", i, n, i, n-1)
		e.p("_, c = bits.Add64(t%d, k%d_0, 0)", i, i)
		for j := 1; j <= n; j++ {
			e.p("t%d, c = bits.Add64(t%d, w%d_%d, c)", i+j, i+j, i, j)
		}
		e.p("cc%d := c", i)
	}
	e.p("// Deferred carries: cc_i belongs at limb %d + i.", n+1)
	for i := 0; i < n-1; i++ {
		e.p("t%d, c = bits.Add64(t%d, cc%d, %s)", n+1+i, n+1+i, i, cin(i, "c"))
	}
	e.p("top := cc%d + c", n-1)
	e.p("// The result is below 2p: subtract p once if it is not below p.")
	e.p("var b uint64")
	for k := range n {
		e.p("v%d, b := bits.Sub64(t%d, %#x, %s)", k, n+k, pl[k], cin(k, "b"))
	}
	e.p("_, b = bits.Sub64(top, 0, b)")
	e.p("mask := -b // all ones when the result is below p")
	for k := range n {
		e.p("z[%d] = t%d&mask | v%d&^mask", k, n+k, k)
	}
}
