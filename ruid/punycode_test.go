package ruid

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// rfc3492Samples are sample strings of RFC 3492 section 7.1 as published
// (cross-checked with Python's punycode codec). Upper-case letters in the
// encoded forms are the RFC's mixed-case annotations, which a decoder
// ignores; an encoder writes lower-case digits, so the comparison on
// encoding is case-insensitive.
var rfc3492Samples = []struct{ name, decoded, encoded string }{
	{"(A) Arabic (Egyptian)", "\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F", "egbpdaj6bu4bxfgehfvwxn"},
	{"(B) Chinese (simplified)", "\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye"},
	{"(C) Chinese (traditional)", "\u4ED6\u5011\u7232\u4EC0\u9EBD\u4E0D\u8AAA\u4E2D\u6587", "ihqwctvzc91f659drss3x8bo0yb"},
	{"(D) Czech", "Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"},
	{"(I) Russian (Cyrillic)", "почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbaDotcwatmq2g4l"},
	{"(J) Spanish", "PorquénopuedensimplementehablarenEspañol", "PorqunopuedensimplementehablarenEspaol-fmd56a"},
	{"(K) Vietnamese", "TạisaohọkhôngthểchỉnóitiếngViệt", "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"},
	{"(L) 3<nen>B<gumi><kinpachi><sensei>", "3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"},
	{"(M) <amuro><namie>-with-SUPER-MONKEYS", "安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
	{"(R) <sono><supiido><de>", "そのスピードで", "d9juau41awczczp"},
	{"(S) -> $1.00 <-", "-> $1.00 <-", "-> $1.00 <--"},
}

func TestPunycodeRFC3492(t *testing.T) {
	for _, s := range rfc3492Samples {
		enc, err := punycodeEncode(s.decoded)
		if err != nil || !strings.EqualFold(enc, s.encoded) {
			t.Errorf("%s: encode = %q, %v; want %q", s.name, enc, err, s.encoded)
		}
		dec, err := punycodeDecode(s.encoded)
		if err != nil || dec != s.decoded {
			t.Errorf("%s: decode = %q, %v; want %q", s.name, dec, err, s.decoded)
		}
	}
}

func TestPunycodeDomains(t *testing.T) {
	// Registered Russian IDN domains and their ASCII forms.
	for _, tc := range []struct{ unicode, ascii string }{
		{"почта.рф", "xn--80a1acny.xn--p1ai"},
		{"пример.рф", "xn--e1afmkfd.xn--p1ai"},
		{"москва", "xn--80adxhks"},
	} {
		if got := domainASCII(tc.unicode); got != tc.ascii {
			t.Errorf("domainASCII(%q) = %q, want %q", tc.unicode, got, tc.ascii)
		}
		a, err := ParseEmail("info@" + tc.ascii + ".example")
		if err != nil {
			t.Fatalf("ParseEmail: %v", err)
		}
		if want := "info@" + tc.unicode + ".example"; a.String() != want {
			t.Errorf("ParseEmail(ascii) = %q, want %q", a, want)
		}
		if want := "info@" + tc.ascii + ".example"; a.ASCII() != want {
			t.Errorf("ASCII() = %q, want %q", a.ASCII(), want)
		}
	}
}

func TestPunycodeInvalid(t *testing.T) {
	for _, s := range []string{
		"zz",                                    // the last integer is cut short
		"a-b!",                                  // not a digit
		"ü-abc",                                 // a non-ASCII basic code point
		"99999999999",                           // overflow
		"-",                                     // the delimiter alone
		"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz9", // overflow of w
	} {
		if dec, err := punycodeDecode(s); err == nil {
			t.Errorf("decode(%q) = %q, want an error", s, dec)
		}
	}
}

func FuzzPunycode(f *testing.F) {
	for _, s := range rfc3492Samples {
		f.Add(s.encoded)
		f.Add(s.decoded)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Decoding never panics; what it accepts, in lower case, is what
		// encoding its result gives back.
		if dec, err := punycodeDecode(strings.ToLower(s)); err == nil {
			if !utf8.ValidString(dec) {
				t.Fatalf("decode(%q) = invalid UTF-8", s)
			}
			enc, err := punycodeEncode(dec)
			if err != nil || enc != strings.ToLower(s) {
				t.Fatalf("encode(decode(%q)) = %q, %v", s, enc, err)
			}
		}
		// Encoding any valid text round-trips.
		if utf8.ValidString(s) {
			enc, err := punycodeEncode(s)
			if err != nil {
				return // too long to encode within 31-bit arithmetic
			}
			if dec, err := punycodeDecode(enc); err != nil || dec != s {
				t.Fatalf("decode(encode(%q)) = %q, %v", s, dec, err)
			}
		}
	})
}
