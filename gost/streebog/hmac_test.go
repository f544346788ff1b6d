package streebog_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"encoding/hex"
	"hash"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/streebog"
)

// spaced decodes hex written with spaces, as RFC 7836 prints it.
func spaced(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHMACRFC7836 checks RFC 7836 Appendix B examples 1 and 2 through
// crypto/hmac.
func TestHMACRFC7836(t *testing.T) {
	key := spaced(t, `00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
   10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f`)
	msg := spaced(t, `01 26 bd b8 78 00 af 21 43 41 45 65 63 78 01 00`)
	cases := []struct {
		name string
		new  func() hash.Hash
		want string
	}{
		{"HMAC_GOSTR3411_2012_256", streebog.New256, `
   a1 aa 5f 7d e4 02 d7 b3 d3 23 f2 99 1c 8d 45 34
   01 31 37 01 0a 83 75 4f d0 af 6d 7c d4 92 2e d9`},
		{"HMAC_GOSTR3411_2012_512", streebog.New512, `
   a5 9b ab 22 ec ae 19 c6 5f bd e6 e5 f4 e9 f5 d8
   54 9d 31 f0 37 f9 df 9b 90 55 00 e1 71 92 3a 77
   3d 5f 15 30 f2 ed 7e 96 4c b2 ee dc 29 e9 ad 2f
   3a fe 93 b2 81 4f 79 f5 00 0f fc 03 66 c2 51 e6`},
	}
	for _, c := range cases {
		m := hmac.New(c.new, key)
		m.Write(msg)
		if got := m.Sum(nil); !bytes.Equal(got, spaced(t, c.want)) {
			t.Errorf("%s = %x", c.name, got)
		}
	}
}

// TestPBKDF2 checks PBKDF2-HMAC-Streebog-512 (R 50.1.111-2016 vectors,
// gost-vectors.md §2) through crypto/pbkdf2.
func TestPBKDF2(t *testing.T) {
	cases := []struct {
		iter int
		want string
	}{
		{1, "64770af7f748c3b1c9ac831dbcfd85c26111b30a8a657ddc3056b80ca73e040d2854fd36811f6d825cc4ab66ec0a68a490a9e5cf5156b3a2b7eecddbf9a16b47"},
		{2, "5a585bafdfbb6e8830d6d68aa3b43ac00d2e4aebce01c9b31c2caed56f0236d4d34b2b8fbd2c4e89d54d46f50e47d45bbac301571743119e8d3c42ba66d348de"},
	}
	for _, c := range cases {
		got, err := pbkdf2.Key(streebog.New512, "password", []byte("salt"), c.iter, 64)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != c.want {
			t.Errorf("c=%d: %x", c.iter, got)
		}
	}
}
