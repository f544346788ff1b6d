package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

const (
	throttlePhone = "+79000000301"
	throttleEmail = "lock.demo@example.ru"
	throttlePW    = "Zamok-Nadyozhnyi-2026!"
)

// guess signs in with the login and password from r, answering a CAPTCHA when one is asked —
// rightly, as a person would (or a paid farm of people: the worst case for the lock).
func (e *testEnv) guess(r *http.Request, login, pw string) (*SignIn, error) {
	e.t.Helper()
	form := SignInForm{Login: login, Password: pw}
	for {
		si, err := e.svc.SignInWith(context.Background(), r, form)
		var ce *CaptchaError
		if !errors.As(err, &ce) {
			return si, err
		}
		if form.CaptchaID != "" && !ce.Wrong {
			e.t.Fatalf("a CAPTCHA answered rightly is asked again: %v", err)
		}
		form.CaptchaID, form.Captcha = ce.Challenge.ID, e.svc.captchaDigits(ce.Challenge.ID)
	}
}

// lockedUntil returns when the error says sign-in is locked until, or fails the test.
func lockedUntil(t *testing.T, err error) time.Time {
	t.Helper()
	var le *LockedError
	if !errors.As(err, &le) || errs.IDOf(err) != "id.signin_locked" || errs.KindOf(err) != errs.TooMany {
		t.Fatalf("%v, want the sign-in locked", err)
	}
	return le.Until
}

// Five wrong passwords lock the login for 15 minutes; a CAPTCHA is asked from the fourth
// attempt; an unknown login is answered the same at every step; the lock ends on time and a
// successful sign-in forgets it.
func TestFiveFailuresLockTheLoginForFifteenMinutes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.register(throttlePhone, throttleEmail, throttlePW)
		ctx := context.Background()
		for _, login := range []string{throttleEmail, "nobody.lock@example.ru"} {
			r := testRequest("10.0.0.1:5000") // one address per login: the address CAPTCHA is another test's
			if login != throttleEmail {
				r = testRequest("10.0.0.2:5000")
			}
			for i := 1; i <= 3; i++ {
				if _, err := e.svc.StartSignIn(ctx, r, login, "Nevernyi-Parol-2026!"); !errors.Is(err, ErrWrongLogin) {
					t.Fatalf("%s, failure %d: %v", login, i, err)
				}
			}
			_, err := e.svc.StartSignIn(ctx, r, login, "Nevernyi-Parol-2026!")
			var ce *CaptchaError
			if !errors.As(err, &ce) || ce.Wrong || errs.IDOf(err) != "id.captcha_needed" {
				t.Fatalf("%s, the fourth attempt: %v, want a CAPTCHA first", login, err)
			}
			_, err = e.svc.SignInWith(ctx, r, SignInForm{Login: login, Password: "Nevernyi-Parol-2026!", CaptchaID: ce.Challenge.ID, Captcha: "00000"})
			if !errors.As(err, &ce) || !ce.Wrong || errs.IDOf(err) != "id.captcha_wrong" {
				t.Fatalf("%s, a wrong CAPTCHA: %v", login, err)
			}
			if _, err := e.guess(r, login, "Nevernyi-Parol-2026!"); !errors.Is(err, ErrWrongLogin) {
				t.Fatalf("%s, failure 4: %v", login, err)
			}
			_, err = e.guess(r, login, "Nevernyi-Parol-2026!")
			if until := lockedUntil(t, err); !until.Equal(e.clock.Now().Add(15 * time.Minute)) {
				t.Fatalf("%s: locked until %v, want 15 minutes from now", login, until)
			}
			// Locked: even the right password is refused, from any address, without a check.
			_, err = e.guess(testRequest("10.9.9.9:1"), login, throttlePW)
			lockedUntil(t, err)
		}

		e.clock.Advance(15*time.Minute - time.Second)
		_, err := e.guess(testRequest("10.0.0.3:1"), throttleEmail, throttlePW)
		lockedUntil(t, err)
		e.clock.Advance(time.Second)
		// The lock is over; a login that has been locked answers a CAPTCHA first.
		_, err = e.svc.StartSignIn(ctx, testRequest("10.0.0.3:1"), throttleEmail, throttlePW)
		if errs.IDOf(err) != "id.captcha_needed" {
			t.Fatalf("after a lock: %v, want a CAPTCHA", err)
		}
		n := e.outboxCount(throttlePhone)
		si, err := e.guess(testRequest("10.0.0.3:1"), throttleEmail, throttlePW)
		if err != nil {
			t.Fatalf("the lock has ended: %v", err)
		}
		if _, _, err := e.svc.FinishSignIn(ctx, testRequest("10.0.0.3:1"), si.Flow.Token, MethodSMS, e.code(throttlePhone, n)); err != nil {
			t.Fatal(err)
		}
		// Signed in: the failures and the lock are forgotten, no CAPTCHA is asked.
		for i := 1; i <= 3; i++ {
			if _, err := e.svc.StartSignIn(ctx, testRequest("10.0.0.4:1"), throttleEmail, "Nevernyi-Parol-2026!"); !errors.Is(err, ErrWrongLogin) {
				t.Fatalf("after signing in, failure %d: %v", i, err)
			}
		}
	})
}

