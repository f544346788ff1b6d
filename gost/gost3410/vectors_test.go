package gost3410_test

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

// beHex decodes a big-endian hex integer into size bytes, big-endian.
func beHex(t *testing.T, s string, size int) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > size {
		t.Fatalf("%s does not fit %d bytes", s, size)
	}
	return append(make([]byte, size-len(b)), b...)
}

// leHex decodes a big-endian hex integer into size bytes, little-endian.
func leHex(t *testing.T, s string, size int) []byte {
	return reversed(beHex(t, s, size))
}

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, v := range b {
		r[len(b)-1-i] = v
	}
	return r
}

func mustCurve(t testing.TB, name string) *gost3410.Curve {
	t.Helper()
	c, err := gost3410.CurveByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signatureVector is a published GOST R 34.10-2012 example; all values are big-endian hex as
// printed in the source.
type signatureVector struct {
	name, curve string
	d, xq, yq   string
	e, k, r, s  string
}

var signatureVectors = []signatureVector{
	{
		// RFC 7091 §7 (and RFC 9215 Appendix D.1 for the key).
		name: "RFC 7091 §7", curve: "test-2001",
		d:  "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
		xq: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
		yq: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
		e:  "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
		k:  "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
		r:  "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
		s:  "1456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
	},
	{
		// GOST R 34.10-2012 Appendix A.2 as reproduced in gost-vectors.md §6; key from RFC 9215 D.3.
		name: "GOST R 34.10-2012 A.2", curve: "tc26-512-test",
		d:  "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
		xq: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
		yq: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
		e:  "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
		k:  "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
		r:  "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
		s:  "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
	},
}

func TestSignatureVectors(t *testing.T) {
	for _, v := range signatureVectors {
		t.Run(v.name, func(t *testing.T) {
			c := mustCurve(t, v.curve)
			n := c.PointSize
			priv, err := gost3410.NewPrivateKey(c, leHex(t, v.d, n))
			if err != nil {
				t.Fatal(err)
			}
			wantPub := append(leHex(t, v.xq, n), leHex(t, v.yq, n)...)
			if got := priv.PublicKey().Bytes(); !bytes.Equal(got, wantPub) {
				t.Fatalf("public key\n got %x\nwant %x", got, wantPub)
			}
			// The digest whose little-endian value is e.
			digest := leHex(t, v.e, n)
			want := append(beHex(t, v.s, n), beHex(t, v.r, n)...)
			sig, ok := gost3410.SignWithNonce(priv, digest, leHex(t, v.k, n))
			if !ok {
				t.Fatal("signing with the published nonce failed")
			}
			if !bytes.Equal(sig, want) {
				t.Fatalf("signature\n got %x\nwant %x", sig, want)
			}
			pub, err := gost3410.NewPublicKey(c, wantPub)
			if err != nil {
				t.Fatal(err)
			}
			if !gost3410.VerifyDigest(pub, digest, want) {
				t.Fatal("the published signature does not verify")
			}
		})
	}
}

// TestPublicKeyVectors derives the public keys of the RFC 9215 Appendix D examples.
func TestPublicKeyVectors(t *testing.T) {
	for _, v := range []struct{ curve, d, x, y string }{
		{"tc26-256-A",
			"3A929ADE789BB9BE10ED359DD39A72C10B87C83F80BE18B85C041F4325B62EC1",
			"99C3DF265EA59350640BA69D1DE04418AF3FEA03EC0F85F2DD84E8BED4952774",
			"E218631A69C47C122E2D516DA1C09E6BD19344D94389D1F16C0C4D4DCF96F578"},
		{"test-2001",
			"7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
			"7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			"26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"},
	} {
		t.Run(v.curve, func(t *testing.T) {
			c := mustCurve(t, v.curve)
			priv, err := gost3410.NewPrivateKey(c, leHex(t, v.d, 32))
			if err != nil {
				t.Fatal(err)
			}
			want := append(leHex(t, v.x, 32), leHex(t, v.y, 32)...)
			if got := priv.PublicKey().Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("public key\n got %x\nwant %x", got, want)
			}
		})
	}
}

var bigOne = big.NewInt(1)
