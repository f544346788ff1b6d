package id

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

// qrEnv is a test environment with a journal, and two citizens signed in on their phones.
type qrEnv struct {
	*testEnv
	journal      *audit.Journal
	ivan, maria  *Account
	ivanPhone    string // Ivan's session token on his phone
	mariaPhone   string
	desktopAgent string
}

const qrPassword = "Ptichka-Sinica-2026!"

func newQREnv(t *testing.T, d *db.DB) *qrEnv {
	t.Helper()
	q := &qrEnv{desktopAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"}
	q.testEnv = newTestEnv(t, d, func(o *Options) {
		j, err := audit.New(d, audit.Options{Now: o.Now})
		if err != nil {
			t.Fatal(err)
		}
		o.Journal, q.journal = j, j
	})
	q.ivan = q.register("+79000000031", "ivan.qr@example.ru", qrPassword)
	q.maria = q.register("+79000000032", "maria.qr@example.ru", qrPassword)
	q.ivanPhone = q.signIn("+79000000031", qrPassword, "+79000000031")
	q.mariaPhone = q.signIn("+79000000032", qrPassword, "+79000000032")
	return q
}

// desktop is a request from the desktop browser that shows the QR code.
func (q *qrEnv) desktop() *http.Request {
	r := testRequest("192.0.2.10:51000")
	r.Header.Set("User-Agent", q.desktopAgent)
	return r
}

// phone is a request from a phone signed in with the session token.
func phone(token string) *http.Request {
	r := testRequest("198.51.100.7:42000")
	r.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 19_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.1 Mobile/15E148 Safari/604.1")
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: token})
	return r
}

func (q *qrEnv) sessionID(token string) string {
	q.t.Helper()
	ss, _, err := q.svc.sessionOf(context.Background(), token)
	if err != nil {
		q.t.Fatal(err)
	}
	return ss.ID
}

func wantState(t *testing.T, svc *Service, token string, want QRState) {
	t.Helper()
	st, _, err := svc.QRStatus(context.Background(), token)
	if err != nil || st != want {
		t.Fatalf("the desktop sees %q (%v), want %q", st, err, want)
	}
}

// The phone sees which browser asks (the address needs the site's middleware: the browser
// test sees it) and approves; the desktop is signed in as the phone's account with a session
// of its own, method "qr", and the journal names the approving session. The code and the
// desktop's token work once.
func TestQRSignIn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := newQREnv(t, d)
		ctx := context.Background()
		qr, err := q.svc.StartQR(ctx, q.desktop())
		if err != nil {
			t.Fatal(err)
		}
		if qr.Code == qr.Flow.Token || qr.Code == "" {
			t.Fatal("the QR code carries the desktop's own secret")
		}
		wantState(t, q.svc, qr.Flow.Token, QRWaiting)
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); !errors.Is(err, ErrQRWaiting) {
			t.Fatalf("finishing before the phone approves: %v", err)
		}
		// The desktop's token is no code, and a code with a wrong secret names nothing.
		for _, bad := range []string{qr.Flow.Token, qr.Code + "A", qr.Code[:len(qr.Code)-1], qr.Flow.ID, ""} {
			if _, err := q.svc.QRRequestOf(ctx, bad); !errors.Is(err, ErrQRGone) {
				t.Fatalf("code %q: %v, want %v", bad, err, ErrQRGone)
			}
		}

		req, err := q.svc.QRRequestOf(ctx, qr.Code)
		if err != nil {
			t.Fatal(err)
		}
		if req.Agent.Browser != "Chrome 156" || req.Agent.OS != "Windows" || req.Place != "" {
			t.Fatalf("the phone is shown %+v", req)
		}
		if !req.RequestedAt.Equal(q.clock.Now()) || !req.ExpiresAt.Equal(q.clock.Now().Add(QRTTL)) {
			t.Fatalf("asked at %v, valid until %v", req.RequestedAt, req.ExpiresAt)
		}

		q.clock.Advance(90 * time.Second)
		if err := q.svc.ApproveQR(ctx, phone(q.ivanPhone), qr.Code); err != nil {
			t.Fatal(err)
		}
		wantState(t, q.svc, qr.Flow.Token, QRApproved)
		if err := q.svc.ApproveQR(ctx, phone(q.mariaPhone), qr.Code); !errors.Is(err, ErrQRUsed) {
			t.Fatalf("a second approval: %v", err)
		}
		if _, err := q.svc.QRRequestOf(ctx, qr.Code); !errors.Is(err, ErrQRUsed) {
			t.Fatalf("the approved code opened again: %v", err)
		}
		// Approved at 1:30, the desktop still has a while past the code's two minutes.
		q.clock.Advance(45 * time.Second)
		ss, token, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token)
		if err != nil {
			t.Fatal(err)
		}
		if ss.AccountID != q.ivan.ID || ss.Method != MethodQR || token == "" || token == q.ivanPhone {
			t.Fatalf("the desktop's session: %+v", ss)
		}
		if got, _, err := q.svc.sessionOf(ctx, token); err != nil || got.AccountID != q.ivan.ID {
			t.Fatalf("the new session does not work: %v", err)
		}
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the desktop's token used twice: %v", err)
		}
		wantState(t, q.svc, qr.Flow.Token, QRExpired)

		var signIn, approved *audit.Entry
		err = q.journal.Scan(ctx, audit.Filter{}, func(e *audit.Entry) error {
			switch {
			case e.ObjectID != q.ivan.ID:
			case e.Action == ActionSignIn && e.Details["method"] == MethodQR:
				signIn = e
			case e.Action == ActionQRApproved:
				approved = e
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		phoneSession := q.sessionID(q.ivanPhone)
		if signIn == nil || signIn.Details["session"] != ss.ID || signIn.Details["approved_by"] != phoneSession {
			t.Fatalf("the sign-in journaled as %+v", signIn)
		}
		if approved == nil || approved.Details["session"] != phoneSession {
			t.Fatalf("the approval journaled as %+v", approved)
		}
	})
}

