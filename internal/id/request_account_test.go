package id

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/web"
)

// The account a page shows comes with the session's lookup: the same account as Account reads,
// with the date its password was set; a principal that did not come from a session (an API
// token, a test) has it read on demand, and one whose kept row names another account is not
// trusted with it.
func TestRequestAccountComesWithTheSession(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, email, pw = "+79000002301", "request.account@example.ru", "Ptichka-Sinica-2026!"
		a := e.register(phone, email, pw)
		token := e.signIn(phone, pw, phone)

		r := httptest.NewRequest("GET", "/id/account", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		p, err := e.svc.Authenticate(r)
		if err != nil || p == nil {
			t.Fatalf("Authenticate: %v, %v", p, err)
		}
		r = web.WithPrincipal(r, p)
		got, err := e.svc.RequestAccount(r)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || got.Phone != phone || got.Email != email || got.Level != a.Level {
			t.Fatalf("RequestAccount = %s %s %s %s, want the account %s", got.ID, got.Phone, got.Email, got.Level, a.ID)
		}
		si, err := e.svc.requestRead(r)
		if err != nil || !si.passwordSet.Valid {
			t.Fatalf("the password's date did not come with the session: %v %v", si, err)
		}
		st, err := e.svc.PasswordStatus(context.Background(), a.ID)
		if err != nil || !st.ChangedAt.Equal(si.passwordSet.Time.UTC()) {
			t.Fatalf("password set %v with the session, %v by PasswordStatus (%v)", si.passwordSet.Time, st, err)
		}

		// A principal made elsewhere: read now.
		bare := web.WithPrincipal(httptest.NewRequest("GET", "/id/account", nil), &web.Principal{Kind: web.Citizen, ID: a.ID})
		if got, err := e.svc.RequestAccount(bare); err != nil || got.Email != email {
			t.Fatalf("RequestAccount without a session's row: %v, %v", got, err)
		}
		// A kept row of another account is not used for this one.
		other := web.WithPrincipal(httptest.NewRequest("GET", "/id/account", nil), &web.Principal{Kind: web.Citizen, ID: "no-such-account", Read: p.Read})
		if _, err := e.svc.RequestAccount(other); !errors.Is(err, ErrNoAccount) {
			t.Fatalf("RequestAccount with another account's row: %v, want ErrNoAccount", err)
		}
		if _, err := e.svc.RequestAccount(httptest.NewRequest("GET", "/id/account", nil)); err == nil {
			t.Fatal("RequestAccount without a principal gave an account")
		}
	})
}
