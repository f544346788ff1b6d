package main

import (
	"fmt"
	"math/big"
)

// emitField writes the arithmetic of one prime field: fixed-size limbs, every value kept
// canonical (below p), straight-line code with no branch or memory index that depends on
// a value.
func emitField(e *emitter, f *field) {
	n := f.N
	T := f.Name
	R := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	switch f.Kind {
	case kindMinus:
		e.p("// %s is an element of %s, p = 2^%d - %d,", T, f.descr(), 64*n, f.C)
		e.p("// as %d little-endian 64-bit limbs, always below p.", n)
	case kindPlus:
		e.p("// %s is an element of %s, p = 2^%d + %d,", T, f.descr(), 64*n-1, f.C)
		e.p("// as %d little-endian 64-bit limbs, always below p.", n)
	default:
		e.p("// %s is an element of %s in Montgomery form", T, f.descr())
		e.p("// (x·2^%d mod p) as %d little-endian 64-bit limbs, always below p.", 64*n, n)
	}
	e.p("type %s [%d]uint64", T, n)
	e.p("")
	pl := limbs(f.P, n)
	e.p("// %sP is the modulus.", T)
	e.p("var %sP = %s", T, literal(T, pl))
	e.p("")
	one := big.NewInt(1)
	if f.Kind == kindMont {
		one = new(big.Int).Mod(R, f.P)
	}
	e.p("// %sOne is the element 1.", T)
	e.p("var %sOne = %s", T, literal(T, limbs(one, n)))
	e.p("")
	if f.Kind == kindMont {
		r2 := new(big.Int).Mod(new(big.Int).Mul(R, R), f.P)
		e.p("// %sRR is 2^%d mod p; Montgomery multiplication by it converts into Montgomery form.", T, 128*n)
		e.p("var %sRR = %s", T, literal(T, limbs(r2, n)))
		e.p("")
	}
	emitAdd(e, f, pl)
	emitSub(e, f, pl)
	emitSelect(e, f)
	emitMul(e, f, pl)
	emitBytes(e, f)
	emitInv(e, f)
}

func (f *field) descr() string {
	if f.Doc != "" {
		return f.Doc
	}
	return fmt.Sprintf("the integers modulo the %d-bit prime q", f.P.BitLen())
}

func cin(i int, v string) string {
	if i == 0 {
		return "0"
	}
	return v
}

// emitAdd writes z = x + y mod p: the sum with its carry, minus p, and the sum kept when
// that subtraction borrows.
func emitAdd(e *emitter, f *field, pl []uint64) {
	n, T := f.N, f.Name
	e.p("// add sets z = x + y mod p and returns z.")
	e.p("func (z *%s) add(x, y *%s) *%s {", T, T, T)
	e.p("var c, b uint64")
	for i := range n {
		e.p("s%d, c := bits.Add64(x[%d], y[%d], %s)", i, i, i, cin(i, "c"))
	}
	for i := range n {
		e.p("t%d, b := bits.Sub64(s%d, %#x, %s)", i, i, pl[i], cin(i, "b"))
	}
	e.p("_, b = bits.Sub64(c, 0, b)")
	e.p("m := -b // all ones when x + y < p")
	for i := range n {
		e.p("z[%d] = s%d&m | t%d&^m", i, i, i)
	}
	e.p("return z")
	e.p("}")
	e.p("")
	e.p("// double sets z = 2x mod p and returns z.")
	e.p("func (z *%s) double(x *%s) *%s { return z.add(x, x) }", T, T, T)
	e.p("")
}

// emitSub writes z = x - y mod p: the difference, plus p masked by the borrow.
func emitSub(e *emitter, f *field, pl []uint64) {
	n, T := f.N, f.Name
	e.p("// sub sets z = x - y mod p and returns z.")
	e.p("func (z *%s) sub(x, y *%s) *%s {", T, T, T)
	e.p("var b, c uint64")
	for i := range n {
		e.p("d%d, b := bits.Sub64(x[%d], y[%d], %s)", i, i, i, cin(i, "b"))
	}
	e.p("m := -b // all ones when x < y")
	for i := range n {
		e.p("z[%d], c = bits.Add64(d%d, %#x&m, %s)", i, i, pl[i], cin(i, "c"))
	}
	e.p("return z")
	e.p("}")
	e.p("")
	e.p("// neg sets z = -x mod p and returns z.")
	e.p("func (z *%s) neg(x *%s) *%s {", T, T, T)
	e.p("var zero %s", T)
	e.p("return z.sub(&zero, x)")
	e.p("}")
	e.p("")
}

func emitSelect(e *emitter, f *field) {
	n, T := f.N, f.Name
	e.p("// sel sets z = a when cond is 1 and z = b when cond is 0, without branching.")
	e.p("func (z *%s) sel(a, b *%s, cond uint64) *%s {", T, T, T)
	e.p("m := -cond")
	for i := range n {
		e.p("z[%d] = a[%d]&m | b[%d]&^m", i, i, i)
	}
	e.p("return z")
	e.p("}")
	e.p("")
	e.p("// isZero returns 1 when x = 0 and 0 otherwise.")
	e.p("func (x *%s) isZero() uint64 {", T)
	e.p("v := %s", join("x[%d]", n, " | "))
	e.p("return ((v | -v) >> 63) ^ 1")
	e.p("}")
	e.p("")
	e.p("// equal returns 1 when x = y and 0 otherwise.")
	e.p("func (x *%s) equal(y *%s) uint64 {", T, T)
	e.p("v := %s", join("(x[%[1]d] ^ y[%[1]d])", n, " | "))
	e.p("return ((v | -v) >> 63) ^ 1")
	e.p("}")
	e.p("")
}
