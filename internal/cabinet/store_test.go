package cabinet

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/seal"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T, d *db.DB, c *clock) *Service {
	t.Helper()
	return New(Options{DB: d, Box: seal.NewBox(seal.GenerateRing(), nil), Now: c.now})
}

// Sessions go signin → consent → active, each step once, with a new token after ЕСИА; they end
// idle or at their absolute end. Profiles are found by oid and refreshed. Both databases.
func TestStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
		s := newService(t, d, c)
		state := esia.NewState()
		_, first, err := s.startSignIn(ctx, state)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.session(ctx, first)
		if err != nil || got.Stage != StageSignIn || got.State != state {
			t.Fatalf("a new session: %+v %v", got, err)
		}
		person := &esia.Person{FirstName: "Иван", LastName: "Кабинетов", SNILS: "112-233-445 95"}
		got.data = sessionData{OID: 1000000123, Level: "2", Tokens: Tokens{Access: "a", Refresh: "r", Expiry: c.t.Add(time.Hour)}, Person: person}
		second, err := s.advance(ctx, d.Writer(), got, StageConsent, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.advance(ctx, d.Writer(), got, StageConsent, ""); !errors.Is(err, errNoSession) {
			t.Fatalf("a second callback of one sign-in: %v", err)
		}
		if _, err := s.session(ctx, first); !errors.Is(err, errNoSession) {
			t.Fatalf("the token from before ЕСИА still valid: %v", err)
		}
		got, err = s.session(ctx, second)
		if err != nil || got.Stage != StageConsent || got.data.Person == nil || got.data.Person.LastName != "Кабинетов" || got.data.Tokens.Refresh != "r" {
			t.Fatalf("at consent: %+v %v", got, err)
		}
		if _, err := s.profileByOID(ctx, d.Reader(), 1000000123); !errors.Is(err, errNoProfile) {
			t.Fatalf("a profile before the consent: %v", err)
		}
		p := &Profile{OID: 1000000123, Person: *person, Level: "2", ConsentVersion: ConsentVersion, ConsentAt: c.t}
		if err := s.saveProfile(ctx, d.Writer(), p); err != nil {
			t.Fatal(err)
		}
		if err := s.activate(ctx, d.Writer(), got, p.ID); err != nil {
			t.Fatal(err)
		}
		got, err = s.session(ctx, second)
		if err != nil || got.Stage != StageActive || got.ProfileID != p.ID || got.data.Person != nil {
			t.Fatalf("active: %+v %v", got, err)
		}
		// Refreshed at the next entry.
		c.t = c.t.Add(time.Hour)
		found, err := s.profileByOID(ctx, d.Reader(), 1000000123)
		if err != nil || found.ID != p.ID || found.Person.SNILS != "112-233-445 95" {
			t.Fatalf("by oid: %+v %v", found, err)
		}
		found.Person.LastName, found.Level, found.Trusted = "Кабинетова", "3", true
		if err := s.saveProfile(ctx, d.Writer(), found); err != nil {
			t.Fatal(err)
		}
		again, err := s.Profile(ctx, p.ID)
		if err != nil || again.Person.LastName != "Кабинетова" || again.Level != "3" || !again.Trusted || !again.UpdatedAt.Equal(c.t) || again.OID != 1000000123 {
			t.Fatalf("refreshed: %+v %v", again, err)
		}
		if err := s.saveProfile(ctx, d.Writer(), &Profile{OID: 1000000123, Level: "1", ConsentVersion: ConsentVersion, ConsentAt: c.t}); !db.IsUniqueViolation(err) {
			t.Fatalf("a second profile of one oid: %v", err)
		}
		// Idle: 20 minutes without a request end it (the clock moved an hour).
		if _, err := s.session(ctx, second); !errors.Is(err, errNoSession) {
			t.Fatalf("an idle session: %v", err)
		}
		// A sign-in not finished is gone after 30 minutes.
		_, tok, _ := s.startSignIn(ctx, esia.NewState())
		c.t = c.t.Add(25 * time.Minute) // longer than idle: a sign-in at ЕСИА may take a while
		if _, err := s.session(ctx, tok); err != nil {
			t.Fatalf("a sign-in after 25 minutes: %v", err)
		}
		c.t = c.t.Add(SignInTTL - 25*time.Minute)
		if _, err := s.session(ctx, tok); !errors.Is(err, errNoSession) {
			t.Fatalf("a stale sign-in: %v", err)
		}
	})
}

