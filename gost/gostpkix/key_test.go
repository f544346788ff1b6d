package gostpkix

import (
	"bytes"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
)

// rfcCerts are the RFC 9215 Appendix D certificates (gost-vectors.md §10),
// kept with the X.509 package.
var rfcCerts = []string{
	"../gostx509/testdata/rfc9215-d1-cert.pem",
	"../gostx509/testdata/rfc9215-d2-cert.pem",
	"../gostx509/testdata/rfc9215-d3-cert.pem",
}

// readPEM returns the bytes of the only PEM block in a test file.
func readPEM(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return b.Bytes
}

// certSPKI digs the SubjectPublicKeyInfo out of a certificate without the
// X.509 package, so these tests stand on their own.
func certSPKI(t testing.TB, der []byte) []byte {
	t.Helper()
	var cert struct {
		TBS struct {
			Version   asn1.RawValue `asn1:"optional,explicit,tag:0"`
			Serial    *big.Int
			Algorithm pkix.AlgorithmIdentifier
			Issuer    asn1.RawValue
			Validity  asn1.RawValue
			Subject   asn1.RawValue
			SPKI      asn1.RawValue
			Rest      asn1.RawValue `asn1:"optional,explicit,tag:3"`
		}
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		t.Fatal(err)
	}
	return cert.TBS.SPKI.FullBytes
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reversed returns b in the opposite byte order: RFC values are printed
// big-endian, GOST keys are stored little-endian.
func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}

// TestRFC9215PublicKeys parses the key of each Appendix D certificate,
// checks the point against the printed x and y, and re-encodes it to the
// same bytes (D.1 carries a digestParamSet, D.2 and D.3 do not).
func TestRFC9215PublicKeys(t *testing.T) {
	want := []struct{ curve, x, y string }{
		{"test-2001", "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			"26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"},
		{"tc26-256-A", "99C3DF265EA59350640BA69D1DE04418AF3FEA03EC0F85F2DD84E8BED4952774",
			"E218631A69C47C122E2D516DA1C09E6BD19344D94389D1F16C0C4D4DCF96F578"},
		{"tc26-512-test", "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD" +
			"5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
			"37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61" +
				"EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC"},
	}
	for i, path := range rfcCerts {
		spki := certSPKI(t, readPEM(t, path))
		pub, err := ParsePKIXPublicKey(spki)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if pub.Curve().Name != want[i].curve {
			t.Errorf("%s: curve %s, want %s", path, pub.Curve().Name, want[i].curve)
		}
		point := append(reversed(mustHex(t, want[i].x)), reversed(mustHex(t, want[i].y))...)
		if !bytes.Equal(pub.Bytes(), point) {
			t.Errorf("%s: public key %x, want LE(x)||LE(y) %x", path, pub.Bytes(), point)
		}
		again, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, spki) {
			t.Errorf("%s: re-encoded SubjectPublicKeyInfo\n%x\nwant\n%x", path, again, spki)
		}
	}
}