// A code lives two minutes: at 1:59 it may be approved, at 2:00 the phone is told it expired
// and the desktop is told to show a new one.
func TestQRCodeExpiresAfterTwoMinutes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := newQREnv(t, d)
		ctx := context.Background()
		late, _ := q.svc.StartQR(ctx, q.desktop())
		q.clock.Advance(time.Second)
		inTime, _ := q.svc.StartQR(ctx, q.desktop())
		q.clock.Advance(QRTTL - time.Second)
		if err := q.svc.ApproveQR(ctx, phone(q.ivanPhone), late.Code); !errors.Is(err, ErrQRGone) {
			t.Fatalf("approving an expired code: %v", err)
		}
		if _, err := q.svc.QRRequestOf(ctx, late.Code); !errors.Is(err, ErrQRGone) {
			t.Fatalf("opening an expired code: %v", err)
		}
		wantState(t, q.svc, late.Flow.Token, QRExpired)
		if err := q.svc.ApproveQR(ctx, phone(q.ivanPhone), inTime.Code); err != nil {
			t.Fatalf("approving at 1:59: %v", err)
		}
		// The approved sign-in waits a minute for the desktop, then is gone too.
		q.clock.Advance(qrFinishTTL)
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), inTime.Flow.Token); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("finishing long after the approval: %v", err)
		}
	})
}

// Declining tells the desktop so; the code cannot be approved after, nor the desktop signed in.
func TestQRDecline(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := newQREnv(t, d)
		ctx := context.Background()
		qr, _ := q.svc.StartQR(ctx, q.desktop())
		if err := q.svc.DeclineQR(ctx, phone(q.mariaPhone), qr.Code); err != nil {
			t.Fatal(err)
		}
		wantState(t, q.svc, qr.Flow.Token, QRDeclined)
		if err := q.svc.ApproveQR(ctx, phone(q.mariaPhone), qr.Code); !errors.Is(err, ErrQRUsed) {
			t.Fatalf("approving a declined code: %v", err)
		}
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); !errors.Is(err, ErrQRDeclined) {
			t.Fatalf("finishing a declined sign-in: %v", err)
		}
		declined := false
		q.journal.Scan(ctx, audit.Filter{}, func(e *audit.Entry) error {
			declined = declined || e.Action == ActionQRDeclined && e.ObjectID == q.maria.ID
			return nil
		})
		if !declined {
			t.Fatal("the decline is not journaled")
		}
	})
}

