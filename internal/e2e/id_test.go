package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// latestCode waits for a message with a code to to that is newer than the n messages it
// already had, and returns the code in it, as a person reading their SMS or mail would (an
// alert, such as the new-device one, may arrive beside it).
func latestCode(t *testing.T, base, to string, n int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for want := n + 1; ; {
		out := lastMessages(t, base, to, want)
		for _, m := range out.Messages[:len(out.Messages)-n] {
			if code := sixDigits.FindString(m.Body); code != "" && strings.HasSuffix(m.Kind, "_code") {
				return code
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message to %s since the %d-th carries a code: %q", to, n, out.Messages[0].Subject)
		}
		want = len(out.Messages) + 1
	}
}

func outboxCount(t *testing.T, base, to string) int {
	t.Helper()
	return len(lastMessages(t, base, to, 0).Messages)
}

// A citizen registers in the browser, without JavaScript, then signs out and signs in again
// with the password and the SMS code. Every page passes axe-core.
func TestRegisterAndSignInInTheBrowser(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	const phone, email = "+7 900 555-70-01", "browser.citizen@example.ru"

	b.Open(sep.URL + "/")
	if b.Attr(`.account-nav a[href="/id/register"]`, "href") == "" {
		t.Fatal("the header offers no registration")
	}
	b.Open(sep.URL + "/id/register")
	b.CheckA11y()
	// Mistakes first: each field says what is wrong, and the summary links to it.
	b.Do(chromedp.SendKeys(chromedp.CSS("#phone"), "8 900 12"), chromedp.SendKeys(chromedp.CSS("#email"), "not-an-address"))
	b.Submit(`form[action="/id/register"] button`)
	if n := Eval[int](b, `document.querySelectorAll(".form-errors li").length`); n != 3 {
		t.Fatalf("the error summary lists %d mistakes, want phone, e-mail and consent", n)
	}
	if b.Attr("#phone", "aria-invalid") != "true" || b.Text("#consent-error") == "" {
		t.Fatal("the wrong fields are not marked")
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#phone"), phone), chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.Click(chromedp.CSS("#consent")))
	smsBefore, mailBefore := outboxCount(t, sep.URL, phone), outboxCount(t, sep.URL, email)
	b.Submit(`form[action="/id/register"] button`)
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#phone_code"), latestCode(t, sep.URL, phone, smsBefore)),
		chromedp.SendKeys(chromedp.CSS("#email_code"), "000000"))
	b.Submit(`form[action="/id/register/codes"] button`)
	if b.Text("#email_code-error") == "" {
		t.Fatal("a wrong e-mail code was not refused next to its field")
	}
	// The right phone code is remembered: only the e-mail code is asked again.
	if Eval[int](b, `document.querySelectorAll("#phone_code").length`) != 0 {
		t.Fatal("the confirmed phone's code is asked again")
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#email_code"), latestCode(t, sep.URL, email, mailBefore)))
	b.Submit(`form[action="/id/register/codes"] button`)
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#password"), "short"), chromedp.SendKeys(chromedp.CSS("#password2"), "short"))
	b.Submit(`form[action="/id/register/password"] button`)
	if msg := b.Text("#password-error"); !strings.Contains(msg, "12") || !strings.Contains(msg, "заглавную") {
		t.Fatalf("a weak password: %q, want every broken rule at once", msg)
	}
	b.Do(chromedp.SetValue(chromedp.CSS("#password"), "Сложный-Пароль-2026"), chromedp.SetValue(chromedp.CSS("#password2"), "Сложный-Пароль-2026"))
	b.Submit(`form[action="/id/register/password"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after registering: h1 %q", h1)
	}
	if lvl := b.Text("dl"); !strings.Contains(lvl, "Упрощённая") {
		t.Fatalf("the account page: %q", lvl)
	}
	b.CheckA11y()

	b.Submit(`form[action="/id/signout"] button`)
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("after signing out, the account page leads to %q, want the sign-in", h1)
	}
	// A wrong password and an unknown login get the same message.
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), "89005557001"), chromedp.SendKeys(chromedp.CSS("#password"), "Неверный-2026!"))
	b.Submit(`form[action="/id/signin"] button`)
	wrong := b.Text(".form-notice")
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), "nobody@example.ru"), chromedp.SetValue(chromedp.CSS("#password"), "Неверный-2026!"))
	b.Submit(`form[action="/id/signin"] button`)
	if unknown := b.Text(".form-notice"); unknown != wrong || !strings.Contains(wrong, "Неверный логин или пароль") {
		t.Fatalf("wrong password %q, unknown login %q: want one message", wrong, unknown)
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), email), chromedp.SetValue(chromedp.CSS("#password"), "Сложный-Пароль-2026"))
	smsBefore = outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, smsBefore)))
	b.Submit(`form[action="/id/signin/factor"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in: h1 %q", h1)
	}
}

// The same journey through the JSON API, every answer checked against the OpenAPI document.
func TestRegisterAndSignInThroughTheAPI(t *testing.T) {
	sep := Start(t)
	c := apitest.New(t, sep.API, sep.URL)
	const phone, email = "+79005557002", "api.citizen@example.ru"
	flowOf := func(body []byte) string {
		var f struct{ Flow string }
		json.Unmarshal(body, &f)
		return f.Flow
	}
	resp, body := c.Send("POST", "/api/v1/register", []byte(`{"phone":"12","email":"x","consent":false}`))
	var bad struct{ Fields map[string]string }
	if json.Unmarshal(body, &bad); resp.StatusCode != 400 || len(bad.Fields) != 3 {
		t.Fatalf("a bad registration: %d %s", resp.StatusCode, body)
	}
	sms, mail := outboxCount(t, sep.URL, phone), outboxCount(t, sep.URL, email)
	resp, body = c.Send("POST", "/api/v1/register", []byte(`{"phone":"8 (900) 555-70-02","email":"`+email+`","consent":true}`))
	if resp.StatusCode != 200 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	flow := flowOf(body)
	codes, _ := json.Marshal(map[string]string{"flow": flow, "phone_code": latestCode(t, sep.URL, phone, sms),
		"email_code": latestCode(t, sep.URL, email, mail)})
	if resp, body = c.Send("POST", "/api/v1/register/codes", codes); resp.StatusCode != 200 {
		t.Fatalf("codes: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("POST", "/api/v1/register/password", []byte(`{"flow":"`+flow+`","password":"Сложный-Пароль-2026"}`))
	if resp.StatusCode != 201 {
		t.Fatalf("password: %d %s", resp.StatusCode, body)
	}
	var session struct{ Token string }
	json.Unmarshal(body, &session)

	// The session works by its cookie and by its bearer token, and ends at sign-out.
	if resp, body = c.Get("/api/v1/account"); resp.StatusCode != 200 || !strings.Contains(string(body), `"level":"simplified"`) {
		t.Fatalf("account by cookie: %d %s", resp.StatusCode, body)
	}
	bearer := apitest.New(t, sep.API, sep.URL)
	if resp, _ = bearer.Get("/api/v1/account", "Authorization", "Bearer "+session.Token); resp.StatusCode != 200 {
		t.Fatalf("account by bearer token: %d", resp.StatusCode)
	}
	if resp, _ = c.Send("POST", "/api/v1/signout", nil, "Content-Type", "application/json"); resp.StatusCode != 204 {
		t.Fatalf("signout: %d", resp.StatusCode)
	}
	if resp, _ = bearer.Get("/api/v1/account", "Authorization", "Bearer "+session.Token); resp.StatusCode != 401 {
		t.Fatalf("after sign-out the token still works: %d", resp.StatusCode)
	}

	// Sign in again: the password, then the SMS code; a wrong code first.
	sms = outboxCount(t, sep.URL, phone)
	resp, body = c.Send("POST", "/api/v1/signin", []byte(`{"login":"`+email+`","password":"Сложный-Пароль-2026"}`))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"methods":["sms"]`) {
		t.Fatalf("signin: %d %s", resp.StatusCode, body)
	}
	flow = flowOf(body)
	code := latestCode(t, sep.URL, phone, sms)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if resp, _ = c.Send("POST", "/api/v1/signin/factor", []byte(`{"flow":"`+flow+`","method":"sms","code":"`+wrong+`"}`)); resp.StatusCode != 400 {
		t.Fatalf("a wrong code: %d", resp.StatusCode)
	}
	if resp, body = c.Send("POST", "/api/v1/signin/code", []byte(`{"flow":"`+flow+`"}`)); resp.StatusCode != 429 ||
		resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a new code within a minute: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("POST", "/api/v1/signin/factor", []byte(`{"flow":"`+flow+`","method":"sms","code":"`+code+`"}`))
	if resp.StatusCode != 200 {
		t.Fatalf("the right code: %d %s", resp.StatusCode, body)
	}
	if resp, _ = c.Send("POST", "/api/v1/signin/factor", []byte(`{"flow":"`+flow+`","method":"sms","code":"`+code+`"}`)); resp.StatusCode != 400 {
		t.Fatalf("the finished flow used again: %d", resp.StatusCode)
	}
	// Registering the same phone again: the same answer until the codes; then "taken".
	sms, mail = outboxCount(t, sep.URL, phone), outboxCount(t, sep.URL, "other@example.ru")
	resp, body = c.Send("POST", "/api/v1/register", []byte(`{"phone":"`+phone+`","email":"other@example.ru","consent":true}`))
	if resp.StatusCode != 200 {
		t.Fatalf("a taken phone must get the same first answer: %d %s", resp.StatusCode, body)
	}
	flow = flowOf(body)
	time.Sleep(10 * time.Millisecond)
	codes, _ = json.Marshal(map[string]string{"flow": flow, "phone_code": latestCode(t, sep.URL, phone, sms),
		"email_code": latestCode(t, sep.URL, "other@example.ru", mail)})
	if resp, body = c.Send("POST", "/api/v1/register/codes", codes); resp.StatusCode != 409 || !strings.Contains(string(body), "id.contact_taken") {
		t.Fatalf("a taken phone after its codes: %d %s", resp.StatusCode, body)
	}
}

// registerAccount registers a citizen through the API and returns the session token.
func registerAccount(t *testing.T, sep *Instance, phone, email, password string) string {
	t.Helper()
	c := apitest.New(t, sep.API, sep.URL)
	sms, mail := outboxCount(t, sep.URL, phone), outboxCount(t, sep.URL, email)
	req, _ := json.Marshal(map[string]any{"phone": phone, "email": email, "consent": true})
	resp, body := c.Send("POST", "/api/v1/register", req)
	var f struct{ Flow string }
	if json.Unmarshal(body, &f); resp.StatusCode != 200 {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"flow": f.Flow, "phone_code": latestCode(t, sep.URL, phone, sms),
		"email_code": latestCode(t, sep.URL, email, mail)})
	if resp, body = c.Send("POST", "/api/v1/register/codes", req); resp.StatusCode != 200 {
		t.Fatalf("codes: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"flow": f.Flow, "password": password})
	resp, body = c.Send("POST", "/api/v1/register/password", req)
	var s struct{ Token string }
	if json.Unmarshal(body, &s); resp.StatusCode != 201 {
		t.Fatalf("password: %d %s", resp.StatusCode, body)
	}
	return s.Token
}
