package cryptocmd

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gostx509"
)

func runCMSSign(e *env, args []string) error {
	fs := newFlags("cms-sign")
	keyPath := fs.String("key", "", "signer's private key")
	certPath := fs.String("cert", "", "signer's certificate (included in the signature)")
	in := fs.String("in", "", "file to sign")
	out := fs.String("out", "", "where to write the signature (DER)")
	detached := fs.Bool("detached", false, "leave the content out of the signature")
	noattr := fs.Bool("noattr", false, "no signed attributes: sign the content's digest directly")
	certfile := fs.String("certfile", "", "more certificates to include (intermediate CAs)")
	if _, err := parse(e, fs, "cms-sign", args, 0, 0); err != nil {
		return err
	}
	if err := required("cms-sign", map[string]string{"key": *keyPath, "cert": *certPath, "in": *in, "out": *out}); err != nil {
		return err
	}
	key, err := e.loadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	cert, err := e.loadCertificate(*certPath)
	if err != nil {
		return err
	}
	if !cert.PublicKey.Equal(key.PublicKey()) {
		return usageErr("%s is not the certificate of the key in %s", *certPath, *keyPath)
	}
	var extra []*gostx509.Certificate
	if *certfile != "" {
		if extra, err = e.loadCertificates(*certfile); err != nil {
			return err
		}
	}
	content, err := e.readFile(*in)
	if err != nil {
		return err
	}
	sig, err := cms.Sign(content, cert, key, cms.SignOptions{Detached: *detached, NoAttributes: *noattr, ExtraCertificates: extra})
	if err != nil {
		return usageErr("%v", err)
	}
	return e.writeFile(*out, sig, 0o644)
}

func runCMSVerify(e *env, args []string) error {
	fs := newFlags("cms-verify")
	in := fs.String("in", "", "the signature (.p7s: DER, BER or PEM)")
	contentPath := fs.String("content", "", "the signed file, for a detached signature")
	caPath := fs.String("ca", "", "trusted CA certificates; without it only the signature is checked, not the certificate chain")
	certPath := fs.String("cert", "", "signer certificate, if the signature does not carry it")
	out := fs.String("out", "", "where to write the signed content")
	if _, err := parse(e, fs, "cms-verify", args, 0, 0); err != nil {
		return err
	}
	if err := required("cms-verify", map[string]string{"in": *in}); err != nil {
		return err
	}
	data, err := e.readFile(*in)
	if err != nil {
		return err
	}
	var opts cms.VerifyOptions
	if *contentPath != "" {
		if opts.Content, err = e.readFile(*contentPath); err != nil {
			return err
		}
	}
	if *caPath != "" {
		if opts.Roots, err = e.loadCertificates(*caPath); err != nil {
			return err
		}
	}
	if *certPath != "" {
		if opts.Certificates, err = e.loadCertificates(*certPath); err != nil {
			return err
		}
	}
	sd, err := cms.Parse(data)
	if err != nil {
		return failed("Verification failure: %s is not a readable CMS signature: %v", label(*in), err)
	}
	signers, err := sd.Verify(opts)
	if err != nil {
		if errors.Is(err, cms.ErrNoContent) {
			return usageErr("%s is a detached signature; give the signed file with -content", label(*in))
		}
		return failed("Verification failure: %v", err)
	}
	// Status goes to standard error when the content goes to standard output.
	status := e.stdout
	if *out == "-" {
		status = e.stderr
	}
	if *out != "" {
		content := sd.Content
		if content == nil {
			content = opts.Content
		}
		if err := e.writeFile(*out, content, 0o644); err != nil {
			return err
		}
	}
	report(status, sd, signers, *caPath != "")
	return nil
}

func report(w io.Writer, sd *cms.SignedData, signers []*gostx509.Certificate, chained bool) {
	if chained {
		fmt.Fprintln(w, "Verification successful")
	} else {
		fmt.Fprintln(w, "Verification successful (signature only: no -ca given, the certificate chain was not checked)")
	}
	for i, c := range signers {
		line := fmt.Sprintf("signer: %s (serial %x, issuer %s)", c.Subject, c.SerialNumber, c.Issuer)
		if t := sd.Signers[i].SigningTime; !t.IsZero() {
			line += ", signed at " + t.UTC().Format(time.RFC3339)
		}
		fmt.Fprintln(w, line)
	}
}
