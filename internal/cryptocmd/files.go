package cryptocmd

import (
	"bytes"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/atomicfile"
)

// maxInput bounds what is read into memory at once (CMS content, keys,
// certificates); digests of plain files stream instead.
const maxInput = 1 << 30

// open opens path for reading; "-" is standard input.
func (e *env) open(path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(e.stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("cannot read %s: %v", path, describe(err))
	}
	return f, nil
}

// readFile reads all of path ("-" is standard input).
func (e *env) readFile(path string) ([]byte, error) {
	r, err := e.open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, usageErr("cannot read %s: %v", path, describe(err))
	}
	if len(data) > maxInput {
		return nil, usageErr("%s is larger than %d bytes", path, maxInput)
	}
	return data, nil
}

// describe shortens os errors: the path is already in the message.
func describe(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeFile writes data to path ("-" is standard output) with mode perm.
// The file is written under a temporary name and renamed, so a failure
// never leaves half a key or signature behind, and a key file is never
// readable by others, not even for a moment.
func (e *env) writeFile(path string, data []byte, perm os.FileMode) error {
	if path == "-" {
		if _, err := e.stdout.Write(data); err != nil {
			return usageErr("cannot write to standard output: %v", err)
		}
		return nil
	}
	if err := atomicfile.Write(path, data, perm); err != nil {
		return usageErr("cannot write %s: %v", path, describe(err))
	}
	return nil
}

// loadPrivateKey reads a PKCS#8 private key, PEM or DER.
func (e *env) loadPrivateKey(path string) (*gost3410.PrivateKey, error) {
	data, err := e.readFile(path)
	if err != nil {
		return nil, err
	}
	var key *gost3410.PrivateKey
	if isPEM(data) {
		key, err = gostpkix.ParsePrivateKeyPEM(data)
	} else {
		key, err = gostpkix.ParsePKCS8PrivateKey(data)
	}
	if err != nil {
		return nil, usageErr("%s: not a usable GOST private key: %v", path, err)
	}
	return key, nil
}

// loadPublicKey reads a SubjectPublicKeyInfo, PEM or DER.
func (e *env) loadPublicKey(path string) (*gost3410.PublicKey, error) {
	data, err := e.readFile(path)
	if err != nil {
		return nil, err
	}
	var pub *gost3410.PublicKey
	if isPEM(data) {
		if b, _ := pem.Decode(data); b != nil && b.Type == "CERTIFICATE" {
			return nil, usageErr("%s is a certificate; use -cert", path)
		}
		pub, err = gostpkix.ParsePublicKeyPEM(data)
	} else {
		pub, err = gostpkix.ParsePKIXPublicKey(data)
	}
	if err != nil {
		return nil, usageErr("%s: not a usable GOST public key: %v", path, err)
	}
	return pub, nil
}

// loadCertificates reads one or more certificates, PEM or DER.
func (e *env) loadCertificates(path string) ([]*gostx509.Certificate, error) {
	data, err := e.readFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := gostx509.ParseCertificatesPEM(data)
	if err != nil {
		return nil, usageErr("%s: %v", path, err)
	}
	return certs, nil
}

// loadCertificate reads the first certificate of path and requires a GOST
// key in it.
func (e *env) loadCertificate(path string) (*gostx509.Certificate, error) {
	certs, err := e.loadCertificates(path)
	if err != nil {
		return nil, err
	}
	if certs[0].PublicKey == nil {
		return nil, usageErr("%s: the certificate's key (%v) is not a GOST R 34.10-2012 key", path, certs[0].PublicKeyAlgorithm)
	}
	return certs[0], nil
}

func isPEM(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN "))
}

// label names a file in messages; standard input gets a readable name.
func label(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}
