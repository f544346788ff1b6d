package cryptocmd

import (
	"crypto/rand"
	"fmt"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
)

// runSign writes the raw signature s||r over the Streebog digest of a file
// (Streebog-256 for 256-bit keys, -512 for 512-bit ones), the format of
// `openssl dgst -engine gost -md_gost12_256 -sign`.
func runSign(e *env, args []string) error {
	fs := newFlags("sign")
	keyPath := fs.String("key", "", "private key (PKCS#8, PEM or DER)")
	in := fs.String("in", "", "file to sign")
	out := fs.String("out", "", "where to write the signature (64 or 128 bytes)")
	if _, err := parse(e, fs, "sign", args, 0, 0); err != nil {
		return err
	}
	if err := required("sign", map[string]string{"key": *keyPath, "in": *in, "out": *out}); err != nil {
		return err
	}
	key, err := e.loadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	h := gostpkix.NewHash(key.Curve())
	if err := e.digestFile(h, *in); err != nil {
		return err
	}
	sig, err := key.Sign(rand.Reader, h.Sum(nil), nil)
	if err != nil {
		return usageErr("sign: %v", err)
	}
	return e.writeFile(*out, sig, 0o644)
}

// runVerify checks a raw signature of a file with a public key or a
// certificate's key (the certificate itself is not checked: no chain).
func runVerify(e *env, args []string) error {
	fs := newFlags("verify")
	certPath := fs.String("cert", "", "certificate of the signer")
	pubPath := fs.String("pub", "", "public key of the signer (PEM or DER)")
	in := fs.String("in", "", "the signed file")
	sigPath := fs.String("sig", "", "the signature (s||r, 64 or 128 bytes)")
	if _, err := parse(e, fs, "verify", args, 0, 0); err != nil {
		return err
	}
	if err := required("verify", map[string]string{"in": *in, "sig": *sigPath}); err != nil {
		return err
	}
	if (*certPath == "") == (*pubPath == "") {
		return usageErr("give exactly one of -cert and -pub")
	}
	var pub *gost3410.PublicKey
	var err error
	if *certPath != "" {
		cert, err := e.loadCertificate(*certPath)
		if err != nil {
			return err
		}
		pub = cert.PublicKey
	} else if pub, err = e.loadPublicKey(*pubPath); err != nil {
		return err
	}
	sig, err := e.readFile(*sigPath)
	if err != nil {
		return err
	}
	c := pub.Curve()
	if len(sig) != 2*c.PointSize {
		return failed("Verification failure: %s is %d bytes, a %s signature is %d", label(*sigPath), len(sig), c.Name, 2*c.PointSize)
	}
	h := gostpkix.NewHash(c)
	if err := e.digestFile(h, *in); err != nil {
		return err
	}
	if !gost3410.VerifyDigest(pub, h.Sum(nil), sig) {
		return failed("Verification failure: the signature in %s does not match %s and this key", label(*sigPath), label(*in))
	}
	fmt.Fprintln(e.stdout, "Verified OK")
	return nil
}
