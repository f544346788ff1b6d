package esia

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
)

// Token signature algorithms ЕСИА uses, chosen per system.
const (
	AlgGOST  = "GOST3410_2012_256"
	AlgRS256 = "RS256"
)

// Header is a token's JOSE header, {"ver":1,"typ":"JWT","sbt":"access",
// "alg":"GOST3410_2012_256"}.
type Header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Sbt string `json:"sbt,omitempty"` // "access", "id", "refresh"
	Ver int    `json:"ver,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// Subject is the urn:esia:sbj claim of an id_token.
type Subject struct {
	Name string `json:"urn:esia:sbj:nam,omitempty"` // "OID.1000299681"
	OID  OID    `json:"urn:esia:sbj:oid,omitempty"`
	Type string `json:"urn:esia:sbj:typ,omitempty"` // "P": a person
	// Trusted is urn:esia:sbj:is_tru: the account's identity is confirmed
	// (подтверждённая учётная запись). ЕСИА sends it only when true.
	Trusted bool `json:"urn:esia:sbj:is_tru,omitempty"`
	// Level is urn:esia:sbj:lvl as sent.
	Level Text `json:"urn:esia:sbj:lvl,omitempty"`
}

// Claims are the claims of ЕСИА's access and id tokens (esia-protocol.md §3).
type Claims struct {
	Issuer    string   `json:"iss,omitempty"`
	Subject   Text     `json:"sub,omitempty"`
	Audience  Audience `json:"aud,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	NotBefore int64    `json:"nbf,omitempty"`
	ExpiresAt int64    `json:"exp,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	// Scope lists the granted scopes, each with "?oid=N".
	Scope     string `json:"scope,omitempty"`
	SessionID string `json:"urn:esia:sid,omitempty"`
	SubjectID OID    `json:"urn:esia:sbj_id,omitempty"`
	// AMR is how the user signed in: "PWD" or "DS" (a signature).
	AMR       Text     `json:"amr,omitempty"`
	AMD       Text     `json:"urn:esia:amd,omitempty"`
	ESIAParty *Subject `json:"urn:esia:sbj,omitempty"`
}

// OID is the person's ЕСИА oid: the subject of a token, if any claim names
// it.
func (c *Claims) OID() OID {
	switch {
	case c.SubjectID != 0:
		return c.SubjectID
	case c.ESIAParty != nil && c.ESIAParty.OID != 0:
		return c.ESIAParty.OID
	}
	n, _ := strconv.ParseInt(string(c.Subject), 10, 64)
	return OID(n)
}

// Trusted reports urn:esia:sbj:is_tru.
func (c *Claims) Trusted() bool { return c.ESIAParty != nil && c.ESIAParty.Trusted }

// Level is urn:esia:sbj:lvl, empty when absent.
func (c *Claims) Level() string {
	if c.ESIAParty == nil {
		return ""
	}
	return string(c.ESIAParty.Level)
}

// Scopes parses the scope claim: "openid fullname?oid=1000299681" gives
// [{openid 0} {fullname 1000299681}].
func (c *Claims) Scopes() []Scope {
	var out []Scope
	for _, f := range strings.Fields(c.Scope) {
		s := Scope{Name: f}
		if name, q, ok := strings.Cut(f, "?"); ok {
			s.Name = name
			for _, kv := range strings.Split(q, "&") {
				if v, ok := strings.CutPrefix(kv, "oid="); ok {
					n, _ := strconv.ParseInt(v, 10, 64)
					s.OID = OID(n)
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// HasScope reports whether name is among Scopes.
func (c *Claims) HasScope(name string) bool {
	for _, s := range c.Scopes() {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Scope is one granted scope, with the oid it was granted for.
type Scope struct {
	Name string
	OID  OID
}

// JWT is a parsed token: its header, claims and raw text.
type JWT struct {
	Raw    string
	Header Header
	Claims Claims
}

// OID is an ЕСИА object id. JSON may carry it as a number or a string.
type OID int64

// UnmarshalJSON accepts 1000299681 and "1000299681".
func (o *OID) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		*o = 0
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("esia: oid %q is not a number", b)
	}
	*o = OID(n)
	return nil
}

// String is the decimal oid.
func (o OID) String() string { return strconv.FormatInt(int64(o), 10) }

// Text is a claim that may come as a string, a number or a list of strings
// (joined with spaces).
type Text string

// UnmarshalJSON accepts strings, numbers, booleans and lists of them.
func (t *Text) UnmarshalJSON(b []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return err
	}
	s, err := textOf(v)
	*t = Text(s)
	return err
}

func textOf(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, err := textOf(e)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " "), nil
	}
	return "", errors.New("esia: claim is an object")
}

// Audience is aud: one string or a list.
type Audience []string

// UnmarshalJSON accepts "a" and ["a","b"].
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("esia: aud is neither a string nor a list of strings")
	}
	*a = many
	return nil
}

// Contains reports whether s is among the audiences.
func (a Audience) Contains(s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}

// Reasons a token is refused (test with errors.Is).
var (
	ErrMalformedToken = errors.New("esia: malformed token")
	ErrTokenSignature = errors.New("esia: token signature does not verify")
	ErrTokenExpired   = errors.New("esia: token expired")
	ErrTokenNotYet    = errors.New("esia: token not valid yet")
	ErrTokenClaims    = errors.New("esia: token claims do not match this client")
)

// maxToken bounds a token's length.
const maxToken = 64 << 10

// ParseJWT splits and decodes a token without verifying it.
func ParseJWT(raw string) (*JWT, error) {
	if len(raw) > maxToken {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedToken, maxToken)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d parts instead of 3", ErrMalformedToken, len(parts))
	}
	t := &JWT{Raw: raw}
	if err := decodePart(parts[0], &t.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformedToken, err)
	}
	if err := decodePart(parts[1], &t.Claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformedToken, err)
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrMalformedToken, err)
	}
	return t, nil
}

func decodePart(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// verifySignature checks the token's signature with one of keys.
//
// GOST3410_2012_256 signs the Streebog-256 of "header.payload" and the
// signature is s ‖ r as OpenSSL writes it; a provider that emits CryptoPro's
// reversed byte order is accepted too (either form needs the private key).
func verifySignature(t *JWT, keys []crypto.PublicKey) error {
	dot := strings.LastIndexByte(t.Raw, '.')
	signed := []byte(t.Raw[:dot])
	sig, err := base64.RawURLEncoding.DecodeString(t.Raw[dot+1:])
	if err != nil {
		return fmt.Errorf("%w: signature: %v", ErrMalformedToken, err)
	}
	switch t.Header.Alg {
	case AlgGOST:
		digest := streebog.Sum256(signed)
		for _, k := range keys {
			if g, ok := k.(*gost3410.PublicKey); ok && g.Curve().PointSize == 32 {
				if gost3410.VerifyDigest(g, digest[:], sig) || gost3410.VerifyDigest(g, digest[:], reverse(sig)) {
					return nil
				}
			}
		}
	case AlgRS256:
		digest := sha256.Sum256(signed)
		for _, k := range keys {
			if r, ok := k.(*rsa.PublicKey); ok && rsa.VerifyPKCS1v15(r, crypto.SHA256, digest[:], sig) == nil {
				return nil
			}
		}
	default:
		return fmt.Errorf("%w: algorithm %q", ErrTokenSignature, t.Header.Alg)
	}
	return ErrTokenSignature
}

// VerifyToken parses raw, checks its signature with the provider's keys and
// its time, issuer and client claims, and returns it.
func (c *Client) VerifyToken(raw string) (*JWT, error) {
	t, err := ParseJWT(raw)
	if err != nil {
		return nil, err
	}
	if err := verifySignature(t, c.keys); err != nil {
		return nil, err
	}
	now := c.now()
	cl := &t.Claims
	if cl.ExpiresAt == 0 {
		return nil, fmt.Errorf("%w: no exp", ErrMalformedToken)
	}
	if now.After(time.Unix(cl.ExpiresAt, 0).Add(c.cfg.Leeway)) {
		return nil, ErrTokenExpired
	}
	if cl.NotBefore != 0 && now.Add(c.cfg.Leeway).Before(time.Unix(cl.NotBefore, 0)) {
		return nil, ErrTokenNotYet
	}
	if c.cfg.Issuer != "" && cl.Issuer != c.cfg.Issuer {
		return nil, fmt.Errorf("%w: iss %q", ErrTokenClaims, cl.Issuer)
	}
	if cl.ClientID != "" && cl.ClientID != c.cfg.ClientID {
		return nil, fmt.Errorf("%w: client_id %q", ErrTokenClaims, cl.ClientID)
	}
	if len(cl.Audience) > 0 && !cl.Audience.Contains(c.cfg.ClientID) {
		return nil, fmt.Errorf("%w: aud", ErrTokenClaims)
	}
	return t, nil
}
