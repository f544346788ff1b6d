package esia

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestVerifyToken: the checks a token passes beyond its signature.
func TestVerifyToken(t *testing.T) {
	s := newSetup(t, V2, AlgGOST)
	now := s.clock.Now().Unix()
	header := map[string]any{"ver": 1, "typ": "JWT", "sbt": "access", "alg": AlgGOST}
	base := func() map[string]any {
		return map[string]any{"nbf": now, "iat": now, "exp": now + 3600, "iss": "http://esia.gosuslugi.ru/",
			"client_id": mnemonic, "urn:esia:sbj_id": personOID}
	}
	for _, tc := range []struct {
		name   string
		mutate func(h, c map[string]any)
		want   error
	}{
		{"good", func(h, c map[string]any) {}, nil},
		{"expired", func(h, c map[string]any) { c["exp"] = now - 120 }, ErrTokenExpired},
		{"within leeway", func(h, c map[string]any) { c["exp"] = now - 30 }, nil},
		{"not yet", func(h, c map[string]any) { c["nbf"] = now + 600 }, ErrTokenNotYet},
		{"no exp", func(h, c map[string]any) { delete(c, "exp") }, ErrMalformedToken},
		{"other issuer", func(h, c map[string]any) { c["iss"] = "http://esia.example.ru/" }, ErrTokenClaims},
		{"other client", func(h, c map[string]any) { c["client_id"] = "OTHER" }, ErrTokenClaims},
		{"other audience", func(h, c map[string]any) { c["aud"] = []string{"OTHER"} }, ErrTokenClaims},
		{"alg none", func(h, c map[string]any) { h["alg"] = "none" }, ErrTokenSignature},
		{"alg RS256 with a GOST key", func(h, c map[string]any) { h["alg"] = AlgRS256 }, ErrTokenSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, c := map[string]any{}, base()
			for k, v := range header {
				h[k] = v
			}
			tc.mutate(h, c)
			_, err := s.c.VerifyToken(s.d.sign(h, c))
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	tok := s.d.sign(header, base())
	parts := strings.Split(tok, ".")
	if _, err := s.c.VerifyToken(parts[0] + "." + parts[1] + ".AAAA"); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("a wrong signature: %v", err)
	}
	forged := base()
	forged["urn:esia:sbj_id"] = 1
	if _, err := s.c.VerifyToken(parts[0] + "." + b64json(t, forged) + "." + parts[2]); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("changed claims: %v", err)
	}
	// The CryptoPro byte order of the same signature is accepted as well.
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if _, err := s.c.VerifyToken(parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(reverse(sig))); err != nil {
		t.Errorf("the reversed signature: %v", err)
	}
}

func b64json(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestClaimsHelpers(t *testing.T) {
	for _, tc := range []struct {
		json string
		oid  OID
	}{
		{`{"urn:esia:sbj_id":1000299681}`, 1000299681},
		{`{"urn:esia:sbj":{"urn:esia:sbj:oid":"1000299681"}}`, 1000299681},
		{`{"sub":"1000299681"}`, 1000299681},
		{`{"sub":1000299681}`, 1000299681},
	} {
		tok, err := ParseJWT(unsigned(`{"alg":"GOST3410_2012_256"}`, tc.json))
		if err != nil {
			t.Fatal(err)
		}
		if tok.Claims.OID() != tc.oid {
			t.Errorf("%s: oid %d", tc.json, tok.Claims.OID())
		}
	}
	tok, err := ParseJWT(unsigned(`{"alg":"RS256"}`, `{"scope":"openid fullname?oid=1000299681 usr_org?oid=1000299681&x=1","aud":"SEPTEST","amr":["PWD"],
		"urn:esia:sbj":{"urn:esia:sbj:is_tru":true,"urn:esia:sbj:lvl":3}}`))
	if err != nil {
		t.Fatal(err)
	}
	sc := tok.Claims.Scopes()
	if len(sc) != 3 || sc[0] != (Scope{"openid", 0}) || sc[2] != (Scope{"usr_org", 1000299681}) {
		t.Errorf("scopes %v", sc)
	}
	if !tok.Claims.Trusted() || tok.Claims.Level() != "3" || tok.Claims.AMR != "PWD" || !tok.Claims.Audience.Contains("SEPTEST") {
		t.Errorf("%+v", tok.Claims)
	}
	for _, bad := range []string{"", "a.b", "a.b.c.d", "!!.e30.", unsigned(`{`, `{}`), unsigned(`{}`, `[]`), unsigned(`{}`, `{"sub":{}}`)} {
		if _, err := ParseJWT(bad); !errors.Is(err, ErrMalformedToken) {
			t.Errorf("ParseJWT(%q): %v", bad, err)
		}
	}
}

func unsigned(header, claims string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + "."
}

func TestErrorCodes(t *testing.T) {
	for in, want := range map[string]string{
		"ESIA-007004: The user has denied access": CodeDeclined,
		"Ошибка ESIA-008010 клиента":              CodeClientAuthFailed,
		"ESIA-0070": "",
		"no code":   "",
	} {
		if got := codeOf(in); got != want {
			t.Errorf("codeOf(%q) = %q", in, got)
		}
	}
	e := newError("invalid_grant", "ESIA-007011: code expired", "s", 400)
	if !errors.Is(e, ErrInvalidGrant) || errors.Is(e, ErrDeclined) || errors.Is(&Error{}, &Error{}) {
		t.Error("errors.Is by code")
	}
	if e.Error() != "esia: ESIA-007011: code expired (invalid_grant) [HTTP 400]" {
		t.Errorf("%q", e.Error())
	}
}
