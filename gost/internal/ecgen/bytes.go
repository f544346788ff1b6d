package main

import (
	"fmt"
	"math/big"
)

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

// emitInv writes inversion by Fermat's little theorem, z = x^(p-2). The public exponent is
// cut into windows: long runs of ones (p = 2^n - c has one of about n bits) use
// x^(2^L - 1) built by a doubling chain, the other bits a sliding window of odd powers. The
// sequence of squarings and multiplications is fixed, whatever x is.
func emitInv(e *emitter, f *field) {
	T := f.Name
	exp := new(big.Int).Sub(f.P, big.NewInt(2))
	w := 4
	if f.N > 4 {
		w = 5
	}
	steps, runs := expChain(exp, w)
	size := 1 // table entries the steps use
	for _, s := range steps {
		var j int
		if _, err := fmt.Sscanf(s.mul, "&tab[%d]", &j); err == nil {
			size = max(size, j+1)
		}
	}
	e.p("// inv sets z = 1/x mod p (0 when x = 0) as x^(p-2) and returns z.")
	e.p("func (z *%s) inv(x *%s) *%s {", T, T, T)
	e.p("// tab[i] = x^(2i+1)")
	e.p("var tab [%d]%s", size, T)
	e.p("var x2 %s", T)
	e.p("tab[0] = *x")
	e.p("x2.sqr(x)")
	e.p("for i := 1; i < len(tab); i++ {")
	e.p("tab[i].mul(&tab[i-1], &x2)")
	e.p("}")
	if len(runs) > 0 {
		top := 1
		for _, l := range runs {
			for top*2 <= l {
				top *= 2
			}
		}
		e.p("// pwK = x^(2^K - 1)")
		e.p("pw1 := *x")
		for k := 1; k < top; k *= 2 {
			e.p("var pw%d %s", 2*k, T)
			e.p("pw%d.sqrN(&pw%d, %d)", 2*k, k, k)
			e.p("pw%d.mul(&pw%d, &pw%d)", 2*k, 2*k, k)
		}
		for _, l := range runs {
			hi := 1
			for hi*2 <= l {
				hi *= 2
			}
			e.p("run%d := pw%d", l, hi)
			for b := hi / 2; b >= 1; b /= 2 {
				if l&b != 0 {
					e.p("run%d.sqrN(&run%d, %d)", l, l, b)
					e.p("run%d.mul(&run%d, &pw%d)", l, l, b)
				}
			}
		}
	}
	e.p("r := %s", steps[0].mul[1:])
	for _, s := range steps[1:] {
		if s.sqr > 0 {
			e.p("r.sqrN(&r, %d)", s.sqr)
		}
		if s.mul != "" {
			e.p("r.mul(&r, %s)", s.mul)
		}
	}
	e.p("*z = r")
	e.p("return z")
	e.p("}")
	e.p("")
}

// expStep is one step of an exponentiation: sqr squarings, then a multiplication by the
// value mul names (a Go expression of pointer type), unless mul is empty.
type expStep struct {
	sqr int
	mul string
}

// minRun is the shortest run of ones worth a doubling chain of its own.
const minRun = 16

// expChain splits exp, from the top, into runs of at least minRun ones and odd windows of at
// most w bits, and returns the steps with the run lengths the steps use.
func expChain(exp *big.Int, w int) ([]expStep, []int) {
	var steps []expStep
	var runs []int
	seen := map[int]bool{}
	pending := 0
	first := true
	push := func(bits int, mul string) {
		if first {
			steps = append(steps, expStep{0, mul})
			first = false
		} else {
			steps = append(steps, expStep{pending + bits, mul})
		}
		pending = 0
	}
	for i := exp.BitLen() - 1; i >= 0; {
		if exp.Bit(i) == 0 {
			pending++
			i--
			continue
		}
		run := 0
		for i-run >= 0 && exp.Bit(i-run) == 1 {
			run++
		}
		if run >= minRun {
			if !seen[run] {
				seen[run] = true
				runs = append(runs, run)
			}
			push(run, fmt.Sprintf("&run%d", run))
			i -= run
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
		push(i-j+1, fmt.Sprintf("&tab[%d]", val>>1))
		i = j - 1
	}
	if pending > 0 {
		steps = append(steps, expStep{pending, ""})
	}
	return steps, runs
}
