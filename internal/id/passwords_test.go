package id

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/notify"
)

const day = 24 * time.Hour

// withJournalOut gives the service a journal, returned through j.
func withJournalOut(t testing.TB, d *db.DB, j **audit.Journal) func(*Options) {
	return func(o *Options) {
		var err error
		if *j, err = audit.New(d, audit.Options{Now: o.Now}); err != nil {
			t.Fatal(err)
		}
		o.Journal = *j
	}
}

// actions lists the journal's entries about the account as "action outcome", oldest first.
func actions(t *testing.T, j *audit.Journal, accountID string) []string {
	t.Helper()
	var out []string
	err := j.Scan(context.Background(), audit.Filter{}, func(e *audit.Entry) error {
		if e.ObjectID == accountID {
			out = append(out, e.Action+" "+string(e.Outcome))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// violations are the broken rules of a refused password, from the field or the error itself.
func violations(t *testing.T, err error, field string) []password.Violation {
	t.Helper()
	if fe, ok := errors.AsType[FieldErrors](err); ok {
		err = fe[field]
	}
	pe, ok := errors.AsType[PasswordErrors](err)
	if !ok {
		t.Fatalf("%v: no password violations", err)
	}
	return pe
}

// The owner changes the password: every mistake at once, then the change; their other
// sessions end, the one they changed it in stays, they are alerted and it is journaled.
func TestChangePassword(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		var j *audit.Journal
		e := newTestEnv(t, d, withJournalOut(t, d, &j))
		ctx, r := context.Background(), testRequest("127.0.0.1:40010")
		const phone, email, old = "+79000000011", "pavel.demo@example.ru", "Ptichka-Sinica-2026!"
		a := e.register(phone, email, old)
		here := e.signIn(phone, old, phone)
		elsewhere := e.signIn(email, old, phone)
		ssHere, _, err := e.svc.sessionOf(ctx, here)
		if err != nil {
			t.Fatal(err)
		}

		// A wrong current password and a weak new one: both said at once.
		_, err = e.svc.ChangePassword(ctx, r, a.ID, ssHere.ID, "Ptichka-Sinica-2025!", "qwerty")
		fe, ok := errors.AsType[FieldErrors](err)
		if !ok || fe["current_password"] == nil || errs.IDOf(fe["current_password"]) != "id.password.current_wrong" {
			t.Fatalf("a wrong current password: %v", err)
		}
		if v := violations(t, err, "password"); !slices.Contains(v, password.TooShort) || !slices.Contains(v, password.Common) {
			t.Fatalf("a weak new password: %v", v)
		}
		// The same password again is refused: it is one of the last three.
		_, err = e.svc.ChangePassword(ctx, r, a.ID, ssHere.ID, old, old)
		if v := violations(t, err, "password"); !slices.Equal(v, []password.Violation{password.Reused}) {
			t.Fatalf("the current password as the new one: %v", v)
		}
		// The phone in the password.
		_, err = e.svc.ChangePassword(ctx, r, a.ID, ssHere.ID, old, "Sinica+7-900-000-00-11")
		if v := violations(t, err, "password"); !slices.Contains(v, password.HasPhone) {
			t.Fatalf("the phone in the password: %v", v)
		}

		smsBefore := e.outboxCount(phone)
		ended, err := e.svc.ChangePassword(ctx, r, a.ID, ssHere.ID, old, "Lesnaya-Tropa-2027?")
		if err != nil {
			t.Fatal(err)
		}
		if ended != 2 { // the registration's session and the other sign-in
			t.Fatalf("%d other sessions ended, want 2", ended)
		}
		if _, _, err := e.svc.sessionOf(ctx, here); err != nil {
			t.Fatalf("the session the password was changed in: %v", err)
		}
		if _, _, err := e.svc.sessionOf(ctx, elsewhere); !errors.Is(err, errSessionEnded) {
			t.Fatalf("another session after the change: %v", err)
		}
		if m := e.latest(email, notify.AccountChanged); !strings.Contains(m.Body, "изменён пароль") {
			t.Fatalf("the alert: %q %q", m.Subject, m.Body)
		}
		e.messages(phone, smsBefore+1) // the alert by SMS too, before the next code
		if _, err := e.svc.StartSignIn(ctx, r, phone, old); !errors.Is(err, ErrWrongLogin) {
			t.Fatalf("the old password still signs in: %v", err)
		}
		e.signIn(phone, "Lesnaya-Tropa-2027?", phone)

		got := actions(t, j, a.ID)
		want := []string{"id.password_change failure", "id.password_change success"}
		var changes []string
		for _, s := range got {
			if strings.HasPrefix(s, ActionPasswordChange) {
				changes = append(changes, s)
			}
		}
		if !slices.Equal(changes, want) {
			t.Fatalf("journaled %v, want %v (all: %v)", changes, want, got)
		}
	})
}

// A new password may not be one of the last three; the fourth one back is free again.
func TestPasswordHistory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx, r := context.Background(), testRequest("127.0.0.1:40011")
		pw := []string{"Pervyi-Parol-2026!", "Vtoroi-Parol-2026!", "Tretii-Parol-2026!", "Pyatyi-Parol-2026!"}
		a := e.register("+79000000012", "history.demo@example.ru", pw[0])
		change := func(from, to string) error {
			_, err := e.svc.ChangePassword(ctx, r, a.ID, "", from, to)
			return err
		}
		for i := 1; i <= 2; i++ {
			if err := change(pw[i-1], pw[i]); err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
		}
		for _, old := range pw[:2] {
			if v := violations(t, change(pw[2], old), "password"); !slices.Equal(v, []password.Violation{password.Reused}) {
				t.Fatalf("%s, one of the last three: %v", old, v)
			}
		}
		if err := change(pw[2], pw[3]); err != nil {
			t.Fatal(err)
		}
		if err := change(pw[3], pw[0]); err != nil {
			fe, _ := errors.AsType[FieldErrors](err)
			t.Fatalf("the fourth password back: %v %v", err, fe)
		}
	})
}

