package esia

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

// Signer signs the client_secret message. For V2 it returns the raw
// GOST R 34.10-2012-256 signature (64 bytes, s ‖ r big-endian, as
// `openssl dgst -md_gost12_256 -sign` writes it); for V1 a detached CMS
// SignedData in DER. Implementations: KeySigner (a key in this process),
// CommandSigner (an external program such as CryptoPro csptest) and
// HTTPSigner (a signing service).
type Signer interface {
	Sign(ctx context.Context, message []byte) ([]byte, error)
}

// KeySigner signs in process with a GOST R 34.10-2012-256 key. Certified
// crypto (class КС3) is required for new connections to the real ЕСИА; this
// signer serves an own provider, tests and development.
type KeySigner struct {
	key  *gost3410.PrivateKey
	cert *gostx509.Certificate // set: detached CMS (V1)
	rand io.Reader
}

// NewKeySigner returns a signer making raw 64-byte signatures (V2).
func NewKeySigner(key *gost3410.PrivateKey) (*KeySigner, error) {
	if key == nil || key.Curve().PointSize != 32 {
		return nil, errors.New("esia: a GOST R 34.10-2012 key of 256 bits is required")
	}
	return &KeySigner{key: key}, nil
}

// NewCMSKeySigner returns a signer making detached CMS SignedData without
// signed attributes (V1), the form of `openssl smime -sign -binary -outform
// DER -noattr`; cert is the key's certificate, DER or PEM.
func NewCMSKeySigner(key *gost3410.PrivateKey, cert []byte) (*KeySigner, error) {
	s, err := NewKeySigner(key)
	if err != nil {
		return nil, err
	}
	der, err := certificateDER(cert)
	if err != nil {
		return nil, err
	}
	c, err := gostx509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("esia: %w", err)
	}
	if c.PublicKey == nil || !c.PublicKey.Equal(key.PublicKey()) {
		return nil, errors.New("esia: the key does not belong to the certificate")
	}
	s.cert = c
	return s, nil
}

// LoadKeySigner reads a PEM PKCS#8 private key (as the gost engine writes
// it). With certPEM it makes a V1 (CMS) signer, without it a V2 one.
func LoadKeySigner(keyPEM, certPEM []byte) (*KeySigner, error) {
	key, err := gostpkix.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("esia: private key: %w", err)
	}
	if len(certPEM) > 0 {
		return NewCMSKeySigner(key, certPEM)
	}
	return NewKeySigner(key)
}

// Sign implements Signer.
func (s *KeySigner) Sign(ctx context.Context, message []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.cert != nil {
		return cms.Sign(message, s.cert, s.key, cms.SignOptions{Detached: true, NoAttributes: true, Rand: s.rand})
	}
	digest := streebog.Sum256(message)
	return s.key.Sign(s.rand, digest[:], nil)
}

// reverse returns b's bytes in reverse order: CryptoPro writes a raw
// signature little-endian, the reverse of what ЕСИА and OpenSSL read.
func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[len(b)-1-i] = v
	}
	return out
}
