package provider

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id"
)

func testCert(t *testing.T) []byte {
	t.Helper()
	c, _ := gost3410.CurveByName("tc26-256-A")
	key, _ := gost3410.GenerateKey(c, nil)
	name, _ := gostx509.ParseName("CN=Test System,O=Example")
	der, err := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour)}, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// The client registry and the single use of codes, on both databases.
func TestStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		p, err := New(Options{DB: d, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		der := testCert(t)
		n := NewClient{Mnemonic: "STORESYS", CertDER: der, RedirectURIs: []string{"https://sys.example.ru/cb"}, Scopes: []string{"openid", "fullname"}}
		c, err := p.RegisterClient(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if c.TokenAlg != AlgGOST || c.MinLevel != id.Simplified || c.CertHash != CertHash(der) {
			t.Fatalf("defaults: %+v", c)
		}
		if _, err := p.RegisterClient(ctx, n); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("the mnemonic again: %v", err)
		}
		var fe id.FieldErrors
		if _, err := p.RegisterClient(ctx, NewClient{Mnemonic: "x", CertDER: []byte("pem?"), Scopes: []string{"everything"}}); !errors.As(err, &fe) ||
			len(fe) != 4 {
			t.Fatalf("a bad registration: %v", err)
		}
		got, err := p.ClientByMnemonic(ctx, "STORESYS")
		if err != nil || got.ID != c.ID || !got.redirectAllowed("https://sys.example.ru/cb") || got.redirectAllowed("https://sys.example.ru/cb2") {
			t.Fatalf("by mnemonic: %+v %v", got, err)
		}
		if ok, _ := p.certRegistered(ctx, CertHash(der)); !ok {
			t.Fatal("the certificate is not found by its hash")
		}
		// A code is good once, and only while it lives.
		if _, err := d.Writer().ExecContext(ctx, `INSERT INTO id_accounts (id, role, status, level, lang, created_at, updated_at)
			VALUES ('acc1', 'citizen', 'active', 'simplified', 'ru', $1, $1)`, now); err != nil {
			t.Fatal(err)
		}
		g := &grant{ClientID: c.ID, AccountID: "acc1", SID: "s", AMR: "PWD", Scope: []string{"openid"}, RedirectURI: "https://sys.example.ru/cb", AuthTime: now}
		code, err := p.saveCode(ctx, d.Writer(), g)
		if err != nil {
			t.Fatal(err)
		}
		take := func(code string) error {
			return d.Tx(ctx, func(tx *sql.Tx) error { _, err := p.takeCode(ctx, tx, code); return err })
		}
		if err := take(code); err != nil {
			t.Fatal(err)
		}
		if err := take(code); !errors.Is(err, errGone) {
			t.Fatalf("a code twice: %v", err)
		}
		code, _ = p.saveCode(ctx, d.Writer(), g)
		now = now.Add(CodeTTL)
		if err := take(code); !errors.Is(err, errGone) {
			t.Fatalf("an expired code: %v", err)
		}
		if err := p.DisableClient(ctx, "STORESYS"); err != nil {
			t.Fatal(err)
		}
		if got, _ := p.ClientByMnemonic(ctx, "STORESYS"); !got.Disabled() {
			t.Fatal("not disabled")
		}
		if err := p.DisableClient(ctx, "STORESYS"); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("disabled twice: %v", err)
		}
	})
}
