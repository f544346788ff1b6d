package esia

import (
	"context"
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
)

// TestMessages: the exact strings each version signs (esia-protocol.md §2).
func TestMessages(t *testing.T) {
	m := Message{ClientID: "SEPTEST", Scope: "openid fullname", ScopeOrg: "org_shortname org_ogrn",
		Timestamp: "2026.03.14 10:20:30 +0300", State: "0f8fad5b-d9cb-469f-a165-70867728950e",
		RedirectURI: "https://cabinet.example.ru/esia/callback", Code: "eyJ.code"}
	noOrg := m
	noOrg.ScopeOrg = ""
	for _, tc := range []struct{ name, got, want string }{
		{"v1", m.V1(), "openid fullname2026.03.14 10:20:30 +0300SEPTEST0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"v2", m.V2(), "SEPTESTopenid fullnameorg_shortname org_ogrn2026.03.14 10:20:30 +03000f8fad5b-d9cb-469f-a165-70867728950ehttps://cabinet.example.ru/esia/callback"},
		{"v2 without scope_org", noOrg.V2(), "SEPTESTopenid fullname2026.03.14 10:20:30 +03000f8fad5b-d9cb-469f-a165-70867728950ehttps://cabinet.example.ru/esia/callback"},
		{"v3", m.V3(), m.V2() + "eyJ.code"},
		{"v3 without scope_org", noOrg.V3(), "SEPTESTopenid fullname2026.03.14 10:20:30 +03000f8fad5b-d9cb-469f-a165-70867728950ehttps://cabinet.example.ru/esia/callbackeyJ.code"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	ts := Timestamp(time.Date(2025, 9, 2, 13, 0, 29, 999, time.FixedZone("MSK", 3*3600)))
	if ts != "2025.09.02 13:00:29 +0300" {
		t.Errorf("%q", ts)
	}
}

func TestNewState(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		s := NewState()
		if !v4.MatchString(s) || !IsUUID(s) || seen[s] {
			t.Fatalf("%q", s)
		}
		seen[s] = true
	}
	for _, bad := range []string{"", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5bd9cb-469f-a165-70867728950e-", "0f8fad5b-d9cb-469f-a165-70867728950g"} {
		if IsUUID(bad) {
			t.Errorf("IsUUID(%q)", bad)
		}
	}
}

// TestAuthURLParameters: the parameters of each version's authorization
// request, and a client_secret that verifies over that version's message.
func TestAuthURLParameters(t *testing.T) {
	for _, v := range []Version{V2, V1} {
		t.Run(v.String(), func(t *testing.T) {
			s := newSetup(t, v, AlgGOST)
			state := "0f8fad5b-d9cb-469f-a165-70867728950e"
			opts := AuthOptions{Offline: true}
			if v == V2 {
				opts.ScopeOrg = []string{"org_shortname", "org_ogrn"}
			}
			req, err := s.c.AuthURL(context.Background(), state, opts)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(req.URL)
			q := u.Query()
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range q {
					if !yield(k) {
						return
					}
				}
			})
			want := []string{"access_type", "client_id", "client_secret", "redirect_uri", "response_type", "scope", "state", "timestamp"}
			path := "/aas/oauth2/ac"
			if v == V2 {
				want = []string{"access_type", "client_certificate_hash", "client_id", "client_secret", "redirect_uri", "response_type", "scope", "scope_org", "state", "timestamp"}
				path = "/aas/oauth2/v2/ac"
			}
			if u.Path != path || !slices.Equal(keys, want) {
				t.Errorf("%s %v", u.Path, keys)
			}
			if q.Get("timestamp") != "2026.03.14 10:20:30 +0300" || q.Get("scope") != "openid fullname email mobile" ||
				q.Get("access_type") != "offline" || q.Get("response_type") != "code" || q.Get("state") != state {
				t.Errorf("%v", q)
			}
			secret := q.Get("client_secret")
			if strings.ContainsAny(secret, "+/=") {
				t.Errorf("client_secret is not unpadded base64url: %q", secret)
			}
			sig, err := base64.RawURLEncoding.DecodeString(secret)
			if err != nil {
				t.Fatal(err)
			}
			m := Message{ClientID: mnemonic, Scope: q.Get("scope"), ScopeOrg: q.Get("scope_org"), Timestamp: q.Get("timestamp"), State: state, RedirectURI: redirect}
			if v == V2 {
				if len(secret) != 86 || q.Get("scope_org") != "org_shortname org_ogrn" {
					t.Errorf("secret of %d characters, scope_org %q", len(secret), q.Get("scope_org"))
				}
				digest := streebog.Sum256([]byte(m.V2()))
				if !gost3410.VerifyDigest(s.id.key.PublicKey(), digest[:], sig) {
					t.Error("client_secret does not verify over the v2 message")
				}
				if h, _ := CertificateHash(s.id.certDER); q.Get("client_certificate_hash") != h {
					t.Errorf("client_certificate_hash %q", q.Get("client_certificate_hash"))
				}
			} else {
				if _, _, err := cms.Verify(sig, cms.VerifyOptions{Content: []byte(m.V1())}); err != nil {
					t.Errorf("the v1 CMS does not verify over the v1 message: %v", err)
				}
			}
		})
	}
}

