package id

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
)

// journaled lists the actions journaled about the account, oldest first.
func journaled(t testing.TB, d *db.DB, accountID string) []string {
	t.Helper()
	rows, err := d.Reader().Query(`SELECT action, outcome FROM audit_entries WHERE object_id = $1 ORDER BY seq`, accountID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, o string
		if err := rows.Scan(&a, &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, a+":"+o)
	}
	return out
}

// A citizen who forgot the password gets a code by SMS, sets a new password, and every
// session ends: the old password no longer signs in, the new one does, the hooks ran in the
// same transaction, the owner was alerted and the journal has it.
func TestRecoverByPhone(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, withJournal(t, d))
		const phone, email, old = "+79000001001", "recovery.demo@example.ru", "Ptichka-Sinica-2026!"
		a := e.register("8 900 000-10-01", email, old)
		e.signIn(email, old, phone)
		var hooked []string
		e.svc.OnRecovered(func(ctx context.Context, tx *sql.Tx, accountID string) error {
			hooked = append(hooked, accountID)
			return nil
		})
		ctx, r := context.Background(), testRequest("127.0.0.1:40010")

		n := e.outboxCount(phone)
		rec, err := e.svc.StartRecovery(ctx, r, "+7 (900) 000-10-01", "ru")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Channel != notify.SMS || rec.To != phone {
			t.Fatalf("the code goes by %s to %s", rec.Channel, rec.To)
		}
		code := e.code(phone, n)
		if m := e.messages(phone, n+1)[0]; m.Kind != notify.RecoveryCode {
			t.Fatalf("the code came as a %s message", m.Kind)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if _, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, wrong); fieldError(err, "code") != "id.code_wrong" {
			t.Fatalf("a wrong code: %v", err)
		}
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Novyi-Parol-2026!"); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("a password before the code: %v", err)
		}
		if _, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, " "+code+" "); err != nil {
			t.Fatalf("the right code: %v", err)
		}
		// The policy applies, and a recent password is refused.
		var weak PasswordErrors
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "short"); !errors.As(err, &weak) {
			t.Fatalf("a weak password: %v", err)
		}
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, old); fieldError(err, "password") != "id.recovery.password_reused" {
			t.Fatalf("the current password again: %v", err)
		}
		mails, sms := e.outboxCount(email), e.outboxCount(phone)
		done, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Novyi-Parol-2026!")
		if err != nil {
			t.Fatal(err)
		}
		if done.SessionsRevoked != 2 || !done.AddFactor || done.AccountID != a.ID {
			t.Fatalf("recovered: %+v, want the registration's and the sign-in's sessions revoked and a factor offered", done)
		}
		if live, _ := e.svc.Sessions(ctx, a.ID); len(live) != 0 {
			t.Fatalf("%d sessions live after recovery", len(live))
		}
		if len(hooked) != 1 || hooked[0] != a.ID {
			t.Fatalf("the OnRecovered hooks ran for %v", hooked)
		}
		if _, err := e.svc.StartSignIn(ctx, r, phone, old); !errors.Is(err, ErrWrongLogin) {
			t.Fatalf("the old password: %v", err)
		}
		if m := e.messages(phone, sms+1)[0]; m.Kind != notify.AccountChanged {
			t.Fatalf("the SMS after recovery: %s", m.Kind)
		}
		e.signIn(phone, "Novyi-Parol-2026!", phone)
		alert := e.messages(email, mails+1)[0]
		if alert.Kind != notify.AccountChanged || !strings.Contains(alert.Body, "пароль восстановлен") {
			t.Fatalf("the alert: %s %q", alert.Kind, alert.Body)
		}
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Drugoi-Parol-2026!"); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the finished recovery used again: %v", err)
		}
		got := strings.Join(journaled(t, d, a.ID), " ")
		if !strings.Contains(got, "id.recovery_started:success") || !strings.Contains(got, "id.recovered:success") {
			t.Fatalf("journal: %s", got)
		}
	})
}

