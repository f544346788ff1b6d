package cryptocmd

import (
	"crypto/rand"
	"time"

	"github.com/sep-platform/sep/gost/gostx509"
)

// maxDays bounds -days so NotAfter stays a sensible date.
const maxDays = 100 * 366

func runCert(e *env, args []string) error {
	fs := newFlags("cert")
	keyPath := fs.String("key", "", "private key of the certificate's subject")
	subject := fs.String("subject", "", `subject name in UTF-8, e.g. "CN=Ivan Petrov,O=Example,C=RU" (also OGRN, SNILS, INN, INNLE, OGRNIP)`)
	days := fs.Int("days", 365, "validity in days from now")
	out := fs.String("out", "", "where to write the certificate PEM")
	caPath := fs.String("ca", "", "CA certificate to issue from (default: self-signed CA certificate)")
	caKeyPath := fs.String("ca-key", "", "private key of the -ca certificate")
	if _, err := parse(e, fs, "cert", args, 0, 0); err != nil {
		return err
	}
	if err := required("cert", map[string]string{"key": *keyPath, "subject": *subject, "out": *out}); err != nil {
		return err
	}
	if (*caPath == "") != (*caKeyPath == "") {
		return usageErr("-ca and -ca-key go together")
	}
	if *days < 1 || *days > maxDays {
		return usageErr("-days must be between 1 and %d, got %d", maxDays, *days)
	}
	name, err := gostx509.ParseName(*subject)
	if err != nil {
		return usageErr("-subject: %v", err)
	}
	key, err := e.loadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	tmpl := &gostx509.Template{
		Subject:   name,
		NotBefore: now,
		NotAfter:  now.AddDate(0, 0, *days),
		IsCA:      *caPath == "",
	}
	var parent *gostx509.Certificate
	signer := key
	if *caPath != "" {
		if parent, err = e.loadCertificate(*caPath); err != nil {
			return err
		}
		if signer, err = e.loadPrivateKey(*caKeyPath); err != nil {
			return err
		}
	}
	der, err := gostx509.CreateCertificate(rand.Reader, tmpl, parent, key.PublicKey(), signer)
	if err != nil {
		return usageErr("%v", err)
	}
	cert, err := gostx509.ParseCertificate(der)
	if err != nil {
		return usageErr("created certificate does not parse: %v", err)
	}
	return e.writeFile(*out, cert.EncodePEM(), 0o644)
}
