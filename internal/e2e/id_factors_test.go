package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

// signInWithSMS signs in in the browser at base with the password and the SMS code, and
// lands on the account page.
func signInWithSMS(t *testing.T, b *Browser, sep *Instance, base, login, pw, phone string) {
	t.Helper()
	b.Open(base + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), login), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in with the SMS code: h1 %q", h1)
	}
}

// A citizen adds an authenticator app without JavaScript — the QR code, the key as text, one
// code to confirm — then signs out and signs in with a code from the app. Every page passes
// axe-core.
func TestTOTPInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557101", "totp.citizen@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	signInWithSMS(t, b, sep, sep.URL, email, pw, phone)

	b.Submit(`a[href="/id/security/factors"]`)
	if h1 := b.Text("h1"); h1 != "Способы подтверждения входа" {
		t.Fatalf("the factors page: h1 %q", h1)
	}
	if !strings.Contains(b.Text("#factor-sms + p"), "+7 900 ***-**-01") {
		t.Fatalf("the SMS code's phone: %q", b.Text("#factor-sms + p"))
	}
	b.CheckA11y()
	b.Submit(`a[href="/id/security/factors/totp"]`)
	b.CheckA11y()
	if src := b.Attr("img.qr", "src"); !strings.HasPrefix(src, "data:image/png;base64,") || b.Attr("img.qr", "alt") == "" {
		t.Fatal("no QR code image with its alt text")
	}
	secret := strings.ReplaceAll(b.Text("#secret"), " ", "")
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), "000000"))
	b.Submit(`form[action="/id/security/factors/totp"] button`)
	if b.Attr("#code", "aria-invalid") != "true" || !strings.Contains(b.Text("#code-error"), "Неверный код") {
		t.Fatal("a wrong code is not refused next to its field")
	}
	b.CheckA11y()
	if again := strings.ReplaceAll(b.Text("#secret"), " ", ""); again != secret {
		t.Fatal("the page shows another key after a wrong code")
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.Submit(`form[action="/id/security/factors/totp"] button`)
	if notice := b.Text(".form-notice"); !strings.Contains(notice, "Приложение-аутентификатор подключено") {
		t.Fatalf("after adding the app: %q", notice)
	}
	if !strings.Contains(b.Text("#factor-totp + p"), "Подключено") {
		t.Fatalf("the app is not listed: %q", b.Text("#factor-totp + p"))
	}
	b.CheckA11y()

	b.Submit(`form[action="/id/signout"] button`)
	b.Open(sep.URL + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), email), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	if lead := b.Text(".lead"); !strings.Contains(lead, "приложение-аутентификатор") {
		t.Fatalf("the factor page asks %q, want the app's code", lead)
	}
	if b.Text(".factor-methods") != "Код из SMS" {
		t.Fatalf("the other ways: %q", b.Text(".factor-methods"))
	}
	b.CheckA11y()
	// The code that confirmed the app is not accepted again; the app's next one is.
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if notice := b.Text(".form-notice"); !strings.Contains(notice, "уже использован") {
		t.Fatalf("the same code again: %q", notice)
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	b.Do(chromedp.SetValue(chromedp.CSS("#code"), next))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in with the app: h1 %q", h1)
	}
	if n := outboxCount(t, sep.URL, phone); n != sms {
		// The alert of the factor added may still have been on its way: only codes count.
		for _, m := range lastMessages(t, sep.URL, phone, n).Messages[:n-sms] {
			if sixDigits.MatchString(m.Body) && !strings.Contains(m.Body, "способ") {
				t.Fatalf("an SMS code was sent to a sign-in with the app: %q", m.Body)
			}
		}
	}
}

// A citizen adds a passkey with Chromium's virtual authenticator (CTAP2, internal, resident
// key, user verification), then signs out and signs in with it.
func TestPasskeyInTheBrowser(t *testing.T) {
	sep := Start(t)
	// Browsers refuse passkeys on IP addresses: the site is opened as localhost.
	base := strings.Replace(sep.URL, "127.0.0.1", "localhost", 1)
	const phone, email, pw = "+79005557102", "passkey.citizen@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	b := NewBrowser(t)
	b.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true}})
		return err
	}))
	signInWithSMS(t, b, sep, base, email, pw, phone)

	b.Open(base + "/id/security/factors")
	b.Submit(`a[href="/id/security/factors/passkey"]`)
	b.WaitFor("[data-webauthn-button]")
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#name"), "Ноутбук"))
	b.Submit("[data-webauthn-button]")
	if notice := b.Text(".form-notice"); !strings.Contains(notice, "Ключ доступа добавлен") {
		t.Fatalf("after adding the passkey: %q (%s)", notice, b.Text("main"))
	}
	if row := b.Text("#factor-passkeys + table tbody tr"); !strings.Contains(row, "Ноутбук") || !strings.Contains(row, "ещё не использовался") {
		t.Fatalf("the passkey's row: %q", row)
	}
	b.CheckA11y()

	b.Submit(`form[action="/id/signout"] button`)
	b.Open(base + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), email), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	b.Submit(`form[action="/id/signin"] button`)
	b.WaitFor("[data-webauthn-button]")
	b.CheckA11y()
	b.Submit("[data-webauthn-button]")
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in with the passkey: h1 %q (%s)", h1, b.Text("main"))
	}
	b.Open(base + "/id/security/factors")
	if row := b.Text("#factor-passkeys + table tbody tr"); strings.Contains(row, "ещё не использовался") {
		t.Fatalf("the passkey's last use is not shown: %q", row)
	}
}