func TestAuthURLRefusesBadInput(t *testing.T) {
	s := newSetup(t, V2, AlgGOST)
	ctx := context.Background()
	if _, err := s.c.AuthURL(ctx, "not-a-uuid", AuthOptions{}); err == nil {
		t.Error("a state that is not a UUID")
	}
	if _, err := s.c.AuthURL(ctx, NewState(), AuthOptions{Scopes: []string{" "}}); err == nil {
		t.Error("no scope")
	}
	s1 := newSetup(t, V1, AlgGOST)
	if _, err := s1.c.AuthURL(ctx, NewState(), AuthOptions{ScopeOrg: []string{"org_ogrn"}}); err == nil {
		t.Error("scope_org with v1")
	}
	// A V1 signer under V2, or the reverse, is caught before ЕСИА sees it.
	s.c.cfg.Signer = s1.signer
	if _, err := s.c.AuthURL(ctx, NewState(), AuthOptions{}); err == nil || !strings.Contains(err.Error(), "64") {
		t.Errorf("a CMS signer with V2: %v", err)
	}
}

func TestCertificateHash(t *testing.T) {
	id := newIdentity(t, "tc26-256-A", "CN=Хэш")
	fromDER, err := CertificateHash(id.certDER)
	if err != nil {
		t.Fatal(err)
	}
	fromPEM, err := CertificateHash(id.certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if fromDER != fromPEM || len(fromDER) != 64 || strings.ToUpper(fromDER) != fromDER {
		t.Errorf("%s %s", fromDER, fromPEM)
	}
	if _, err := CertificateHash([]byte("not a certificate")); err == nil {
		t.Error("garbage hashed")
	}
}

func TestNewChecksConfig(t *testing.T) {
	id := newIdentity(t, "tc26-256-A", "CN=Конфиг")
	signer, _ := NewKeySigner(id.key)
	good := Config{BaseURL: TestHost, ClientID: "SEPTEST", Certificate: id.certDER, Signer: signer,
		RedirectURI: redirect, ProviderCertificates: [][]byte{id.certPEM}}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Config){
		"no base":        func(c *Config) { c.BaseURL = "" },
		"relative base":  func(c *Config) { c.BaseURL = "/esia" },
		"no mnemonic":    func(c *Config) { c.ClientID = "" },
		"no signer":      func(c *Config) { c.Signer = nil },
		"no redirect":    func(c *Config) { c.RedirectURI = "callback" },
		"no certificate": func(c *Config) { c.Certificate = nil },
		"no provider":    func(c *Config) { c.ProviderCertificates = nil },
		"bad provider":   func(c *Config) { c.ProviderCertificates = [][]byte{[]byte("x")} },
		"bad version":    func(c *Config) { c.Version = 7 },
	} {
		c := good
		mutate(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
