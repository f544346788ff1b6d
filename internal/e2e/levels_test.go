package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// browserRegister registers a citizen in the browser, as TestRegisterAndSignInInTheBrowser
// does without its mistakes, leaving the browser signed in.
func browserRegister(t *testing.T, b *Browser, sep *Instance, phone, email, password string) {
	t.Helper()
	b.Open(sep.URL + "/id/register")
	b.Do(chromedp.SetValue(chromedp.CSS("#phone"), phone), chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.Click(chromedp.CSS("#consent")))
	sms, mail := outboxCount(t, sep.URL, phone), outboxCount(t, sep.URL, email)
	b.Submit(`form[action="/id/register"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#phone_code"), latestCode(t, sep.URL, phone, sms)),
		chromedp.SendKeys(chromedp.CSS("#email_code"), latestCode(t, sep.URL, email, mail)))
	b.Submit(`form[action="/id/register/codes"] button`)
	b.Do(chromedp.SetValue(chromedp.CSS("#password"), password), chromedp.SetValue(chromedp.CSS("#password2"), password))
	b.Submit(`form[action="/id/register/password"] button`)
}

// operatorToken makes an operator (an account registered through the API whose role an
// administrator set) and returns its session token.
func operatorToken(t *testing.T, sep *Instance, phone, email string) string {
	t.Helper()
	token := registerAccount(t, sep, phone, email, "Операторский-Пароль-2026")
	if _, err := sep.DB.Writer().Exec(`UPDATE id_accounts SET role = 'operator' WHERE id = (SELECT account_id FROM id_sessions
		WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	return token
}

// A citizen fills in the profile in the browser without JavaScript: mistakes are marked field
// by field with the summary; once saved, the checks' outcomes arrive (Обновить) and the
// account becomes standard; an operator issues a confirmation code, which the citizen enters
// (a wrong one first) to become confirmed. Every page passes axe-core.
func TestProfileAndLevelsInTheBrowser(t *testing.T) {
	sep := Start(t, "SEP_REGISTRY_SIM_LATENCY", "0")
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	browserRegister(t, b, sep, "+7 900 555-74-01", "levels.citizen@example.ru", "Сложный-Пароль-2026")

	b.Open(sep.URL + "/id/profile")
	b.CheckA11y()
	if lvl := b.Text("#level-current"); !strings.Contains(lvl, "упрощённая") {
		t.Fatalf("a new account: %q", lvl)
	}
	if missing := b.Text("#level-missing"); !strings.Contains(missing, "указать СНИЛС") || !strings.Contains(missing, "Получить СНИЛС онлайн") {
		t.Fatalf("what is missing: %q", missing)
	}
	p := sim.Default().Tagged("basic")[3]
	pp := p.Passport()
	set := func(id, v string) { b.Do(chromedp.SetValue(chromedp.CSS("#"+id), v)) }
	for id, v := range map[string]string{"last_name": p.LastName, "first_name": p.FirstName, "middle_name": p.MiddleName,
		"birth_date": p.BirthDate.Format("02.01.2006"), "birth_place": "город Тверь", "passport_series": pp.Series,
		"passport_number": pp.Number, "passport_issue_date": pp.IssueDate.Format("02.01.2006"),
		"passport_issuer": "Отделом УФМС России по Тверской области", "passport_division_code": pp.DivisionCode,
		"snils": "112-233-445 96", "inn": p.INN, "region": "Тверская область", "city": "город Тверь",
		"street": "ул. Советская", "house": "1", "flat": "2", "postcode": "170100"} {
		set(id, v)
	}
	b.Submit(`form[action="/id/profile"] button`)
	if n := Eval[int](b, `document.querySelectorAll(".form-errors li").length`); n != 2 {
		t.Fatalf("the summary lists %d mistakes, want the СНИЛС and the street", n)
	}
	if msg := b.Text("#street-error"); !strings.Contains(msg, "«улица», а не «ул.»") || b.Attr("#street", "aria-invalid") != "true" {
		t.Fatalf("the street: %q", msg)
	}
	if b.Text("#snils-error") == "" || b.Attr("#last_name", "value") != p.LastName {
		t.Fatal("the СНИЛС is not marked, or the form lost what was typed")
	}
	b.CheckA11y()
	set("snils", p.SNILS)
	set("street", "улица Советская")
	b.Submit(`form[action="/id/profile"] button`)
	if !strings.Contains(b.Text("main"), "Данные сохранены") {
		t.Fatal("no word that the profile was saved")
	}
	b.CheckA11y()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(b.Text("#level-current"), "стандартная"); {
		if time.Now().After(deadline) {
			t.Fatalf("the level: %q, checks: %q", b.Text("#level-current"), b.Text("#level-checks"))
		}
		time.Sleep(200 * time.Millisecond)
		b.Submit("#level-refresh")
	}
	if checks := b.Text("#level-checks"); strings.Count(checks, "Подтверждено") != 3 {
		t.Fatalf("the checks: %q", checks)
	}
	b.CheckA11y()

	// The operator's desk is not the citizen's.
	b.Open(sep.URL + "/id/operator/confirm")
	if Eval[int](b, `document.querySelectorAll('form[action="/id/operator/confirm"]').length`) != 0 {
		t.Fatal("a citizen sees the operator's desk")
	}

	// An operator finds the citizen by СНИЛС and issues a code.
	op := apitest.New(t, sep.API, sep.URL)
	bearer := "Bearer " + operatorToken(t, sep, "+79005557490", "levels.operator@example.ru")
	resp, body := op.Send("POST", "/api/v1/id/operator/find", []byte(`{"login":"`+p.SNILS+`"}`), "Authorization", bearer)
	var found struct {
		AccountID string `json:"account_id"`
	}
	if json.Unmarshal(body, &found); resp.StatusCode != 200 || found.AccountID == "" {
		t.Fatalf("find: %d %s", resp.StatusCode, body)
	}
	resp, body = op.Send("POST", "/api/v1/id/operator/accounts/"+found.AccountID+"/confirmation-code", nil,
		"Authorization", bearer, "Content-Type", "application/json")
	var issued struct{ Code string }
	if json.Unmarshal(body, &issued); resp.StatusCode != 201 || len(issued.Code) != 12 {
		t.Fatalf("code: %d %s", resp.StatusCode, body)
	}

	b.Open(sep.URL + "/id/profile")
	b.Submit(`a[href="/id/profile/confirm"]`)
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), "000-000-0000"))
	b.Submit(`form[action="/id/profile/confirm"] button`)
	if b.Text("#code-error") == "" || b.Attr("#code", "aria-invalid") != "true" {
		t.Fatal("a wrong code was not refused next to its field")
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#code"), issued.Code))
	b.Submit(`form[action="/id/profile/confirm"] button`)
	if !strings.Contains(b.Text("main"), "Личность подтверждена") {
		t.Fatalf("after the right code: %q", b.Text("main"))
	}
	b.CheckA11y()
	b.Open(sep.URL + "/id/profile")
	if lvl := b.Text("#level-current"); !strings.Contains(lvl, "подтверждённая") {
		t.Fatalf("the level: %q", lvl)
	}
	b.CheckA11y()

	// The operator's desk in the browser: a search that finds nobody, then the citizen.
	b.Submit(`form[action="/id/signout"] button`)
	b.Open(sep.URL + "/id/signin")
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), "+79005557490"), chromedp.SendKeys(chromedp.CSS("#password"), "Операторский-Пароль-2026"))
	sms := outboxCount(t, sep.URL, "+79005557490")
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, "+79005557490", sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
	b.Open(sep.URL + "/id/operator/confirm")
	b.CheckA11y()
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), "+7 900 000-00-00"))
	b.Submit(`form[action="/id/operator/confirm"] button`)
	if b.Text("#login-error") == "" {
		t.Fatal("a search that found nobody says nothing")
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#login"), p.SNILS))
	b.Submit(`form[action="/id/operator/confirm"] button`)
	if found := b.Text("#found"); !strings.Contains(found, p.LastName) || !strings.Contains(b.Text("#found-level"), "подтверждённая") {
		t.Fatalf("found: %q", found)
	}
	if Eval[int](b, `document.querySelectorAll('form[action="/id/operator/confirm/in-person"]').length`) != 0 {
		t.Fatal("a confirmed account is offered confirmation again")
	}
	b.CheckA11y()
}

