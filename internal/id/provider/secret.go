package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
)

// TimestampLayout is how ЕСИА requests write their timestamp: "2025.09.02 13:00:29 +0300".
const TimestampLayout = "2006.01.02 15:04:05 -0700"

// parseTimestamp reads a request's timestamp. A form decoder turns an unescaped "+0300" into
// " 0300"; the plus is put back, since the client signed it.
func parseTimestamp(s string) (string, time.Time, bool) {
	if n := len(s); n == 25 && s[19] == ' ' && s[20] == ' ' {
		s = s[:20] + "+" + s[21:]
	}
	t, err := time.Parse(TimestampLayout, s)
	return s, t, err == nil
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validState reports whether a state is a UUID, as ЕСИА requires.
func validState(s string) bool { return uuidRe.MatchString(s) }

// decodeSecret reads a client_secret: base64url without padding as ЕСИА asks, with padding or
// in the standard alphabet as some clients send it.
func decodeSecret(s string) ([]byte, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	s = strings.NewReplacer("+", "-", "/", "_", " ", "-").Replace(s) // a "+" sent unescaped arrives as a space
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}

// verifyRaw checks a v2/v3 secret: a raw GOST R 34.10-2012-256 signature (s‖r, 64 bytes, as
// `openssl dgst -md_gost12_256 -sign` writes it) of the Streebog-256 digest of msg.
func verifyRaw(pub *gost3410.PublicKey, msg, secret string) bool {
	sig, ok := decodeSecret(secret)
	if !ok || len(sig) != 64 || pub == nil {
		return false
	}
	d := streebog.Sum256([]byte(msg))
	return gost3410.VerifyDigest(pub, d[:], sig)
}

// verifyCMS checks a v1 secret: a detached CMS SignedData of msg by the system's certificate.
func verifyCMS(c *Client, msg, secret string) bool {
	der, ok := decodeSecret(secret)
	if !ok {
		return false
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return false
	}
	for _, s := range sd.Certificates {
		if !bytes.Equal(s.Raw, c.Cert.Raw) {
			return false // signed by a certificate that is not the system's
		}
	}
	signers, err := sd.Verify(cms.VerifyOptions{Content: []byte(msg), Certificates: []*gostx509.Certificate{c.Cert}})
	if err != nil || len(signers) == 0 {
		return false
	}
	for _, s := range signers {
		if !bytes.Equal(s.Raw, c.Cert.Raw) {
			return false
		}
	}
	return true
}

// certHashFailure is what a client_certificate_hash that is not the system's means: a digest of
// another system's certificate is ESIA-007002; anything else (a digest of the PEM, SHA-1, not
// hex) is a wrong secret, ESIA-007053 — as ЕСИА answers both.
func (p *Provider) certHashFailure(ctx context.Context, c *Client, sent string) *Failure {
	h := strings.ToLower(strings.TrimSpace(sent))
	if h == c.CertHash {
		return nil
	}
	if _, err := hex.DecodeString(h); err == nil && len(h) == 64 {
		if other, err := p.certRegistered(ctx, h); err == nil && other {
			return fail(ErrCertMismatch, "the certificate hash names another system's certificate")
		}
	}
	return fail(ErrSecret, "the certificate hash is not the system's")
}

// checkTimestamp reads and bounds a request's timestamp.
func (p *Provider) checkTimestamp(raw string) (string, *Failure) {
	s, t, ok := parseTimestamp(raw)
	if !ok {
		return s, fail(ErrTimestamp, "unreadable timestamp")
	}
	if d := p.now().Sub(t); d > p.skew || d < -p.skew {
		return s, fail(ErrTimestamp, "timestamp %s from now", d.Round(time.Second))
	}
	return s, nil
}