// With SEP_PASSWORD_MAX_AGE set, a sign-in with an expired password asks for a new one after
// the second factor, and starts the session only then.
func TestExpiredPasswordForcesAChange(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		var j *audit.Journal
		e := newTestEnv(t, d, withJournalOut(t, d, &j), func(o *Options) { o.PasswordMaxAge = 90 * day })
		ctx, r := context.Background(), testRequest("127.0.0.1:40012")
		const phone, old = "+79000000013", "Ptichka-Sinica-2026!"
		a := e.register(phone, "expiry.demo@example.ru", old)
		e.clock.Advance(89 * day)
		e.signIn(phone, old, phone) // not yet

		e.clock.Advance(day)
		n := e.outboxCount(phone)
		si, err := e.svc.StartSignIn(ctx, r, phone, old)
		if err != nil {
			t.Fatal(err)
		}
		token := si.Flow.Token
		if _, _, err := e.svc.FinishSignIn(ctx, r, token, MethodSMS, e.code(phone, n)); !errors.Is(err, ErrPasswordExpired) {
			t.Fatalf("an expired password: %v, want ErrPasswordExpired", err)
		}
		if _, err := e.svc.SignInFlow(ctx, token); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the held sign-in still takes a factor: %v", err)
		}
		if _, err := e.svc.ExpiredSignIn(ctx, token); err != nil {
			t.Fatal(err)
		}
		// The new password obeys the policy and the history, all rules at once.
		_, _, err = e.svc.ChangeExpiredPassword(ctx, r, token, "sinica")
		if v := violations(t, err, "password"); len(v) < 3 {
			t.Fatalf("a weak new password: %v", v)
		}
		_, _, err = e.svc.ChangeExpiredPassword(ctx, r, token, old)
		if v := violations(t, err, "password"); !slices.Equal(v, []password.Violation{password.Reused}) {
			t.Fatalf("the expired password again: %v", v)
		}
		// The held sign-in lasts another sign-in's time from the factor.
		e.clock.Advance(signInTTL - time.Minute)
		ss, st, err := e.svc.ChangeExpiredPassword(ctx, r, token, "Lesnaya-Tropa-2027?")
		if err != nil {
			t.Fatal(err)
		}
		if ss.Method != MethodSMS || st == "" {
			t.Fatalf("the session: %+v", ss)
		}
		if _, _, err := e.svc.ChangeExpiredPassword(ctx, r, token, "Lesnaya-Tropa-2028?"); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the finished flow used again: %v", err)
		}
		if st, err := e.svc.PasswordStatus(ctx, a.ID); err != nil || st.Expired || !st.ExpiresAt.Equal(e.clock.Now().Add(90*day)) {
			t.Fatalf("after the change: %+v %v", st, err)
		}
		if m := e.latest(phone, notify.AccountChanged); !strings.Contains(m.Body, "сменён пароль") {
			t.Fatalf("the alert: %q", m.Body)
		}
		e.signIn(phone, "Lesnaya-Tropa-2027?", phone)
		got := actions(t, j, a.ID)
		if !slices.Contains(got, "id.password_change success") {
			t.Fatalf("the change is not journaled: %v", got)
		}
	})
}

