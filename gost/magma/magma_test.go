package magma

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8891 A.1: the transformation t.
func TestT(t *testing.T) {
	// t without the rotation: undo the <<< 11 of the tables.
	tf := func(a uint32) uint32 { x := g(0, a); return x>>11 | x<<21 }
	vec := []uint32{0xfdb97531, 0x2a196f34, 0xebd9f03a, 0xb039bb3d, 0x68695433}
	for i := 0; i+1 < len(vec); i++ {
		if got := tf(vec[i]); got != vec[i+1] {
			t.Errorf("t(%08x) = %08x, want %08x", vec[i], got, vec[i+1])
		}
	}
}

// RFC 8891 A.2: the transformation g.
func TestG(t *testing.T) {
	vec := [][3]uint32{
		{0x87654321, 0xfedcba98, 0xfdcbc20c},
		{0xfdcbc20c, 0x87654321, 0x7e791a4b},
		{0x7e791a4b, 0xfdcbc20c, 0xc76549ec},
		{0xc76549ec, 0x7e791a4b, 0x9791c849},
	}
	for _, v := range vec {
		if got := g(v[0], v[1]); got != v[2] {
			t.Errorf("g[%08x](%08x) = %08x, want %08x", v[0], v[1], got, v[2])
		}
	}
}

// RFC 8891 A.3–A.5: key schedule, encryption and decryption.
func TestRFC8891(t *testing.T) {
	key := mustHex(t, "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
	b, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	keys := []uint32{0xffeeddcc, 0xbbaa9988, 0x77665544, 0x33221100, 0xf0f1f2f3, 0xf4f5f6f7, 0xf8f9fafb, 0xfcfdfeff}
	c := b.(*Cipher)
	for i := 0; i < 32; i++ {
		want := keys[i%8]
		if i >= 24 {
			want = keys[31-i]
		}
		if c.enc[i] != want {
			t.Errorf("K_%d = %08x, want %08x", i+1, c.enc[i], want)
		}
	}
	pt := mustHex(t, "fedcba9876543210")
	ct := mustHex(t, "4ee901e5c2d8ca3d")
	got := make([]byte, 8)
	b.Encrypt(got, pt)
	if !bytes.Equal(got, ct) {
		t.Errorf("Encrypt = %x, want %x", got, ct)
	}
	b.Decrypt(got, ct)
	if !bytes.Equal(got, pt) {
		t.Errorf("Decrypt = %x, want %x", got, pt)
	}
	buf := bytes.Clone(pt)
	b.Encrypt(buf, buf)
	if !bytes.Equal(buf, ct) {
		t.Errorf("in-place Encrypt = %x", buf)
	}
}

func TestKeySizes(t *testing.T) {
	for _, n := range []int{0, 8, 31, 33} {
		c, err := NewCipher(make([]byte, n))
		if err == nil || c != nil {
			t.Errorf("key of %d bytes accepted", n)
		} else if !strings.Contains(err.Error(), "32") {
			t.Errorf("key of %d bytes: unclear error %q", n, err)
		}
	}
}

func TestShortBlockPanics(t *testing.T) {
	c, _ := NewCipher(make([]byte, KeySize))
	for name, f := range map[string]func(){
		"encrypt short src": func() { c.Encrypt(make([]byte, 8), make([]byte, 7)) },
		"decrypt short dst": func() { c.Decrypt(make([]byte, 7), make([]byte, 8)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

// GOST R 34.13-2015 A.2.1: ECB over four blocks (as reproduced in GoGOST
// and RustCrypto tests).
func TestECB3413(t *testing.T) {
	c, _ := NewCipher(mustHex(t, "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"))
	pt := mustHex(t, "92def06b3c130a59db54c704f8189d204a98fb2e67a8024c8912409b17b57e41")
	want := mustHex(t, "2b073f0494f372a0de70e715d3556e4811d8d9e9eacfbc1e7c68260996c67efb")
	got := make([]byte, len(pt))
	for i := 0; i < len(pt); i += BlockSize {
		c.Encrypt(got[i:], pt[i:])
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("ECB = %x, want %x", got, want)
	}
	for i := 0; i < len(pt); i += BlockSize {
		c.Decrypt(got[i:], got[i:])
	}
	if !bytes.Equal(got, pt) {
		t.Fatalf("ECB decryption = %x", got)
	}
}

// TestEncryptBlocks compares the batched ECB with block-by-block Encrypt.
func TestEncryptBlocks(t *testing.T) {
	b, _ := NewCipher(mustHex(t, "ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"))
	c := b.(*Cipher)
	for blocks := 0; blocks < 6; blocks++ {
		src := make([]byte, blocks*BlockSize)
		for i := range src {
			src[i] = byte(i*7 + blocks)
		}
		want := make([]byte, len(src))
		for i := 0; i < len(src); i += BlockSize {
			c.Encrypt(want[i:], src[i:])
		}
		c.EncryptBlocks(src, src)
		if !bytes.Equal(src, want) {
			t.Fatalf("%d blocks: EncryptBlocks differs from Encrypt", blocks)
		}
	}
	for name, f := range map[string]func(){
		"partial block": func() { c.EncryptBlocks(make([]byte, 16), make([]byte, 9)) },
		"short output":  func() { c.EncryptBlocks(make([]byte, 8), make([]byte, 16)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkEncryptBlocks(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, 1024)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		c.(*Cipher).EncryptBlocks(buf, buf)
	}
}
