package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"
)

var b64 = base64.RawURLEncoding

// VAPID identifies an application server to push services (RFC 8292) with a P-256 key. The
// browser is given PublicKey() as applicationServerKey when it subscribes, and push services
// accept messages for that subscription only with a token this key signed.
type VAPID struct {
	Key *ecdsa.PrivateKey
	// Subject is a contact for the push service's operators: a mailto: or https: URL.
	Subject string
}

// PublicKey is the key in the form PushManager.subscribe takes: base64url of the uncompressed
// point, without padding.
func (v *VAPID) PublicKey() (string, error) {
	pub, err := v.Key.PublicKey.ECDH()
	if err != nil {
		return "", err
	}
	return b64.EncodeToString(pub.Bytes()), nil
}

// Authorization returns the Authorization header for a message to endpoint: "vapid t=JWT,
// k=KEY", the token for the endpoint's origin, valid until exp (at most 24 hours ahead).
func (v *VAPID) Authorization(endpoint string, exp time.Time) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", errors.New("webpush: the endpoint is not an absolute URL")
	}
	claims, err := json.Marshal(map[string]any{"aud": u.Scheme + "://" + u.Host, "exp": exp.Unix(), "sub": v.Subject})
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`)) + "." + b64.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, v.Key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64) // JWS: r and s, 32 bytes each (RFC 7518 §3.4), not DER
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	k, err := v.PublicKey()
	if err != nil {
		return "", err
	}
	return "vapid t=" + signing + "." + b64.EncodeToString(sig) + ", k=" + k, nil
}

// Claims are what a verified VAPID token says.
type Claims struct {
	Audience string `json:"aud"`
	Expires  int64  `json:"exp"`
	Subject  string `json:"sub"`
}

// Verify checks an Authorization header as a push service does: the token's ES256 signature
// under the key k it names, and returns its claims and k. The caller checks the audience, the
// expiry and that k is the subscription's applicationServerKey.
func Verify(header string) (Claims, string, error) {
	var c Claims
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return c, "", errors.New("webpush: not a vapid authorization")
	}
	var token, key string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			token = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			key = v
		}
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || key == "" {
		return c, "", errors.New("webpush: malformed vapid authorization")
	}
	raw, err := b64.DecodeString(key)
	if err != nil {
		return c, "", fmt.Errorf("webpush: key: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return c, "", fmt.Errorf("webpush: key: %w", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return c, "", errors.New("webpush: malformed signature")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return c, "", errors.New("webpush: bad signature")
	}
	var hdr struct{ Alg string }
	if h, err := b64.DecodeString(parts[0]); err != nil || json.Unmarshal(h, &hdr) != nil || hdr.Alg != "ES256" {
		return c, "", errors.New("webpush: not an ES256 token")
	}
	body, err := b64.DecodeString(parts[1])
	if err != nil {
		return c, "", errors.New("webpush: malformed claims")
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, "", fmt.Errorf("webpush: claims: %w", err)
	}
	return c, key, nil
}