// A desktop where Ivan was signed in shows a code that Maria's phone approves: the desktop is
// signed in as Maria — the approver — and Ivan's old session there is ended; nobody else's
// account is reached.
func TestQRSignsInTheApproverOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := newQREnv(t, d)
		ctx := context.Background()
		ivanDesktop := q.signIn("+79000000031", qrPassword, "+79000000031")
		r := q.desktop()
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: ivanDesktop})
		qr, _ := q.svc.StartQR(ctx, r)
		if err := q.svc.ApproveQR(ctx, phone(q.mariaPhone), qr.Code); err != nil {
			t.Fatal(err)
		}
		ss, _, err := q.svc.FinishQR(ctx, r, qr.Flow.Token)
		if err != nil {
			t.Fatal(err)
		}
		if ss.AccountID != q.maria.ID {
			t.Fatalf("the desktop is signed in as %s, want the approver %s", ss.AccountID, q.maria.ID)
		}
		if _, _, err := q.svc.sessionOf(ctx, ivanDesktop); !errors.Is(err, errSessionEnded) {
			t.Fatalf("the desktop's previous session is still live: %v", err)
		}
		if _, _, err := q.svc.sessionOf(ctx, q.ivanPhone); err != nil {
			t.Fatalf("Ivan's phone was signed out: %v", err)
		}
	})
}

// Approving needs a live session of an active account; the desktop's sign-in is refused when
// the account was blocked or the approving session ended since.
func TestQRRefusals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := newQREnv(t, d)
		ctx := context.Background()
		qr, _ := q.svc.StartQR(ctx, q.desktop())
		for name, r := range map[string]*http.Request{
			"no session":      testRequest("198.51.100.7:42000"),
			"unknown session": phone("not-a-session"),
		} {
			if err := q.svc.ApproveQR(ctx, r, qr.Code); errs.KindOf(err) != errs.Unauthenticated {
				t.Fatalf("%s: %v", name, err)
			}
		}
		bearer := testRequest("198.51.100.7:42000")
		bearer.Header.Set("Authorization", "Bearer "+q.mariaPhone)
		if err := q.svc.ApproveQR(ctx, bearer, qr.Code); err != nil {
			t.Fatalf("the app's bearer token: %v", err)
		}
		if _, err := d.Writer().ExecContext(ctx, `UPDATE id_accounts SET status = 'blocked' WHERE id = $1`, q.maria.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); errs.IDOf(err) != "id.account_blocked" {
			t.Fatalf("a blocked account signed in: %v", err)
		}
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); !errors.Is(err, ErrFlowGone) {
			t.Fatalf("the refused sign-in can be tried again: %v", err)
		}
		if err := q.svc.ApproveQR(ctx, phone(q.mariaPhone), qr.Code); errs.KindOf(err) != errs.Unauthenticated {
			t.Fatalf("a blocked account's session approves: %v", err)
		}

		qr, _ = q.svc.StartQR(ctx, q.desktop())
		if err := q.svc.ApproveQR(ctx, phone(q.ivanPhone), qr.Code); err != nil {
			t.Fatal(err)
		}
		if err := q.svc.RevokeSession(ctx, q.ivan.ID, q.sessionID(q.ivanPhone)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); errs.IDOf(err) != "id.qr_approver_gone" {
			t.Fatalf("signed in by an ended session's approval: %v", err)
		}

		// A session not begun with two factors may not approve.
		token := q.signIn("+79000000031", qrPassword, "+79000000031")
		if _, err := d.Writer().ExecContext(ctx, `UPDATE id_sessions SET method = 'device' WHERE token_hash = $1`, tokenHash(token)); err != nil {
			t.Fatal(err)
		}
		qr, _ = q.svc.StartQR(ctx, q.desktop())
		if err := q.svc.ApproveQR(ctx, phone(token), qr.Code); errs.IDOf(err) != "id.qr_session_weak" {
			t.Fatalf("a one-factor session approves: %v", err)
		}
	})
}

// Two phones approving the same code at once, then two desktop requests finishing at once: one
// of each wins, so one account is reached and one session is made.
func TestQRRaces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := newQREnv(t, d)
		ctx := context.Background()
		qr, _ := q.svc.StartQR(ctx, q.desktop())
		race := func(fs ...func() error) (won int) {
			errc := make(chan error, len(fs))
			for _, f := range fs {
				go func() { errc <- f() }()
			}
			for range fs {
				if err := <-errc; err == nil {
					won++
				} else if !errors.Is(err, ErrQRUsed) && !errors.Is(err, ErrFlowGone) {
					t.Errorf("the loser: %v", err)
				}
			}
			return won
		}
		if n := race(func() error { return q.svc.ApproveQR(ctx, phone(q.ivanPhone), qr.Code) },
			func() error { return q.svc.ApproveQR(ctx, phone(q.mariaPhone), qr.Code) }); n != 1 {
			t.Fatalf("%d approvals of one code won", n)
		}
		finish := func() error { _, _, err := q.svc.FinishQR(ctx, q.desktop(), qr.Flow.Token); return err }
		if n := race(finish, finish); n != 1 {
			t.Fatalf("%d sessions from one approval", n)
		}
	})
}
