package cryptocmd

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gostpkix"
)

// TestKeysHashSignAgainstOpenSSL: on every parameter set the engine
// supports, the CLI's key is read by `openssl pkey`, its public key matches
// the engine's derivation, `hash` prints what `openssl dgst` prints, its
// signature passes `openssl dgst -verify`, and the engine's signature passes
// `verify` (a damaged one exits 1).
func TestKeysHashSignAgainstOpenSSL(t *testing.T) {
	o := requireOpenSSL(t)
	dir := t.TempDir()
	data := write(t, dir, "data.bin", []byte("Платёж 1000.00 RUB\x00\xff"))
	for _, ps := range paramsets {
		t.Run(ps.Algorithm+"-"+ps.Paramset, func(t *testing.T) {
			key := filepath.Join(dir, ps.Curve+".key")
			pub := filepath.Join(dir, ps.Curve+".pub")
			sig := filepath.Join(dir, ps.Curve+".sig")
			must(t, "keygen", "-curve", ps.Curve, "-out", key)
			must(t, "pubkey", "-in", key, "-out", pub)
			enginePub, err := gostpkix.ParsePublicKeyPEM(o.MustRun(t, nil, "pkey", "-engine", "gost", "-in", key, "-pubout"))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := gostpkix.ParsePublicKeyPEM(read(t, pub))
			if err != nil || !ours.Equal(enginePub) {
				t.Fatalf("engine derived another public key (%v)", err)
			}

			alg := "streebog256"
			if strings.HasSuffix(ps.Algorithm, "512") {
				alg = "streebog512"
			}
			dgst := string(o.MustRun(t, nil, "dgst", "-engine", "gost", ps.Digest, data))
			if r := must(t, "hash", "-alg", alg, data); !strings.HasSuffix(strings.TrimSpace(dgst), "= "+strings.TrimSpace(r.stdout)) {
				t.Errorf("hash printed %q, openssl %q", r.stdout, dgst)
			}

			must(t, "sign", "-key", key, "-in", data, "-out", sig)
			out := o.MustRun(t, nil, "dgst", "-engine", "gost", ps.Digest, "-verify", pub, "-signature", sig, data)
			if !bytes.Contains(out, []byte("Verified OK")) {
				t.Errorf("openssl dgst -verify: %s", out)
			}

			engineSig := filepath.Join(dir, ps.Curve+".engine.sig")
			o.MustRun(t, nil, "dgst", "-engine", "gost", ps.Digest, "-sign", key, "-out", engineSig, data)
			must(t, "verify", "-pub", pub, "-in", data, "-sig", engineSig)
			raw := read(t, engineSig)
			raw[0] ^= 0x10
			expect(t, run(t, "", "verify", "-pub", pub, "-in", data, "-sig", write(t, dir, "damaged.sig", raw)), ExitFailed, "Verification failure")
			if _, err := o.Run(nil, "dgst", "-engine", "gost", ps.Digest, "-verify", pub, "-signature", filepath.Join(dir, "damaged.sig"), data); err == nil {
				t.Error("openssl accepted the damaged signature: the witness cannot say no")
			}
		})
	}
}

// TestCertsAndCMSAgainstOpenSSL: for a 256-bit TC26, a CryptoPro and a
// 512-bit set, a CA and a leaf made with `cert` pass `openssl verify`; CMS
// signatures made with `cms-sign` in all four shapes pass `openssl cms
// -verify`; the engine's in all four shapes pass `cms-verify -ca`, and fail
// over tampered content.
func TestCertsAndCMSAgainstOpenSSL(t *testing.T) {
	o := requireOpenSSL(t)
	for _, curve := range []string{"tc26-256-A", "cryptopro-XchB", "tc26-512-B"} {
		t.Run(curve, func(t *testing.T) {
			dir := t.TempDir()
			caKey, ca := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.pem")
			key, cert := filepath.Join(dir, "leaf.key"), filepath.Join(dir, "leaf.pem")
			must(t, "keygen", "-curve", curve, "-out", caKey)
			must(t, "cert", "-key", caKey, "-subject", "CN=Тестовый УЦ,O=Example,C=RU", "-days", "2", "-out", ca)
			must(t, "keygen", "-curve", curve, "-out", key)
			must(t, "cert", "-key", key, "-subject", "CN=Иван Петров,SNILS=11223344595", "-days", "1", "-out", cert, "-ca", ca, "-ca-key", caKey)
			if out, err := o.Run(nil, "verify", "-engine", "gost", "-CAfile", ca, cert); err != nil || !bytes.Contains(out, []byte(": OK")) {
				t.Fatalf("openssl verify: %s %v", out, err)
			}
			text := string(o.MustRun(t, nil, "x509", "-engine", "gost", "-in", cert, "-noout", "-text", "-nameopt", "utf8"))
			if !strings.Contains(text, "SNILS=11223344595") || !strings.Contains(text, "CA:FALSE") {
				t.Errorf("openssl x509 -text:\n%s", text)
			}

			content := "Документ для подписи\r\n"
			doc := write(t, dir, "doc.txt", []byte(content))
			tampered := write(t, dir, "tampered.txt", []byte(content+" "))
			for _, mode := range [][]string{nil, {"-detached"}, {"-noattr"}, {"-detached", "-noattr"}} {
				detached := len(mode) > 0 && mode[0] == "-detached"
				noattr := len(mode) > 0 && mode[len(mode)-1] == "-noattr"

				// ours -> openssl
				sig := filepath.Join(dir, "ours"+strings.Join(mode, "")+".p7s")
				must(t, append([]string{"cms-sign", "-key", key, "-cert", cert, "-in", doc, "-out", sig}, mode...)...)
				args := []string{"cms", "-verify", "-engine", "gost", "-inform", "DER", "-binary", "-in", sig, "-CAfile", ca}
				if detached {
					args = append(args, "-content", doc)
				}
				if out, err := o.Run(nil, args...); err != nil || string(out) != content {
					t.Errorf("openssl cms -verify of our %v signature: %q %v", mode, out, err)
				}

				// openssl -> ours
				esig := filepath.Join(dir, "engine"+strings.Join(mode, "")+".p7s")
				sargs := []string{"cms", "-sign", "-engine", "gost", "-binary", "-signer", cert, "-inkey", key, "-in", doc, "-outform", "DER", "-out", esig}
				if !detached {
					sargs = append(sargs, "-nodetach")
				}
				if noattr {
					sargs = append(sargs, "-noattr")
				}
				o.MustRun(t, nil, sargs...)
				vargs := []string{"cms-verify", "-in", esig, "-ca", ca}
				if detached {
					vargs = append(vargs, "-content", doc)
				}
				if r := run(t, "", vargs...); r.code != 0 || !strings.HasPrefix(r.stdout, "Verification successful\n") {
					t.Errorf("cms-verify of the engine's %v signature: %d %q", mode, r.code, r.stderr)
				}
				if detached {
					expect(t, run(t, "", "cms-verify", "-in", esig, "-ca", ca, "-content", tampered), ExitFailed, "Verification failure")
					if _, err := o.Run(nil, "cms", "-verify", "-engine", "gost", "-inform", "DER", "-binary", "-in", sig, "-content", tampered, "-noverify"); err == nil {
						t.Errorf("openssl accepted our %v signature over tampered content", mode)
					}
				}
			}
		})
	}
}