// The same by e-mail, typed in another case; a hook that fails undoes the whole recovery.
func TestRecoverByEmailIsAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, email, old = "+79000001002", "recovery.mail@example.ru", "Ptichka-Sinica-2026!"
		a := e.register(phone, email, old)
		fail := true
		e.svc.OnRecovered(func(context.Context, *sql.Tx, string) error {
			if fail {
				return errors.New("a hook failed")
			}
			return nil
		})
		ctx, r := context.Background(), testRequest("127.0.0.1:40011")
		n := e.outboxCount(email)
		rec, err := e.svc.StartRecovery(ctx, r, "Recovery.Mail@EXAMPLE.ru", "ru")
		if err != nil || rec.Channel != notify.Email {
			t.Fatalf("start: %+v %v", rec, err)
		}
		if _, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, e.code(email, n)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Novyi-Parol-2026!"); err == nil {
			t.Fatal("a failing hook did not stop the recovery")
		}
		if live, _ := e.svc.Sessions(ctx, a.ID); len(live) != 1 {
			t.Fatalf("%d sessions after a recovery that failed, want the registration's", len(live))
		}
		e.signIn(phone, old, phone) // the old password still works
		fail = false
		sms := e.outboxCount(phone)
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Novyi-Parol-2026!"); err != nil {
			t.Fatalf("again after the failure: %v", err)
		}
		e.messages(phone, sms+1) // the alert
		e.signIn(phone, "Novyi-Parol-2026!", phone)
	})
}

