package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/applications"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// TestPlaintextScan drives every flow that stores personal data — registry checks on the
// simulator's people, one-time codes and test messages by SMS and e-mail, the outbox searched
// by recipient — and then searches the raw database (the SQLite file and its WAL; a pg_dump)
// for every personal value used, in every spelling: none may be there in clear. Later flows
// add themselves to flows() and their values to the list.
func TestPlaintextScan(t *testing.T) {
	for _, c := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return dbtest.SQLiteURL(t) }},
		{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn := c.dsn(t)
			tmp := plainTempDir(t)
			sep := Start(t, "SEP_DATABASE_URL", dsn, "SEP_REGISTRY_SIM_LATENCY", "0")
			values := flows(t, sep)
			// Nor in the stored documents, their spool or the temporary directory.
			checkFilesClean(t, values, sep.Config.DataDir, tmp)
			if out, clean := scan(t, dsn, values); !clean {
				t.Fatalf("personal data in clear in the database:\n%s", out)
			}
			// The scan itself finds what is there in clear: a value written plain is found.
			canary := "Контрольная Строка " + c.name
			if _, err := sep.DB.Writer().Exec(`INSERT INTO audit_state (name, value) VALUES ('scan-canary', $1)`, canary); err != nil {
				t.Fatal(err)
			}
			if out, clean := scan(t, dsn, append(values, canary)); clean || !strings.Contains(out, fmt.Sprintf("line %d ", len(values)+1)) {
				t.Fatalf("the scan missed a value written in clear:\n%s", out)
			}
			// ... and in a binary column too (which pg_dump writes in hex).
			blob := "+79009990011 " + c.name
			now := time.Now().UTC()
			if _, err := sep.DB.Writer().Exec(`INSERT INTO id_flows (id, token_hash, kind, state, data, created_at, updated_at, expires_at)
				VALUES ('scan-canary', $1, 'canary', 'canary', $2, $3, $3, $3)`, []byte("canary-token"), []byte(blob), now); err != nil {
				t.Fatal(err)
			}
			if out, clean := scan(t, dsn, append(values, blob)); clean || !strings.Contains(out, fmt.Sprintf("line %d ", len(values)+1)) {
				t.Fatalf("the scan missed a value written in clear in a binary column:\n%s", out)
			}
		})
	}
}

