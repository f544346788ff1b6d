package id

import (
	"context"
	"testing"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// The sign-in history is read from the journal: successes with their method, failures with
// their reason, newest first, the account's own only.
func TestSignInHistory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		j, err := audit.New(d, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := newTestEnv(t, d, func(o *Options) { o.Journal = j })
		a := e.register(devPhone, devEmail, devPass)
		e.signInFrom(&browser{ua: firefoxLinux}, devEmail)
		if _, err := e.svc.StartSignIn(ctx, testRequest("127.0.0.1:40400"), devEmail, "Wrong-Password-2026!"); err == nil {
			t.Fatal("a wrong password signed in")
		}
		e.staff(Operator, "+79000000073", "other.operator@example.ru")
		h, err := e.svc.SignInHistory(ctx, a.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].OK || h[0].Reason != "wrong_password" || !h[1].OK || h[1].Method != MethodSMS ||
			h[1].UserAgent.String() != "Firefox 133, Linux" {
			t.Fatalf("history: %+v", h)
		}
	})
}
