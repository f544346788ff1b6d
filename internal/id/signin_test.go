package id

import (
	"context"
	"errors"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// A registered citizen signs in with each login ruid understands, the password and the SMS
// code; a wrong password and an unknown login get the same answer.
func TestSignInWithPasswordAndSMSCode(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.register("+7 (900) 000-00-01", "ivan.demo@example.ru", "Ptichka-Sinica-2026!")
		for _, login := range []string{"89000000001", "+79000000001", "IVAN.DEMO@example.ru"} {
			if tok := e.signIn(login, "Ptichka-Sinica-2026!", "+79000000001"); tok == "" {
				t.Fatalf("%s: no session token", login)
			}
		}
		ctx, r := context.Background(), testRequest("127.0.0.1:40001")
		_, wrong := e.svc.StartSignIn(ctx, r, "+79000000001", "Ptichka-Sinica-2025!")
		_, unknown := e.svc.StartSignIn(ctx, r, "+79000000002", "Ptichka-Sinica-2026!")
		if !errors.Is(wrong, ErrWrongLogin) || !errors.Is(unknown, ErrWrongLogin) {
			t.Fatalf("wrong password: %v; unknown login: %v; want both %v", wrong, unknown, ErrWrongLogin)
		}
	})
}