// flows runs the flows and returns the personal values they stored.
func flows(t *testing.T, sep *Instance) []string {
	t.Helper()
	ctx := context.Background()
	var values []string
	spell := func(vs ...string) { values = append(values, vs...) }

	// Demo mode's users and the ЕСИА test stand (EsiaTest001…, on an empty database only, so
	// first): the people sealed like any account; the organisations' names are public.
	if _, out, err := sep.SeedDemo(ctx); err != nil || out != id.DemoCreated {
		t.Fatalf("demo users: %v %v", out, err)
	}
	for _, u := range sep.Sandbox().Users[2:] {
		spell(u.Phone, u.Phone[2:], u.Email, strings.TrimSuffix(u.Email, "@example.ru"), u.Password, u.Profile.LastName+" "+u.Profile.FirstName,
			u.Profile.SNILS, u.Profile.INN, u.Profile.Passport.Series+u.Profile.Passport.Number)
	}

	// Registry checks of one fictitious person: passport, СНИЛС, ИНН.
	p := sim.Default().Tagged("basic")[2]
	pp := p.Passport()
	person := registry.Person{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time}
	for _, q := range []registry.Query{
		registry.PassportQuery{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time, DivisionCode: pp.DivisionCode, Person: person},
		registry.SNILSQuery{SNILS: p.SNILS, Person: person},
		registry.INNQuery{INN: p.INN, Person: person},
	} {
		id, err := sep.Registry.Request(ctx, nil, registry.CheckRequest{Subject: "account:scan", Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if c := waitCheck(t, sep, id, 30*time.Second); c.Status != registry.Confirmed {
			t.Fatalf("check %s: %s", q.Registry(), c.Status)
		}
	}
	birth := p.BirthDate.Time
	snilsDigits := strings.NewReplacer("-", "", " ", "").Replace(p.SNILS)
	spell(p.LastName, p.FirstName, p.MiddleName, p.LastName+" "+p.FirstName,
		birth.Format("2006-01-02"), birth.Format("02.01.2006"),
		pp.Series+pp.Number, pp.Series+" "+pp.Number, `"`+pp.Number+`"`, pp.DivisionCode,
		p.SNILS, snilsDigits, p.INN)

	// One-time codes and test messages, by SMS and e-mail.
	const phone, email = "+79005550177", "scan.citizen@example.ru"
	var ids []string
	for _, m := range []notify.Message{
		{Kind: notify.SigninCode, To: notify.Recipient{Phone: phone, Email: email, AccountID: "acc-scan"},
			Data: map[string]any{"Code": "583920", "ValidMinutes": 5}},
		{Kind: notify.RecoveryCode, To: notify.Recipient{Phone: "8 (900) 555-01-77", Lang: "en"},
			Data: map[string]any{"Code": "583921", "ValidMinutes": 5}},
		{Kind: notify.TestMessage, To: notify.Recipient{Phone: phone, Email: email, AccountID: "acc-scan"}},
	} {
		id, err := sep.Notify.Send(ctx, nil, m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		waitDelivered(t, sep, id)
	}
	// The outbox, searched by recipient in another spelling, finds what was sent.
	resp, body := getJSON(t, sep.URL+"/dev/outbox.json?to="+strings.ReplaceAll("8 900 555 01 77", " ", "%20"), "ru")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outbox: %d", resp.StatusCode)
	}
	if n := len(body["messages"].([]any)); n != 3 {
		t.Fatalf("the outbox found %d messages to the phone, want 3", n)
	}
	spell(phone, phone[1:], phone[2:], "+7 900 555-01-77", email, "scan.citizen")

	// An account: registered (its contacts, its session's address and browser), then signed
	// in through the API with the password and the SMS code.
	const accPhone, accEmail = "+79005550188", "scan.account@example.ru"
	token := registerAccount(t, sep, "8 900 555-01-88", accEmail, "Сканер-Пароль-2026")
	spell(accPhone, accPhone[2:], accEmail, "scan.account", "Сканер-Пароль-2026")

	// A QR sign-in waiting for the phone keeps the desktop's browser (sealed in its flow; the
	// journal, which keeps user agents by design, never sees this request).
	const qrAgent = "ScanDesktop/7.3 (Сканер; QR)"
	qr := apitest.New(t, sep.API, sep.URL)
	if resp, body := qr.Send("POST", "/api/v1/signin/qr", []byte(`{}`), "User-Agent", qrAgent); resp.StatusCode != http.StatusCreated {
		t.Fatalf("a QR code: %d %s", resp.StatusCode, body)
	}
	spell(qrAgent, "ScanDesktop/7.3")
	// Its second factors: an authenticator app (the secret, in the flow that confirms it and
	// then in the factor) and recovery codes (never stored, even as digits).
	spell(factorSecrets(t, sep, accEmail, "Сканер-Пароль-2026")...)
	// Password recovery left at its code (the flows hold the contacts typed): to a phone and an
	// address no account has, and to the account's own address.
	c := apitest.New(t, sep.API, sep.URL)
	for _, contact := range []string{"8 900 555-01-99", "scan.nobody@example.ru", accEmail} {
		js, _ := json.Marshal(map[string]string{"contact": contact})
		if resp, body := c.Send("POST", "/api/v1/id/recovery", js); resp.StatusCode != http.StatusOK {
			t.Fatalf("recovery: %d %s", resp.StatusCode, body)
		}
	}
	spell("+79005550199", "9005550199", "scan.nobody@example.ru", "scan.nobody")

	// A contact change finished (the account's new address) and one left at its code.
	const changed, pending = "scan.changed@example.ru", "+79005550166"
	bearer := []string{"Authorization", "Bearer " + token}
	n := outboxCount(t, sep.URL, changed)
	resp, js := c.Send("POST", "/api/v1/account/contact",
		[]byte(`{"kind":"email","value":"`+changed+`","password":"Сканер-Пароль-2026"}`), bearer...)
	var f struct{ Flow string }
	if json.Unmarshal(js, &f); resp.StatusCode != http.StatusOK {
		t.Fatalf("contact change: %d %s", resp.StatusCode, js)
	}
	confirm, _ := json.Marshal(map[string]string{"flow": f.Flow, "code": latestCode(t, sep.URL, changed, n)})
	if resp, js = c.Send("POST", "/api/v1/account/contact/confirm", confirm, bearer...); resp.StatusCode != http.StatusOK {
		t.Fatalf("contact change confirmed: %d %s", resp.StatusCode, js)
	}
	if resp, js = c.Send("POST", "/api/v1/account/contact",
		[]byte(`{"kind":"phone","value":"`+pending+`","password":"Сканер-Пароль-2026"}`), bearer...); resp.StatusCode != http.StatusOK {
		t.Fatalf("contact change: %d %s", resp.StatusCode, js)
	}
	spell(changed, "scan.changed", pending, pending[2:])

	// The account's profile (sealed, with its СНИЛС and ИНН indexed) and its registry checks,
	// followed until the account is standard.
	spell(profileFlow(t, sep, token)...)
	// An application of the standard account: its form's values, an operator's correction
	// request and rejection reason, and the remarks of its history.
	spell(applicationFlow(t, sep, token)...)
	// A draft of its own left through the pages, with a document uploaded (its content and name).
	spell(draftWithDocumentsFlow(t, sep, token)...)
	// The cabinet entered «Через Госуслуги» as that account: its profile (the person data from
	// ЕСИА) and its session (the ЕСИА tokens) are sealed.
	cabinetEnter(t, sep.URL, token)
	// Its password changed through the API (the history keeps the old one's hash only).
	req, _ := json.Marshal(map[string]string{"current_password": "Сканер-Пароль-2026", "password": "Сканер-Пароль-2027?"})
	if resp, body := apitest.New(t, sep.API, sep.URL).Send("POST", "/api/v1/account/password", req,
		"Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Fatalf("password change: %d %s", resp.StatusCode, body)
	}
	spell("Сканер-Пароль-2027?")
	// A browser's push subscription (its endpoint and keys are sealed) and a test push.
	spell(pushFlow(t, sep, token)...)

	// Then a sign-in from a new device (its address and browser, the alert by SMS and e-mail,
	// remembered), and «это был не я» with the alert's link.
	signInNewDevice(t, sep, accPhone, changed, "Сканер-Пароль-2027?")

	// Failed sign-ins, counted by login and address (id_throttle), up to the CAPTCHA they bring:
	// an unknown login and the account's phone in another spelling.
	for _, login := range []string{"scan.unknown@example.ru", "8 900 555-01-88"} {
		for range 3 {
			js, _ := json.Marshal(map[string]string{"login": login, "password": "Неверный-Скан-2026"})
			resp, err := http.Post(sep.URL+"/api/v1/signin", "application/json", bytes.NewReader(js))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("a wrong password: %d", resp.StatusCode)
			}
		}
	}
	spell("scan.unknown@example.ru", "scan.unknown", "Неверный-Скан-2026")
	// An electronic passport of the account: issued, checked, a re-issue asked for, re-issued
	// and annulled by an operator.
	spell(passportFlows(t, sep, accPhone)...)
	// Last, as it blocks the account: a staff account and a block with its note.
	spell(adminFlows(t, sep)...)
	return values
}

// factorSecrets adds an authenticator app and recovery codes to the account and returns the
// secrets they are made of, in every spelling a person would see them.
func factorSecrets(t *testing.T, sep *Instance, login, pw string) []string {
	t.Helper()
	ctx, r := context.Background(), httptest.NewRequest("POST", "/", nil)
	a, err := sep.ID.AccountByLogin(ctx, nil, login)
	if err != nil {
		t.Fatal(err)
	}
	en, err := sep.ID.StartTOTP(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	if err := sep.ID.ConfirmTOTP(ctx, r, a, en.Flow.Token, code); err != nil {
		t.Fatal(err)
	}
	codes, err := sep.ID.NewRecoveryCodes(ctx, r, a, pw)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{en.Secret, strings.ToLower(en.Secret)}
	for _, c := range codes {
		out = append(out, c, strings.ReplaceAll(c, "-", ""))
	}
	return out
}

// profileFlow saves the whole profile of one of the simulator's people through the API, waits
// until its checks have made the account standard, and returns the personal values it stored.
func profileFlow(t *testing.T, sep *Instance, token string) []string {
	t.Helper()
	p := sim.Default().Tagged("basic")[1]
	pp := p.Passport()
	profile := map[string]string{"last_name": p.LastName, "first_name": p.FirstName, "middle_name": p.MiddleName,
		"birth_date": p.BirthDate.Format("02.01.2006"), "birth_place": "село Сканерное", "passport_series": pp.Series,
		"passport_number": pp.Number, "passport_issue_date": pp.IssueDate.Format("02.01.2006"),
		"passport_issuer": "Отделом Сканерного района", "passport_division_code": pp.DivisionCode,
		"snils": p.SNILS, "inn": p.INN, "region": "Тверская область", "district": "Сканерный район",
		"city": "город Сканерск", "street": "улица Шифровальная", "house": "17", "flat": "71", "postcode": "170017"}
	c := apitest.New(t, sep.API, sep.URL)
	body, _ := json.Marshal(profile)
	if resp, b := c.Send("PUT", "/api/v1/id/profile", body, "Authorization", "Bearer "+token); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, b)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, b := c.Get("/api/v1/id/level", "Authorization", "Bearer "+token)
		if strings.Contains(string(b), `"level":"standard"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the profile's checks: %s", b)
		}
	}
	birth := p.BirthDate.Time
	return []string{p.LastName, p.FirstName, p.MiddleName, p.LastName + " " + p.FirstName, birth.Format("02.01.2006"),
		pp.Series + pp.Number, `"` + pp.Number + `"`, p.SNILS, strings.NewReplacer("-", "", " ", "").Replace(p.SNILS), p.INN,
		"Сканерное", "Отделом Сканерного района", "Сканерный район", "Сканерск", "улица Шифровальная"}
}

// waitDelivered waits until every delivery of a message has ended.
func waitDelivered(t *testing.T, sep *Instance, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := sep.Notify.Deliveries(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		done := true
		for _, d := range ds {
			if d.State != notify.Sent && d.State != notify.Failed {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries of %s did not end: %+v", id, ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scan runs scripts/plaintext-scan over the database with the values on its standard input,
// and reports what it said and whether it found nothing.
func scan(t *testing.T, dsn string, values []string) (string, bool) {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres") {
		if _, err := exec.LookPath("pg_dump"); err != nil {
			need(t, "pg_dump", "Debian package postgresql-client, installed by ./scripts/test")
		}
	}
	cmd := exec.Command(filepath.Join(repoRoot(), "scripts", "plaintext-scan"), dsn)
	cmd.Stdin = strings.NewReader(strings.Join(values, "\n") + "\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), true
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return out.String(), false
	}
	t.Fatalf("plaintext-scan: %v\n%s", err, out.String())
	return "", false
}

// applicationFlow starts an application through the API with values of its own, submits it
// and has an operator ask for a correction and reject it, and returns the personal values it
// stored.
func applicationFlow(t *testing.T, sep *Instance, token string) []string {
	t.Helper()
	ctx := context.Background()
	values := map[string]string{"reason": "first", "last_name": "Заявкина", "first_name": "Анкета", "middle_name": "Формовна",
		"birth_date": "03.04.1987", "birth_place": "деревня Черновиково", "passport": "4509765432",
		"passport_issue_date": "05.06.2007", "passport_issuer": "Отделом Заявочного района", "passport_division_code": "770-002",
		"snils": "112-233-445 95", "address": "город Анкетинск, улица Формулярная, дом 9"}
	body, _ := json.Marshal(map[string]any{"service": "e-passport", "values": values})
	c := apitest.New(t, sep.API, sep.URL)
	resp, b := c.Send("POST", "/api/v1/applications", body, "Authorization", "Bearer "+token)
	var a struct{ ID string }
	if json.Unmarshal(b, &a); resp.StatusCode != http.StatusCreated {
		t.Fatalf("application: %d %s", resp.StatusCode, b)
	}
	st, err := sep.Applications.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"passport_scan", "snils", "photo", "fingerprints"} {
		if _, err := sep.Applications.Attach(ctx, nil, st.AccountID, a.ID, k, "scan-"+k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sep.Applications.Submit(ctx, nil, st.AccountID, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := sep.Applications.AskCorrection(ctx, nil, "scan-operator", a.ID, applications.Correction{
		Fields: []string{"address"}, Remark: "Уточните адрес Формулярная"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sep.Applications.Reject(ctx, nil, "scan-operator", a.ID, "Отказ Заявкиной по паспорту"); err != nil {
		t.Fatal(err)
	}
	return []string{"Заявкина", "Анкета", "Формовна", "03.04.1987", "Черновиково", "4509765432", "765432",
		"Отделом Заявочного района", "Анкетинск", "Формулярная", "Уточните адрес", "Отказ Заявкиной"}
}
