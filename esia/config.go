package esia

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

// Hosts of ЕСИА. A СЭП instance's own ID speaks the same protocol at its base
// URL.
const (
	TestHost = "https://esia-portal1.test.gosuslugi.ru"
	ProdHost = "https://esia.gosuslugi.ru"
)

// Version selects the protocol generation.
type Version int

const (
	// V2 is the current protocol: authorization on /aas/oauth2/v2/ac, tokens
	// on /aas/oauth2/v3/te, raw GOST R 34.10-2012 secrets and
	// client_certificate_hash. It is the default.
	V2 Version = iota
	// V1 is the legacy protocol: /aas/oauth2/ac and /aas/oauth2/te with a
	// detached CMS signature as the secret.
	V1
)

func (v Version) String() string {
	if v == V1 {
		return "v1"
	}
	return "v2/v3"
}

// Config is what a Client needs. BaseURL, ClientID, Signer, RedirectURI and
// ProviderCertificates are required; Certificate is required for V2.
type Config struct {
	// BaseURL is the ЕСИА host (TestHost, ProdHost) or an own provider's
	// base URL, without a trailing slash.
	BaseURL string
	// ClientID is the system's mnemonic.
	ClientID string
	// Certificate is the system's certificate, DER or PEM; the Streebog-256
	// of its DER is sent as client_certificate_hash (V2).
	Certificate []byte
	// Signer makes client_secret: a raw 64-byte GOST R 34.10-2012-256
	// signature for V2, a detached CMS SignedData for V1.
	Signer Signer
	// RedirectURI is where ЕСИА sends the user back, as registered.
	RedirectURI string
	// Scopes asked for by default ("openid", "fullname", …).
	Scopes []string
	// Version is V2 (default) or V1.
	Version Version
	// ProviderCertificates verify the tokens: ЕСИА's certificates (GOST or
	// RSA), DER or PEM, several at once while ЕСИА rotates them. A PEM
	// "PUBLIC KEY" block is accepted too.
	ProviderCertificates [][]byte
	// Issuer, when set, must equal the tokens' iss
	// ("http://esia.gosuslugi.ru/" for production).
	Issuer string
	// RefreshMessage builds the signed message of a refresh request; the
	// libraries in use differ. Nil means Message.V2 (no token appended).
	RefreshMessage func(Message) string
	// Leeway tolerates clock difference in exp and nbf; zero means one
	// minute.
	Leeway time.Duration
	// Now is the clock; nil means time.Now. Its location gives the
	// timestamp's offset.
	Now func() time.Time
	// HTTPClient makes the requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
}

// Client talks to one ЕСИА (or a provider of the same protocol) as one
// registered system. It is safe for concurrent use.
type Client struct {
	cfg      Config
	base     *url.URL
	certHash string
	keys     []crypto.PublicKey
	http     *http.Client
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, errors.New("esia: BaseURL must be an absolute URL")
	}
	if base.Scheme != "https" && base.Scheme != "http" {
		return nil, errors.New("esia: BaseURL must be http or https")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("esia: ClientID (the mnemonic) is required")
	}
	if cfg.Signer == nil {
		return nil, errors.New("esia: a Signer is required")
	}
	if u, err := url.Parse(cfg.RedirectURI); cfg.RedirectURI == "" || err != nil || !u.IsAbs() {
		return nil, errors.New("esia: RedirectURI must be an absolute URL")
	}
	if cfg.Version != V1 && cfg.Version != V2 {
		return nil, fmt.Errorf("esia: unknown version %d", cfg.Version)
	}
	c := &Client{cfg: cfg, base: base, http: cfg.HTTPClient}
	if len(cfg.Certificate) > 0 {
		c.certHash, err = CertificateHash(cfg.Certificate)
		if err != nil {
			return nil, err
		}
	} else if cfg.Version == V2 {
		return nil, errors.New("esia: the system's Certificate is required for client_certificate_hash")
	}
	for i, pc := range cfg.ProviderCertificates {
		k, err := parseProviderKey(pc)
		if err != nil {
			return nil, fmt.Errorf("esia: provider certificate %d: %w", i+1, err)
		}
		c.keys = append(c.keys, k)
	}
	if len(c.keys) == 0 {
		return nil, errors.New("esia: at least one provider certificate is required to verify tokens")
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.cfg.Leeway == 0 {
		c.cfg.Leeway = time.Minute
	}
	return c, nil
}

func (c *Client) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// CertificateHash returns client_certificate_hash for a certificate given as
// DER or PEM: the Streebog-256 of the DER in upper-case hex, the bytes in the
// order `openssl dgst -md_gost12_256` prints them. Hashing the PEM text, or
// using SHA-1, is what makes ЕСИА answer ESIA-007053.
func CertificateHash(cert []byte) (string, error) {
	der, err := certificateDER(cert)
	if err != nil {
		return "", err
	}
	sum := streebog.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(sum[:])), nil
}

// certificateDER returns the DER of a certificate given as DER or PEM.
func certificateDER(b []byte) ([]byte, error) {
	if bytes.Contains(b, []byte("-----BEGIN")) {
		for rest := b; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				return nil, errors.New("esia: no CERTIFICATE block in the PEM")
			}
			if blk.Type == "CERTIFICATE" {
				return blk.Bytes, nil
			}
		}
	}
	if len(b) == 0 || b[0] != 0x30 {
		return nil, errors.New("esia: the certificate is neither DER nor PEM")
	}
	return b, nil
}

// parseProviderKey reads a GOST or RSA public key from a certificate (DER or
// PEM) or a PEM PUBLIC KEY.
func parseProviderKey(b []byte) (crypto.PublicKey, error) {
	if blk, _ := pem.Decode(b); blk != nil && blk.Type == "PUBLIC KEY" {
		if k, err := gostpkix.ParsePKIXPublicKey(blk.Bytes); err == nil {
			return k, nil
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
		return nil, errors.New("not a GOST R 34.10-2012 or RSA key")
	}
	der, err := certificateDER(b)
	if err != nil {
		return nil, err
	}
	if gc, err := gostx509.ParseCertificate(der); err == nil && gc.PublicKey != nil {
		return gc.PublicKey, nil
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not a GOST or RSA certificate: %v", err)
	}
	rk, ok := xc.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("the certificate's key is neither GOST R 34.10-2012 nor RSA")
	}
	return rk, nil
}

// endpoint joins a path to the base URL.
func (c *Client) endpoint(path string) *url.URL {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = ""
	return &u
}
