package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/notify"
)

const (
	devPhone = "+79000000071"
	devEmail = "device.owner@example.ru"
	devPass  = "Ptichka-Sinica-2026!"
)

// browser is a test browser: the device cookie it was given, sent with each request.
type browser struct {
	ua, device string
}

func (b *browser) request() *http.Request {
	r := testRequest("127.0.0.1:40100")
	r.Header.Set("User-Agent", b.ua)
	if b.device != "" {
		r.AddCookie(&http.Cookie{Name: DeviceCookie, Value: b.device})
	}
	return r
}

const (
	firefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safariIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
)

// signInFrom signs in from the browser with the password and the SMS code, keeps the device
// cookie the sign-in gives, and returns the session.
func (e *testEnv) signInFrom(b *browser, login string) (*Session, string) {
	e.t.Helper()
	ctx := context.Background()
	n := e.outboxCount(devPhone)
	si, err := e.svc.StartSignIn(ctx, b.request(), login, devPass)
	if err != nil {
		e.t.Fatalf("sign in: %v", err)
	}
	if si.Session != nil {
		e.t.Fatal("the second factor was skipped")
	}
	ss, token, err := e.svc.FinishSignIn(ctx, b.request(), si.Flow.Token, MethodSMS, e.code(devPhone, n))
	if err != nil {
		e.t.Fatalf("second factor: %v", err)
	}
	if ss.deviceToken == "" || ss.DeviceID == "" {
		e.t.Fatal("the session has no device")
	}
	b.device = ss.deviceToken
	return ss, token
}

