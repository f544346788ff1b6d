package provider

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id"
)

// OpenID Connect systems beside ЕСИА ones in the registry, on both databases: the secret kept
// as a digest only, public clients without one, the post-logout addresses, the kinds apart.
func TestOIDCClientRegistry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		p, err := New(Options{DB: d, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.RegisterClient(ctx, NewClient{Mnemonic: "ESIASYS", CertDER: testCert(t), RedirectURIs: []string{"https://e.example.ru/cb"},
			Scopes: []string{"openid"}}); err != nil {
			t.Fatal(err)
		}
		c, secret, err := p.RegisterOIDCClient(ctx, NewOIDCClient{Mnemonic: "rp-one", RedirectURIs: []string{"https://rp.example.ru/cb"},
			PostLogout: []string{"https://rp.example.ru/"}, Scopes: []string{"profile", "email"}})
		if err != nil || len(secret) < 40 || c.Public() {
			t.Fatalf("register: %v %q", err, secret)
		}
		got, err := p.ClientByMnemonic(ctx, "rp-one")
		if err != nil || got.Kind != KindOIDC || got.Cert != nil || got.SecretHash != digest(secret) || got.TokenAlg != AlgRS256 ||
			!slices.Equal(got.Scopes, []string{"openid", "profile", "email"}) || !slices.Equal(got.PostLogout, []string{"https://rp.example.ru/"}) {
			t.Fatalf("read back: %+v %v", got, err)
		}
		pub, secret2, err := p.RegisterOIDCClient(ctx, NewOIDCClient{Mnemonic: "rp-two", RedirectURIs: []string{"http://127.0.0.1:9/cb"}, Public: true,
			MinLevel: id.Confirmed})
		if err != nil || secret2 != "" || !pub.Public() {
			t.Fatalf("a public client: %v %q", err, secret2)
		}
		if _, _, err := p.RegisterOIDCClient(ctx, NewOIDCClient{Mnemonic: "ESIASYS", RedirectURIs: []string{"https://x.example.ru/"}}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a taken mnemonic: %v", err)
		}
		var fe id.FieldErrors
		if _, _, err := p.RegisterOIDCClient(ctx, NewOIDCClient{Mnemonic: "?", PostLogout: []string{"/relative"}, Scopes: []string{"snils"},
			MinLevel: "gold"}); !errors.As(err, &fe) || len(fe) != 5 {
			t.Fatalf("a bad registration: %v", err)
		}
		cs, err := p.Clients(ctx)
		if err != nil || len(cs) != 3 || cs[0].Kind != KindESIA || cs[0].Cert == nil || cs[2].MinLevel != id.Confirmed {
			t.Fatalf("the list: %v", err)
		}
		if err := p.DisableClient(ctx, "rp-one"); err != nil {
			t.Fatal(err)
		}
		if got, _ := p.ClientByMnemonic(ctx, "rp-one"); !got.Disabled() {
			t.Fatal("not disabled")
		}
	})
}
