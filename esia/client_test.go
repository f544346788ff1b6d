package esia

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	mnemonic = "SEPTEST"
	redirect = "https://cabinet.example.ru/esia/callback"
)

// setup is a client registered with a double.
type setup struct {
	d      *double
	c      *Client
	id     *identity
	clock  *clock
	signer Signer
}

func newSetup(t *testing.T, v Version, alg string) *setup {
	t.Helper()
	clk := newClock()
	d := newDouble(t, clk, alg)
	id := newIdentity(t, "tc26-256-A", "CN=СЭП тест,O=Example")
	d.register(mnemonic, id, redirect)
	var signer Signer
	var err error
	if v == V1 {
		signer, err = NewCMSKeySigner(id.key, id.certPEM)
	} else {
		signer, err = NewKeySigner(id.key)
	}
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{
		BaseURL: d.srv.URL, ClientID: mnemonic, Certificate: id.certPEM, Signer: signer,
		RedirectURI: redirect, Scopes: []string{"openid", "fullname", "email", "mobile"}, Version: v,
		ProviderCertificates: [][]byte{d.cert}, Issuer: "http://esia.gosuslugi.ru/",
		Now: clk.Now, HTTPClient: d.srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &setup{d: d, c: c, id: id, clock: clk, signer: signer}
}

// authorize follows AuthURL to the double and returns the callback query.
func (s *setup) authorize(t *testing.T, state string, opts AuthOptions) url.Values {
	t.Helper()
	req, err := s.c.AuthURL(context.Background(), state, opts)
	if err != nil {
		t.Fatal(err)
	}
	hc := s.d.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorization answered HTTP %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), redirect+"?") {
		t.Fatalf("redirected to %s", loc)
	}
	return loc.Query()
}

func (s *setup) signIn(t *testing.T, opts AuthOptions) *Token {
	t.Helper()
	state := NewState()
	cb, err := ParseCallback(s.authorize(t, state, opts))
	if err != nil {
		t.Fatal(err)
	}
	if err := cb.CheckState(state); err != nil {
		t.Fatal(err)
	}
	tok, err := s.c.Exchange(context.Background(), cb.Code, ExchangeOptions{CodeVerifier: opts.CodeVerifier, ScopeOrg: opts.ScopeOrg})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestWholeFlow: sign-in, person data with every collection, organisation,
// refresh and logout, for both versions and both token algorithms.
func TestWholeFlow(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Version
		alg  string
	}{{"v2-gost", V2, AlgGOST}, {"v2-rs256", V2, AlgRS256}, {"v1-gost", V1, AlgGOST}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, tc.v, tc.alg)
			ctx := context.Background()
			tok := s.signIn(t, AuthOptions{Offline: true})
			if tok.OID() != personOID || !tok.Trusted() || tok.ID.Claims.Level() != "3" {
				t.Errorf("oid %d trusted %v level %q", tok.OID(), tok.Trusted(), tok.ID.Claims.Level())
			}
			if !tok.Access.Claims.HasScope("fullname") || tok.Access.Claims.Scopes()[0].OID != personOID {
				t.Errorf("scopes %v", tok.Access.Claims.Scopes())
			}
			if tok.Access.Header.Alg != tc.alg || tok.Access.Header.Sbt != "access" {
				t.Errorf("header %+v", tok.Access.Header)
			}
			if want := s.clock.Now().Add(time.Hour); !tok.Expiry.Equal(want.Truncate(time.Second)) {
				t.Errorf("expiry %v, want %v", tok.Expiry, want)
			}

			p, err := s.c.Person(ctx, tok.AccessToken, tok.OID(), EmbedContacts, EmbedAddresses, EmbedDocuments)
			if err != nil {
				t.Fatal(err)
			}
			if p.LastName != "Фамилия006" || !p.Trusted || p.SNILS != "000-000-600 06" || p.BirthDate != "26.05.2000" {
				t.Errorf("person %+v", p)
			}
			if e, ok := p.Contact(ContactEmail); !ok || e.Value != "test006@example.ru" || e.VrfStu != Verified {
				t.Errorf("e-mail %+v", e)
			}
			if doc, ok := p.IdentityDocument(); !ok || doc.Series != "5303" || doc.Type != DocPassport {
				t.Errorf("identity document %+v", doc)
			}
			if len(p.Addresses.Elements) != 1 || p.Addresses.Elements[0].ZipCode != "428022" {
				t.Errorf("addresses %+v", p.Addresses)
			}

			plain, err := s.c.Person(ctx, tok.AccessToken, tok.OID())
			if err != nil {
				t.Fatal(err)
			}
			if plain.Contacts == nil || len(plain.Contacts.Elements) != 0 || len(plain.Contacts.Links) != 2 || plain.Contacts.Size != 2 {
				t.Errorf("without embed, contacts %+v", plain.Contacts)
			}

			ctts, err := s.c.Contacts(ctx, tok.AccessToken, tok.OID())
			if err != nil || len(ctts) != 2 || ctts[1].Type != ContactMobile {
				t.Errorf("contacts %+v %v", ctts, err)
			}
			addrs, err := s.c.Addresses(ctx, tok.AccessToken, tok.OID())
			if err != nil || len(addrs) != 1 || addrs[0].Type != AddressResidence {
				t.Errorf("addresses %+v %v", addrs, err)
			}
			docs, err := s.c.Documents(ctx, tok.AccessToken, tok.OID())
			if err != nil || len(docs) != 1 || docs[0].Number != "925695" {
				t.Errorf("documents %+v %v", docs, err)
			}
			roles, err := s.c.Roles(ctx, tok.AccessToken, tok.OID())
			if err != nil || len(roles) != 1 || !roles[0].Chief || roles[0].Type != "LEGAL" {
				t.Fatalf("roles %+v %v", roles, err)
			}
			org, err := s.c.Org(ctx, tok.AccessToken, roles[0].OID)
			if err != nil || org.OGRN != "1027700132195" || org.KPP != "770701001" {
				t.Errorf("org %+v %v", org, err)
			}

			s.clock.Add(2 * time.Hour) // the access token has expired
			if _, err := s.c.VerifyToken(tok.AccessToken); !errors.Is(err, ErrTokenExpired) {
				t.Errorf("old access token: %v", err)
			}
			fresh, err := s.c.Refresh(ctx, tok.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
				t.Error("refresh returned the same tokens")
			}
			if _, err := s.c.Refresh(ctx, tok.RefreshToken); !errors.Is(err, ErrInvalidGrant) {
				t.Errorf("the rotated refresh token again: %v", err)
			}
			if _, err := s.c.Person(ctx, fresh.AccessToken, fresh.OID()); err != nil {
				t.Errorf("person with the refreshed token: %v", err)
			}
		})
	}
}

