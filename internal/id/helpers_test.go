package id

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/seal"
)

// The shared fixtures of the package's tests: a Service on a fresh database whose messages go
// to the development outbox, a clock the test moves, and the steps most tests begin with.

// testBox seals the personal data of every test in the package.
var testBox = seal.NewBox(seal.GenerateRing(), nil)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testEnv is a Service with what its tests look at.
type testEnv struct {
	t     testing.TB
	db    *db.DB
	svc   *Service
	clock *testClock
}

// testParams keep argon2id cheap in tests (the real parameters are tested in package password).
var testParams = password.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// newTestEnv builds a Service on d. opts may change the Options before New (DB, Box, Notify
// and Now are set already).
func newTestEnv(t testing.TB, d *db.DB, opts ...func(*Options)) *testEnv {
	t.Helper()
	q := jobs.New(d)
	n, err := notify.New(notify.Options{DB: d, Jobs: q, Box: testBox, Outbox: true, SiteURL: "https://sep.example.ru",
		Backoff: func(int) time.Duration { return 20 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		q.Run(ctx, jobs.RunOptions{Concurrency: 2, PollInterval: 10 * time.Millisecond, Lease: time.Minute, Grace: time.Second})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })

	clock := &testClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	o := Options{DB: d, Box: testBox, Notify: n, Now: clock.Now, Hasher: password.NewHasher(testParams, 0)}
	for _, f := range opts {
		f(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, db: d, svc: s, clock: clock}
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

var codeKinds = map[notify.KindName]bool{notify.SigninCode: true, notify.ConfirmCode: true, notify.RecoveryCode: true}

// code waits for the (n+1)-th message to address (a phone or an e-mail) and returns the code
// in the newest one that carries a code, as its owner would read it (an alert, such as the
// new-device one, may arrive beside the code).
func (e *testEnv) code(to string, n int) string {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for k := n + 1; ; {
		m := e.messages(to, k)
		k = len(m) + 1
		for _, msg := range m[:len(m)-n] {
			if c := codeRE.FindString(msg.Body); c != "" && codeKinds[msg.Kind] {
				return c
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no message to %s since the %d-th carries a code: %q", to, n, m[0].Subject)
		}
	}
}

// messages waits until address has at least n messages in the outbox and returns them, newest
// first.
func (e *testEnv) messages(to string, n int) []notify.OutboxEntry {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := notify.Outbox(context.Background(), e.db, testBox, notify.OutboxFilter{To: to, Limit: 500})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s has %d messages, want %d", to, len(out), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// outboxCount is how many messages address has now.
func (e *testEnv) outboxCount(to string) int {
	e.t.Helper()
	out, err := notify.Outbox(context.Background(), e.db, testBox, notify.OutboxFilter{To: to, Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(out)
}

// testRequest is a request from addr (host:port) as the flows see it.
func testRequest(addr string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/id/signin", nil)
	r.RemoteAddr = addr
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36")
	return r
}

// register makes an account with the phone, e-mail and password through the registration
// flow, and returns it.
func (e *testEnv) register(phone, email, pw string) *Account {
	e.t.Helper()
	ctx, r := context.Background(), testRequest("127.0.0.1:40000")
	np, ne := e.outboxCount(phone), e.outboxCount(email)
	reg, err := e.svc.StartRegistration(ctx, r, RegistrationForm{Phone: phone, Email: email, Consent: true, Lang: "ru"})
	if err != nil {
		e.t.Fatalf("start registration: %v", err)
	}
	if _, err := e.svc.ConfirmRegistration(ctx, reg.Flow.Token, e.code(phone, np), e.code(email, ne)); err != nil {
		e.t.Fatalf("confirm registration: %v", err)
	}
	a, _, _, err := e.svc.FinishRegistration(ctx, r, reg.Flow.Token, pw)
	if err != nil {
		e.t.Fatalf("finish registration: %v", err)
	}
	return a
}

// signIn signs in with the login and password, then the SMS code, and returns the session
// token.
func (e *testEnv) signIn(login, pw, phone string) string {
	e.t.Helper()
	ctx, r := context.Background(), testRequest("127.0.0.1:40000")
	n := e.outboxCount(phone)
	si, err := e.svc.StartSignIn(ctx, r, login, pw)
	if err != nil {
		e.t.Fatalf("sign in: %v", err)
	}
	_, token, err := e.svc.FinishSignIn(ctx, r, si.Flow.Token, MethodSMS, e.code(phone, n))
	if err != nil {
		e.t.Fatalf("second factor: %v", err)
	}
	return token
}

// fieldError is the message id of field's error in err, or "" if the field has none.
func fieldError(err error, field string) string {
	var fe FieldErrors
	if !errors.As(err, &fe) || fe[field] == nil {
		return ""
	}
	return messageID(fe[field])
}

// withJournal gives the test's Service a real audit journal, for tests that read it.
func withJournal(t testing.TB, d *db.DB) func(*Options) {
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return func(o *Options) { o.Journal = j }
}

// latest waits for a message of kind to address and returns the newest one.
func (e *testEnv) latest(to string, kind notify.KindName) notify.OutboxEntry {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := notify.Outbox(context.Background(), e.db, testBox, notify.OutboxFilter{To: to, Kind: kind, Limit: 1})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(out) > 0 {
			return out[0]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no %s message to %s", kind, to)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