// The factors through the JSON API, every answer checked against the OpenAPI document: an
// authenticator app, recovery codes, a sign-in with each, a removal.
func TestFactorsThroughTheAPI(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557103", "api.factors@example.ru", "Сложный-Пароль-2026"
	token := registerAccount(t, sep, phone, email, pw)
	c := apitest.New(t, sep.API, sep.URL)
	auth := []string{"Authorization", "Bearer " + token}
	send := func(method, path, body string) (int, []byte) {
		t.Helper()
		resp, b := c.Send(method, path, []byte(body), auth...)
		return resp.StatusCode, b
	}
	if resp, body := c.Get("/api/v1/factors", auth...); resp.StatusCode != 200 || !strings.Contains(string(body), `"totp":null`) {
		t.Fatalf("factors: %d %s", resp.StatusCode, body)
	}
	status, body := send("POST", "/api/v1/factors/totp", "")
	var en struct{ Flow, Secret string }
	if json.Unmarshal(body, &en); status != 200 || en.Secret == "" {
		t.Fatalf("start the app: %d %s", status, body)
	}
	if status, body = send("POST", "/api/v1/factors/totp/confirm", `{"flow":"`+en.Flow+`","code":"000000"}`); status != 400 ||
		!strings.Contains(string(body), `"code"`) {
		t.Fatalf("a wrong code: %d %s", status, body)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	if status, body = send("POST", "/api/v1/factors/totp/confirm", `{"flow":"`+en.Flow+`","code":"`+code+`"}`); status != 204 {
		t.Fatalf("confirm the app: %d %s", status, body)
	}
	if status, body = send("POST", "/api/v1/factors/totp", ""); status != 409 {
		t.Fatalf("a second app: %d %s", status, body)
	}
	if status, body = send("POST", "/api/v1/factors/recovery-codes", `{"password":"Неверный-2026!"}`); status != 400 {
		t.Fatalf("codes with a wrong password: %d %s", status, body)
	}
	status, body = send("POST", "/api/v1/factors/recovery-codes", `{"password":"`+pw+`"}`)
	var rc struct{ Codes []string }
	if json.Unmarshal(body, &rc); status != 201 || len(rc.Codes) != 10 {
		t.Fatalf("recovery codes: %d %s", status, body)
	}
	if resp, body := c.Get("/api/v1/factors", auth...); resp.StatusCode != 200 || !strings.Contains(string(body), `"left":10`) {
		t.Fatalf("factors: %d %s", resp.StatusCode, body)
	}

	// A sign-in offers the app first, the SMS code, then the recovery codes.
	anon := apitest.New(t, sep.API, sep.URL)
	resp, body := anon.Send("POST", "/api/v1/signin", []byte(`{"login":"`+email+`","password":"`+pw+`"}`))
	var si struct {
		Flow    string
		Methods []string
	}
	if json.Unmarshal(body, &si); resp.StatusCode != 200 || strings.Join(si.Methods, ",") != "totp,sms,recovery" {
		t.Fatalf("signin: %d %s", resp.StatusCode, body)
	}
	if resp, body = anon.Send("POST", "/api/v1/signin/passkey", []byte(`{"flow":"`+si.Flow+`"}`)); resp.StatusCode != 400 {
		t.Fatalf("a passkey challenge for an account with none: %d %s", resp.StatusCode, body)
	}
	resp, body = anon.Send("POST", "/api/v1/signin/factor", []byte(`{"flow":"`+si.Flow+`","method":"recovery","code":"`+rc.Codes[0]+`"}`))
	if resp.StatusCode != 200 {
		t.Fatalf("sign in with a recovery code: %d %s", resp.StatusCode, body)
	}
	if status, body = send("POST", "/api/v1/factors/remove", `{"method":"totp","password":"Неверный-2026!"}`); status != 400 {
		t.Fatalf("remove with a wrong password: %d %s", status, body)
	}
	if status, body = send("POST", "/api/v1/factors/remove", `{"method":"totp","password":"`+pw+`"}`); status != 204 {
		t.Fatalf("remove the app: %d %s", status, body)
	}
	if resp, body := c.Get("/api/v1/factors", auth...); !strings.Contains(string(body), `"totp":null`) || !strings.Contains(string(body), `"left":9`) {
		t.Fatalf("factors after the removal: %d %s", resp.StatusCode, body)
	}
}
