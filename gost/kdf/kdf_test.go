package kdf

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func spaced(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 7836 Appendix B, examples 9 and 10, exactly as printed.
func TestRFC7836(t *testing.T) {
	key := spaced(t, `00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
   10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f`)
	label := spaced(t, `26 bd b8 78`)
	seed := spaced(t, `af 21 43 41 45 65 63 78`)
	want9 := spaced(t, `a1 aa 5f 7d e4 02 d7 b3 d3 23 f2 99 1c 8d 45 34
   01 31 37 01 0a 83 75 4f d0 af 6d 7c d4 92 2e d9`)
	if got := KDF256(key, label, seed); !bytes.Equal(got, want9) {
		t.Errorf("KDF_GOSTR3411_2012_256 = %x", got)
	}
	k1 := spaced(t, `22 b6 83 78 45 c6 be f6 5e a7 16 72 b2 65 83 10
   86 d3 c7 6a eb e6 da e9 1c ad 51 d8 3f 79 d1 6b`)
	k2 := spaced(t, `07 4c 93 30 59 9d 7f 8d 71 2f ca 54 39 2f 4d dd
   e9 37 51 20 6b 35 84 c8 f4 3f 9e 6d c5 15 31 f9`)
	got, err := Tree256(key, label, seed, 1, 64) // L = 512 bits, R = 1
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(bytes.Clone(k1), k2...)) {
		t.Errorf("KDF_TREE_GOSTR3411_2012_256 = %x", got)
	}
	// §4.5: KDF256 is the tree with R = 1, L = 256.
	if one, _ := Tree256(key, label, seed, 1, 32); !bytes.Equal(one, want9) {
		t.Errorf("Tree256(R=1, L=256) = %x, want KDF256", one)
	}
	// A shorter output is a prefix of the same-L block only if L is the
	// same; L is part of the input, so 16 bytes are not a prefix of 32.
	if short, _ := Tree256(key, label, seed, 1, 16); bytes.Equal(short, want9[:16]) {
		t.Error("L does not enter the derivation")
	}
}

func TestTreeRejects(t *testing.T) {
	for _, c := range []struct{ r, length int }{
		{0, 32}, {5, 32}, {1, 0}, {1, -1}, {1, 255*32 + 1},
	} {
		if out, err := Tree256(nil, nil, nil, c.r, c.length); err == nil || out != nil {
			t.Errorf("R=%d length=%d accepted", c.r, c.length)
		}
	}
	if out, err := Tree256(nil, nil, nil, 1, 255*32); err != nil || len(out) != 255*32 {
		t.Errorf("the largest output for R=1 was refused: %v", err)
	}
}
