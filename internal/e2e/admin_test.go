package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/id"
)

// demoUsers makes the demo users on the instance (as sep serve does in demo mode) and returns
// them by role and level: "admin", "operator", "citizen/standard"…
func demoUsers(t *testing.T, sep *Instance) map[string]id.DemoUser {
	t.Helper()
	users, out, err := sep.SeedDemo(context.Background())
	if err != nil || out != id.DemoCreated {
		t.Fatalf("demo users: %v %v", out, err)
	}
	m := map[string]id.DemoUser{}
	for _, u := range users {
		key := string(u.Role)
		if u.Role == id.Citizen {
			key += "/" + string(u.Level)
		}
		m[key] = u
	}
	return m
}

// apiSignIn signs c in with the password and the SMS code.
func apiSignIn(t *testing.T, sep *Instance, c *apitest.Client, u id.DemoUser) {
	t.Helper()
	sms := outboxCount(t, sep.URL, u.Phone)
	body, _ := json.Marshal(map[string]string{"login": u.Email, "password": u.Password})
	resp, b := c.Send("POST", "/api/v1/signin", body)
	var f struct{ Flow string }
	if json.Unmarshal(b, &f); resp.StatusCode != 200 {
		t.Fatalf("sign in %s: %d %s", u.Email, resp.StatusCode, b)
	}
	body, _ = json.Marshal(map[string]string{"flow": f.Flow, "method": "sms", "code": latestCode(t, sep.URL, u.Phone, sms)})
	if resp, b = c.Send("POST", "/api/v1/signin/factor", body); resp.StatusCode != 200 {
		t.Fatalf("second factor %s: %d %s", u.Email, resp.StatusCode, b)
	}
}

// browserSignIn signs the browser in from the sign-in page it is on.
func browserSignIn(t *testing.T, sep *Instance, b *Browser, u id.DemoUser) {
	t.Helper()
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), u.Email), chromedp.SetValue(chromedp.CSS("#password"), u.Password))
	sms := outboxCount(t, sep.URL, u.Phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, u.Phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
}

// An administrator finds a citizen by phone, blocks the account with a reason and a note,
// and unblocks it, in the browser without JavaScript; every page passes axe-core. The
// citizen's session ends at the block and their sign-in is refused as blocked; a citizen or an
// operator gets 403 from the admin pages and API.
func TestAdminBlocksAnAccountInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen := users["citizen/standard"]

	// The citizen is signed in through the app.
	app := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, app, citizen)
	if resp, _ := app.Get("/api/v1/account"); resp.StatusCode != 200 {
		t.Fatalf("the citizen's account: %d", resp.StatusCode)
	}

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/admin/accounts")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("the admin page, signed out, leads to %q", h1)
	}
	browserSignIn(t, sep, b, users["admin"])
	if h1 := b.Text("h1"); h1 != "Учётные записи" {
		t.Fatalf("after signing in the admin is at %q, not back on the admin page", h1)
	}
	b.Open(sep.URL + "/id/account")
	b.Submit(`a[href="/id/admin/accounts"]`) // the account page leads administrators here
	b.CheckA11y()
	b.Submit(`form[action="/id/admin/accounts"] button`)
	if b.Text("#login-error") == "" || b.Attr("#login", "aria-invalid") != "true" {
		t.Fatal("an empty search is not refused next to its field")
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), "+7 900 000-99-99"))
	b.Submit(`form[action="/id/admin/accounts"] button`)
	if msg := b.Text("#login-error"); !strings.Contains(msg, "не найдена") {
		t.Fatalf("an unknown phone: %q", msg)
	}
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), "8 (900) 000-00-12"))
	b.Submit(`form[action="/id/admin/accounts"] button`)
	if h1, status := b.Text("h1"), b.Text("#account-status"); h1 != "Учётная запись" || status != "Действует" ||
		!strings.Contains(b.Text("dl"), "Стандартная") || !strings.Contains(b.Text("dl"), "+7 900 ***-**-12") ||
		strings.Contains(b.Text("dl"), "000-00-12") {
		t.Fatalf("the account page: %q %q %q", h1, status, b.Text("dl"))
	}
	b.CheckA11y()

	// "Other" needs a note; then a block for fraud with a note for the owner.
	b.Do(chromedp.SetValue(chromedp.CSS("#reason"), "other"))
	b.Submit(`form[action$="/block"] button`)
	if b.Text("#note-error") == "" || Eval[int](b, `document.querySelectorAll(".form-errors li").length`) != 1 {
		t.Fatal("other without a note is not refused next to the note")
	}
	b.CheckA11y()
	const note = "Обратитесь в МФЦ с паспортом"
	b.Do(chromedp.SetValue(chromedp.CSS("#reason"), "fraud"), chromedp.SetValue(chromedp.CSS("#note"), note))
	b.Submit(`form[action$="/block"] button`)
	if status, done := b.Text("#account-status"), b.Text(".form-notice"); status != "Заблокирована администратором" ||
		!strings.Contains(done, "заблокирована") || b.Text("#block-note") != note || !strings.Contains(b.Text("#block-reason"), "мошенничеств") {
		t.Fatalf("after the block: %q %q %q", status, done, b.Text("dl"))
	}
	b.CheckA11y()
	accountPath := Eval[string](b, `location.pathname`)

	// The citizen's session has ended, and signing in says the account is blocked.
	if resp, _ := app.Get("/api/v1/account"); resp.StatusCode != 401 {
		t.Fatalf("the blocked citizen's session still works: %d", resp.StatusCode)
	}
	body, _ := json.Marshal(map[string]string{"login": citizen.Email, "password": citizen.Password})
	if resp, b := app.Send("POST", "/api/v1/signin", body); resp.StatusCode != 403 || !strings.Contains(string(b), "id.account_blocked") {
		t.Fatalf("the blocked citizen's sign-in: %d %s", resp.StatusCode, b)
	}
	cb := NewBrowser(t)
	cb.DisableJavaScript(true)
	cb.Open(sep.URL + "/id/signin")
	cb.Do(chromedp.SetValue(chromedp.CSS("#login"), citizen.Email), chromedp.SetValue(chromedp.CSS("#password"), citizen.Password))
	cb.Submit(`form[action="/id/signin"] button`)
	if msg := cb.Text("main"); !strings.Contains(msg, "заблокирована") {
		t.Fatalf("the blocked citizen's sign-in page: %q", msg)
	}
	cb.CheckA11y()

	// Nobody but an administrator: an operator gets 403 from the page and the API.
	op := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, op, users["operator"])
	accountID := strings.TrimPrefix(accountPath, "/id/admin/accounts/")
	if resp, _ := op.Get("/api/v1/admin/accounts/" + accountID); resp.StatusCode != 403 {
		t.Fatalf("an operator reads an account through the admin API: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", sep.URL+accountPath, nil)
	if resp, err := op.HTTP.Do(req); err != nil || resp.StatusCode != 403 {
		t.Fatalf("an operator opens the admin page: %v %v", resp, err)
	}
	if resp, _ := apitest.New(t, sep.API, sep.URL).Get("/api/v1/admin/accounts/" + accountID); resp.StatusCode != 401 {
		t.Fatalf("nobody signed in reads the admin API: %d", resp.StatusCode)
	}

	// The administrator unblocks; the citizen signs in again.
	b.Submit(`form[action$="/unblock"] button`)
	if status, done := b.Text("#account-status"), b.Text(".form-notice"); status != "Действует" || !strings.Contains(done, "разблокирована") {
		t.Fatalf("after unblocking: %q %q", status, done)
	}
	b.CheckA11y()
	apiSignIn(t, sep, app, citizen)
}