// TestRFC9215PrivateKey loads the PKCS#8 form of the D.2 key: it must yield
// the D.2 certificate's public key and re-encode to the same bytes.
func TestRFC9215PrivateKey(t *testing.T) {
	data, err := os.ReadFile("../gostx509/testdata/rfc9215-d2-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParsePrivateKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	d := reversed(mustHex(t, "3A929ADE789BB9BE10ED359DD39A72C10B87C83F80BE18B85C041F4325B62EC1"))
	if !bytes.Equal(key.Bytes(), d) {
		t.Errorf("d = %x, want %x", key.Bytes(), d)
	}
	certPub, err := ParsePKIXPublicKey(certSPKI(t, readPEM(t, rfcCerts[1])))
	if err != nil {
		t.Fatal(err)
	}
	if !key.PublicKey().Equal(certPub) {
		t.Error("the D.2 private key does not yield the D.2 certificate's public key")
	}
	der, err := MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if want := readPEM(t, "../gostx509/testdata/rfc9215-d2-key.pem"); !bytes.Equal(der, want) {
		t.Errorf("re-encoded PKCS#8\n%x\nwant\n%x", der, want)
	}
	out, err := EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKeyPEM(out)
	if err != nil || !back.Equal(key) {
		t.Fatalf("PEM round trip: %v", err)
	}
}

// pkcs8With rebuilds a PKCS#8 key with another privateKey OCTET STRING, as
// other producers write it.
func pkcs8With(t *testing.T, key *gost3410.PrivateKey, inner []byte) []byte {
	t.Helper()
	ai, err := KeyAlgorithm(key.Curve())
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(privateKeyInfo{Algorithm: ai, PrivateKey: inner})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestPrivateKeyForms checks every privateKey form the gost engine reads:
// raw, wrapped in an OCTET STRING, as an INTEGER, and masked.
func TestPrivateKeyForms(t *testing.T) {
	for _, name := range []string{"tc26-256-A", "cryptopro-B", "tc26-512-C"} {
		c, err := gost3410.CurveByName(name)
		if err != nil {
			t.Fatal(err)
		}
		key, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		d := key.Bytes()
		dInt := new(big.Int).SetBytes(reversed(d))
		octet, _ := asn1.Marshal(d)
		integer, _ := asn1.Marshal(dInt)

		// masked: d = m0 * m1 mod q, m0 = d * m1^-1.
		q := c.Q()
		m1 := big.NewInt(0x1234567)
		m0 := new(big.Int).Mul(dInt, new(big.Int).ModInverse(m1, q))
		m0.Mod(m0, q)
		masked := append(littleEndian(m0, c.PointSize), littleEndian(m1, c.PointSize)...)
		seq, _ := asn1.Marshal(maskedKey{MaskedKey: masked, PublicKey: []byte{1}})

		forms := map[string][]byte{"raw": d, "octet": octet, "integer": integer, "masked": masked, "masked-seq": seq}
		for form, inner := range forms {
			got, err := ParsePKCS8PrivateKey(pkcs8With(t, key, inner))
			if err != nil {
				t.Errorf("%s %s: %v", name, form, err)
				continue
			}
			if !got.Equal(key) {
				t.Errorf("%s %s: parsed another key", name, form)
			}
		}
	}
}

// TestOneAsymmetricKey accepts a version 1 key whose public key matches and
// rejects one whose public key belongs to another key.
func TestOneAsymmetricKey(t *testing.T) {
	c, _ := gost3410.CurveByName("tc26-256-B")
	key, _ := gost3410.GenerateKey(c, rand.Reader)
	other, _ := gost3410.GenerateKey(c, rand.Reader)
	ai, _ := KeyAlgorithm(c)
	build := func(pub *gost3410.PublicKey) []byte {
		point, _ := asn1.Marshal(pub.Bytes())
		der, err := asn1.Marshal(privateKeyInfo{Version: 1, Algorithm: ai, PrivateKey: key.Bytes(),
			PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	if got, err := ParsePKCS8PrivateKey(build(key.PublicKey())); err != nil || !got.Equal(key) {
		t.Errorf("matching public key: %v", err)
	}
	if _, err := ParsePKCS8PrivateKey(build(other.PublicKey())); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("mismatched public key accepted: %v", err)
	}
}

// TestBadKeys feeds broken encodings; each must fail with a specific error.
func TestBadKeys(t *testing.T) {
	c256, _ := gost3410.CurveByName("tc26-256-A")
	key, _ := gost3410.GenerateKey(c256, rand.Reader)
	good, _ := MarshalPKCS8PrivateKey(key)
	goodPub, _ := MarshalPKIXPublicKey(key.PublicKey())

	algo := func(oid asn1.ObjectIdentifier, params ...asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
		ai := pkix.AlgorithmIdentifier{Algorithm: oid}
		if len(params) > 0 {
			kp := keyParameters{PublicKeyParamSet: params[0]}
			if len(params) > 1 {
				kp.DigestParamSet = params[1]
			}
			der, _ := asn1.Marshal(kp)
			ai.Parameters = asn1.RawValue{FullBytes: der}
		}
		return ai
	}
	spki := func(ai pkix.AlgorithmIdentifier, point []byte) []byte {
		inner, _ := asn1.Marshal(point)
		der, _ := asn1.Marshal(publicKeyInfo{Algorithm: ai, PublicKey: asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)}})
		return der
	}
	tcA := asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}
	tc512A := asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}
	point := key.PublicKey().Bytes()
	offCurve := append([]byte(nil), point...)
	offCurve[0] ^= 1

	pubCases := []struct {
		name, der, want string
	}{
		{"empty", "", "malformed"},
		{"truncated", string(goodPub[:len(goodPub)-1]), "malformed"},
		{"trailing", string(append(append([]byte(nil), goodPub...), 0)), "trailing"},
		{"rsa", string(spki(algo(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}), point)), "not GOST R 34.10-2012"},
		{"gost2001", string(spki(algo(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}, tcA), point)), "2001"},
		{"no params", string(spki(algo(OIDPublicKey256), point)), "no parameters"},
		{"unknown set", string(spki(algo(OIDPublicKey256, asn1.ObjectIdentifier{1, 2, 3}), point)), "unknown parameter set"},
		{"size mismatch", string(spki(algo(OIDPublicKey256, tc512A), point)), "512-bit keys"},
		{"wrong digest", string(spki(algo(OIDPublicKey256, tcA, OIDStreebog512), point)), "digestParamSet"},
		{"short point", string(spki(algo(OIDPublicKey256, tcA), point[:63])), "63 bytes"},
		{"off curve", string(spki(algo(OIDPublicKey256, tcA), offCurve)), "invalid public key"},
	}
	for _, tc := range pubCases {
		_, err := ParsePKIXPublicKey([]byte(tc.der))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SPKI %s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := ParsePKIXPublicKey(spki(algo(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}), point)); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("RSA key: %v, want ErrUnsupportedAlgorithm", err)
	}

	qLE := littleEndian(c256.Q(), 32)
	privCases := []struct {
		name, der, want string
	}{
		{"empty", "", "malformed"},
		{"truncated", string(good[:len(good)-3]), "malformed"},
		{"trailing", string(append(append([]byte(nil), good...), 0, 0)), "trailing"},
		{"zero", string(pkcs8With(t, key, make([]byte, 32))), "invalid private key"},
		{"d = q", string(pkcs8With(t, key, qLE)), "invalid private key"},
		{"odd length", string(pkcs8With(t, key, make([]byte, 31))), "no known form"},
		{"short octet", string(pkcs8With(t, key, append([]byte{4, 31}, make([]byte, 31)...))), "31 bytes"},
		{"negative integer", string(pkcs8With(t, key, []byte{2, 1, 0xff})), "out of range"},
		{"empty key", string(pkcs8With(t, key, nil)), "empty private key"},
	}
	for _, tc := range privCases {
		_, err := ParsePKCS8PrivateKey([]byte(tc.der))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PKCS#8 %s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	v2, _ := asn1.Marshal(privateKeyInfo{Version: 2, Algorithm: algo(OIDPublicKey256, tcA), PrivateKey: key.Bytes()})
	if _, err := ParsePKCS8PrivateKey(v2); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("PKCS#8 version 2: %v", err)
	}
}

