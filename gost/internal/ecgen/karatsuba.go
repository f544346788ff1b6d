package main

import "fmt"

// emitProductNamed writes out = xs·ys by rows, like emitProduct, for operands and result
// given as lists of Go names (out pre-declared, 2·len(xs) limbs); tag keeps the temporaries
// of several products apart.
func emitProductNamed(e *emitter, xs, ys, out []string, tag string) {
	n := len(xs)
	h := func(i, j int) string { return fmt.Sprintf("%sh%d_%d", tag, i, j) }
	l := func(i, j int) string { return fmt.Sprintf("%sl%d_%d", tag, i, j) }
	r := func(i, j int) string { return fmt.Sprintf("%sr%d_%d", tag, i, j) }
	for i := range n {
		for j := range n {
			e.p("%s, %s := bits.Mul64(%s, %s)", h(i, j), l(i, j), xs[i], ys[j])
		}
		if i == 0 {
			e.p("%s = %s", out[0], l(0, 0))
			for j := 1; j < n; j++ {
				e.p("%s, c = bits.Add64(%s, %s, %s)", out[j], h(0, j-1), l(0, j), cin(j-1, "c"))
			}
			e.p("%s = %s + c", out[n], h(0, n-1))
			continue
		}
		for j := 1; j < n; j++ {
			e.p("%s, c := bits.Add64(%s, %s, %s)", r(i, j), h(i, j-1), l(i, j), cin(j-1, "c"))
		}
		e.p("%s := %s + c", r(i, n), h(i, n-1))
		e.p("%s, c = bits.Add64(%s, %s, 0)", out[i], out[i], l(i, 0))
		for j := 1; j < n; j++ {
			e.p("%s, c = bits.Add64(%s, %s, c)", out[i+j], out[i+j], r(i, j))
		}
		e.p("%s = %s + c", out[i+n], r(i, n))
	}
}

// emitProductKaratsuba writes t = x·y for an even number n of limbs with one level of
// subtractive Karatsuba: three half-size products instead of four. Signs are handled with
// masks, so the code stays free of branches.
func emitProductKaratsuba(e *emitter, n int) {
	h := n / 2
	names := func(f string, from, to int) []string {
		var s []string
		for i := from; i < to; i++ {
			s = append(s, fmt.Sprintf(f, i))
		}
		return s
	}
	e.p("// Karatsuba: x·y = H·B² + (L + H - (x0-x1)(y0-y1))·B + L with B = 2^%d.", 64*h)
	// L = x0·y0 into t0 ... t(n-1), H = x1·y1 into t(n) ... t(2n-1).
	emitProductNamed(e, names("x%d", 0, h), names("y%d", 0, h), names("t%d", 0, n), "kl")
	emitProductNamed(e, names("x%d", h, n), names("y%d", h, n), names("t%d", n, 2*n), "kh")
	// |x0 - x1| and |y0 - y1| with their signs.
	for _, v := range []string{"x", "y"} {
		e.p("var %sb uint64", v)
		for i := range h {
			e.p("%sd%d, %sb := bits.Sub64(%s%d, %s%d, %s)", v, i, v, v, i, v, h+i, cin(i, v+"b"))
		}
		e.p("%sm := -%sb", v, v)
		// Negate when negative: complement, plus the borrow bit as the first carry.
		for i := range h {
			carry := "c"
			if i == 0 {
				carry = v + "b"
			}
			e.p("%sd%d, c = bits.Add64(%sd%d^%sm, 0, %s)", v, i, v, i, v, carry)
		}
	}
	e.p("var %s uint64", join("mp%d", n, ", "))
	emitProductNamed(e, names("xd%d", 0, h), names("yd%d", 0, h), names("mp%d", 0, n), "km")
	e.p("// (x0-x1)(y0-y1) = ±m: the middle term is L + H - mp when the signs agree, L + H + mp otherwise.")
	e.p("neg := ^(xb ^ yb) & 1")
	e.p("nm := -neg")
	// S = L + H (n limbs + carry), then S ± m over n+1 limbs.
	for i := range n {
		e.p("s%d, c := bits.Add64(t%d, t%d, %s)", i, i, n+i, cin(i, "c"))
	}
	e.p("s%d := c", n)
	for i := range n {
		carry := "c"
		if i == 0 {
			carry = "neg"
		}
		e.p("s%d, c = bits.Add64(s%d, mp%d^nm, %s)", i, i, i, carry)
	}
	e.p("s%d += nm + c", n)
	// Add the middle at limb h.
	for i := 0; i <= n; i++ {
		e.p("t%d, c = bits.Add64(t%d, s%d, %s)", h+i, h+i, i, cin(i, "c"))
	}
	for i := h + n + 1; i < 2*n; i++ {
		e.p("t%d, c = bits.Add64(t%d, 0, c)", i, i)
	}
}