// Each lock in a row lasts twice the last, up to a day; a recovery lifts the lock and starts
// the doubling again.
func TestLocksDoubleUpToADayAndRecoveryLiftsThem(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		a := e.register(throttlePhone, throttleEmail, throttlePW)
		lock := func() time.Duration {
			t.Helper()
			var err error
			for range 5 {
				_, err = e.guess(testRequest("10.0.1.1:1"), throttlePhone, "Nevernyi-Parol-2026!")
			}
			return lockedUntil(t, err).Sub(e.clock.Now())
		}
		for _, want := range []time.Duration{15, 30, 60, 120, 240, 480, 960, 1440, 1440} {
			if got := lock(); got != want*time.Minute {
				t.Fatalf("lock of %v, want %v", got, want*time.Minute)
			}
			e.clock.Advance(want * time.Minute)
			e.clock.Advance(time.Hour) // the address limits and CAPTCHA memory pass too
		}
		lock()
		err := e.db.Tx(context.Background(), func(tx *sql.Tx) error { return e.svc.recovered(context.Background(), tx, a.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.StartSignIn(context.Background(), testRequest("10.0.1.2:1"), "8 900 000-03-01", throttlePW); err != nil {
			t.Fatalf("after recovery: %v", err)
		}
		e.clock.Advance(time.Minute) // the limit of attempts at one login from one address
		if got := lock(); got != 15*time.Minute {
			t.Fatalf("the first lock after recovery lasts %v", got)
		}
	})
}

// Wrong second-factor codes count against the login as wrong passwords do: the fifth locks
// it, and the lock refuses the factor too.
func TestWrongSecondFactorsLockTheLogin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.register(throttlePhone, throttleEmail, throttlePW)
		ctx, r := context.Background(), testRequest("10.0.2.1:1")
		n := e.outboxCount(throttlePhone)
		si, err := e.svc.StartSignIn(ctx, r, throttleEmail, throttlePW)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 4; i++ {
			if _, _, err := e.svc.FinishSignIn(ctx, r, si.Flow.Token, MethodSMS, "000000"); errs.KindOf(err) != errs.Invalid {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		_, _, err = e.svc.FinishSignIn(ctx, r, si.Flow.Token, MethodSMS, "000000")
		lockedUntil(t, err)
		_, _, err = e.svc.FinishSignIn(ctx, r, si.Flow.Token, MethodSMS, e.code(throttlePhone, n))
		lockedUntil(t, err)
		_, err = e.svc.StartSignIn(ctx, r, throttleEmail, throttlePW)
		lockedUntil(t, err)
	})
}

// From one address: a CAPTCHA after three failures whatever the login, and at most 30
// attempts a minute.
func TestAddressLimits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx, r := context.Background(), testRequest("[2001:db8:1:2::7]:443")
		for i := range 3 {
			if _, err := e.svc.StartSignIn(ctx, r, fmt.Sprintf("spray%d@example.ru", i), "Nevernyi-Parol-2026!"); !errors.Is(err, ErrWrongLogin) {
				t.Fatal(err)
			}
		}
		// Another address of the same /64 is the same subscriber.
		other := testRequest("[2001:db8:1:2::8]:443")
		if _, err := e.svc.StartSignIn(ctx, other, "fresh@example.ru", "Nevernyi-Parol-2026!"); errs.IDOf(err) != "id.captcha_needed" {
			t.Fatalf("a fourth failure from the address: %v, want a CAPTCHA", err)
		}
		// Every attempt counts toward the address's limit, even one refused for its CAPTCHA.
		for i := 5; i <= 30; i++ {
			if _, err := e.svc.StartSignIn(ctx, r, fmt.Sprintf("spray%d@example.ru", i), "Nevernyi-Parol-2026!"); errs.IDOf(err) != "id.captcha_needed" {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		_, err := e.svc.StartSignIn(ctx, r, "spray31@example.ru", "Nevernyi-Parol-2026!")
		var w *codeWait
		if errs.IDOf(err) != "id.signin_too_many" || !errors.As(err, &w) || w.RetryAfter() <= 0 || w.RetryAfter() > time.Minute {
			t.Fatalf("the 31st attempt in a minute: %v", err)
		}
		// Another address is not concerned.
		if _, err := e.svc.StartSignIn(ctx, testRequest("10.0.3.1:1"), "spray31@example.ru", "Nevernyi-Parol-2026!"); !errors.Is(err, ErrWrongLogin) {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.guess(r, "spray32@example.ru", "Nevernyi-Parol-2026!"); !errors.Is(err, ErrWrongLogin) {
			t.Fatalf("a minute later: %v", err)
		}
	})
}

