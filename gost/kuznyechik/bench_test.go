package kuznyechik

import (
	"crypto/cipher"
	"testing"
)

func BenchmarkEncrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	buf := make([]byte, BlockSize)
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Decrypt(buf, buf)
	}
}

func BenchmarkCTR8K(b *testing.B) {
	c, _ := NewCipher(make([]byte, KeySize))
	s := cipher.NewCTR(c, make([]byte, BlockSize))
	buf := make([]byte, 8192)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		s.XORKeyStream(buf, buf)
	}
}

func BenchmarkExpand(b *testing.B) {
	key := make([]byte, KeySize)
	for b.Loop() {
		NewCipher(key)
	}
}