// A contact no account has gets the same answers as one that has: "code sent", the same
// wrong-code and dead-code messages, the same wait for a new code. Nothing is sent to it.
func TestRecoveryOfUnknownContactGetsTheSameAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, withJournal(t, d))
		const phone = "+79000001003"
		e.register(phone, "recovery.known@example.ru", "Ptichka-Sinica-2026!")
		ctx, r := context.Background(), testRequest("127.0.0.1:40012")

		type answers struct {
			channel       notify.Channel
			wrong, resend []string
			afterWait     string
		}
		try := func(contact, to string) answers {
			var got answers
			rec, err := e.svc.StartRecovery(ctx, r, contact, "ru")
			if err != nil {
				t.Fatalf("%s: %v", contact, err)
			}
			got.channel = rec.Channel
			if rec.Flow.Token == "" || rec.To != to {
				t.Fatalf("%s: %+v", contact, rec)
			}
			for range CodeTries + 1 {
				_, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, "000000")
				got.wrong = append(got.wrong, fieldError(err, "code"))
			}
			got.resend = append(got.resend, errs.IDOf(e.svc.SendRecoveryCode(ctx, rec.Flow.Token)))
			e.clock.Advance(CodeResend)
			got.resend = append(got.resend, errs.IDOf(e.svc.SendRecoveryCode(ctx, rec.Flow.Token)))
			_, err = e.svc.ConfirmRecovery(ctx, rec.Flow.Token, "000000")
			got.afterWait = fieldError(err, "code")
			return got
		}
		known := try("8 900 000-10-03", phone)
		for _, c := range []struct{ contact, to string }{
			{"+7 900 000-10-99", "+79000001099"},
			{"nobody.here@example.ru", "nobody.here@example.ru"},
		} {
			unknown := try(c.contact, c.to)
			unknown.channel, known.channel = "", ""
			if strings.Join(unknown.wrong, " ") != strings.Join(known.wrong, " ") ||
				strings.Join(unknown.resend, " ") != strings.Join(known.resend, " ") || unknown.afterWait != known.afterWait {
				t.Fatalf("%s: %+v; a registered phone: %+v", c.contact, unknown, known)
			}
			if n := e.outboxCount(c.to); n != 0 {
				t.Fatalf("%d messages went to %s, which no account has", n, c.to)
			}
		}
		if got := strings.Join(known.wrong, " "); got != "id.code_wrong id.code_wrong id.code_dead id.code_dead" {
			t.Fatalf("wrong codes: %s", got)
		}
		if got := strings.Join(known.resend, " "); got != "id.code_too_soon " {
			t.Fatalf("new codes: %q", got)
		}
		// The journal keeps the unknown contact's try (anonymous, without the contact).
		var n int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM audit_entries WHERE action = $1 AND outcome = 'failure' AND actor_kind = 'anonymous'`,
			ActionRecoveryStarted).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d anonymous recovery tries journaled (%v), want 2", n, err)
		}
		// Something that is neither a phone nor an address says so, before anything.
		for contact, want := range map[string]string{"": "id.recovery.contact_empty", "12345": "", "ivan@": ""} {
			_, err := e.svc.StartRecovery(ctx, r, contact, "ru")
			if got := fieldError(err, "contact"); got == "" || want != "" && got != want {
				t.Errorf("%q: %v", contact, err)
			}
		}
	})
}

// A code is good for 5 minutes: a minute before, it works; at 5 minutes it is dead, and a new
// one (asked within the flow's time) works.
func TestRecoveryCodeLivesFiveMinutes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone = "+79000001004"
		e.register(phone, "recovery.clock@example.ru", "Ptichka-Sinica-2026!")
		ctx, r := context.Background(), testRequest("127.0.0.1:40013")

		n := e.outboxCount(phone)
		rec, err := e.svc.StartRecovery(ctx, r, phone, "ru")
		if err != nil {
			t.Fatal(err)
		}
		code := e.code(phone, n)
		e.clock.Advance(5*time.Minute - time.Second)
		if _, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, code); err != nil {
			t.Fatalf("at 4:59: %v", err)
		}

		n = e.outboxCount(phone)
		rec, err = e.svc.StartRecovery(ctx, r, phone, "ru")
		if err != nil {
			t.Fatal(err)
		}
		code = e.code(phone, n)
		e.clock.Advance(5 * time.Minute)
		if _, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, code); fieldError(err, "code") != "id.code_dead" {
			t.Fatalf("at 5:00: %v", err)
		}
		if err := e.svc.SendRecoveryCode(ctx, rec.Flow.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ConfirmRecovery(ctx, rec.Flow.Token, e.code(phone, n+1)); err != nil {
			t.Fatalf("the new code: %v", err)
		}
		// The flow itself ends: after its time the token is gone.
		e.clock.Advance(recoveryTTL)
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Novyi-Parol-2026!"); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("an expired flow: %v", err)
		}
	})
}

// An account blocked by an administrator is told so once the code shows the person holds the
// contact; an account waiting for its contacts to be confirmed is active after recovery.
func TestRecoveryOfBlockedAndUnconfirmedAccounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx, r := context.Background(), testRequest("127.0.0.1:40014")
		setStatus := func(id string, st Status) {
			if _, err := d.Writer().Exec(`UPDATE id_accounts SET status = $2 WHERE id = $1`, id, string(st)); err != nil {
				t.Fatal(err)
			}
		}
		recover := func(phone string) (*Recovery, error) {
			n := e.outboxCount(phone)
			rec, err := e.svc.StartRecovery(ctx, r, phone, "ru")
			if err != nil {
				t.Fatal(err)
			}
			return e.svc.ConfirmRecovery(ctx, rec.Flow.Token, e.code(phone, n))
		}
		blocked := e.register("+79000001005", "recovery.blocked@example.ru", "Ptichka-Sinica-2026!")
		setStatus(blocked.ID, Blocked)
		if _, err := recover("+79000001005"); errs.IDOf(err) != "id.account_blocked" {
			t.Fatalf("a blocked account: %v", err)
		}
		waiting := e.register("+79000001006", "recovery.waiting@example.ru", "Ptichka-Sinica-2026!")
		setStatus(waiting.ID, Unconfirmed)
		rec, err := recover("+79000001006")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FinishRecovery(ctx, r, rec.Flow.Token, "Novyi-Parol-2026!"); err != nil {
			t.Fatal(err)
		}
		if a, _ := e.svc.Account(ctx, waiting.ID); a.Status != Active {
			t.Fatalf("after recovery the account is %s", a.Status)
		}
	})
}
