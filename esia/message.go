package esia

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// TimestampLayout is the layout of the timestamp parameter,
// "2025.09.02 13:00:29 +0300".
const TimestampLayout = "2006.01.02 15:04:05 -0700"

// Message holds the parameters that client_secret signs. Its methods give the
// exact strings of each protocol version (esia-protocol.md §2).
type Message struct {
	ClientID    string
	Scope       string // space-separated
	ScopeOrg    string // space-separated; often empty
	Timestamp   string // TimestampLayout
	State       string
	RedirectURI string
	// Code is the authorization code (token exchange) or the refresh token
	// (refresh, when the configured message appends it).
	Code string
}

// V1 is the legacy message: scope + timestamp + client_id + state.
func (m Message) V1() string { return m.Scope + m.Timestamp + m.ClientID + m.State }

// V2 is the message of /aas/oauth2/v2/ac:
// client_id + scope + scope_org + timestamp + state + redirect_uri.
func (m Message) V2() string {
	return m.ClientID + m.Scope + m.ScopeOrg + m.Timestamp + m.State + m.RedirectURI
}

// V3 is the message of /aas/oauth2/v3/te: the V2 message with the code
// appended.
func (m Message) V3() string { return m.V2() + m.Code }

// Timestamp formats t as the timestamp parameter.
func Timestamp(t time.Time) string { return t.Format(TimestampLayout) }

// NewState returns a random UUID version 4, the form ЕСИА requires of state.
func NewState() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("esia: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// IsUUID reports whether s is a UUID in the canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// secret signs message with the configured Signer and encodes the result as
// client_secret: base64url without padding. For V2 the signature must be the
// raw 64 bytes; a wrong length is reported here rather than as ESIA-007053.
func (c *Client) secret(ctx context.Context, message string) (string, error) {
	sig, err := c.cfg.Signer.Sign(ctx, []byte(message))
	if err != nil {
		return "", fmt.Errorf("esia: sign client_secret: %w", err)
	}
	if c.cfg.Version == V2 && len(sig) != 64 {
		return "", fmt.Errorf("esia: the signer returned %d bytes; a raw GOST R 34.10-2012-256 signature is 64", len(sig))
	}
	if c.cfg.Version == V1 && (len(sig) == 0 || sig[0] != 0x30) {
		return "", fmt.Errorf("esia: the signer returned %d bytes that are not a CMS SignedData (V1 needs a detached CMS)", len(sig))
	}
	return base64.RawURLEncoding.EncodeToString(sig), nil
}

// scopeString joins scopes with single spaces, dropping empty ones.
func scopeString(scopes []string) string {
	var out []string
	for _, s := range scopes {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}
