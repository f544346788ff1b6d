package ruid

import (
	"testing"
	"unicode"
)

func TestDigitValue(t *testing.T) {
	for _, tc := range []struct {
		r    rune
		want int
	}{
		{'7', 7}, {'３', 3}, {'٣', 3}, {'۹', 9}, {'०', 0}, {'𝟗', 9},
	} {
		if got, ok := digitValue(tc.r); !ok || got != tc.want {
			t.Errorf("digitValue(%q) = %d, %v; want %d", tc.r, got, ok, tc.want)
		}
	}
	for _, r := range []rune{'a', '²', '½', 'Ⅻ', '-', ' '} {
		if _, ok := digitValue(r); ok {
			t.Errorf("digitValue(%q) accepted a non-digit", r)
		}
	}
	// digitValue relies on every run of decimal digits being whole sets of
	// ten; a Unicode update that broke this would misread digits.
	for _, rg := range unicode.Nd.R16 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("Nd range %#x–%#x is not whole sets of ten", rg.Lo, rg.Hi)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("Nd range %#x–%#x is not whole sets of ten", rg.Lo, rg.Hi)
		}
	}
}

func TestShowRune(t *testing.T) {
	for r, want := range map[rune]string{'Ж': "Ж", '\u00a0': "U+00A0", '\t': "U+0009", '\uFFFD': "U+FFFD", '\u200e': "U+200E"} {
		if got := showRune(r); got != want {
			t.Errorf("showRune(%U) = %q, want %q", r, got, want)
		}
	}
}
