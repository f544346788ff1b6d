package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

// A citizen who forgot the password recovers it in the browser, without JavaScript: from the
// sign-in page's «Забыли пароль?» to a code by SMS, a new password, and the result page that
// offers a stronger factor. The session the citizen had elsewhere has ended, an alert went
// out, and the new password signs in. Every page passes axe-core.
func TestRecoveryInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, old = "+79005557101", "browser.recovery@example.ru", "Старый-Пароль-2026"
	elsewhere := registerAccount(t, sep, phone, email, old)
	b := NewBrowser(t)
	b.DisableJavaScript(true)

	b.Open(sep.URL + "/id/signin")
	b.Submit(`a[href="/id/recover"]`)
	if h1 := b.Text("h1"); h1 != "Восстановление пароля" {
		t.Fatalf("«Забыли пароль?» leads to %q", h1)
	}
	b.CheckA11y()
	// Neither a phone nor an address: said next to the field.
	b.Do(chromedp.SendKeys(chromedp.CSS("#contact"), "8 900 55"))
	b.Submit(`form[action="/id/recover"] button`)
	if b.Attr("#contact", "aria-invalid") != "true" || b.Text("#contact-error") == "" ||
		Eval[int](b, `document.querySelectorAll(".form-errors li").length`) != 1 {
		t.Fatal("a wrong contact is not marked")
	}
	b.CheckA11y()
	sms := outboxCount(t, sep.URL, phone)
	b.Do(chromedp.SetValue(chromedp.CSS("#contact"), "8 (900) 555-71-01"))
	b.Submit(`form[action="/id/recover"] button`)
	if lead := b.Text(".lead"); !strings.Contains(lead, "+7 900 ***-**-01") || !strings.Contains(lead, "5 минут") {
		t.Fatalf("the code page: %q", lead)
	}
	b.CheckA11y()
	code := latestCode(t, sep.URL, phone, sms)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), wrong))
	b.Submit(`form[action="/id/recover/code"] button`)
	if msg := b.Text("#code-error"); !strings.Contains(msg, "Неверный код") {
		t.Fatalf("a wrong code: %q", msg)
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#code"), code))
	b.Submit(`form[action="/id/recover/code"] button`)
	if h1 := b.Text("h1"); h1 != "Новый пароль" {
		t.Fatalf("after the code: %q", h1)
	}
	b.CheckA11y()
	// The policy, then the password used before.
	b.Do(chromedp.SendKeys(chromedp.CSS("#password"), "short"), chromedp.SendKeys(chromedp.CSS("#password2"), "short"))
	b.Submit(`form[action="/id/recover/password"] button`)
	if msg := b.Text("#password-error"); !strings.Contains(msg, "12") {
		t.Fatalf("a weak password: %q", msg)
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#password"), old), chromedp.SetValue(chromedp.CSS("#password2"), old))
	b.Submit(`form[action="/id/recover/password"] button`)
	if msg := b.Text("#password-error"); !strings.Contains(msg, "уже использовался") {
		t.Fatalf("the old password again: %q", msg)
	}
	const fresh = "Новый-Пароль-2026"
	mail := outboxCount(t, sep.URL, email)
	sms = outboxCount(t, sep.URL, phone)
	b.Do(chromedp.SetValue(chromedp.CSS("#password"), fresh), chromedp.SetValue(chromedp.CSS("#password2"), fresh))
	b.Submit(`form[action="/id/recover/password"] button`)
	if h1 := b.Text("h1"); h1 != "Пароль изменён" {
		t.Fatalf("after the new password: %q", h1)
	}
	if b.Text(`a[href="/id/security/factors"]`) != "Добавить приложение-аутентификатор или ключ доступа" {
		t.Fatal("an SMS-only account is not offered a stronger factor")
	}
	b.CheckA11y()

	// The session the citizen had elsewhere is over; the owner was told.
	c := apitest.New(t, sep.API, sep.URL)
	if resp, _ := c.Get("/api/v1/account", "Authorization", "Bearer "+elsewhere); resp.StatusCode != 401 {
		t.Fatalf("the old session after recovery: %d", resp.StatusCode)
	}
	if m := lastMessages(t, sep.URL, email, mail+1).Messages[0]; m.Kind != "account_changed" || !strings.Contains(m.Body, "пароль восстановлен") {
		t.Fatalf("the alert: %s %q", m.Kind, m.Body)
	}

	if m := lastMessages(t, sep.URL, phone, sms+1).Messages[0]; m.Kind != "account_changed" {
		t.Fatalf("the SMS after recovery: %s", m.Kind)
	}

	// The new password signs in.
	b.Submit(`a[href="/id/signin"]`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), email), chromedp.SendKeys(chromedp.CSS("#password"), fresh))
	sms++
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("signing in with the new password: %q", h1)
	}
}

