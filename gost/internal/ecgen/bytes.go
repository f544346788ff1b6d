package main

import "math/big"

// emitBytes writes the conversions between elements and little-endian byte strings.
func emitBytes(e *emitter, f *field) {
	n, T := f.N, f.Name
	mont := f.Kind == kindMont
	e.p("// setBytes sets z to the little-endian integer b (%d bytes) and returns 1 when it is", 8*n)
	e.p("// below p; otherwise it sets z = 0 and returns 0. The work does not depend on b.")
	e.p("func (z *%s) setBytes(b []byte) uint64 {", T)
	e.p("_ = b[%d]", 8*n-1)
	e.p("var x %s", T)
	for i := range n {
		e.p("x[%d] = binary.LittleEndian.Uint64(b[%d:])", i, 8*i)
	}
	e.p("var bb uint64")
	for i := range n {
		e.p("_, bb = bits.Sub64(x[%d], %sP[%d], %s)", i, T, i, cin(i, "bb"))
	}
	e.p("var zero %s", T)
	e.p("x.sel(&x, &zero, bb)")
	if mont {
		e.p("z.mul(&x, &%sRR)", T)
	} else {
		e.p("*z = x")
	}
	e.p("return bb")
	e.p("}")
	e.p("")
	if mont {
		e.p("// setBytesReduced sets z to the little-endian integer b (%d bytes) reduced mod p.", 8*n)
		e.p("func (z *%s) setBytesReduced(b []byte) *%s {", T, T)
		e.p("_ = b[%d]", 8*n-1)
		e.p("var x %s", T)
		for i := range n {
			e.p("x[%d] = binary.LittleEndian.Uint64(b[%d:])", i, 8*i)
		}
		e.p("// x < 2^%d and RR < p keep the product below p·2^%d, as the reduction needs.", 64*n, 64*n)
		e.p("return z.mul(&x, &%sRR)", T)
		e.p("}")
		e.p("")
	}
	e.p("// bytes writes x to out as %d little-endian bytes.", 8*n)
	e.p("func (x *%s) bytes(out []byte) {", T)
	e.p("_ = out[%d]", 8*n-1)
	if mont {
		e.p("// Montgomery multiplication by 1 leaves Montgomery form.")
		e.p("v := %s{1}", T)
		e.p("v.mul(x, &v)")
	} else {
		e.p("v := *x")
	}
	for i := range n {
		e.p("binary.LittleEndian.PutUint64(out[%d:], v[%d])", 8*i, i)
	}
	e.p("}")
	e.p("")
}

// emitInv writes inversion by Fermat's little theorem, z = x^(p-2), with a sliding window
// over the public exponent: the sequence of squarings and multiplications is fixed.
func emitInv(e *emitter, f *field) {
	T := f.Name
	exp := new(big.Int).Sub(f.P, big.NewInt(2))
	w := 4
	if f.N > 4 {
		w = 5
	}
	steps := slidingWindow(exp, w)
	e.p("// inv sets z = 1/x mod p (0 when x = 0) as x^(p-2) and returns z.")
	e.p("func (z *%s) inv(x *%s) *%s {", T, T, T)
	e.p("// tab[i] = x^(2i+1)")
	e.p("var tab [%d]%s", 1<<(w-1), T)
	e.p("var x2 %s", T)
	e.p("tab[0] = *x")
	e.p("x2.sqr(x)")
	e.p("for i := 1; i < len(tab); i++ {")
	e.p("tab[i].mul(&tab[i-1], &x2)")
	e.p("}")
	e.p("r := tab[%d]", steps[0].mul)
	for _, s := range steps[1:] {
		if s.sqr > 0 {
			e.p("r.sqrN(&r, %d)", s.sqr)
		}
		if s.mul >= 0 {
			e.p("r.mul(&r, &tab[%d])", s.mul)
		}
	}
	e.p("*z = r")
	e.p("return z")
	e.p("}")
	e.p("")
}

// expStep is one step of an exponentiation: sqr squarings, then a multiplication by
// tab[mul] = x^(2·mul+1) unless mul is -1.
type expStep struct{ sqr, mul int }

// slidingWindow splits exp into odd windows of at most w bits, from the top.
func slidingWindow(exp *big.Int, w int) []expStep {
	var steps []expStep
	pending := 0
	first := true
	for i := exp.BitLen() - 1; i >= 0; {
		if exp.Bit(i) == 0 {
			pending++
			i--
			continue
		}
		j := max(i-w+1, 0)
		for exp.Bit(j) == 0 {
			j++
		}
		val := 0
		for k := i; k >= j; k-- {
			val = val<<1 | int(exp.Bit(k))
		}
		if first {
			steps = append(steps, expStep{0, val >> 1})
			first = false
		} else {
			steps = append(steps, expStep{pending + i - j + 1, val >> 1})
		}
		pending = 0
		i = j - 1
	}
	if pending > 0 {
		steps = append(steps, expStep{pending, -1})
	}
	return steps
}