// TestCollectionsFollowLinks: a provider that answers links even when the
// elements are asked embedded is followed link by link.
func TestCollectionsFollowLinks(t *testing.T) {
	s := newSetup(t, V2, AlgGOST)
	tok := s.signIn(t, AuthOptions{})
	s.d.linksOnly = true
	docs, err := s.c.Documents(context.Background(), tok.AccessToken, tok.OID())
	if err != nil || len(docs) != 1 || docs[0].IssuedBy != "УФМС006" {
		t.Fatalf("documents %+v %v", docs, err)
	}
	if n := s.d.requests["/rs/prns/1000299681/docs/3571"]; n != 1 {
		t.Errorf("the element link was fetched %d times", n)
	}
}

func TestPKCE(t *testing.T) {
	s := newSetup(t, V2, AlgGOST)
	verifier := NewCodeVerifier()
	s.signIn(t, AuthOptions{CodeVerifier: verifier})
	if got := s.d.lastAuth.Get("code_challenge"); got != CodeChallenge(verifier) || s.d.lastAuth.Get("code_challenge_method") != "S256" {
		t.Errorf("code_challenge %q", got)
	}
	state := NewState()
	cb, err := ParseCallback(s.authorize(t, state, AuthOptions{CodeVerifier: verifier}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.c.Exchange(context.Background(), cb.Code, ExchangeOptions{CodeVerifier: NewCodeVerifier()})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodePKCEVerifier || e.Status != http.StatusBadRequest {
		t.Errorf("a wrong verifier: %v", err)
	}
	if _, err := s.c.AuthURL(context.Background(), state, AuthOptions{CodeVerifier: "short"}); err == nil {
		t.Error("a 5-character verifier was accepted")
	}
}

// TestErrorsReachTheCaller: ЕСИА's refusals come back as *Error with their
// codes, by redirect and by the token endpoint's JSON.
func TestErrorsReachTheCaller(t *testing.T) {
	ctx := context.Background()
	t.Run("declined", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		s.d.decline = true
		state := NewState()
		_, err := ParseCallback(s.authorize(t, state, AuthOptions{}))
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrDeclined) || e.OAuth != "access_denied" || e.State != state {
			t.Errorf("%#v", err)
		}
	})
	t.Run("certificate of another system", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		other := newIdentity(t, "tc26-256-A", "CN=Другая система")
		c, err := New(Config{BaseURL: s.d.srv.URL, ClientID: mnemonic, Certificate: other.certDER, Signer: s.signer,
			RedirectURI: redirect, Scopes: []string{"openid"}, ProviderCertificates: [][]byte{s.d.cert}, Now: s.clock.Now, HTTPClient: s.d.srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		s.c = c
		_, err = ParseCallback(s.authorize(t, NewState(), AuthOptions{}))
		if !errors.Is(err, ErrCertificateMismatch) {
			t.Errorf("%v", err)
		}
	})
	t.Run("secret by another key", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		other, _ := NewKeySigner(newIdentity(t, "tc26-256-A", "CN=Чужой ключ").key)
		s.c.cfg.Signer = other
		_, err := ParseCallback(s.authorize(t, NewState(), AuthOptions{}))
		if !errors.Is(err, ErrBadSecret) {
			t.Errorf("%v", err)
		}
	})
	t.Run("clock off", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		s.c.cfg.Now = func() time.Time { return s.clock.Now().Add(-time.Hour) }
		_, err := ParseCallback(s.authorize(t, NewState(), AuthOptions{}))
		if !errors.Is(err, ErrBadTimestamp) {
			t.Errorf("%v", err)
		}
	})
	t.Run("code reused", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		cb, err := ParseCallback(s.authorize(t, NewState(), AuthOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.c.Exchange(ctx, cb.Code, ExchangeOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err = s.c.Exchange(ctx, cb.Code, ExchangeOptions{})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalidGrant || e.OAuth != "invalid_grant" || e.Status != 400 || !IsUUID(e.State) {
			t.Errorf("%#v", err)
		}
	})
	t.Run("state echo differs", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		s.d.wrongState = true
		cb, _ := ParseCallback(s.authorize(t, NewState(), AuthOptions{}))
		if _, err := s.c.Exchange(ctx, cb.Code, ExchangeOptions{}); !errors.Is(err, ErrStateMismatch) {
			t.Errorf("%v", err)
		}
	})
	t.Run("tokens signed by another provider", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		impostor := newDouble(t, s.clock, AlgGOST)
		s.c.keys = nil
		k, _ := parseProviderKey(impostor.cert)
		s.c.keys = append(s.c.keys, k)
		cb, _ := ParseCallback(s.authorize(t, NewState(), AuthOptions{}))
		if _, err := s.c.Exchange(ctx, cb.Code, ExchangeOptions{}); !errors.Is(err, ErrTokenSignature) {
			t.Errorf("%v", err)
		}
	})
	t.Run("person of someone else", func(t *testing.T) {
		s := newSetup(t, V2, AlgGOST)
		tok := s.signIn(t, AuthOptions{})
		_, err := s.c.Person(ctx, tok.AccessToken, 1000000001)
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusForbidden || e.Code != "ESIA-005006" {
			t.Errorf("%#v", err)
		}
	})
}

func TestLogoutURL(t *testing.T) {
	s := newSetup(t, V2, AlgGOST)
	u, err := url.Parse(s.c.LogoutURL("https://cabinet.example.ru/"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/idp/ext/Logout" || u.Query().Get("client_id") != mnemonic || u.Query().Get("redirect_url") != "https://cabinet.example.ru/" {
		t.Errorf("%s", u)
	}
}

// TestRefreshMessageIsConfigurable: the refresh request signs what
// Config.RefreshMessage builds; the double expects the v2 message, so a
// message with the token appended is refused with ESIA-007053.
func TestRefreshMessageIsConfigurable(t *testing.T) {
	s := newSetup(t, V2, AlgGOST)
	tok := s.signIn(t, AuthOptions{Offline: true})
	var signed Message
	s.c.cfg.RefreshMessage = func(m Message) string { signed = m; return m.V3() }
	if _, err := s.c.Refresh(context.Background(), tok.RefreshToken); !errors.Is(err, ErrBadSecret) {
		t.Errorf("%v", err)
	}
	if signed.Code != tok.RefreshToken || !IsUUID(signed.State) || signed.RedirectURI != redirect {
		t.Errorf("the message parts %+v", signed)
	}
}
