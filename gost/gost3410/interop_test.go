package gost3410_test

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/internal/ossltest"
)

// Minimal DER for the interop tests (the formats package owns the real encoders): the
// SubjectPublicKeyInfo and PKCS#8 forms of gost-vectors.md §0 and §10.

var (
	oidKey256    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidKey512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidDigest256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
)

type keyAlgorithm struct {
	Algorithm asn1.ObjectIdentifier
	Params    asn1.RawValue
}

type spki struct {
	Algorithm keyAlgorithm
	Key       asn1.BitString
}

type pkcs8 struct {
	Version    int
	Algorithm  keyAlgorithm
	PrivateKey []byte
}

func keyAlgorithmFor(t *testing.T, c *gost3410.Curve) keyAlgorithm {
	t.Helper()
	params := []asn1.ObjectIdentifier{c.OID}
	alg := oidKey512
	if c.PointSize == 32 {
		alg = oidKey256
		if strings.HasPrefix(c.Name, "cryptopro") || c.Name == "test-2001" {
			params = append(params, oidDigest256) // required for the CryptoPro sets, RFC 9215 §4.2
		}
	}
	der, err := asn1.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	return keyAlgorithm{Algorithm: alg, Params: asn1.RawValue{FullBytes: der}}
}

func publicKeyPEM(t *testing.T, pub *gost3410.PublicKey) []byte {
	t.Helper()
	inner, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(spki{
		Algorithm: keyAlgorithmFor(t, pub.Curve()),
		Key:       asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func parsePEM(t *testing.T, data []byte, typ string) []byte {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		t.Fatalf("no %s PEM block in %q", typ, data)
	}
	return block.Bytes
}

func parsePrivateKeyPEM(t *testing.T, c *gost3410.Curve, data []byte) *gost3410.PrivateKey {
	t.Helper()
	var k pkcs8
	if _, err := asn1.Unmarshal(parsePEM(t, data, "PRIVATE KEY"), &k); err != nil {
		t.Fatal(err)
	}
	priv, err := gost3410.NewPrivateKey(c, k.PrivateKey)
	if err != nil {
		t.Fatalf("engine private key (%x): %v", k.PrivateKey, err)
	}
	return priv
}

func parsePublicKeyPEM(t *testing.T, c *gost3410.Curve, data []byte) *gost3410.PublicKey {
	t.Helper()
	var k spki
	if _, err := asn1.Unmarshal(parsePEM(t, data, "PUBLIC KEY"), &k); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	if _, err := asn1.Unmarshal(k.Key.Bytes, &raw); err != nil {
		t.Fatal(err)
	}
	pub, err := gost3410.NewPublicKey(c, raw)
	if err != nil {
		t.Fatalf("engine public key: %v", err)
	}
	return pub
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInteropWithEngine signs with the gost engine and verifies here, and the other way
// round, on every parameter set the engine supports.
func TestInteropWithEngine(t *testing.T) {
	o := ossltest.Require(t)
	for _, ps := range ossltest.Paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			c := mustCurve(t, ps.Curve)
			dir := t.TempDir()
			digest := make([]byte, c.PointSize)
			rand.Read(digest)
			digestFile := writeFile(t, dir, "digest.bin", digest)

			// Engine key and signature, checked here.
			keyPEM, err := o.GenerateKey(ps)
			if err != nil {
				t.Fatal(err)
			}
			keyFile := writeFile(t, dir, "engine.pem", keyPEM)
			priv := parsePrivateKeyPEM(t, c, keyPEM)
			enginePub := parsePublicKeyPEM(t, c, o.MustRun(t, nil, "pkey", "-engine", "gost", "-in", keyFile, "-pubout"))
			if !enginePub.Equal(priv.PublicKey()) {
				t.Fatalf("public key derived here differs from the engine's:\n here %x\n engine %x",
					priv.PublicKey().Bytes(), enginePub.Bytes())
			}
			for i := range 3 {
				sig := o.MustRun(t, nil, "pkeyutl", "-engine", "gost", "-sign", "-inkey", keyFile, "-in", digestFile)
				if !gost3410.VerifyDigest(enginePub, digest, sig) {
					t.Fatalf("engine signature %d (%x) does not verify here", i, sig)
				}
			}

			// Our key and signature, checked by the engine.
			ours, err := gost3410.GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			pubFile := writeFile(t, dir, "pub.pem", publicKeyPEM(t, ours.PublicKey()))
			for i := range 3 {
				sig, err := ours.Sign(rand.Reader, digest, nil)
				if err != nil {
					t.Fatal(err)
				}
				sigFile := writeFile(t, dir, "sig.bin", sig)
				out, err := o.Run(nil, "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", pubFile,
					"-sigfile", sigFile, "-in", digestFile)
				if err != nil || !bytes.Contains(out, []byte("Signature Verified Successfully")) {
					t.Fatalf("engine rejects our signature %d: %v %s", i, err, out)
				}
				// A tampered signature must be refused by the engine too (the check has teeth).
				sig[len(sig)-1] ^= 1
				writeFile(t, dir, "sig.bin", sig)
				if out, err := o.Run(nil, "pkeyutl", "-engine", "gost", "-verify", "-pubin", "-inkey", pubFile,
					"-sigfile", sigFile, "-in", digestFile); err == nil && bytes.Contains(out, []byte("Verified Successfully")) {
					t.Fatal("engine accepts a tampered signature")
				}
			}
		})
	}
}