// The signed-in owner changes the e-mail address in the browser, without JavaScript: the
// current password, an address in Latin letters, the code from the new address. The old
// address is told.
func TestContactChangeInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557102", "browser.contact@example.ru", "Сложный-Пароль-2026"
	const newEmail = "browser.contact.new@example.ru"
	registerAccount(t, sep, phone, email, pw)
	b := NewBrowser(t)
	b.DisableJavaScript(true)

	b.Open(sep.URL + "/id/account/contact?kind=email")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("signed out, the contact page leads to %q", h1)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), phone), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if h1 := b.Text("h1"); h1 != "Изменение электронной почты" {
		t.Fatalf("after signing in: %q", h1)
	}
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#value"), "иванов@почта.рф"), chromedp.SendKeys(chromedp.CSS("#password"), "Неверный-2026"))
	b.Submit(`form[action="/id/account/contact"] button`)
	if msg := b.Text("#value-error"); !strings.Contains(msg, "только латинские символы и цифры") {
		t.Fatalf("a Cyrillic address: %q", msg)
	}
	if b.Text("#password-error") == "" || Eval[int](b, `document.querySelectorAll(".form-errors li").length`) != 2 {
		t.Fatal("a wrong password is not marked beside the address")
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#value"), newEmail), chromedp.SetValue(chromedp.CSS("#password"), pw))
	mail := outboxCount(t, sep.URL, newEmail)
	b.Submit(`form[action="/id/account/contact"] button`)
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, newEmail, mail)))
	b.Submit(`form[action="/id/account/contact/code"] button`)
	if h1 := b.Text("h1"); h1 != "Адрес почты изменён" {
		t.Fatalf("after the code: %q", h1)
	}
	b.CheckA11y()
	latestOfKind(t, sep.URL, email, "account_changed") // the old address is told
	b.Submit(`a[href="/id/account"]`)
	if dl := b.Text("dl"); !strings.Contains(dl, newEmail) {
		t.Fatalf("the account page: %q", dl)
	}
	b.CheckA11y()
}

// Recovery and contact change through the JSON API, every answer checked against the OpenAPI
// document; a contact no account has gets the same answers.
func TestRecoveryAndContactChangeThroughTheAPI(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557103", "api.recovery@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	c := apitest.New(t, sep.API, sep.URL)
	send := func(path string, body any) (int, map[string]any) {
		t.Helper()
		js, _ := json.Marshal(body)
		resp, out := c.Send("POST", path, js)
		var m map[string]any
		json.Unmarshal(out, &m)
		return resp.StatusCode, m
	}
	if status, body := send("/api/v1/id/recovery", map[string]string{"contact": "12"}); status != 400 || body["fields"] == nil {
		t.Fatalf("a bad contact: %d %v", status, body)
	}
	// A known and an unknown address: the same answer, the same wrong code.
	_, unknown := send("/api/v1/id/recovery", map[string]string{"contact": "nobody.api@example.ru"})
	mail := outboxCount(t, sep.URL, email)
	status, known := send("/api/v1/id/recovery", map[string]string{"contact": email})
	if status != 200 || known["channel"] != "email" || unknown["channel"] != "email" || unknown["flow"] == "" {
		t.Fatalf("known %d %v, unknown %v", status, known, unknown)
	}
	for _, f := range []any{unknown["flow"], known["flow"]} {
		if status, body := send("/api/v1/id/recovery/confirm", map[string]any{"flow": f, "code": "000000"}); status != 400 ||
			body["fields"].(map[string]any)["code"] == "" {
			t.Fatalf("a wrong code: %d %v", status, body)
		}
	}
	if status, _ := send("/api/v1/id/recovery/code", map[string]any{"flow": known["flow"]}); status != 429 {
		t.Fatalf("a new code at once: %d", status)
	}
	code := latestCode(t, sep.URL, email, mail)
	if status, body := send("/api/v1/id/recovery/confirm", map[string]any{"flow": known["flow"], "code": code}); status != 200 {
		t.Fatalf("the right code: %d %v", status, body)
	}
	if status, body := send("/api/v1/id/recovery/password", map[string]any{"flow": known["flow"], "password": "short"}); status != 400 ||
		body["fields"] == nil {
		t.Fatalf("a weak password: %d %v", status, body)
	}
	const fresh = "Новый-Пароль-2026"
	sms := outboxCount(t, sep.URL, phone)
	status, done := send("/api/v1/id/recovery/password", map[string]any{"flow": known["flow"], "password": fresh})
	if status != 200 || done["sessions_revoked"] != float64(1) || done["add_factor"] != true {
		t.Fatalf("the new password: %d %v", status, done)
	}

	// Sign in with it (once the alert's SMS is in), then change the phone.
	if m := lastMessages(t, sep.URL, phone, sms+1).Messages[0]; m.Kind != "account_changed" {
		t.Fatalf("the SMS after recovery: %s", m.Kind)
	}
	sms++
	status, si := send("/api/v1/signin", map[string]string{"login": email, "password": fresh})
	if status != 200 {
		t.Fatalf("signin: %d %v", status, si)
	}
	if status, _ := send("/api/v1/signin/factor", map[string]any{"flow": si["flow"], "method": "sms",
		"code": latestCode(t, sep.URL, phone, sms)}); status != 200 {
		t.Fatalf("factor: %d", status)
	}
	const newPhone = "+79005557104"
	if status, body := send("/api/v1/account/contact", map[string]string{"kind": "phone", "value": newPhone, "password": pw}); status != 400 ||
		body["fields"].(map[string]any)["password"] == "" {
		t.Fatalf("the old password as the current one: %d %v", status, body)
	}
	n := outboxCount(t, sep.URL, newPhone)
	status, cc := send("/api/v1/account/contact", map[string]string{"kind": "phone", "value": "8 900 555-71-04", "password": fresh})
	if status != 200 {
		t.Fatalf("contact change: %d %v", status, cc)
	}
	status, changed := send("/api/v1/account/contact/confirm", map[string]any{"flow": cc["flow"], "code": latestCode(t, sep.URL, newPhone, n)})
	if status != 200 || changed["value"] != newPhone || changed["kind"] != "phone" {
		t.Fatalf("confirm: %d %v", status, changed)
	}
	if resp, body := c.Get("/api/v1/account"); !strings.Contains(string(body), newPhone) {
		t.Fatalf("the account: %d %s", resp.StatusCode, body)
	}
	anon := apitest.New(t, sep.API, sep.URL)
	if resp, _ := anon.Send("POST", "/api/v1/account/contact", []byte(`{"kind":"phone","value":"+79005557105","password":"x"}`)); resp.StatusCode != 401 {
		t.Fatalf("signed out: %d", resp.StatusCode)
	}
}
