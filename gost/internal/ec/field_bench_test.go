package ec

import "testing"

func BenchmarkFieldMul(b *testing.B) {
	b.Run("fp256a", func(b *testing.B) {
		x := fp256a{1, 2, 3, 4}
		y := fp256aP
		y[0] -= 5
		for b.Loop() {
			x.mul(&x, &y)
		}
	})
	b.Run("fp256a-sqr", func(b *testing.B) {
		x := fp256a{1, 2, 3, 4}
		for b.Loop() {
			x.sqr(&x)
		}
	})
	b.Run("fp256b", func(b *testing.B) {
		x := fp256b{1, 2, 3, 4}
		y := fp256b{5, 6, 7, 8}
		for b.Loop() {
			x.mul(&x, &y)
		}
	})
	b.Run("fp256c", func(b *testing.B) {
		x := fp256c{1, 2, 3, 4}
		y := fp256c{5, 6, 7, 8}
		for b.Loop() {
			x.mul(&x, &y)
		}
	})
	b.Run("fp512a", func(b *testing.B) {
		x := fp512a{1, 2, 3, 4, 5, 6, 7, 8}
		y := fp512a{5, 6, 7, 8, 9, 10, 11, 12}
		for b.Loop() {
			x.mul(&x, &y)
		}
	})
	b.Run("fp512a-sqr", func(b *testing.B) {
		x := fp512a{1, 2, 3, 4, 5, 6, 7, 8}
		for b.Loop() {
			x.sqr(&x)
		}
	})
	b.Run("fp256a-add", func(b *testing.B) {
		x := fp256a{1, 2, 3, 4}
		y := fp256a{5, 6, 7, 8}
		for b.Loop() {
			x.add(&x, &y)
		}
	})
	b.Run("fp256a-inv", func(b *testing.B) {
		x := fp256a{1, 2, 3, 4}
		for b.Loop() {
			x.inv(&x)
		}
	})
	b.Run("fp512a-inv", func(b *testing.B) {
		x := fp512a{1, 2, 3, 4}
		for b.Loop() {
			x.inv(&x)
		}
	})
}

func BenchmarkScalarInv(b *testing.B) {
	b.Run("tc256a", func(b *testing.B) {
		x := tc256aScalar{1, 2, 3, 4}
		for b.Loop() {
			x.inv(&x)
		}
	})
	b.Run("tc512a", func(b *testing.B) {
		x := tc512aScalar{1, 2, 3, 4}
		for b.Loop() {
			x.inv(&x)
		}
	})
}

func BenchmarkMont(b *testing.B) {
	b.Run("tc512a-mul", func(b *testing.B) {
		x := tc512aScalar{1, 2, 3, 4}
		y := tc512aScalar{5, 6, 7, 8, 9}
		for b.Loop() {
			x.mul(&x, &y)
		}
	})
	b.Run("tc512a-sqr", func(b *testing.B) {
		x := tc512aScalar{1, 2, 3, 4}
		for b.Loop() {
			x.sqr(&x)
		}
	})
	b.Run("tc256a-sqr", func(b *testing.B) {
		x := tc256aScalar{1, 2, 3, 4}
		for b.Loop() {
			x.sqr(&x)
		}
	})
	b.Run("fp512t-mul", func(b *testing.B) {
		x := fp512t{1, 2, 3, 4}
		y := fp512t{5, 6, 7, 8, 9}
		for b.Loop() {
			x.mul(&x, &y)
		}
	})
}