// Without a maximum age nothing expires, and after 180 days the owner is advised to change
// the password; with one, two weeks before it expires.
func TestPasswordReminder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx := context.Background()
		const phone, pw = "+79000000014", "Ptichka-Sinica-2026!"
		a := e.register(phone, "remind.demo@example.ru", pw)
		set := e.clock.Now()
		check := func(advised, expired bool) {
			t.Helper()
			st, err := e.svc.PasswordStatus(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.ChangeAdvised != advised || st.Expired != expired || !st.ChangedAt.Equal(set) {
				t.Fatalf("at %s: %+v, want advised %v, expired %v", e.clock.Now().Sub(set), st, advised, expired)
			}
		}
		check(false, false)
		e.clock.Advance(179 * day)
		check(false, false)
		e.clock.Advance(day)
		check(true, false)
		e.clock.Advance(3 * 365 * day)
		check(true, false)
		e.signIn(phone, pw, phone) // no expiry unless set

		short := newTestEnv(t, d, func(o *Options) { o.PasswordMaxAge = 30 * day; o.Now = func() time.Time { return set.Add(15 * day) } })
		st, err := short.svc.PasswordStatus(ctx, a.ID)
		if err != nil || st.ChangeAdvised || !st.ExpiresAt.Equal(set.Add(30*day)) {
			t.Fatalf("15 days into 30: %+v %v", st, err)
		}
		short.svc.now = func() time.Time { return set.Add(16 * day) }
		if st, _ := short.svc.PasswordStatus(ctx, a.ID); !st.ChangeAdvised || st.Expired {
			t.Fatalf("two weeks before expiry: %+v", st)
		}
	})
}

// A hash made with weaker parameters than the hasher's is made again at the next sign-in;
// the password's age is not reset by that.
func TestHashUpgradedAtSignIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, pw = "+79000000015", "Ptichka-Sinica-2026!"
		a := e.register(phone, "upgrade.demo@example.ru", pw)
		stored := func() (string, time.Time) {
			t.Helper()
			h, set, err := e.svc.passwords(context.Background(), nil, a.ID)
			if err != nil || len(h) != 1 {
				t.Fatalf("%d hashes: %v", len(h), err)
			}
			return h[0], set
		}
		before, set := stored()
		if !strings.Contains(before, "$m=1024,t=1,p=1$") {
			t.Fatalf("the test's hash: %s", before)
		}
		raised := password.Params{Memory: 2048, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		e.svc.hasher = password.NewHasher(raised, 0)
		e.clock.Advance(day)
		e.signIn(phone, pw, phone)
		after, setAfter := stored()
		if !strings.Contains(after, "$m=2048,t=2,p=1$") || !setAfter.Equal(set) {
			t.Fatalf("after a sign-in with raised parameters: %s set %s (was %s)", after, setAfter, set)
		}
		if ok, weaker, err := e.svc.hasher.Verify(context.Background(), pw, after); !ok || weaker || err != nil {
			t.Fatalf("the upgraded hash: %v %v %v", ok, weaker, err)
		}
		e.signIn(phone, pw, phone)
		if again, _ := stored(); again != after {
			t.Fatal("a hash with the current parameters was made again")
		}
	})
}

// Wrong current passwords in a row end the session at the fifth; a right one starts the count
// again. Each is journaled.
func TestWrongCurrentPasswordsEndTheSession(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		var j *audit.Journal
		e := newTestEnv(t, d, withJournalOut(t, d, &j))
		ctx, r := context.Background(), testRequest("127.0.0.1:40013")
		const phone, pw = "+79000000016", "Ptichka-Sinica-2026!"
		a := e.register(phone, "reauth.demo@example.ru", pw)
		token := e.signIn(phone, pw, phone)
		ss, _, err := e.svc.sessionOf(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		wrong := func(n int) {
			t.Helper()
			for i := range n {
				_, err := e.svc.ChangePassword(ctx, r, a.ID, ss.ID, "Ptichka-Sinica-2025!", "Lesnaya-Tropa-2027?")
				if fe, ok := errors.AsType[FieldErrors](err); !ok || fe["current_password"] == nil {
					t.Fatalf("wrong current password %d: %v", i+1, err)
				}
			}
		}
		wrong(MaxReauthFailures - 1)
		// A right current password (with a new one that will not do) starts the count again.
		if _, err := e.svc.ChangePassword(ctx, r, a.ID, ss.ID, pw, "short"); errs.IDOf(err) != "id.form_invalid" {
			t.Fatalf("a right current password: %v", err)
		}
		wrong(MaxReauthFailures - 1)
		if _, _, err := e.svc.sessionOf(ctx, token); err != nil {
			t.Fatalf("the session before the last try: %v", err)
		}
		_, err = e.svc.ChangePassword(ctx, r, a.ID, ss.ID, "Ptichka-Sinica-2024!", "Lesnaya-Tropa-2027?")
		if !errors.Is(err, ErrReauthExhausted) {
			t.Fatalf("the fifth wrong current password in a row: %v", err)
		}
		if _, _, err := e.svc.sessionOf(ctx, token); !errors.Is(err, errSessionEnded) {
			t.Fatalf("the session after it: %v", err)
		}
		failures := 0
		for _, s := range actions(t, j, a.ID) {
			if s == "id.password_change failure" {
				failures++
			}
		}
		if failures != 2*(MaxReauthFailures-1)+1 {
			t.Fatalf("%d failures journaled", failures)
		}
		e.signIn(phone, pw, phone) // the password itself still works
	})
}
