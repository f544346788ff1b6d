package streebog

import (
	"bytes"
	"encoding/hex"
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

// reversed returns the bytes of the hex string s in reverse order: RFC 6986
// prints vectors most significant byte first (gost-vectors.md §0).
func reversed(t testing.TB, s string) []byte {
	b := mustHex(t, s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// The RFC 6986 §10 examples, exactly as printed there.
var rfc6986 = []struct {
	name, msg, h512, h256 string
}{
	{
		name: "M1",
		msg: "32313039383736353433323130393837" +
			"36353433323130393837363534333231" +
			"30393837363534333231303938373635" +
			"343332313039383736353433323130",
		h512: "486f64c1917879417fef082b3381a4e2" +
			"11c324f074654c38823a7b76f830ad00" +
			"fa1fbae42b1285c0352f227524bc9ab1" +
			"6254288dd6863dccd5b9f54a1ad0541b",
		h256: "00557be5e584fd52a449b16b0251d05d" +
			"27f94ab76cbaa6da890b59d8ef1e159d",
	},
	{
		name: "M2",
		msg: "fbe2e5f0eee3c820fbeafaebef20fffb" +
			"f0e1e0f0f520e0ed20e8ece0ebe5f0f2" +
			"f120fff0eeec20f120faf2fee5e2202c" +
			"e8f6f3ede220e8e6eee1e8f0f2d1202c" +
			"e8f0f2e5e220e5d1",
		h512: "28fbc9bada033b1460642bdcddb90c3f" +
			"b3e56c497ccd0f62b8a2ad4935e85f03" +
			"7613966de4ee00531ae60f3b5a47f8da" +
			"e06915d5f2f194996fcabf2622e6881e",
		h256: "508f7e553c06501d749a66fc28c6cac0" +
			"b005746d97537fa85d9e40904efed29d",
	},
}

func TestRFC6986(t *testing.T) {
	for _, v := range rfc6986 {
		msg := reversed(t, v.msg)
		if got, want := Sum512(msg), reversed(t, v.h512); !bytes.Equal(got[:], want) {
			t.Errorf("%s: Sum512 = %x, want %x", v.name, got, want)
		}
		if got, want := Sum256(msg), reversed(t, v.h256); !bytes.Equal(got[:], want) {
			t.Errorf("%s: Sum256 = %x, want %x", v.name, got, want)
		}
	}
}

// TestByteOrderForm checks the M1 vector in the byte-order form of
// gost-vectors.md §1 (what openssl dgst prints), so the reversal in
// TestRFC6986 cannot hide a consistent mistake.
func TestByteOrderForm(t *testing.T) {
	msg := []byte("012345678901234567890123456789012345678901234567890123456789012")
	if got := Sum256(msg); hex.EncodeToString(got[:]) != "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500" {
		t.Errorf("Sum256(M1) = %x", got)
	}
	got := Sum512(nil)
	if hex.EncodeToString(got[:]) != "8e945da209aa869f0455928529bcae4679e9873ab707b55315f56ceb98bef0a7362f715528356ee83cda5f2aac4c6ad2ba3a715c1bcd81cb8e9f90bf4c1c1a8a" {
		t.Errorf("Sum512(empty) = %x", got)
	}
	got2 := Sum256(nil)
	if hex.EncodeToString(got2[:]) != "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb" {
		t.Errorf("Sum256(empty) = %x", got2)
	}
}