// alerts counts the new-device alerts in the outbox of an address.
func (e *testEnv) alerts(to string, kind notify.KindName) []notify.OutboxEntry {
	e.t.Helper()
	out, err := notify.Outbox(context.Background(), e.db, testBox, notify.OutboxFilter{To: to, Kind: kind, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// waitAlerts waits until the address has n alerts of kind.
func (e *testEnv) waitAlerts(to string, kind notify.KindName, n int) []notify.OutboxEntry {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := e.alerts(to, kind)
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s has %d %s messages, want %d", to, len(out), kind, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A sign-in from a browser the account has not seen sends the alert by e-mail and SMS, once:
// the same browser again is recognised; another browser is new again. The browser that
// registered is known without an alert.
func TestNewDeviceAlertGoesOncePerDevice(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newDeviceEnv(t, d)
		e.register(devPhone, devEmail, devPass)
		laptop := &browser{ua: firefoxLinux}
		e.signInFrom(laptop, devEmail)
		mail := e.waitAlerts(devEmail, notify.NewDevice, 1)
		sms := e.waitAlerts(devPhone, notify.NewDevice, 1)
		if !strings.Contains(mail[0].Body, "Firefox 133, Linux") || !strings.Contains(mail[0].Body, "/id/disavow/") {
			t.Fatalf("the alert does not say which device, or has no «это был не я» link:\n%s", mail[0].Body)
		}
		if !strings.Contains(sms[0].Body, "/id/disavow/") {
			t.Fatalf("the SMS alert has no link: %s", sms[0].Body)
		}

		first := laptop.device
		e.signInFrom(laptop, devPhone)
		if laptop.device != first {
			t.Fatal("a known browser got a new device cookie")
		}
		phone := &browser{ua: safariIPhone}
		e.signInFrom(phone, devEmail)
		e.waitAlerts(devEmail, notify.NewDevice, 2)
		time.Sleep(100 * time.Millisecond) // any alert of the second laptop sign-in would be here by now
		if n := len(e.alerts(devEmail, notify.NewDevice)); n != 2 {
			t.Fatalf("%d alerts for two devices", n)
		}

		a, _ := e.svc.AccountByLogin(context.Background(), nil, devEmail)
		devs, err := e.svc.Devices(context.Background(), a.ID, phone.device, "ru")
		if err != nil {
			t.Fatal(err)
		}
		// The registration's browser is a device too (registering sends no alert).
		if len(devs) != 3 || !devs[0].Current || devs[0].Agent.String() != "Safari 17, iOS 17.4" || devs[1].Current ||
			devs[0].Place != "" {
			t.Fatalf("devices: %+v", devs)
		}
	})
}

var disavowLink = regexp.MustCompile(`/id/disavow/([A-Za-z0-9_-]{43})`)

// «Это был не я»: the link's page changes nothing; the confirmation blocks password sign-in,
// ends every session, forgets remembered devices and tells the owner; recovery lifts it.
func TestDisavowBlocksPasswordSignInUntilRecovery(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newDeviceEnv(t, d)
		a := e.register(devPhone, devEmail, devPass)
		mine := &browser{ua: firefoxLinux}
		ss, _ := e.signInFrom(mine, devEmail)
		if err := e.svc.RememberDevice(ctx, mine.request(), ss); err != nil {
			t.Fatal(err)
		}
		thief := &browser{ua: safariIPhone}
		_, thiefToken := e.signInFrom(thief, devEmail)
		alerts := e.waitAlerts(devEmail, notify.NewDevice, 2)
		m := disavowLink.FindStringSubmatch(alerts[0].Body)
		if m == nil {
			t.Fatalf("no link in %s", alerts[0].Body)
		}
		link := m[1]

		dv, err := e.svc.DisavowalOf(ctx, link, "ru")
		if err != nil || dv.Agent.String() != "Safari 17, iOS 17.4" || dv.AccountID != a.ID {
			t.Fatalf("the link's page: %+v, %v", dv, err)
		}
		if p, _ := e.svc.Authenticate(bearer(thiefToken)); p == nil {
			t.Fatal("opening the page ended the session: GET must change nothing")
		}
		if _, err := e.svc.Disavow(ctx, testRequest("127.0.0.1:40200"), link); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Authenticate(bearer(thiefToken)); p != nil {
			t.Fatal("the thief's session outlived «это был не я»")
		}
		if live, _ := e.svc.Sessions(ctx, a.ID); len(live) != 0 {
			t.Fatalf("%d sessions live after «это был не я»", len(live))
		}
		if _, err := e.svc.StartSignIn(ctx, thief.request(), devEmail, devPass); !errors.Is(err, ErrSignInDisavowed) {
			t.Fatalf("password sign-in after «это был не я»: %v", err)
		}
		// Not even the remembered device skips the block, and it is no longer remembered.
		if _, err := e.svc.StartSignIn(ctx, mine.request(), devEmail, devPass); !errors.Is(err, ErrSignInDisavowed) {
			t.Fatalf("a remembered device after «это был не я»: %v", err)
		}
		if _, err := e.svc.Disavow(ctx, testRequest("127.0.0.1:40200"), link); !errors.Is(err, ErrDisavowGone) {
			t.Fatalf("the link used twice: %v", err)
		}
		changed := e.waitAlerts(devEmail, notify.AccountChanged, 1)
		if !strings.Contains(changed[0].Body, "это был не я") {
			t.Fatalf("the owner is not told: %s", changed[0].Body)
		}

		// Recovery (the flow built beside this one calls the hooks) lifts the block.
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return e.svc.recovered(ctx, tx, a.ID) }); err != nil {
			t.Fatal(err)
		}
		si, err := e.svc.StartSignIn(ctx, mine.request(), devEmail, devPass)
		if err != nil {
			t.Fatalf("sign-in after recovery: %v", err)
		}
		if si.Session != nil {
			t.Fatal("a device remembered before «это был не я» still skips the factor")
		}
	})
}

// A link not used within 7 days does nothing.
func TestDisavowLinkExpires(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newDeviceEnv(t, d)
		e.register(devPhone, devEmail, devPass)
		e.signInFrom(&browser{ua: firefoxLinux}, devEmail)
		link := disavowLink.FindStringSubmatch(e.waitAlerts(devEmail, notify.NewDevice, 1)[0].Body)[1]
		e.clock.Advance(DisavowValidFor)
		if _, err := e.svc.Disavow(ctx, testRequest("127.0.0.1:40200"), link); !errors.Is(err, ErrDisavowGone) {
			t.Fatalf("an expired link: %v", err)
		}
		if _, err := e.svc.DisavowalOf(ctx, "no-such-link", "ru"); !errors.Is(err, ErrDisavowGone) {
			t.Fatalf("a made-up link: %v", err)
		}
	})
}

