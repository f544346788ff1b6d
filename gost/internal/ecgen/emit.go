package main

import (
	"fmt"
	"math/big"
	"strings"
)

// emitter accumulates Go source text.
type emitter struct{ b strings.Builder }

func (e *emitter) p(format string, args ...any) {
	fmt.Fprintf(&e.b, format, args...)
	e.b.WriteByte('\n')
}

func (e *emitter) String() string { return e.b.String() }

// limbs returns n little-endian 64-bit limbs of v.
func limbs(v *big.Int, n int) []uint64 {
	out := make([]uint64, n)
	t := new(big.Int).Set(v)
	mask := new(big.Int).SetUint64(^uint64(0))
	for i := range out {
		out[i] = new(big.Int).And(t, mask).Uint64()
		t.Rsh(t, 64)
	}
	if t.Sign() != 0 {
		panic("value does not fit")
	}
	return out
}

// literal formats limbs as a Go composite literal of type typ.
func literal(typ string, l []uint64) string {
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = fmt.Sprintf("%#016x", v)
	}
	return typ + "{" + strings.Join(parts, ", ") + "}"
}

// join formats i = 0 ... n-1 with format and joins the results with sep.
func join(format string, n int, sep string) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(s, sep)
}