// The profile and the levels through the JSON API, every answer checked against the OpenAPI
// document: mistakes in "fields", a saved profile's checks, the standard level, an operator's
// confirmation at a service point, and the operator's routes refused to a citizen.
func TestProfileThroughTheAPI(t *testing.T) {
	sep := Start(t, "SEP_REGISTRY_SIM_LATENCY", "0")
	c := apitest.New(t, sep.API, sep.URL)
	token := registerAccount(t, sep, "+79005557402", "levels.api@example.ru", "Сложный-Пароль-2026")
	auth := []string{"Authorization", "Bearer " + token}
	p := sim.Default().Tagged("basic")[4]
	pp := p.Passport()
	profile := map[string]string{"last_name": p.LastName, "first_name": p.FirstName, "middle_name": p.MiddleName,
		"birth_date": p.BirthDate.Format("02.01.2006"), "birth_place": "город Самара", "passport_series": pp.Series,
		"passport_number": pp.Number, "passport_issue_date": pp.IssueDate.Format("02.01.2006"),
		"passport_issuer": "ГУ МВД России по Самарской области", "passport_division_code": pp.DivisionCode,
		"snils": p.SNILS, "inn": "1234", "region": "Самарская обл.", "city": "город Самара", "street": "улица Ленина",
		"house": "1", "postcode": "443001"}
	req, _ := json.Marshal(profile)
	resp, body := c.Send("PUT", "/api/v1/id/profile", req, auth...)
	var bad struct{ Fields map[string]string }
	if json.Unmarshal(body, &bad); resp.StatusCode != 400 || len(bad.Fields) != 2 || !strings.Contains(bad.Fields["region"], "«область»") {
		t.Fatalf("mistakes: %d %s", resp.StatusCode, body)
	}
	profile["inn"], profile["region"] = p.INN, "Самарская область"
	req, _ = json.Marshal(profile)
	if resp, body = c.Send("PUT", "/api/v1/id/profile", req, auth...); resp.StatusCode != 200 {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, body = c.Get("/api/v1/id/level", auth...)
		if strings.Contains(string(body), `"level":"standard"`) {
			break
		}
		if resp.StatusCode != 200 || time.Now().After(deadline) {
			t.Fatalf("level: %d %s", resp.StatusCode, body)
		}
	}
	if resp, body = c.Get("/api/v1/id/profile", auth...); resp.StatusCode != 200 || !strings.Contains(string(body), `"street":"улица Ленина"`) {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	// A citizen is no operator.
	if resp, _ = c.Send("POST", "/api/v1/id/operator/find", []byte(`{"login":"`+p.SNILS+`"}`), auth...); resp.StatusCode != 403 {
		t.Fatalf("a citizen searched accounts: %d", resp.StatusCode)
	}
	bearer := "Bearer " + operatorToken(t, sep, "+79005557491", "levels.operator2@example.ru")
	resp, body = c.Send("POST", "/api/v1/id/operator/find", []byte(`{"login":"`+p.SNILS+`"}`), "Authorization", bearer)
	var found struct {
		AccountID string `json:"account_id"`
	}
	if json.Unmarshal(body, &found); resp.StatusCode != 200 {
		t.Fatalf("find: %d %s", resp.StatusCode, body)
	}
	if resp, _ = c.Send("POST", "/api/v1/id/operator/accounts/"+found.AccountID+"/confirm", nil, append(auth, "Content-Type", "application/json")...); resp.StatusCode != 403 {
		t.Fatalf("a citizen confirmed an account: %d", resp.StatusCode)
	}
	resp, body = c.Send("POST", "/api/v1/id/operator/accounts/"+found.AccountID+"/confirm", nil, "Authorization", bearer,
		"Content-Type", "application/json")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"method":"service_point"`) {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", "/api/v1/id/operator/accounts/"+found.AccountID+"/confirm", nil, "Authorization", bearer,
		"Content-Type", "application/json"); resp.StatusCode != 409 {
		t.Fatalf("confirmed twice: %d %s", resp.StatusCode, body)
	}
}