// A citizen's remembered device skips the second factor for 30 days; then the factor is asked
// again. Staff devices are never remembered.
func TestRememberedDeviceSkipsTheFactorForCitizensOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newDeviceEnv(t, d)
		a := e.register(devPhone, devEmail, devPass)
		b := &browser{ua: firefoxLinux}
		ss, _ := e.signInFrom(b, devEmail)
		if err := e.svc.RememberDevice(ctx, b.request(), ss); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(RememberFor - time.Minute)
		codes := len(e.waitAlerts(devPhone, notify.SigninCode, 1))
		si, err := e.svc.StartSignIn(ctx, b.request(), devPhone, devPass)
		if err != nil || si.Session == nil || si.SessionToken == "" || si.Session.Method != MethodRemembered {
			t.Fatalf("a remembered device: %+v, %v", si, err)
		}
		if p, _ := e.svc.Authenticate(bearer(si.SessionToken)); p == nil || p.ID != a.ID {
			t.Fatal("the session of a remembered device does not work")
		}
		// Another browser is not remembered.
		if si, err := e.svc.StartSignIn(ctx, (&browser{ua: safariIPhone}).request(), devPhone, devPass); err != nil || si.Session != nil {
			t.Fatalf("another browser: %+v, %v", si, err)
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(e.alerts(devPhone, notify.SigninCode)); n != codes+1 {
			t.Fatalf("%d codes sent, want only the other browser's", n-codes)
		}
		e.clock.Advance(2 * time.Minute)
		if si, err := e.svc.StartSignIn(ctx, b.request(), devPhone, devPass); err != nil || si.Session != nil {
			t.Fatalf("after 30 days: %+v, %v", si, err)
		}

		// An operator: the checkbox is refused, and a remembered row (however it came) is ignored.
		op := e.staff(Operator, "+79000000072", "operator.demo@example.ru")
		ob := &browser{ua: firefoxLinux}
		n := e.outboxCount("+79000000072")
		si, err = e.svc.StartSignIn(ctx, ob.request(), "operator.demo@example.ru", devPass)
		if err != nil {
			t.Fatal(err)
		}
		oss, _, err := e.svc.FinishSignIn(ctx, ob.request(), si.Flow.Token, MethodSMS, e.code("+79000000072", n))
		if err != nil {
			t.Fatal(err)
		}
		ob.device = oss.deviceToken
		if err := e.svc.RememberDevice(ctx, ob.request(), oss); !errors.Is(err, ErrStaffRemember) {
			t.Fatalf("an operator's device remembered: %v", err)
		}
		if _, err := d.Writer().ExecContext(ctx, `UPDATE id_devices SET remembered_until = $2 WHERE account_id = $1`, op.ID,
			e.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if si, err := e.svc.StartSignIn(ctx, ob.request(), "operator.demo@example.ru", devPass); err != nil || si.Session != nil {
			t.Fatalf("an operator skipped the factor: %+v, %v", si, err)
		}
	})
}

// Forgetting a device ends its sessions, and its next sign-in is a new device's.
func TestForgetDevice(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newDeviceEnv(t, d)
		a := e.register(devPhone, devEmail, devPass)
		b := &browser{ua: firefoxLinux}
		ss, token := e.signInFrom(b, devEmail)
		if err := e.svc.ForgetDevice(ctx, b.request(), "someone-else", ss.DeviceID); err == nil {
			t.Fatal("another account's device was forgotten")
		}
		if err := e.svc.ForgetDevice(ctx, b.request(), a.ID, ss.DeviceID); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Authenticate(bearer(token)); p != nil {
			t.Fatal("the forgotten device's session goes on")
		}
		e.signInFrom(b, devEmail)
		e.waitAlerts(devEmail, notify.NewDevice, 2)
	})
}

