package mgm_test

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/kuznyechik"
	"github.com/sep-platform/sep/gost/magma"
	"github.com/sep-platform/sep/gost/mgm"
)

// dump decodes a hex dump as RFC 9058 prints it ("00010:   FE DC ..."),
// skipping the offsets.
func dump(t testing.TB, s string) []byte {
	t.Helper()
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		if !strings.HasSuffix(f, ":") {
			b.WriteString(f)
		}
	}
	out, err := hex.DecodeString(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type vector struct {
	name         string
	newCipher    func([]byte) (cipher.Block, error)
	key, icn, ad string
	pt, ct, tag  string
}

// RFC 9058 Appendix A, all four examples, copied as printed.
var vectors = []vector{
	{
		name: "A.1.1", newCipher: kuznyechik.NewCipher,
		key: `00000:   88 99 AA BB CC DD EE FF 00 11 22 33 44 55 66 77
00010:   FE DC BA 98 76 54 32 10 01 23 45 67 89 AB CD EF`,
		icn: `00000:   11 22 33 44 55 66 77 00 FF EE DD CC BB AA 99 88`,
		ad: `00000:   02 02 02 02 02 02 02 02 01 01 01 01 01 01 01 01
00010:   04 04 04 04 04 04 04 04 03 03 03 03 03 03 03 03
00020:   EA 05 05 05 05 05 05 05 05`,
		pt: `00000:   11 22 33 44 55 66 77 00 FF EE DD CC BB AA 99 88
00010:   00 11 22 33 44 55 66 77 88 99 AA BB CC EE FF 0A
00020:   11 22 33 44 55 66 77 88 99 AA BB CC EE FF 0A 00
00030:   22 33 44 55 66 77 88 99 AA BB CC EE FF 0A 00 11
00040:   AA BB CC`,
		ct: `00000:   A9 75 7B 81 47 95 6E 90 55 B8 A3 3D E8 9F 42 FC
    00010:   80 75 D2 21 2B F9 FD 5B D3 F7 06 9A AD C1 6B 39
    00020:   49 7A B1 59 15 A6 BA 85 93 6B 5D 0E A9 F6 85 1C
    00030:   C6 0C 14 D4 D3 F8 83 D0 AB 94 42 06 95 C7 6D EB
    00040:   2C 75 52`,
		tag: `00000:   CF 5D 65 6F 40 C3 4F 5C 46 E8 BB 0E 29 FC DB 4C`,
	},
	{
		name: "A.1.2", newCipher: kuznyechik.NewCipher,
		key: `00000:   99 AA BB CC DD EE FF 00 11 22 33 44 55 66 77 FE
00010:   DC BA 98 76 54 32 10 01 23 45 67 89 AB CD EF 88`,
		icn: `00000:   11 22 33 44 55 66 77 00 FF EE DD CC BB AA 99 88`,
		ad:  `00000:   01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01`,
		pt:  `00000:`,
		ct:  ``,
		tag: `00000:   79 01 E9 EA 20 85 CD 24 7E D2 49 69 5F 9F 8A 85`,
	},
	{
		name: "A.2.1", newCipher: magma.NewCipher,
		key: `00000:   FF EE DD CC BB AA 99 88 77 66 55 44 33 22 11 00
00010:   F0 F1 F2 F3 F4 F5 F6 F7 F8 F9 FA FB FC FD FE FF`,
		icn: `00000:   12 DE F0 6B 3C 13 0A 59`,
		ad: `00000:   01 01 01 01 01 01 01 01 02 02 02 02 02 02 02 02
00010:   03 03 03 03 03 03 03 03 04 04 04 04 04 04 04 04
00020:   05 05 05 05 05 05 05 05 EA`,
		pt: `00000:   FF EE DD CC BB AA 99 88 11 22 33 44 55 66 77 00
00010:   88 99 AA BB CC EE FF 0A 00 11 22 33 44 55 66 77
00020:   99 AA BB CC EE FF 0A 00 11 22 33 44 55 66 77 88
00030:   AA BB CC EE FF 0A 00 11 22 33 44 55 66 77 88 99
00040:   AA BB CC`,
		ct: `00000:   C7 95 06 6C 5F 9E A0 3B 85 11 33 42 45 91 85 AE
    00010:   1F 2E 00 D6 BF 2B 78 5D 94 04 70 B8 BB 9C 8E 7D
    00020:   9A 5D D3 73 1F 7D DC 70 EC 27 CB 0A CE 6F A5 76
    00030:   70 F6 5C 64 6A BB 75 D5 47 AA 37 C3 BC B5 C3 4E
    00040:   03 BB 9C`,
		tag: `00000:   A7 92 80 69 AA 10 FD 10`,
	},
	{
		name: "A.2.2", newCipher: magma.NewCipher,
		key: `00000:   99 AA BB CC DD EE FF 00 11 22 33 44 55 66 77 FE
00010:   DC BA 98 76 54 32 10 01 23 45 67 89 AB CD EF 88`,
		icn: `00000:   00 77 66 55 44 33 22 11`,
		ad:  `00000:`,
		pt:  `00000:   22 33 44 55 66 77 00 FF`,
		ct:  `00000:   6A 95 E1 42 6B 25 9D 4E`,
		tag: `00000:   33 4E E2 70 45 0B EC 9E`,
	},
}

func (v vector) aead(t testing.TB) cipher.AEAD {
	t.Helper()
	b, err := v.newCipher(dump(t, v.key))
	if err != nil {
		t.Fatal(err)
	}
	a, err := mgm.New(b, b.BlockSize())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRFC9058(t *testing.T) {
	for _, v := range vectors {
		a := v.aead(t)
		nonce, ad, pt := dump(t, v.icn), dump(t, v.ad), dump(t, v.pt)
		want := append(dump(t, v.ct), dump(t, v.tag)...)
		got := a.Seal([]byte("prefix"), nonce, pt, ad)
		if !bytes.Equal(got[:6], []byte("prefix")) || !bytes.Equal(got[6:], want) {
			t.Errorf("%s: Seal = %x\nwant %x", v.name, got[6:], want)
		}
		back, err := a.Open(nil, nonce, want, ad)
		if err != nil || !bytes.Equal(back, pt) {
			t.Errorf("%s: Open = %x, %v", v.name, back, err)
		}
		// In place: Seal into the plaintext's storage, Open into the
		// ciphertext's.
		buf := make([]byte, len(pt), len(pt)+a.Overhead())
		copy(buf, pt)
		sealed := a.Seal(buf[:0], nonce, buf, ad)
		if !bytes.Equal(sealed, want) {
			t.Errorf("%s: in-place Seal = %x", v.name, sealed)
		}
		opened, err := a.Open(sealed[:0], nonce, sealed, ad)
		if err != nil || !bytes.Equal(opened, pt) {
			t.Errorf("%s: in-place Open = %x, %v", v.name, opened, err)
		}
	}
}

// TestTampering flips every bit of the ciphertext and tag and changes the
// associated data and nonce: each must be rejected, and Open must return
// no plaintext.
func TestTampering(t *testing.T) {
	for _, v := range vectors {
		a := v.aead(t)
		nonce, ad, pt := dump(t, v.icn), dump(t, v.ad), dump(t, v.pt)
		sealed := a.Seal(nil, nonce, pt, ad)
		for i := 0; i < len(sealed)*8; i++ {
			bad := bytes.Clone(sealed)
			bad[i/8] ^= 1 << (i % 8)
			if out, err := a.Open(nil, nonce, bad, ad); err == nil || out != nil {
				t.Fatalf("%s: bit %d of ciphertext||tag flipped, Open accepted", v.name, i)
			}
		}
		if len(sealed) > a.Overhead() {
			if _, err := a.Open(nil, nonce, sealed[:len(sealed)-1], ad); err == nil {
				t.Errorf("%s: truncated message accepted", v.name)
			}
		}
		if _, err := a.Open(nil, nonce, sealed, append(bytes.Clone(ad), 0)); err == nil {
			t.Errorf("%s: longer associated data accepted", v.name)
		}
		if len(ad) > 0 {
			badAD := bytes.Clone(ad)
			badAD[len(badAD)-1] ^= 0x40
			if _, err := a.Open(nil, nonce, sealed, badAD); err == nil {
				t.Errorf("%s: altered associated data accepted", v.name)
			}
			if _, err := a.Open(nil, nonce, sealed, nil); err == nil {
				t.Errorf("%s: dropped associated data accepted", v.name)
			}
		}
		badNonce := bytes.Clone(nonce)
		badNonce[len(badNonce)-1] ^= 1
		if _, err := a.Open(nil, badNonce, sealed, ad); err == nil {
			t.Errorf("%s: other nonce accepted", v.name)
		}
		// Moving bytes between the associated data and the ciphertext
		// changes the length block, so it must fail too.
		if len(ad) > 0 {
			moved := append([]byte{ad[len(ad)-1]}, sealed...)
			if _, err := a.Open(nil, nonce, moved, ad[:len(ad)-1]); err == nil {
				t.Errorf("%s: byte moved from associated data to ciphertext accepted", v.name)
			}
		}
		if _, err := a.Open(nil, nonce, sealed[:a.Overhead()-1], ad); err == nil {
			t.Errorf("%s: message shorter than a tag accepted", v.name)
		}
	}
}

// TestNonceRule: the nonce's most significant bit must be 0 (RFC 9058: the
// ICN is n-1 bits), and its length must be one block.
func TestNonceRule(t *testing.T) {
	for _, v := range vectors {
		a := v.aead(t)
		nonce := dump(t, v.icn)
		sealed := a.Seal(nil, nonce, []byte("data"), nil)
		high := bytes.Clone(nonce)
		high[0] |= 0x80
		if _, err := a.Open(nil, high, sealed, nil); err == nil || !strings.Contains(err.Error(), "most significant bit") {
			t.Errorf("%s: Open with the top bit set: %v", v.name, err)
		}
		if _, err := a.Open(nil, nonce[1:], sealed, nil); err == nil {
			t.Errorf("%s: Open with a short nonce accepted", v.name)
		}
		for name, bad := range map[string][]byte{"top bit": high, "short": nonce[1:], "long": append(bytes.Clone(nonce), 0)} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: Seal with a %s nonce did not panic", v.name, name)
					}
				}()
				a.Seal(nil, bad, []byte("data"), nil)
			}()
		}
	}
}

