package kuznyechik_test

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sep-platform/sep/gost/internal/ossltest"
	"github.com/sep-platform/sep/gost/kuznyechik"
)

// TestECBAgainstEngine encrypts and decrypts random blocks under random
// keys and compares with `openssl enc -kuznyechik-ecb` of the gost engine.
func TestECBAgainstEngine(t *testing.T) {
	o := ossltest.Require(t)
	r := rand.NewChaCha8([32]byte{'k', 'u', 'z'})
	for i := 0; i < 4; i++ {
		key := make([]byte, kuznyechik.KeySize)
		r.Read(key)
		data := make([]byte, 16*(1+i*97))
		r.Read(data)
		c, err := kuznyechik.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		ours := make([]byte, len(data))
		for j := 0; j < len(data); j += kuznyechik.BlockSize {
			c.Encrypt(ours[j:], data[j:])
		}
		engine := o.MustRun(t, data, "enc", "-engine", "gost", "-kuznyechik-ecb", "-nopad", "-K", hex.EncodeToString(key))
		if !bytes.Equal(ours, engine) {
			t.Fatalf("key %x: ECB encryption of %d bytes differs from the engine", key, len(data))
		}
		back := o.MustRun(t, data, "enc", "-d", "-engine", "gost", "-kuznyechik-ecb", "-nopad", "-K", hex.EncodeToString(key))
		for j := 0; j < len(data); j += kuznyechik.BlockSize {
			c.Decrypt(ours[j:], data[j:])
		}
		if !bytes.Equal(ours, back) {
			t.Fatalf("key %x: ECB decryption of %d bytes differs from the engine", key, len(data))
		}
	}
}

// hidden hides the block's NewCTR method, so crypto/cipher falls back to
// its own generic counter mode: an independent implementation of the same
// big-endian 128-bit counter.
type hidden struct{ cipher.Block }

// TestCTRMatchesGeneric compares the fast counter mode with the standard
// library's generic one, across a carry out of the low 64 bits of the
// counter and with random request sizes.
func TestCTRMatchesGeneric(t *testing.T) {
	r := rand.NewChaCha8([32]byte{'c', 't', 'r'})
	rr := rand.New(r)
	key := make([]byte, kuznyechik.KeySize)
	r.Read(key)
	c, _ := kuznyechik.NewCipher(key)
	ivs := [][]byte{
		make([]byte, 16),
		{1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd},
		bytes.Repeat([]byte{0xff}, 16), // wraps to zero
	}
	for _, iv := range ivs {
		msg := make([]byte, 3000)
		r.Read(msg)
		want := make([]byte, len(msg))
		cipher.NewCTR(hidden{c}, iv).XORKeyStream(want, msg)
		s := cipher.NewCTR(c, iv)
		if typ := fmt.Sprintf("%T", s); typ != "*kuznyechik.ctrStream" {
			t.Fatalf("crypto/cipher.NewCTR returned %s, not the fast path", typ)
		}
		got := make([]byte, len(msg))
		for off := 0; off < len(msg); {
			n := min(rr.IntN(70), len(msg)-off)
			s.XORKeyStream(got[off:off+n], msg[off:off+n])
			off += n
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("iv %x: fast CTR differs from crypto/cipher's generic CTR", iv)
		}
		// In place gives the same.
		inPlace := bytes.Clone(msg)
		cipher.NewCTR(c, iv).XORKeyStream(inPlace, inPlace)
		if !bytes.Equal(inPlace, want) {
			t.Fatalf("iv %x: in-place CTR differs", iv)
		}
	}
}

func TestCTRPanics(t *testing.T) {
	c, _ := kuznyechik.NewCipher(make([]byte, kuznyechik.KeySize))
	for name, f := range map[string]func(){
		"short iv":     func() { cipher.NewCTR(c, make([]byte, 8)) },
		"short output": func() { cipher.NewCTR(c, make([]byte, 16)).XORKeyStream(make([]byte, 3), make([]byte, 4)) },
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

// TestEncryptBlocks compares the batched ECB with block-by-block Encrypt
// for odd and even block counts, in place and not.
func TestEncryptBlocks(t *testing.T) {
	r := rand.NewChaCha8([32]byte{'e', 'c', 'b'})
	key := make([]byte, kuznyechik.KeySize)
	r.Read(key)
	b, _ := kuznyechik.NewCipher(key)
	c := b.(*kuznyechik.Cipher)
	for blocks := 0; blocks < 6; blocks++ {
		src := make([]byte, blocks*kuznyechik.BlockSize)
		r.Read(src)
		want := make([]byte, len(src))
		for i := 0; i < len(src); i += kuznyechik.BlockSize {
			c.Encrypt(want[i:], src[i:])
		}
		got := make([]byte, len(src))
		c.EncryptBlocks(got, src)
		if !bytes.Equal(got, want) {
			t.Fatalf("%d blocks: EncryptBlocks differs from Encrypt", blocks)
		}
		c.EncryptBlocks(src, src)
		if !bytes.Equal(src, want) {
			t.Fatalf("%d blocks: in-place EncryptBlocks differs", blocks)
		}
	}
	for name, f := range map[string]func(){
		"partial block": func() { c.EncryptBlocks(make([]byte, 32), make([]byte, 17)) },
		"short output":  func() { c.EncryptBlocks(make([]byte, 16), make([]byte, 32)) },
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