// A challenge answers once, for five minutes; its picture and sound are there while it is in
// play and are the same each time.
func TestCaptchaIsSingleUseForFiveMinutes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		ctx := context.Background()
		use := func(c *Captcha, answer string) bool {
			var ok bool
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				ok, err = e.svc.useCaptcha(ctx, tx, c.ID, answer)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		c, err := e.svc.newCaptcha(ctx, d.Writer())
		if err != nil {
			t.Fatal(err)
		}
		img1, err1 := e.svc.CaptchaImage(ctx, c.ID)
		img2, _ := e.svc.CaptchaImage(ctx, c.ID)
		wav, err2 := e.svc.CaptchaAudio(ctx, c.ID)
		if err1 != nil || err2 != nil || string(img1) != string(img2) || len(wav) < 1000 {
			t.Fatalf("picture %v, sound %v", err1, err2)
		}
		digits := e.svc.captchaDigits(c.ID)
		if len(digits) != CaptchaDigits {
			t.Fatalf("digits %q", digits)
		}
		if !use(c, digits[:2]+" "+digits[2:]) {
			t.Fatal("the right answer (with a space) is refused")
		}
		if use(c, digits) {
			t.Fatal("a challenge answered twice")
		}
		if _, err := e.svc.CaptchaImage(ctx, c.ID); !errors.Is(err, ErrNoCaptcha) {
			t.Fatalf("the picture of a used challenge: %v", err)
		}
		c2, _ := e.svc.newCaptcha(ctx, d.Writer())
		if use(c2, "x") || use(c2, e.svc.captchaDigits(c2.ID)) {
			t.Fatal("a wrong answer must use the challenge up")
		}
		c3, _ := e.svc.newCaptcha(ctx, d.Writer())
		e.clock.Advance(CaptchaTTL)
		if use(c3, e.svc.captchaDigits(c3.ID)) {
			t.Fatal("a challenge answered after five minutes")
		}
		if _, err := e.svc.CaptchaAudio(ctx, c3.ID); !errors.Is(err, ErrNoCaptcha) {
			t.Fatalf("the sound of an expired challenge: %v", err)
		}
		if n, err := e.svc.PurgeCaptchas(ctx, e.clock.Now().Add(time.Second), 100); err != nil || n != 3 {
			t.Fatalf("purged %d, %v", n, err)
		}
	})
}

// Two instances on one database count together: the counters are in the database.
func TestInstancesShareTheCounters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		a := newTestEnv(t, d)
		b := newTestEnv(t, d)
		b.svc.now = a.clock.Now
		var err error
		for i := range 5 {
			env := []*testEnv{a, b}[i%2]
			_, err = env.guess(testRequest(fmt.Sprintf("10.0.4.%d:1", i)), "shared.lock@example.ru", "Nevernyi-Parol-2026!")
		}
		lockedUntil(t, err)
		_, err = a.guess(testRequest("10.0.4.9:1"), "shared.lock@example.ru", "Nevernyi-Parol-2026!")
		lockedUntil(t, err)
	})
}