// TestPEMErrors names what a PEM file holds when it is not what was asked.
func TestPEMErrors(t *testing.T) {
	enc := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})
	if _, err := ParsePrivateKeyPEM(enc); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("encrypted key: %v", err)
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})
	if _, err := ParsePublicKeyPEM(cert); err == nil || !strings.Contains(err.Error(), `"CERTIFICATE"`) {
		t.Errorf("certificate as public key: %v", err)
	}
	if _, err := ParsePrivateKeyPEM([]byte("not pem")); err == nil || !strings.Contains(err.Error(), "no PEM data") {
		t.Errorf("no PEM: %v", err)
	}
}

// TestMarshalRoundTrip encodes a fresh key on every curve and reads it back;
// digestParamSet appears exactly for the CryptoPro sets (RFC 9215 §4.2).
func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range gost3410.Curves() {
		key, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := MarshalPKIXPublicKey(key.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParsePKIXPublicKey(der)
		if err != nil || !pub.Equal(key.PublicKey()) || pub.Curve() != c {
			t.Errorf("%s: SPKI round trip: %v", c.Name, err)
		}
		hasDigest := bytes.Contains(der, mustMarshal(t, DigestAlgorithm(c)))
		if want := strings.HasPrefix(c.Name, "cryptopro-") || c.Name == "test-2001"; hasDigest != want {
			t.Errorf("%s: digestParamSet present = %v, want %v", c.Name, hasDigest, want)
		}
		p8, err := MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePKCS8PrivateKey(p8)
		if err != nil || !back.Equal(key) || back.Curve() != c {
			t.Errorf("%s: PKCS#8 round trip: %v", c.Name, err)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
