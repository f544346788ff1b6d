package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

// waitText waits until the element's text contains want.
func waitText(t *testing.T, b *Browser, selector, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	js := `(document.querySelector(` + jsString(selector) + `)||{}).textContent||""`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(`+js+`).includes(`+jsString(want)+`)`, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("%s never said %q (now %q): %v", selector, want, Eval[string](b, js), err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// QR sign-in across two browsers whose cookies differ: the desktop shows the code, the phone
// (signed in) opens it, sees the desktop's browser, address and place, and declines, then
// approves a new one. With JavaScript the desktop follows by itself — a declined code is
// replaced in place, keeping what was typed — and without it the «Проверить» button does.
// Every page passes axe-core.
func TestQRSignInAcrossTwoBrowsers(t *testing.T) {
	sep := Start(t)
	const phoneNo, email, password = "+79005557011", "qr.citizen@example.ru", "Сложный-Пароль-2026"
	registerAccount(t, sep, phoneNo, email, password)

	phone := NewBrowser(t)
	phone.SetUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1")
	signInInBrowser(t, sep, phone, email, password, phoneNo, false)
	if h1 := phone.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("signing in: h1 %q", h1)
	}

	desk := NewBrowser(t)
	desk.Open(sep.URL + "/id/signin")
	desk.CheckA11y()
	if src := desk.Attr(".qr-image", "src"); !strings.HasPrefix(src, "data:image/png;base64,") || desk.Attr(".qr-image", "alt") == "" {
		t.Fatal("the sign-in page shows no QR image with a text alternative")
	}
	first := desk.Attr(".qr-link", "href")
	if !strings.HasPrefix(first, sep.URL+"/id/qr/") || desk.Text(".qr-link") != first {
		t.Fatalf("the code's link %q is not written out", first)
	}
	desk.Do(chromedp.SendKeys(chromedp.CSS("#login"), "typed.before@example.ru"))

	// The phone sees who asks, and declines.
	phone.Open(first)
	if h1 := phone.Text("h1"); h1 != "Подтвердите вход на другом устройстве" {
		t.Fatalf("the phone's page: h1 %q", h1)
	}
	who := phone.Text("dl")
	for _, want := range []string{"Chrome", "Linux", "127.0.0.1", "неизвестно"} {
		if !strings.Contains(who, want) {
			t.Fatalf("the phone is shown %q, want %q in it", who, want)
		}
	}
	phone.CheckA11y()
	phone.Submit(`button[value="decline"]`)
	if h1 := phone.Text("h1"); h1 != "Вход отклонён" {
		t.Fatalf("after declining: h1 %q", h1)
	}
	phone.CheckA11y()

	// The desktop says so and shows a new code in place: the login typed stays.
	waitText(t, desk, ".qr-status", "Вход отклонён на телефоне")
	second := desk.Attr(".qr-link", "href")
	if second == first || Eval[string](desk, `document.querySelector("#login").value`) != "typed.before@example.ru" {
		t.Fatalf("after the decline the code is %q (was %q), the login field %q", second, first,
			Eval[string](desk, `document.querySelector("#login").value`))
	}
	desk.CheckA11y()

	// The declined code is used up; the new one is approved, and the desktop signs itself in.
	phone.Open(first)
	if h1 := phone.Text("h1"); h1 != "QR-код уже использован" {
		t.Fatalf("a used code: h1 %q", h1)
	}
	phone.CheckA11y()
	phone.Open(second)
	phone.Submit(`button[value="approve"]`)
	if h1 := phone.Text("h1"); h1 != "Вход подтверждён" {
		t.Fatalf("after approving: h1 %q", h1)
	}
	ctx, cancel := context.WithTimeout(desk.Ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`main a[href="/cabinet/activity"]`))); err != nil {
		t.Fatalf("the desktop did not sign itself in: %v", err)
	}
	if h1, dl := desk.Text("h1"), desk.Text("dl"); h1 != "Личный кабинет" || !strings.Contains(dl, email) {
		t.Fatalf("the desktop's account page: %q %q", h1, dl)
	}
	desk.CheckA11y()

	// Without JavaScript: «Проверить» says the phone has not answered, keeps the code, and
	// signs in once the phone approves.
	desk.Submit(`form[action="/id/signout"] button`)
	desk.DisableJavaScript(true)
	// Opened where nobody is signed in, a code's page asks to sign in first.
	desk.Open(first)
	if h1 := desk.Text("h1"); h1 != "Вход" || !strings.Contains(Eval[string](desk, "location.search"), url.QueryEscape("/id/qr/")) {
		t.Fatalf("a code opened signed out: h1 %q", h1)
	}
	if !strings.Contains(desk.Text(".form-notice"), "подтвердить вход по QR-коду") || Eval[int](desk, `document.querySelectorAll(".qr-image").length`) != 0 {
		t.Fatal("signing in to approve a code, the page does not say so, or shows a code of its own")
	}
	desk.CheckA11y()
	desk.Open(sep.URL + "/id/signin")
	third := desk.Attr(".qr-link", "href")
	desk.Submit(`form[action="/id/signin/qr"] button`)
	if !strings.Contains(desk.Text(".qr-status"), "ещё не подтверждён") || desk.Attr(".qr-link", "href") != third {
		t.Fatalf("checking too early: %q, code %q (was %q)", desk.Text(".qr-status"), desk.Attr(".qr-link", "href"), third)
	}
	desk.CheckA11y()
	phone.Open(third)
	phone.Submit(`button[value="approve"]`)
	desk.Submit(`form[action="/id/signin/qr"] button`)
	if h1 := desk.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("«Проверить» after the approval: h1 %q", h1)
	}
}

// The same through the JSON API, each answer checked against the OpenAPI document: the app on
// the phone reads who asks and approves with its bearer token; the desktop is signed in as the
// phone's account.
func TestQRSignInThroughTheAPI(t *testing.T) {
	sep := Start(t)
	token := registerAccount(t, sep, "+79005557012", "qr.api@example.ru", "Сложный-Пароль-2026")
	bearer := "Bearer " + token
	app := apitest.New(t, sep.API, sep.URL)
	desk := apitest.New(t, sep.API, sep.URL)
	const deskUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"

	start := func() (flow, code string) {
		t.Helper()
		resp, body := desk.Send("POST", "/api/v1/signin/qr", []byte(`{}`), "User-Agent", deskUA)
		var qr struct{ Flow, Code, URL, Image string }
		if json.Unmarshal(body, &qr); resp.StatusCode != 201 || qr.Flow == qr.Code || !strings.HasSuffix(qr.URL, "/id/qr/"+qr.Code) ||
			!strings.HasPrefix(qr.Image, "data:image/png;base64,") {
			t.Fatalf("a new code: %d %s", resp.StatusCode, body)
		}
		return qr.Flow, qr.Code
	}
	state := func(flow string) string {
		t.Helper()
		_, body := desk.Send("POST", "/api/v1/signin/qr/status", []byte(`{"flow":"`+flow+`"}`))
		var s struct{ State string }
		json.Unmarshal(body, &s)
		return s.State
	}

	flow, code := start()
	if s := state(flow); s != "waiting" {
		t.Fatalf("a new code is %q", s)
	}
	if resp, body := desk.Send("POST", "/api/v1/signin/qr/finish", []byte(`{"flow":"`+flow+`"}`), "Accept-Language", "en"); resp.StatusCode != 409 ||
		!strings.Contains(string(body), "id.qr_waiting") || !strings.Contains(string(body), "not been confirmed on the phone") {
		t.Fatalf("finishing early: %d %s", resp.StatusCode, body)
	}
	if resp, _ := app.Get("/api/v1/qr/" + code); resp.StatusCode != 401 {
		t.Fatalf("reading a code signed out: %d", resp.StatusCode)
	}
	resp, body := app.Get("/api/v1/qr/"+code, "Authorization", bearer)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"browser":"Edge 131"`) || !strings.Contains(string(body), `"os":"Windows"`) {
		t.Fatalf("who asks: %d %s", resp.StatusCode, body)
	}
	if resp, _ := app.Send("POST", "/api/v1/qr/"+code+"/approve", nil, "Authorization", bearer); resp.StatusCode != 204 {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	if resp, _ := app.Send("POST", "/api/v1/qr/"+code+"/approve", nil, "Authorization", bearer); resp.StatusCode != 409 {
		t.Fatalf("approving twice: %d", resp.StatusCode)
	}
	if s := state(flow); s != "approved" {
		t.Fatalf("after the approval: %q", s)
	}
	resp, body = desk.Send("POST", "/api/v1/signin/qr/finish", []byte(`{"flow":"`+flow+`"}`))
	var session struct {
		Token     string `json:"token"`
		AccountID string `json:"account_id"`
	}
	if json.Unmarshal(body, &session); resp.StatusCode != 200 || session.Token == token {
		t.Fatalf("finish: %d %s", resp.StatusCode, body)
	}
	_, mine := app.Get("/api/v1/account", "Authorization", bearer)
	if resp, body = desk.Get("/api/v1/account"); resp.StatusCode != 200 || !strings.Contains(string(mine), `"id":"`+session.AccountID+`"`) ||
		!strings.Contains(string(body), `"id":"`+session.AccountID+`"`) {
		t.Fatalf("the desktop's account: %d %s, the phone's %s", resp.StatusCode, body, mine)
	}
	if resp, _ := desk.Send("POST", "/api/v1/signin/qr/finish", []byte(`{"flow":"`+flow+`"}`)); resp.StatusCode != 400 {
		t.Fatalf("the flow used twice: %d", resp.StatusCode)
	}
	if s := state(flow); s != "expired" {
		t.Fatalf("a finished flow: %q", s)
	}

	// Declined: the desktop is told, and cannot finish.
	flow, code = start()
	if resp, _ := app.Send("POST", "/api/v1/qr/"+code+"/decline", nil, "Authorization", bearer); resp.StatusCode != 204 {
		t.Fatalf("decline: %d", resp.StatusCode)
	}
	if s := state(flow); s != "declined" {
		t.Fatalf("after the decline: %q", s)
	}
	if resp, body := desk.Send("POST", "/api/v1/signin/qr/finish", []byte(`{"flow":"`+flow+`"}`)); resp.StatusCode != 403 ||
		!strings.Contains(string(body), "id.qr_declined") {
		t.Fatalf("finishing a declined one: %d %s", resp.StatusCode, body)
	}
	if resp, _ := app.Get("/api/v1/qr/"+code, "Authorization", bearer); resp.StatusCode != 409 {
		t.Fatalf("reading a declined code: %d", resp.StatusCode)
	}
	if resp, _ := app.Get("/api/v1/qr/"+flow+".nothing", "Authorization", bearer); resp.StatusCode != 404 {
		t.Fatalf("an unknown code: %d", resp.StatusCode)
	}
}
