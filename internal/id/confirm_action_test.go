package id

import (
	"context"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

// A code confirming an action comes by SMS to the account's phone, confirms that action once
// and no other, and dies after three wrong tries.
func TestActionCodes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx := context.Background()
		const phone = "+79000000731"
		a := e.register(phone, "action.codes@example.ru", "Действие-Код-2026")
		n := e.outboxCount(phone)
		if err := e.svc.SendActionCode(ctx, a.ID, "application.submit:A"); err != nil {
			t.Fatal(err)
		}
		code := e.code(phone, n)
		if err := e.svc.CheckActionCode(ctx, a.ID, "application.submit:B", code); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("a code confirmed another action: %v", err)
		}
		if err := e.svc.CheckActionCode(ctx, a.ID, "application.submit:A", code); err != nil {
			t.Fatalf("the right code: %v", err)
		}
		if err := e.svc.CheckActionCode(ctx, a.ID, "application.submit:A", code); errs.IDOf(err) != "id.code_dead" {
			t.Fatalf("a used code again: %v", err)
		}
		if err := e.svc.SendActionCode(ctx, a.ID, "application.submit:A"); errs.IDOf(err) != "id.code_too_soon" {
			t.Fatalf("a second code at once: %v", err)
		}
		e.clock.Advance(2 * time.Minute)
		n = e.outboxCount(phone)
		if err := e.svc.SendActionCode(ctx, a.ID, "application.submit:A"); err != nil {
			t.Fatal(err)
		}
		code = e.code(phone, n)
		for range CodeTries {
			e.svc.CheckActionCode(ctx, a.ID, "application.submit:A", "000000")
		}
		if err := e.svc.CheckActionCode(ctx, a.ID, "application.submit:A", code); errs.IDOf(err) != "id.code_dead" {
			t.Fatalf("the code after three wrong tries: %v", err)
		}
	})
}