// The idle clock: a session ends IdleTimeout after its last request; «Продлить» counts as a
// request, asking how long is left does not; a new sign-in from the same browser ends the
// session it had.
func TestIdleClock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newDeviceEnv(t, d)
		e.register(devPhone, devEmail, devPass)
		_, token := e.signInFrom(&browser{ua: firefoxLinux}, devEmail)
		status := func() *http.Request {
			r := bearer(token)
			r.Method, r.URL.Path = http.MethodGet, SessionStatusPath
			return r
		}
		e.clock.Advance(IdleTimeout - time.Minute)
		st, err := e.svc.StatusOf(status())
		if err != nil || st.IdleEnd.Sub(e.clock.Now()) != time.Minute || st.Warn != IdleWarning {
			t.Fatalf("status: %+v, %v", st, err)
		}
		if p, _ := e.svc.Authenticate(status()); p == nil {
			t.Fatal("the status request was refused")
		}
		if _, err := e.svc.ExtendSession(ctx, bearer(token)); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(IdleTimeout - time.Second)
		if p, _ := e.svc.Authenticate(status()); p == nil {
			t.Fatal("«Продлить» did not extend the session")
		}
		e.clock.Advance(time.Second)
		if p, _ := e.svc.Authenticate(bearer(token)); p != nil {
			t.Fatal("a session outlived its idle timeout (the status request must not count as activity)")
		}
		if _, err := e.svc.ExtendSession(ctx, bearer(token)); !errors.Is(err, errSessionEnded) {
			t.Fatalf("an ended session extended: %v", err)
		}
		r := bearer(token)
		r.Header.Del("Authorization")
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: token})
		if !e.svc.SessionEnded(r) {
			t.Fatal("the sign-in page would not say the session ended")
		}

		// Signing in again from the browser that still holds a session ends that session.
		b := &browser{ua: firefoxLinux}
		_, first := e.signInFrom(b, devEmail)
		r = b.request()
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: first})
		n := e.outboxCount(devPhone)
		si, err := e.svc.StartSignIn(ctx, r, devEmail, devPass)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.FinishSignIn(ctx, r, si.Flow.Token, MethodSMS, e.code(devPhone, n)); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Authenticate(bearer(first)); p != nil {
			t.Fatal("the session token was not rotated at sign-in")
		}

		// A change of privilege rotates the token of the session, which goes on.
		_, live := e.signInFrom(b, devEmail)
		p, _ := e.svc.Authenticate(bearer(live))
		rotated, err := e.svc.RotateSession(ctx, nil, p.Session)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Authenticate(bearer(live)); p != nil {
			t.Fatal("the old token works after rotation")
		}
		if q, _ := e.svc.Authenticate(bearer(rotated)); q == nil || q.Session != p.Session {
			t.Fatal("the rotated token does not carry the session")
		}
	})
}

// bearer is a request that carries the session token as the app does.
func bearer(token string) *http.Request {
	r := testRequest("127.0.0.1:40300")
	r.Method = http.MethodGet
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// staff makes an operator, administrator or auditor account with the test password.
func (e *testEnv) staff(role Role, phone, email string) *Account {
	e.t.Helper()
	ctx := context.Background()
	h, err := e.svc.Hasher().Hash(ctx, devPass)
	if err != nil {
		e.t.Fatal(err)
	}
	var a *Account
	err = e.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err = e.svc.createAccount(ctx, tx, NewAccount{Role: role, Phone: phone, Email: email, Lang: "ru", PasswordHash: h})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// newDeviceEnv is the test Service with a journal, so that every event the devices journal is
// checked by the journal's own rules.
func newDeviceEnv(t *testing.T, d *db.DB) *testEnv {
	t.Helper()
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return newTestEnv(t, d, func(o *Options) { o.Journal = j })
}
