package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

// apiAs is an API client that calls with a session's bearer token.
type apiAs struct {
	c     *apitest.Client
	token string
}

func bearerClient(t *testing.T, sep *Instance, token string) *apiAs {
	return &apiAs{c: apitest.New(t, sep.API, sep.URL), token: token}
}

func (a *apiAs) Get(path string) (*http.Response, []byte) {
	return a.c.Get(path, "Authorization", "Bearer "+a.token)
}

// signInNewDevice signs in through the API from a client the account has not seen, asking to
// remember it (the alert goes by SMS and e-mail), then says «это был не я» with the alert's
// link: the plaintext scan's walk through the devices' data.
func signInNewDevice(t *testing.T, sep *Instance, phone, email, pw string) {
	t.Helper()
	c := apitest.New(t, sep.API, sep.URL)
	sms, mails := outboxCount(t, sep.URL, phone), outboxCount(t, sep.URL, email)
	resp, body := c.Send("POST", "/api/v1/signin", []byte(`{"login":"`+email+`","password":"`+pw+`"}`))
	var f struct {
		Flow    string
		Methods []string
	}
	if json.Unmarshal(body, &f); resp.StatusCode != 200 || f.Flow == "" {
		t.Fatalf("signin: %d %s", resp.StatusCode, body)
	}
	if len(f.Methods) > 0 && f.Methods[0] != "sms" { // another factor comes first: ask for the SMS
		if resp, body = c.Send("POST", "/api/v1/signin/code", []byte(`{"flow":"`+f.Flow+`"}`)); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("the SMS code: %d %s", resp.StatusCode, body)
		}
	}
	factor, _ := json.Marshal(map[string]any{"flow": f.Flow, "method": "sms", "code": latestCode(t, sep.URL, phone, sms), "remember": true})
	if resp, body = c.Send("POST", "/api/v1/signin/factor", factor); resp.StatusCode != 200 {
		t.Fatalf("factor: %d %s", resp.StatusCode, body)
	}
	var link string
	deadline := time.Now().Add(20 * time.Second)
	for link == "" {
		for _, m := range lastMessages(t, sep.URL, email, mails+1).Messages {
			if m.Kind == "new_device" {
				link = disavowPath.FindString(m.Body)
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no new-device alert")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := sep.ID.Disavow(context.Background(), nil, strings.TrimPrefix(link, "/id/disavow/")); err != nil {
		t.Fatal(err)
	}
}

// signInInBrowser signs in with the password and the SMS code, ticking «Запомнить» if asked.
func signInInBrowser(t *testing.T, sep *Instance, b *Browser, login, pw, phone string, remember bool) {
	t.Helper()
	b.Open(sep.URL + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), login), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.CheckA11y()
	if remember {
		b.Click("#remember")
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
}

// The idle warning, the security page and ending a session, with JavaScript on, each state
// checked by axe-core: a short idle timeout is configured, so the warning opens within
// seconds; «Продлить» keeps the session without reloading the page (what was typed stays);
// unanswered, the dialog says the session ended, and the sign-in page says it too.
func TestIdleWarningSecurityPageAndEndingASession(t *testing.T) {
	sep := Start(t, "SEP_ID_IDLE_TIMEOUT", "12s")
	const phone, email, pw = "+79005557301", "idle.citizen@example.ru", "Сложный-Пароль-2026"
	app := bearerClient(t, sep, registerAccount(t, sep, phone, email, pw))
	b := NewBrowser(t)
	signInInBrowser(t, sep, b, email, pw, phone, false)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in: h1 %q", h1)
	}

	// The security page: the app's session and this one (marked), the devices, the history.
	b.Submit(`a[href="/id/security"]`)
	b.CheckA11y()
	if n := Eval[int](b, `document.querySelectorAll(".security-session").length`); n != 2 {
		t.Fatalf("%d sessions listed, want the app's and the browser's", n)
	}
	if !strings.Contains(b.Text(".security-sessions"), "этот сеанс") || !strings.Contains(b.Text(".security-devices"), "Место") {
		t.Fatal("the current session is not marked, or the devices are not listed")
	}
	if !strings.Contains(b.Text(".security-history"), "Вход выполнен") {
		t.Fatalf("the sign-in history: %q", b.Text(".security-history"))
	}
	// End the app's session: its token stops working at once.
	b.Submit(`.security-session:not(:has(.current-mark)) form button`)
	if !strings.Contains(b.Text(".form-notice"), "Сеанс завершён") {
		t.Fatalf("after ending a session: %q", b.Text("main"))
	}
	if resp, _ := app.Get("/api/v1/account"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the ended session still works: %d", resp.StatusCode)
	}
	if n := Eval[int](b, `document.querySelectorAll(".security-session").length`); n != 1 {
		t.Fatalf("%d sessions after ending one", n)
	}
	b.CheckA11y()

	// The idle warning opens (6 s before the end of 12), with the focus on «Продлить».
	Eval[bool](b, `(() => { const t = document.createElement("textarea"); t.id = "draft"; t.setAttribute("aria-label", "draft");
		document.querySelector("main").append(t); t.value = "Черновик обращения"; window.notReloaded = true; return true })()`)
	b.Do(chromedp.WaitVisible(chromedp.CSS("#idle-dialog #idle-extend")))
	if focus := Eval[string](b, `document.activeElement.id`); focus != "idle-extend" {
		t.Fatalf("the focus is on %q, not in the dialog", focus)
	}
	if title := b.Text("#idle-title"); title != "Сеанс скоро завершится" {
		t.Fatalf("the dialog says %q", title)
	}
	b.CheckA11y()
	b.Click("#idle-extend")
	b.Do(chromedp.WaitNotVisible(chromedp.CSS("#idle-dialog")))
	if !Eval[bool](b, `window.notReloaded === true && document.querySelector("#draft").value === "Черновик обращения"`) {
		t.Fatal("the page was reloaded or the draft lost")
	}
	left := Value(b, chromedp.Evaluate[float64](`fetch("/api/v1/session").then(r => r.json()).then(c => c.idle_seconds_left)`,
		chromedp.EvalAwaitPromise))
	if left < 9 {
		t.Fatalf("after «Продлить» %v s are left of 12", left)
	}

	// Esc is «Продлить» too (whoever pressed it is here).
	b.Do(chromedp.WaitVisible(chromedp.CSS("#idle-dialog #idle-extend")))
	b.Do(chromedp.KeyEvent("\u001b"))
	b.Do(chromedp.WaitNotVisible(chromedp.CSS("#idle-dialog")))

	// Unanswered, the session ends: the dialog says so and offers to sign in in a new tab,
	// the page and its draft untouched.
	b.Do(chromedp.WaitVisible(chromedp.CSS("#idle-dialog #idle-extend")))
	deadline := time.Now().Add(20 * time.Second)
	for !Eval[bool](b, `(() => { const a = document.querySelector("#idle-signin"); return !!a && !a.hidden })()`) {
		if time.Now().After(deadline) {
			t.Fatal("the dialog never said the session ended")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if href := b.Attr("#idle-signin", "href"); href != "/id/signin?return=%2Fid%2Fsecurity%3Fdone%3Dsession" {
		t.Fatalf("sign in again leads to %q", href)
	}
	if !Eval[bool](b, `window.notReloaded === true && document.querySelector("#draft").value === "Черновик обращения"`) {
		t.Fatal("the page was reloaded when the session ended")
	}
	b.CheckA11y()

	// Without the script, the sign-in page says why and brings the person back.
	b.Open(sep.URL + "/id/security")
	if !strings.Contains(b.Text("main"), "Сеанс завершён: вы не работали") {
		t.Fatalf("the sign-in page after the session ended: %q", b.Text("main"))
	}
	if ret := b.Attr(`form[action="/id/signin"] input[name="return"]`, "value"); ret != "/id/security" {
		t.Fatalf("the sign-in returns to %q", ret)
	}
	b.CheckA11y()
}

var disavowPath = regexp.MustCompile(`/id/disavow/[A-Za-z0-9_-]{43}`)

// A sign-in from a new browser sends the alert; its «Это был не я» link shows the sign-in and,
// confirmed, ends every session and blocks password sign-in. The remembered device skips the
// factor until then. Without JavaScript, checked by axe-core.
func TestNewDeviceAlertAndItWasNotMe(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557302", "alert.citizen@example.ru", "Сложный-Пароль-2026"
	app := bearerClient(t, sep, registerAccount(t, sep, phone, email, pw))
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	mails := outboxCount(t, sep.URL, email)
	signInInBrowser(t, sep, b, phone, pw, phone, true)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in: h1 %q", h1)
	}
	var link string
	for _, m := range lastMessages(t, sep.URL, email, mails+1).Messages {
		if m.Kind == "new_device" {
			link = disavowPath.FindString(m.Body)
		}
	}
	if link == "" {
		t.Fatal("no new-device alert with a «это был не я» link")
	}

	// The remembered device: signed out, the password alone signs in.
	b.Submit(`form[action="/id/signout"] button`)
	b.Open(sep.URL + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), phone), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	b.Submit(`form[action="/id/signin"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("a remembered device was asked for the factor: h1 %q", h1)
	}
	b.Open(sep.URL + "/id/security")
	if !strings.Contains(b.Text(".security-device"), "да, до") {
		t.Fatalf("the device is not shown as remembered: %q", b.Text(".security-devices"))
	}

	// The link's page changes nothing until confirmed.
	other := NewBrowser(t)
	other.DisableJavaScript(true)
	other.Open(sep.URL + link)
	other.CheckA11y()
	if h1 := other.Text("h1"); h1 != "Это был не я" {
		t.Fatalf("the link's page: %q", h1)
	}
	if resp, _ := app.Get("/api/v1/account"); resp.StatusCode != 200 {
		t.Fatalf("opening the link ended a session: %d", resp.StatusCode)
	}
	other.Submit(`form[action^="/id/disavow/"] button`)
	if resp, _ := app.Get("/api/v1/account"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a session outlived «это был не я»: %d", resp.StatusCode)
	}
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("the browser's session outlived «это был не я»: h1 %q", h1)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), phone), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	b.Submit(`form[action="/id/signin"] button`)
	if msg := b.Text(".form-notice"); !strings.Contains(msg, "Вход по паролю заблокирован") {
		t.Fatalf("password sign-in after «это был не я»: %q", msg)
	}
	b.CheckA11y()
	// The link is used up.
	other.Open(sep.URL + link)
	if !strings.Contains(other.Text(".form-notice"), "недействительна") {
		t.Fatalf("the used link: %q", other.Text("main"))
	}
	other.CheckA11y()
}

// The devices' JSON API, every answer checked against the OpenAPI document: the remembered
// device signs in with the password alone; the clock, «Продлить», the security listing, ending
// a session and forgetting a device.
func TestDevicesThroughTheAPI(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557303", "api.devices@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	c := apitest.New(t, sep.API, sep.URL)
	sms := outboxCount(t, sep.URL, phone)
	resp, body := c.Send("POST", "/api/v1/signin", []byte(`{"login":"`+email+`","password":"`+pw+`"}`))
	var f struct{ Flow string }
	if json.Unmarshal(body, &f); resp.StatusCode != 200 {
		t.Fatalf("signin: %d %s", resp.StatusCode, body)
	}
	factor, _ := json.Marshal(map[string]any{"flow": f.Flow, "method": "sms", "code": latestCode(t, sep.URL, phone, sms), "remember": true})
	resp, body = c.Send("POST", "/api/v1/signin/factor", factor)
	var ss struct{ Token string }
	if json.Unmarshal(body, &ss); resp.StatusCode != 200 || ss.Token == "" {
		t.Fatalf("factor: %d %s", resp.StatusCode, body)
	}
	auth := []string{"Authorization", "Bearer " + ss.Token}

	if resp, body = c.Get("/api/v1/session"); resp.StatusCode != 200 || !strings.Contains(string(body), `"extend":"Продлить"`) {
		t.Fatalf("the clock: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", "/api/v1/session/extend", nil, auth...); resp.StatusCode != 200 {
		t.Fatalf("extend: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Get("/api/v1/security", auth...)
	var sec struct {
		Sessions []struct {
			ID      string
			Current bool
		}
		Devices []struct {
			ID              string
			Current         bool
			RememberedUntil *time.Time `json:"remembered_until"`
		}
		SignIns []struct{ OK bool }
	}
	if json.Unmarshal(body, &sec); resp.StatusCode != 200 || len(sec.Sessions) != 2 || len(sec.Devices) != 2 || len(sec.SignIns) != 1 {
		t.Fatalf("security: %d %s", resp.StatusCode, body)
	}
	for _, s := range sec.Sessions {
		if !s.Current {
			if resp, body = c.Send("DELETE", "/api/v1/security/sessions/"+s.ID, nil, auth...); resp.StatusCode != 204 {
				t.Fatalf("end a session: %d %s", resp.StatusCode, body)
			}
		}
	}
	for _, d := range sec.Devices {
		if d.Current != (d.RememberedUntil != nil) {
			t.Fatalf("only this device is remembered: %s", body)
		}
		if !d.Current {
			if resp, body = c.Send("DELETE", "/api/v1/security/devices/"+d.ID, nil, auth...); resp.StatusCode != 204 {
				t.Fatalf("forget a device: %d %s", resp.StatusCode, body)
			}
		}
	}
	if resp, _ = c.Send("DELETE", "/api/v1/security/devices/no-such-device", nil, auth...); resp.StatusCode != 404 {
		t.Fatalf("forget an unknown device: %d", resp.StatusCode)
	}
	if resp, _ = c.Send("POST", "/api/v1/signout", nil, "Content-Type", "application/json"); resp.StatusCode != 204 {
		t.Fatalf("signout: %d", resp.StatusCode)
	}
	if resp, _ = c.Send("POST", "/api/v1/session/extend", nil, auth...); resp.StatusCode != 401 {
		t.Fatalf("extend after sign-out: %d", resp.StatusCode)
	}
	// The remembered device: the password alone starts the session.
	resp, body = c.Send("POST", "/api/v1/signin", []byte(`{"login":"`+phone+`","password":"`+pw+`"}`))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"token"`) {
		t.Fatalf("a remembered device's sign-in: %d %s", resp.StatusCode, body)
	}
}
