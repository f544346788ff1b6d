package provider

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

// header is the JOSE header of ЕСИА's tokens: {"ver":1,"typ":"JWT","sbt":"access","alg":…}.
type header struct {
	Ver int    `json:"ver"`
	Typ string `json:"typ"`
	Sbt string `json:"sbt"`
	Alg string `json:"alg"`
}

// sign makes a JWT of claims with the algorithm alg, for the subject type sbt ("access",
// "id" or "refresh"). GOST signatures are s‖r over the Streebog-256 digest of the signing
// input, as OpenSSL writes them; RS256 is RFC 7518's.
func (p *Provider) sign(alg, sbt string, claims any) (string, error) {
	h, _ := json.Marshal(header{Ver: 1, Typ: "JWT", Sbt: sbt, Alg: alg})
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	switch alg {
	case AlgGOST:
		d := streebog.Sum256([]byte(input))
		sig, err = p.gost.Sign(rand.Reader, d[:], nil)
	case AlgRS256:
		if p.rsa == nil {
			return "", errors.New("provider: no RSA key for RS256 tokens")
		}
		d := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, p.rsa, crypto.SHA256, d[:])
	default:
		return "", errors.New("provider: unknown token algorithm " + alg)
	}
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// accessClaims are the claims of an access token.
type accessClaims struct {
	NBF      int64  `json:"nbf"`
	IAT      int64  `json:"iat"`
	EXP      int64  `json:"exp"`
	ISS      string `json:"iss"`
	ClientID string `json:"client_id"`
	SID      string `json:"urn:esia:sid"`
	SbjID    int64  `json:"urn:esia:sbj_id"`
	Scope    string `json:"scope"`
}

// verifyAccess checks an access token of ours: the signature under our key of its algorithm,
// the header, the time and the issuer.
func (p *Provider) verifyAccess(token string) (*accessClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("provider: not a JWT")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil || h.Sbt != "access" {
		return nil, errors.New("provider: not an access token")
	}
	input := parts[0] + "." + parts[1]
	switch h.Alg {
	case AlgGOST:
		d := streebog.Sum256([]byte(input))
		if !gost3410.VerifyDigest(p.gost.PublicKey(), d[:], sig) {
			return nil, errors.New("provider: bad signature")
		}
	case AlgRS256:
		d := sha256.Sum256([]byte(input))
		if p.rsa == nil || rsa.VerifyPKCS1v15(&p.rsa.PublicKey, crypto.SHA256, d[:], sig) != nil {
			return nil, errors.New("provider: bad signature")
		}
	default:
		return nil, errors.New("provider: unknown algorithm")
	}
	var c accessClaims
	if err := json.Unmarshal(cb, &c); err != nil {
		return nil, err
	}
	now := p.now().Unix()
	if now >= c.EXP || now < c.NBF-60 || c.ISS != p.issuer {
		return nil, errors.New("provider: the token expired or is not ours")
	}
	return &c, nil
}

// certificates are the published certificates of the token keys, PEM.
type certificates struct {
	gost, rsa []byte
}

// newCertificates issues the provider's certificates: self-signed, from the keys, valid from
// a day before now for five years. Clients that pin ЕСИА's certificate pin these instead.
func newCertificates(gk *gost3410.PrivateKey, rk *rsa.PrivateKey, now time.Time) (certificates, error) {
	var c certificates
	if gk != nil {
		name, err := gostx509.ParseName("CN=СЭП ID (ЕСИА),O=СЭП")
		if err != nil {
			return c, err
		}
		der, err := gostx509.CreateCertificate(rand.Reader, &gostx509.Template{Subject: name,
			NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(5, 0, 0)}, nil, gk.PublicKey(), gk)
		if err != nil {
			return c, err
		}
		c.gost = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	if rk != nil {
		serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: serial,
			Subject:   pkix.Name{CommonName: "SEP ID (ESIA) RS256", Organization: []string{"SEP"}},
			NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(5, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature},
			&x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "SEP ID (ESIA) RS256", Organization: []string{"SEP"}}},
			&rk.PublicKey, rk)
		if err != nil {
			return c, err
		}
		c.rsa = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	return c, nil
}