// Thousands of guesses at one account from many addresses, in parallel, the right password
// among them, a CAPTCHA solved each time it is asked: not one gets through; the password is
// checked no more than five times per login; the lock ends on time, and the owner then signs in — or
// earlier, by recovery.
func TestBruteForceFromManyAddresses(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		a := e.register(throttlePhone, throttleEmail, throttlePW)
		const guesses, addresses = 3000, 250
		var next, wrong, locked, through atomic.Int64
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= guesses {
						return
					}
					pw := fmt.Sprintf("Podbor-%04d-Parol!", i)
					if i == 100 || i == 1500 || i == guesses-1 {
						pw = throttlePW
					}
					login := []string{throttleEmail, throttlePhone, "8 (900) 000-03-01"}[i%3]
					r := testRequest(fmt.Sprintf("10.1.%d.%d:%d", i%addresses/250, i%addresses%250+1, 1024+i))
					_, err := e.guess(r, login, pw)
					var le *LockedError
					switch {
					case err == nil:
						through.Add(1)
					case errors.Is(err, ErrWrongLogin):
						wrong.Add(1)
					case errors.As(err, &le):
						locked.Add(1)
					default:
						t.Errorf("guess %d: %v", i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		// Five checks per login at most: the e-mail, and the phone in either spelling.
		if through.Load() != 0 || wrong.Load() > 10 || locked.Load() < guesses-10 {
			t.Fatalf("%d got through, %d checked wrong, %d locked, of %d", through.Load(), wrong.Load(), locked.Load(), guesses)
		}
		// Each login (the e-mail; the phone in any spelling) was locked by its first failures;
		// the lock ends exactly 15 minutes after, and the owner signs in.
		for _, login := range []string{throttleEmail, "+7 900 000-03-01"} {
			_, err := e.guess(testRequest("10.2.0.1:1"), login, throttlePW)
			if d := lockedUntil(t, err).Sub(e.clock.Now()); d != 15*time.Minute {
				t.Fatalf("%s locked for %v", login, d)
			}
		}
		e.clock.Advance(15 * time.Minute)
		n := e.outboxCount(throttlePhone)
		si, err := e.guess(testRequest("10.2.0.1:1"), throttleEmail, throttlePW)
		if err != nil {
			t.Fatalf("the owner after the lock: %v", err)
		}
		if _, _, err := e.svc.FinishSignIn(context.Background(), testRequest("10.2.0.1:1"), si.Flow.Token, MethodSMS, e.code(throttlePhone, n)); err != nil {
			t.Fatal(err)
		}
		// Another round locks the phone; the owner recovers and is let in at once.
		for range 5 {
			e.guess(testRequest("10.2.0.2:1"), throttlePhone, "Nevernyi-Parol-2026!")
		}
		_, err = e.guess(testRequest("10.2.0.2:1"), throttlePhone, throttlePW)
		lockedUntil(t, err)
		if err := d.Tx(context.Background(), func(tx *sql.Tx) error { return e.svc.recovered(context.Background(), tx, a.ID) }); err != nil {
			t.Fatal(err)
		}
		if tok := e.signIn(throttlePhone, throttlePW, throttlePhone); tok == "" {
			t.Fatal("no session after recovery")
		}
	})
}

// The retention job forgets quiet counters, never a lock in force.
func TestPurgeThrottle(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		var err error
		for range 5 {
			_, err = e.guess(testRequest("10.3.0.1:1"), "purge.lock@example.ru", "Nevernyi-Parol-2026!")
		}
		lockedUntil(t, err)
		ctx := context.Background()
		// Every counter is older than now+1m, but the lock lasts 15 minutes: only it stays.
		n, err := e.svc.PurgeThrottle(ctx, e.clock.Now().Add(time.Minute), 100)
		if err != nil || n != 3 { // the address's rows (attempts, attempts at the login, failures)
			var rows int
			d.Reader().QueryRow(`SELECT COUNT(*) FROM id_throttle`).Scan(&rows)
			t.Fatalf("purged %d (%v), %d rows left", n, err, rows)
		}
		_, err = e.guess(testRequest("10.3.0.2:1"), "purge.lock@example.ru", "Nevernyi-Parol-2026!")
		lockedUntil(t, err)
		if n, err := e.svc.PurgeThrottle(ctx, e.clock.Now().Add(16*time.Minute), 100); err != nil || n == 0 {
			t.Fatalf("after the lock: purged %d, %v", n, err)
		}
	})
}

// A login normalises the same in every spelling and never panics.
func FuzzLoginNormalisation(f *testing.F) {
	f.Add("8 (900) 000-03-01")
	f.Add("IVAN@example.ru")
	f.Fuzz(func(t *testing.T, login string) {
		if normalLogin(login) != normalLogin(" "+login+" ") {
			t.Fatalf("%q: spaces around change the login", login)
		}
	})
}