// The admin API: find, block, refuse a second block, unblock — every answer checked against
// the OpenAPI document.
func TestAdminThroughTheAPI(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	c := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, c, users["admin"])
	resp, body := c.Send("POST", "/api/v1/admin/accounts/search", []byte(`{"login":"demo.confirmed@example.ru"}`))
	var a struct {
		ID, Status, Level, Phone string
		Block                    *struct {
			Reason    string
			BlockedBy string `json:"blocked_by"`
		}
	}
	if json.Unmarshal(body, &a); resp.StatusCode != 200 || a.Level != "confirmed" || a.Phone != "+7 900 ***-**-13" {
		t.Fatalf("search: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", "/api/v1/admin/accounts/search", []byte(`{"login":"nobody@example.ru"}`)); resp.StatusCode != 404 {
		t.Fatalf("search for nobody: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", "/api/v1/admin/accounts/search", []byte(`{"login":""}`)); resp.StatusCode != 400 || !strings.Contains(string(body), `"login"`) {
		t.Fatalf("an empty search: %d %s", resp.StatusCode, body)
	}
	path := "/api/v1/admin/accounts/" + a.ID
	if resp, body = c.Send("POST", path+"/block", []byte(`{"reason":"other"}`)); resp.StatusCode != 400 || !strings.Contains(string(body), `"note"`) {
		t.Fatalf("other without a note: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("POST", path+"/block", []byte(`{"reason":"court","note":"Решение суда № 2-000/2026"}`))
	if json.Unmarshal(body, &a); resp.StatusCode != 200 || a.Status != "blocked" || a.Block == nil || a.Block.Reason != "court" ||
		a.Block.BlockedBy != users["admin"].ID {
		t.Fatalf("block: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", path+"/block", []byte(`{"reason":"fraud"}`)); resp.StatusCode != 409 {
		t.Fatalf("a second block: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Get(path); resp.StatusCode != 200 || !strings.Contains(string(body), `"reason":"court"`) {
		t.Fatalf("the blocked account: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("POST", path+"/unblock", nil, "Content-Type", "application/json")
	if json.Unmarshal(body, &a); resp.StatusCode != 200 || a.Status != "active" {
		t.Fatalf("unblock: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", path+"/unblock", nil, "Content-Type", "application/json"); resp.StatusCode != 409 {
		t.Fatalf("a second unblock: %d %s", resp.StatusCode, body)
	}
	if resp, _ = c.Send("POST", "/api/v1/admin/accounts/"+users["admin"].ID+"/block", []byte(`{"reason":"fraud"}`)); resp.StatusCode != 403 {
		t.Fatalf("the admin blocks themselves: %d", resp.StatusCode)
	}
}

// adminFlows, for TestPlaintextScan: a staff account made (its contacts) and a citizen
// blocked with a note for the owner; it returns the personal values they stored.
func adminFlows(t *testing.T, sep *Instance) []string {
	t.Helper()
	ctx := context.Background()
	const phone, email, pw = "+79005550155", "scan.operator@example.ru", "Smena-Skanera-2026!"
	if _, _, err := sep.ID.CreateStaff(ctx, nil, id.ActorCLI, id.NewStaff{Role: id.Operator, Phone: phone, Email: email, Password: pw}); err != nil {
		t.Fatal(err)
	}
	const note = "Заблокировано по заявлению Сканерова"
	a, err := sep.ID.AccountByLogin(ctx, nil, "+79005550188") // registered by flows() before; blocked last
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sep.ID.Block(ctx, nil, id.ActorCLI, a.ID, "request", note); err != nil {
		t.Fatal(err)
	}
	return []string{phone, phone[2:], email, "scan.operator", pw, note, "Сканерова"}
}
