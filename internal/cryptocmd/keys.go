package cryptocmd

import (
	"crypto/rand"
	"strings"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
)

// keygenCurves are the parameter sets keys may be generated on; the test
// sets of gost3410 are left out (RFC 9215 §4.2: not for use outside tests).
var keygenCurves = []string{
	"tc26-256-A", "tc26-256-B", "tc26-256-C", "tc26-256-D",
	"tc26-512-A", "tc26-512-B", "tc26-512-C",
	"cryptopro-A", "cryptopro-B", "cryptopro-C", "cryptopro-XchA", "cryptopro-XchB",
}

func runKeygen(e *env, args []string) error {
	fs := newFlags("keygen")
	curveName := fs.String("curve", "", "parameter set: "+strings.Join(keygenCurves, ", "))
	out := fs.String("out", "", "where to write the PKCS#8 PEM key (mode 0600)")
	if _, err := parse(e, fs, "keygen", args, 0, 0); err != nil {
		return err
	}
	if err := required("keygen", map[string]string{"curve": *curveName, "out": *out}); err != nil {
		return err
	}
	c, err := keygenCurve(*curveName)
	if err != nil {
		return err
	}
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		return usageErr("generate key: %v", err)
	}
	pemData, err := gostpkix.EncodePrivateKeyPEM(key)
	if err != nil {
		return usageErr("%v", err)
	}
	return e.writeFile(*out, pemData, 0o600)
}

func keygenCurve(name string) (*gost3410.Curve, error) {
	for _, n := range keygenCurves {
		if strings.EqualFold(n, name) {
			return gost3410.CurveByName(n)
		}
	}
	return nil, usageErr("unknown -curve %q; use one of %s", name, strings.Join(keygenCurves, ", "))
}

func runPubkey(e *env, args []string) error {
	fs := newFlags("pubkey")
	in := fs.String("in", "", "private key (PKCS#8, PEM or DER)")
	out := fs.String("out", "-", "where to write the public key PEM")
	if _, err := parse(e, fs, "pubkey", args, 0, 0); err != nil {
		return err
	}
	if err := required("pubkey", map[string]string{"in": *in, "out": *out}); err != nil {
		return err
	}
	key, err := e.loadPrivateKey(*in)
	if err != nil {
		return err
	}
	pemData, err := gostpkix.EncodePublicKeyPEM(key.PublicKey())
	if err != nil {
		return usageErr("%v", err)
	}
	return e.writeFile(*out, pemData, 0o644)
}
