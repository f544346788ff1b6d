package gostpkix

import (
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/internal/ossltest"
)

// TestOpenSSLKeys moves keys both ways on every parameter set the gost engine
// supports: engine keys (private and public) parse here to the same key, and
// keys made here are read by the engine, which derives the same public key.
func TestOpenSSLKeys(t *testing.T) {
	o := ossltest.Require(t)
	dir := t.TempDir()
	for _, ps := range ossltest.Paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			c, err := gost3410.CurveByName(ps.Curve)
			if err != nil {
				t.Fatal(err)
			}
			// engine -> here
			keyPEM, err := o.GenerateKey(ps)
			if err != nil {
				t.Fatal(err)
			}
			key, err := ParsePrivateKeyPEM(keyPEM)
			if err != nil {
				t.Fatalf("engine private key: %v", err)
			}
			if key.Curve() != c {
				t.Fatalf("engine key on %s, want %s", key.Curve().Name, c.Name)
			}
			pubPEM := o.MustRun(t, keyPEM, "pkey", "-engine", "gost", "-pubout")
			pub, err := ParsePublicKeyPEM(pubPEM)
			if err != nil {
				t.Fatalf("engine public key: %v", err)
			}
			if !pub.Equal(key.PublicKey()) {
				t.Fatal("engine public key differs from the one derived here")
			}

			// here -> engine
			mine, err := gost3410.GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			minePEM, err := EncodePrivateKeyPEM(mine)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, ps.Curve+".pem")
			if err := os.WriteFile(path, minePEM, 0o600); err != nil {
				t.Fatal(err)
			}
			text := string(o.MustRun(t, nil, "pkey", "-engine", "gost", "-in", path, "-text", "-noout"))
			if !strings.Contains(text, "Private key:") {
				t.Fatalf("engine did not print our key: %s", text)
			}
			enginePub, err := ParsePublicKeyPEM(o.MustRun(t, nil, "pkey", "-engine", "gost", "-in", path, "-pubout"))
			if err != nil {
				t.Fatal(err)
			}
			if !enginePub.Equal(mine.PublicKey()) {
				t.Fatal("engine derived another public key from our private key")
			}
			minePub, err := EncodePublicKeyPEM(mine.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			// The engine re-encodes our public key to the same DER when it
			// writes the same digestParamSet choice (all but the 512-bit A
			// and B sets, where it adds one RFC 9215 says to omit).
			again := o.MustRun(t, minePub, "pkey", "-engine", "gost", "-pubin", "-pubout", "-outform", "DER")
			ours, _ := pem.Decode(minePub)
			if ps.Algorithm == "gost2012_256" || ps.Paramset == "C" {
				if string(again) != string(ours.Bytes) {
					t.Errorf("engine re-encoded our public key differently:\n%x\n%x", again, ours.Bytes)
				}
			}
			back, err := ParsePKIXPublicKey(again)
			if err != nil || !back.Equal(mine.PublicKey()) {
				t.Errorf("engine's encoding of our public key: %v", err)
			}
		})
	}
}