func TestShortTags(t *testing.T) {
	v := vectors[0]
	b, _ := v.newCipher(dump(t, v.key))
	full := dump(t, v.tag)
	for _, size := range []int{4, 8, 12, 16} {
		a, err := mgm.New(b, size)
		if err != nil {
			t.Fatal(err)
		}
		sealed := a.Seal(nil, dump(t, v.icn), dump(t, v.pt), dump(t, v.ad))
		if got := sealed[len(sealed)-size:]; !bytes.Equal(got, full[:size]) {
			t.Errorf("tag of %d bytes = %x, want the first bytes of %x", size, got, full)
		}
		if a.Overhead() != size || a.NonceSize() != 16 {
			t.Errorf("Overhead %d NonceSize %d", a.Overhead(), a.NonceSize())
		}
	}
}

func TestNewRejects(t *testing.T) {
	k, _ := kuznyechik.NewCipher(make([]byte, 32))
	m, _ := magma.NewCipher(make([]byte, 32))
	for _, c := range []struct {
		b    cipher.Block
		size int
	}{{k, 3}, {k, 17}, {m, 9}, {m, 0}, {odd{}, 8}} {
		if a, err := mgm.New(c.b, c.size); err == nil || a != nil {
			t.Errorf("block %d tag %d accepted", c.b.BlockSize(), c.size)
		}
	}
}

type odd struct{}

func (odd) BlockSize() int          { return 32 }
func (odd) Encrypt(dst, src []byte) {}
func (odd) Decrypt(dst, src []byte) {}