// fakeESIA answers the token endpoint with GOST-signed tokens, rotating the refresh token, and
// refuses a used one as ЕСИА does (HTTP 400, ESIA-007011).
type fakeESIA struct {
	key      *gost3410.PrivateKey
	now      func() time.Time
	serial   atomic.Int64
	lastUsed atomic.Value
}

func (f *fakeESIA) token(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "GOST3410_2012_256", "typ": "JWT", "sbt": "access", "ver": 1})
	c, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	d := streebog.Sum256([]byte(signed))
	sig, err := f.key.Sign(nil, d[:], nil)
	if err != nil {
		panic(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func (f *fakeESIA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.URL.Path != "/aas/oauth2/v3/te" || r.PostForm.Get("grant_type") != "refresh_token" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	rt := r.PostForm.Get("refresh_token")
	if used, _ := f.lastUsed.Load().(string); rt == used {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"ESIA-007011: The authorization grant is invalid","state":%q}`, r.PostForm.Get("state"))
		return
	}
	f.lastUsed.Store(rt)
	n := f.serial.Add(1)
	exp := f.now().Add(time.Hour).Unix()
	json.NewEncoder(w).Encode(map[string]any{"access_token": f.token(map[string]any{"exp": exp, "urn:esia:sbj_id": 1000000123, "client_id": "SEPCABINET"}),
		"refresh_token": fmt.Sprintf("refresh-%d", n), "token_type": "Bearer", "expires_in": 3600, "state": r.PostForm.Get("state")})
}

// The session's ЕСИА tokens are renewed when they expire (the refresh token rotates) and not
// before; ЕСИА refusing the renewal (access revoked) ends the access.
func TestTokensRefreshOnExpiry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{time.Now().UTC().Truncate(time.Second)}
		s := newService(t, d, c)
		curve, _ := gost3410.CurveByName("tc26-256-A")
		pkey, _ := gost3410.GenerateKey(curve, nil)
		f := &fakeESIA{key: pkey, now: c.now}
		srv := httptest.NewServer(f)
		defer srv.Close()
		skey, _ := gost3410.GenerateKey(curve, nil)
		name, _ := gostx509.ParseName("CN=SEPCABINET")
		der, _ := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: c.t.Add(-time.Hour), NotAfter: c.t.Add(time.Hour)},
			nil, skey.PublicKey(), skey)
		signer, _ := esia.NewKeySigner(skey)
		pub, _ := gostpkix.EncodePublicKeyPEM(pkey.PublicKey())
		client, err := esia.New(esia.Config{BaseURL: srv.URL, ClientID: "SEPCABINET", Certificate: der, Signer: signer,
			RedirectURI: "http://127.0.0.1/cabinet/callback", Scopes: Scopes, ProviderCertificates: [][]byte{pub}, Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		s.UseClient(client)
		ss, _, err := s.startSignIn(ctx, esia.NewState())
		if err != nil {
			t.Fatal(err)
		}
		ss.data = sessionData{OID: 1000000123, Tokens: Tokens{Access: "old", Refresh: "refresh-0", Expiry: c.t.Add(time.Hour)}}
		tok, err := s.advance(ctx, d.Writer(), ss, StageConsent, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.freshTokens(ctx, ss); err != nil || ss.data.Tokens.Access != "old" || f.serial.Load() != 0 {
			t.Fatalf("tokens renewed before their expiry: %v %d", err, f.serial.Load())
		}
		c.t = c.t.Add(59*time.Minute + 30*time.Second)
		if err := s.freshTokens(ctx, ss); err != nil || ss.data.Tokens.Refresh != "refresh-1" || ss.data.Tokens.Access == "old" {
			t.Fatalf("at the expiry: %v %+v", err, ss.data.Tokens)
		}
		if d := ss.data.Tokens.Expiry.Sub(c.t); d != time.Hour {
			t.Fatalf("the renewed tokens last %s", d)
		}
		// Stored: the session read again holds the new tokens.
		d.Writer().Exec(`UPDATE cabinet_sessions SET seen_at = $1`, c.t)
		got, err := s.session(ctx, tok)
		if err != nil || got.data.Tokens.Refresh != "refresh-1" {
			t.Fatalf("stored: %+v %v", got, err)
		}
		// ЕСИА refuses the renewal (here: the refresh token used already): the access is over.
		got.data.Tokens.Refresh, got.data.Tokens.Expiry = "refresh-0", c.t
		f.lastUsed.Store("refresh-0")
		if err := s.freshTokens(ctx, got); !errors.Is(err, errAccessEnded) {
			t.Fatalf("a refused renewal: %v", err)
		}
	})
}
