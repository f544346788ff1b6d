package id

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

// startSignIn runs the password step and returns the sign-in.
func (e *testEnv) startSignIn(login, pw string) *SignIn {
	e.t.Helper()
	si, err := e.svc.StartSignIn(context.Background(), testRequest("127.0.0.1:40000"), login, pw)
	if err != nil {
		e.t.Fatalf("sign in: %v", err)
	}
	return si
}

// finish answers the sign-in's second factor.
func (e *testEnv) finish(si *SignIn, method, answer string) error {
	_, _, err := e.svc.FinishSignIn(context.Background(), testRequest("127.0.0.1:40000"), si.Flow.Token, method, answer)
	return err
}

// rawContains reports whether any value of the table's columns holds needle as bytes.
func rawContains(t *testing.T, d *db.DB, table, needle string) bool {
	t.Helper()
	rows, err := d.Reader().Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			var b []byte
			switch x := v.(type) {
			case []byte:
				b = x
			case string:
				b = []byte(x)
			}
			if bytes.Contains(b, []byte(needle)) {
				return true
			}
		}
	}
	return false
}

// An authenticator app is added with a code from it, then confirms sign-ins instead of the
// SMS code. Each code is accepted once; a code of the step before or after the server's is
// accepted; the secret is sealed wherever it is kept.
func TestTOTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, email, pw = "+79000000101", "totp.demo@example.ru", "Ptichka-Sinica-2026!"
		a := e.register(phone, email, pw)
		ctx, r := context.Background(), testRequest("127.0.0.1:40000")

		en, err := e.svc.StartTOTP(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(en.URL, "otpauth://totp/") || !strings.Contains(en.URL, "issuer=%D0%A1%D0%AD%D0%9F") {
			t.Fatalf("the QR holds %q, want an otpauth URL with the issuer СЭП", en.URL)
		}
		if rawContains(t, d, "id_flows", en.Secret) {
			t.Fatal("the secret being confirmed is in clear in id_flows")
		}
		err = e.svc.ConfirmTOTP(ctx, r, a, en.Flow.Token, "000000")
		var fe FieldErrors
		if !errors.As(err, &fe) || errs.IDOf(fe["code"]) != "id.totp.wrong" {
			t.Fatalf("a wrong code: %v", err)
		}
		first, _ := totp.GenerateCode(en.Secret, e.clock.Now())
		if err := e.svc.ConfirmTOTP(ctx, r, a, en.Flow.Token, first[:3]+" "+first[3:]); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		if rawContains(t, d, "id_totp", en.Secret) {
			t.Fatal("the secret is in clear in id_totp")
		}
		if _, err := e.svc.StartTOTP(ctx, a); errs.IDOf(err) != "id.totp.exists" {
			t.Fatalf("a second app: %v", err)
		}

		// The app is the default now: no SMS is sent (but the alert of the change, first).
		e.messages(phone, 2)
		sms := e.outboxCount(phone)
		si := e.startSignIn(email, pw)
		if strings.Join(si.Methods, ",") != "totp,sms" {
			t.Fatalf("methods %v, want totp then sms", si.Methods)
		}
		if err := e.finish(si, MethodTOTP, first); errs.IDOf(err) != "id.totp.used" {
			t.Fatalf("the code that confirmed the app, again: %v", err)
		}
		e.clock.Advance(totpPeriod * time.Second)
		second, _ := totp.GenerateCode(en.Secret, e.clock.Now())
		if err := e.finish(si, MethodTOTP, second); err != nil {
			t.Fatalf("a fresh code: %v", err)
		}
		if n := e.outboxCount(phone); n != sms {
			t.Fatalf("%d SMS sent to a sign-in that defaults to the app", n-sms)
		}
		si = e.startSignIn(email, pw)
		if err := e.finish(si, MethodTOTP, second); errs.IDOf(err) != "id.totp.used" {
			t.Fatalf("a code used, in another sign-in: %v", err)
		}
		// Skew: one step either way is accepted; two are not.
		e.clock.Advance(3 * totpPeriod * time.Second)
		late, _ := totp.GenerateCode(en.Secret, e.clock.Now().Add(-totpPeriod*time.Second))
		if err := e.finish(si, MethodTOTP, late); err != nil {
			t.Fatalf("the previous step's code: %v", err)
		}
		si = e.startSignIn(email, pw)
		early, _ := totp.GenerateCode(en.Secret, e.clock.Now().Add(totpPeriod*time.Second))
		if err := e.finish(si, MethodTOTP, early); err != nil {
			t.Fatalf("the next step's code: %v", err)
		}
		si = e.startSignIn(email, pw)
		e.clock.Advance(3 * totpPeriod * time.Second)
		stale, _ := totp.GenerateCode(en.Secret, e.clock.Now().Add(-2*totpPeriod*time.Second))
		if err := e.finish(si, MethodTOTP, stale); errs.IDOf(err) != "id.totp.wrong" {
			t.Fatalf("a code two steps old: %v", err)
		}
	})
}

// The RFC 6238 test vectors (SHA-1, the last six of their eight digits) check the settings
// the service validates with: period, digits, algorithm, and T0 = 0.
func TestTOTPVectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"},
		{2000000000, "279037"}, {20000000000, "353130"},
	} {
		s := &Service{now: func() time.Time { return time.Unix(v.unix, 0) }}
		step, ok := s.totpStep(secret, v.code, 0)
		if !ok || step != v.unix/totpPeriod {
			t.Errorf("T=%d: %s gives step %d, %v; want %d", v.unix, v.code, step, ok, v.unix/totpPeriod)
		}
		if _, ok := s.totpStep(secret, v.code, v.unix/totpPeriod); ok {
			t.Errorf("T=%d: a code of the last accepted step is accepted again", v.unix)
		}
	}
}

