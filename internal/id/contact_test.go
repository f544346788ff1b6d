package id

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/ruid"
)

// sessionID is the id of the session a token names.
func (e *testEnv) sessionID(token string) string {
	e.t.Helper()
	ss, _, err := e.svc.sessionOf(context.Background(), token)
	if err != nil {
		e.t.Fatal(err)
	}
	return ss.ID
}

// The owner changes the e-mail address: the current password, an address in Latin letters, a
// code to the new address; the old address is told, and the new one is the login.
func TestChangeEmail(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, withJournal(t, d))
		const phone, email, pw = "+79000002001", "contact.old@example.ru", "Ptichka-Sinica-2026!"
		const newEmail = "contact.new@example.ru"
		a := e.register(phone, email, pw)
		sid := e.sessionID(e.signIn(phone, pw, phone))
		ctx, r := context.Background(), testRequest("127.0.0.1:40020")

		// Every mistake at once: a Cyrillic address and a wrong password.
		_, err := e.svc.StartContactChange(ctx, r, a.ID, sid, ContactEmail, "иван@почта.рф", "Wrong-Password-1")
		var re *ruid.Error
		var fe FieldErrors
		if !errors.As(err, &fe) || !errors.As(fe["value"], &re) || re.Code != ruid.EmailNotLatin ||
			fieldError(err, "password") != "id.contact.password_wrong" {
			t.Fatalf("a Cyrillic address and a wrong password: %v", err)
		}
		if _, err := e.svc.StartContactChange(ctx, r, a.ID, sid, ContactEmail, "Contact.Old@example.ru", pw); fieldError(err, "value") != "id.contact.same" {
			t.Fatalf("the same address: %v", err)
		}
		n := e.outboxCount(newEmail)
		cc, err := e.svc.StartContactChange(ctx, r, a.ID, sid, ContactEmail, " "+newEmail+" ", pw)
		if err != nil {
			t.Fatal(err)
		}
		code := e.code(newEmail, n)
		// Only the session that started the change may finish it.
		other := e.sessionID(e.signIn(phone, pw, phone))
		if _, err := e.svc.ConfirmContactChange(ctx, r, a.ID, other, cc.Flow.Token, code); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("another session: %v", err)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if _, err := e.svc.ConfirmContactChange(ctx, r, a.ID, sid, cc.Flow.Token, wrong); fieldError(err, "code") != "id.code_wrong" {
			t.Fatalf("a wrong code: %v", err)
		}
		if _, err := e.svc.ConfirmContactChange(ctx, r, a.ID, sid, cc.Flow.Token, code); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Account(ctx, a.ID); got.Email != newEmail {
			t.Fatalf("the account's address: %s", got.Email)
		}
		alert := e.latest(email, notify.AccountChanged)
		if !strings.Contains(alert.Body, "изменён адрес электронной почты") {
			t.Fatalf("the old address was told: %s %q", alert.Kind, alert.Body)
		}
		if _, err := e.svc.StartSignIn(ctx, r, email, pw); !errors.Is(err, ErrWrongLogin) {
			t.Fatalf("the old address still signs in: %v", err)
		}
		e.signIn("CONTACT.NEW@example.ru", pw, phone)
		if _, err := e.svc.ConfirmContactChange(ctx, r, a.ID, sid, cc.Flow.Token, code); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the finished change used again: %v", err)
		}
		got := strings.Join(journaled(t, d, a.ID), " ")
		if !strings.Contains(got, "id.contact_changed:failure") || !strings.Contains(got, "id.contact_changed:success") {
			t.Fatalf("journal: %s", got)
		}
	})
}

// The phone: the code goes by SMS to the new number, the old number is told, and sign-in
// codes go to the new one. A number another account has is refused once its code is right.
func TestChangePhone(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, pw = "+79000002002", "Ptichka-Sinica-2026!"
		const taken, free = "+79000002003", "+79000002004"
		a := e.register(phone, "contact.phone@example.ru", pw)
		e.register(taken, "contact.other@example.ru", pw)
		sid := e.sessionID(e.signIn(phone, pw, phone))
		ctx, r := context.Background(), testRequest("127.0.0.1:40021")

		_, err := e.svc.StartContactChange(ctx, r, a.ID, sid, ContactPhone, "+7 495 123-45-67", pw)
		var re *ruid.Error
		if fe := (FieldErrors{}); !errors.As(err, &fe) || !errors.As(fe["value"], &re) || re.Code != ruid.PhoneNotMobile {
			t.Fatalf("a landline: %v", err)
		}
		n := e.outboxCount(taken)
		cc, err := e.svc.StartContactChange(ctx, r, a.ID, sid, ContactPhone, "8 900 000-20-03", pw)
		if err != nil {
			t.Fatalf("a taken number must get the same first answer: %v", err)
		}
		if _, err := e.svc.ConfirmContactChange(ctx, r, a.ID, sid, cc.Flow.Token, e.code(taken, n)); errs.IDOf(err) != "id.contact_taken" {
			t.Fatalf("a taken number after its code: %v", err)
		}

		n = e.outboxCount(free)
		cc, err = e.svc.StartContactChange(ctx, r, a.ID, sid, ContactPhone, free, pw)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SendContactCode(ctx, a.ID, sid, cc.Flow.Token); errs.IDOf(err) != "id.code_too_soon" {
			t.Fatalf("a new code at once: %v", err)
		}
		if _, err := e.svc.ConfirmContactChange(ctx, r, a.ID, sid, cc.Flow.Token, e.code(free, n)); err != nil {
			t.Fatal(err)
		}
		if m := e.latest(phone, notify.AccountChanged); !strings.Contains(m.Body, "изменён телефон") {
			t.Fatalf("the old number was told: %s %q", m.Kind, m.Body)
		}
		e.signIn("contact.phone@example.ru", pw, free)
		if _, err := ParseContactKind("fax"); errs.IDOf(err) != "id.contact.bad_kind" {
			t.Fatalf("an unknown contact kind: %v", err)
		}
	})
}

// An account's e-mail address is in Latin letters and digits, at registration as at a change,
// with the forms' own message.
func TestRegistrationAsksForALatinAddress(t *testing.T) {
	e := newTestEnv(t, dbtest.Open(t, dbtest.SQLiteURL(t)))
	_, err := e.svc.StartRegistration(context.Background(), testRequest("127.0.0.1:40022"),
		RegistrationForm{Phone: "+79000002005", Email: "иванов@example.ru", Consent: true, Lang: "ru"})
	var fe FieldErrors
	var re *ruid.Error
	if !errors.As(err, &fe) || !errors.As(fe["email"], &re) || re.Code != ruid.EmailNotLatin ||
		!strings.Contains(re.Message("ru"), "только латинские символы и цифры") {
		t.Fatalf("a Cyrillic address at registration: %v", err)
	}
}
