package ctr_test

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/ctr"
	"github.com/sep-platform/sep/gost/internal/ossltest"
	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/magma"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// GOST R 34.13-2015 A.1.2 (Kuznyechik) and A.2.2 (Magma), as reproduced in
// GoGOST, pygost and RustCrypto tests.
var vectors = []struct {
	name      string
	newCipher func([]byte) (cipher.Block, error)
	key, iv   string
	pt, ct    string
}{
	{
		name: "kuznyechik", newCipher: kuznyechik.NewCipher,
		key: "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef",
		iv:  "1234567890abcef0",
		pt: `1122334455667700ffeeddccbbaa9988 00112233445566778899aabbcceeff0a
			112233445566778899aabbcceeff0a00 2233445566778899aabbcceeff0a0011`,
		ct: `f195d8bec10ed1dbd57b5fa240bda1b8 85eee733f6a13e5df33ce4b33c45dee4
			a5eae88be6356ed3d5e877f13564a3a5 cb91fab1f20cbab6d1c6d15820bdba73`,
	},
	{
		name: "magma", newCipher: magma.NewCipher,
		key: "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		iv:  "12345678",
		pt:  "92def06b3c130a59 db54c704f8189d20 4a98fb2e67a8024c 8912409b17b57e41",
		ct:  "4e98110c97b7b93c 3e250d93d6e85d69 136d868807b2dbef 568eb680ab52a12d",
	},
}

func TestGOST3413Vectors(t *testing.T) {
	for _, v := range vectors {
		b, err := v.newCipher(mustHex(t, v.key))
		if err != nil {
			t.Fatal(err)
		}
		pt, want := mustHex(t, v.pt), mustHex(t, v.ct)
		s, err := ctr.New(b, mustHex(t, v.iv))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(pt))
		s.XORKeyStream(got, pt)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: CTR = %x, want %x", v.name, got, want)
		}
		// Decryption is the same operation; byte by byte must agree too.
		s, _ = ctr.New(b, mustHex(t, v.iv))
		back := make([]byte, len(want))
		for i := range want {
			s.XORKeyStream(back[i:i+1], want[i:i+1])
		}
		if !bytes.Equal(back, pt) {
			t.Errorf("%s: byte-wise decryption = %x", v.name, back)
		}
	}
}

func TestIVLength(t *testing.T) {
	k, _ := kuznyechik.NewCipher(make([]byte, 32))
	m, _ := magma.NewCipher(make([]byte, 32))
	for _, c := range []struct {
		b  cipher.Block
		iv int
	}{{k, 0}, {k, 4}, {k, 16}, {m, 8}, {m, 3}} {
		s, err := ctr.New(c.b, make([]byte, c.iv))
		if err == nil || s != nil {
			t.Errorf("block %d: IV of %d bytes accepted", c.b.BlockSize(), c.iv)
		} else if !strings.Contains(err.Error(), "half") {
			t.Errorf("unclear error %q", err)
		}
	}
}

// TestAgainstEngine encrypts random data of assorted lengths under random
// keys and IVs with both ciphers and compares with `openssl enc` of the
// gost engine.
func TestAgainstEngine(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{'g', 'o', 's', 't', 'c', 't', 'r'})
	for _, c := range []struct {
		flag      string
		newCipher func([]byte) (cipher.Block, error)
		ivLen     int
	}{
		{"-kuznyechik-ctr", kuznyechik.NewCipher, 8},
		{"-magma-ctr", magma.NewCipher, 4},
	} {
		for _, n := range []int{1, 15, 16, 17, 1000, 65536 + 13} {
			key := make([]byte, 32)
			iv := make([]byte, c.ivLen)
			data := make([]byte, n)
			r.Read(key)
			r.Read(iv)
			r.Read(data)
			b, _ := c.newCipher(key)
			s, err := ctr.New(b, iv)
			if err != nil {
				t.Fatal(err)
			}
			ours := make([]byte, n)
			s.XORKeyStream(ours, data)
			engine := o.MustRun(t, data, "enc", "-engine", "gost", c.flag,
				"-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv))
			if !bytes.Equal(ours, engine) {
				t.Errorf("%s, %d bytes, key %x, iv %x: differs from the engine", c.flag, n, key, iv)
			}
		}
	}
}