var recoveryCodeRE = regexp.MustCompile(`^\d{4}-\d{4}-\d{4}$`)

// Ten recovery codes are made (the password asked), each signs in once, after the SMS code
// in the list of methods; new codes replace the old. Only digests are stored.
func TestRecoveryCodes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, email, pw = "+79000000102", "codes.demo@example.ru", "Ptichka-Sinica-2026!"
		a := e.register(phone, email, pw)
		ctx, r := context.Background(), testRequest("127.0.0.1:40000")

		_, err := e.svc.NewRecoveryCodes(ctx, r, a, "Ptichka-Sinica-2025!")
		var fe FieldErrors
		if !errors.As(err, &fe) || errs.IDOf(fe["password"]) != "id.factors.password_wrong" {
			t.Fatalf("a wrong password: %v", err)
		}
		codes, err := e.svc.NewRecoveryCodes(ctx, r, a, pw)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if !recoveryCodeRE.MatchString(c) || seen[c] {
				t.Fatalf("codes %v: each must be 1234-5678-9012 and differ", codes)
			}
			seen[c] = true
			if rawContains(t, d, "id_recovery_codes", c) || rawContains(t, d, "id_recovery_codes", strings.ReplaceAll(c, "-", "")) {
				t.Fatalf("the code %s is stored in clear", c)
			}
		}
		if len(codes) != RecoveryCodeCount {
			t.Fatalf("%d codes, want %d", len(codes), RecoveryCodeCount)
		}

		si := e.startSignIn(phone, pw)
		if strings.Join(si.Methods, ",") != "sms,recovery" {
			t.Fatalf("methods %v: recovery codes come after the SMS code", si.Methods)
		}
		if err := e.finish(si, MethodRecovery, strings.ReplaceAll(codes[3], "-", " ")); err != nil {
			t.Fatalf("a recovery code: %v", err)
		}
		si = e.startSignIn(phone, pw)
		if err := e.finish(si, MethodRecovery, codes[3]); errs.IDOf(err) != "id.recovery_code.wrong" {
			t.Fatalf("a used recovery code: %v", err)
		}
		f, err := e.svc.FactorsOf(ctx, a)
		if err != nil || f.Recovery.Left != RecoveryCodeCount-1 {
			t.Fatalf("codes left: %+v, %v", f, err)
		}
		if _, err := e.svc.NewRecoveryCodes(ctx, r, a, pw); err != nil {
			t.Fatal(err)
		}
		if err := e.finish(si, MethodRecovery, codes[4]); errs.IDOf(err) != "id.recovery_code.wrong" {
			t.Fatalf("a replaced code: %v", err)
		}
	})
}

// Removing a factor asks the current password; each change is told to the owner.
func TestRemoveFactor(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		const phone, email, pw = "+79000000103", "remove.demo@example.ru", "Ptichka-Sinica-2026!"
		a := e.register(phone, email, pw)
		ctx, r := context.Background(), testRequest("127.0.0.1:40000")
		mail := e.outboxCount(email)
		en, err := e.svc.StartTOTP(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(en.Secret, e.clock.Now())
		if err := e.svc.ConfirmTOTP(ctx, r, a, en.Flow.Token, code); err != nil {
			t.Fatal(err)
		}
		if m := e.messages(email, mail+1)[0]; !strings.Contains(m.Body, "добавлен способ подтверждения входа") {
			t.Fatalf("the alert of a factor added: %q", m.Body)
		}
		err = e.svc.RemoveFactor(ctx, r, a, MethodTOTP, "", "wrong-password")
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["password"] == nil {
			t.Fatalf("removing with a wrong password: %v", err)
		}
		if err := e.svc.RemoveFactor(ctx, r, a, MethodTOTP, "", pw); err != nil {
			t.Fatal(err)
		}
		if m := e.messages(email, mail+2)[0]; !strings.Contains(m.Body, "удалён способ подтверждения входа") {
			t.Fatalf("the alert of a factor removed: %q", m.Body)
		}
		if err := e.svc.RemoveFactor(ctx, r, a, MethodTOTP, "", pw); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("removing it twice: %v", err)
		}
		if si := e.startSignIn(email, pw); strings.Join(si.Methods, ",") != "sms" {
			t.Fatalf("methods after removing the app: %v", si.Methods)
		}
	})
}

// Passkeys are bound to the site's host: a loopback address is served as localhost, other
// IP addresses and plain HTTP elsewhere offer none.
func TestRelyingParty(t *testing.T) {
	for _, c := range []struct{ site, rpID, origin string }{
		{"https://sep.example.ru", "sep.example.ru", "https://sep.example.ru"},
		{"https://SEP.example.ru:8443/", "sep.example.ru", "https://sep.example.ru:8443"},
		{"http://127.0.0.1:8080", "localhost", "http://localhost:8080"},
		{"http://localhost:8080", "localhost", "http://localhost:8080"},
		{"http://[::1]:8080", "localhost", "http://localhost:8080"},
		{"https://192.0.2.10", "", ""},
		{"http://sep.example.ru", "", ""},
		{"", "", ""},
	} {
		rpID, origin, ok := relyingPartyOf(c.site)
		if rpID != c.rpID || origin != c.origin || ok != (c.rpID != "") {
			t.Errorf("%q: %q %q %v, want %q %q", c.site, rpID, origin, ok, c.rpID, c.origin)
		}
	}
}
