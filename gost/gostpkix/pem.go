package gostpkix

import (
	"encoding/pem"
	"fmt"

	"github.com/sep-platform/sep/gost/gost3410"
)

// PEM block types used for keys.
const (
	PEMPrivateKey = "PRIVATE KEY"
	PEMPublicKey  = "PUBLIC KEY"
)

// ParsePrivateKeyPEM reads the first "PRIVATE KEY" PEM block in data. An
// encrypted key or a block of another type gets an error naming what was
// found.
func ParsePrivateKeyPEM(data []byte) (*gost3410.PrivateKey, error) {
	der, err := findBlock(data, PEMPrivateKey)
	if err != nil {
		return nil, err
	}
	return ParsePKCS8PrivateKey(der)
}

// ParsePublicKeyPEM reads the first "PUBLIC KEY" PEM block in data.
func ParsePublicKeyPEM(data []byte) (*gost3410.PublicKey, error) {
	der, err := findBlock(data, PEMPublicKey)
	if err != nil {
		return nil, err
	}
	return ParsePKIXPublicKey(der)
}

// EncodePrivateKeyPEM returns key as a PKCS#8 "PRIVATE KEY" PEM block.
func EncodePrivateKeyPEM(key *gost3410.PrivateKey) ([]byte, error) {
	der, err := MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: PEMPrivateKey, Bytes: der}), nil
}

// EncodePublicKeyPEM returns pub as a SubjectPublicKeyInfo "PUBLIC KEY" PEM
// block.
func EncodePublicKeyPEM(pub *gost3410.PublicKey) ([]byte, error) {
	der, err := MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: PEMPublicKey, Bytes: der}), nil
}

// findBlock returns the bytes of the first PEM block of type want, skipping
// blocks of other types (a file may carry a certificate beside its key).
func findBlock(data []byte, want string) ([]byte, error) {
	var seen []string
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == want {
			return b.Bytes, nil
		}
		seen = append(seen, b.Type)
	}
	switch {
	case len(seen) == 0:
		return nil, fmt.Errorf("gostpkix: no PEM data (want a %q block)", want)
	case want == PEMPrivateKey && contains(seen, "ENCRYPTED PRIVATE KEY"):
		return nil, fmt.Errorf("gostpkix: the private key is encrypted; decrypt it first (openssl pkey -engine gost)")
	}
	return nil, fmt.Errorf("gostpkix: no %q PEM block; found %q", want, seen)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
