package mgm_test

import (
	"bytes"
	"crypto/cipher"
	"math/rand/v2"
	"testing"

	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/magma"
	"github.com/sep-platform/sep/gost/mgm"
)

// TestRoundTrip seals and opens random messages of every length around
// the block boundaries with both ciphers.
func TestRoundTrip(t *testing.T) {
	r := rand.NewChaCha8([32]byte{'m', 'g', 'm'})
	for _, nc := range []func([]byte) (cipher.Block, error){kuznyechik.NewCipher, magma.NewCipher} {
		key := make([]byte, 32)
		r.Read(key)
		b, _ := nc(key)
		a, _ := mgm.New(b, b.BlockSize())
		for n := 0; n < 70; n++ {
			pt := make([]byte, n)
			ad := make([]byte, (n*7)%41)
			nonce := make([]byte, a.NonceSize())
			r.Read(pt)
			r.Read(ad)
			r.Read(nonce)
			nonce[0] &= 0x7f
			sealed := a.Seal(nil, nonce, pt, ad)
			if len(sealed) != n+a.Overhead() {
				t.Fatalf("sealed %d bytes into %d", n, len(sealed))
			}
			if n > 0 && bytes.Equal(sealed[:n], pt) {
				t.Fatalf("%d bytes: ciphertext equals plaintext", n)
			}
			got, err := a.Open(nil, nonce, sealed, ad)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("block %d, %d bytes: Open = %v", b.BlockSize(), n, err)
			}
		}
	}
}

func benchmarkSeal(b *testing.B, nc func([]byte) (cipher.Block, error), size int) {
	blk, _ := nc(make([]byte, 32))
	a, _ := mgm.New(blk, blk.BlockSize())
	nonce := make([]byte, a.NonceSize())
	buf := make([]byte, size, size+a.Overhead())
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		a.Seal(buf[:0], nonce, buf, nil)
	}
}

func BenchmarkKuznyechikSeal8K(b *testing.B) { benchmarkSeal(b, kuznyechik.NewCipher, 8192) }
func BenchmarkMagmaSeal8K(b *testing.B)      { benchmarkSeal(b, magma.NewCipher, 8192) }

// FuzzOpen: Open must never panic and never accept a message that Seal did
// not produce for the same nonce and associated data.
func FuzzOpen(f *testing.F) {
	b, _ := kuznyechik.NewCipher(make([]byte, 32))
	a, _ := mgm.New(b, 16)
	nonce := make([]byte, 16)
	f.Add(a.Seal(nil, nonce, []byte("plaintext"), []byte("ad")), []byte("ad"), byte(0))
	f.Add([]byte{}, []byte{}, byte(0x80))
	f.Fuzz(func(t *testing.T, sealed, ad []byte, first byte) {
		n := bytes.Clone(nonce)
		n[0] = first
		out, err := a.Open(nil, n, sealed, ad)
		if err != nil {
			return
		}
		if again := a.Seal(nil, n, out, ad); !bytes.Equal(again, sealed) {
			t.Fatalf("Open accepted %x, which Seal does not produce", sealed)
		}
	})
}
