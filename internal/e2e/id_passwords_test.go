package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

// agePassword makes the account's current password look set days ago, as if that time had
// passed (the instance runs on the real clock).
func agePassword(t *testing.T, sep *Instance, phone string, days int) {
	t.Helper()
	a, err := sep.ID.AccountByLogin(t.Context(), nil, phone)
	if err != nil {
		t.Fatal(err)
	}
	var seq int
	var set time.Time
	if err := sep.DB.Reader().QueryRow(`SELECT seq, created_at FROM id_passwords WHERE account_id = $1 ORDER BY seq DESC LIMIT 1`,
		a.ID).Scan(&seq, &set); err != nil {
		t.Fatal(err)
	}
	if _, err := sep.DB.Writer().Exec(`UPDATE id_passwords SET created_at = $3 WHERE account_id = $1 AND seq = $2`,
		a.ID, seq, set.Add(-time.Duration(days)*24*time.Hour).UTC()); err != nil {
		t.Fatal(err)
	}
}

// A citizen whose password is half a year old is advised on the account page to change it,
// and changes it there, without JavaScript: every broken rule at once first, then the change;
// the session of their other device ends. Every page passes axe-core.
func TestChangePasswordInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, old, fresh = "+79005557101", "change.citizen@example.ru", "Ptichka-Sinica-2026!", "Lesnaya-Tropa-2027?"
	other := registerAccount(t, sep, phone, email, old) // the session of another device
	agePassword(t, sep, phone, 200)

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	signInInBrowser(t, sep, b, email, old, phone, false)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after signing in: h1 %q", h1)
	}
	if notice := b.Text(".form-notice"); !strings.Contains(notice, "Пароль не менялся с") || !strings.Contains(notice, "6–12 месяцев") {
		t.Fatalf("the account page's advice: %q", notice)
	}
	b.CheckA11y()
	b.Click(`.form-notice a[href="/id/account/password"]`)
	if h1 := b.Text("h1"); h1 != "Смена пароля" {
		t.Fatalf("the change page: h1 %q", h1)
	}
	b.CheckA11y()

	// A wrong current password, a weak new one and a different repeat: all said at once.
	b.Do(chromedp.SendKeys(chromedp.CSS("#current_password"), "Ptichka-Sinica-2025!"),
		chromedp.SendKeys(chromedp.CSS("#password"), "Qwerty-1234"), chromedp.SendKeys(chromedp.CSS("#password2"), "Qwerty-1234"))
	b.Submit(`form[action="/id/account/password"] button`)
	if n := Eval[int](b, `document.querySelectorAll(".form-errors li").length`); n != 2 {
		t.Fatalf("the error summary lists %d mistakes, want the current password and the new one", n)
	}
	if msg := b.Text("#current_password-error"); !strings.Contains(msg, "Текущий пароль указан неверно") {
		t.Fatalf("the wrong current password: %q", msg)
	}
	rules := b.Text("#password-error")
	for _, want := range []string{"не меньше 12", "последовательности", "распространён"} {
		if !strings.Contains(rules, want) {
			t.Fatalf("the new password's rules %q do not say %q", rules, want)
		}
	}
	if n := Eval[int](b, `document.querySelectorAll("#password-error br").length`); n < 2 {
		t.Fatalf("the broken rules are not one a line: %d breaks", n)
	}
	if b.Attr("#password", "aria-invalid") != "true" {
		t.Fatal("the new password is not marked")
	}
	b.CheckA11y()

	// The last password again is refused, however right the current one.
	b.Do(chromedp.SetValue(chromedp.CSS("#current_password"), old), chromedp.SetValue(chromedp.CSS("#password"), old),
		chromedp.SetValue(chromedp.CSS("#password2"), old))
	b.Submit(`form[action="/id/account/password"] button`)
	if msg := b.Text("#password-error"); !strings.Contains(msg, "трёх последних") {
		t.Fatalf("the old password as the new: %q", msg)
	}
	b.Do(chromedp.SetValue(chromedp.CSS("#current_password"), old), chromedp.SetValue(chromedp.CSS("#password"), fresh),
		chromedp.SetValue(chromedp.CSS("#password2"), fresh))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/account/password"] button`)
	if h1 := b.Text("h1"); h1 != "Пароль изменён" {
		t.Fatalf("after the change: h1 %q", h1)
	}
	b.CheckA11y()
	if alert := lastMessages(t, sep.URL, phone, sms+1).Messages[0].Body; !strings.Contains(alert, "сменён пароль") {
		t.Fatalf("the alert: %q", alert)
	}
	c := apitest.New(t, sep.API, sep.URL)
	if resp, _ := c.Get("/api/v1/account", "Authorization", "Bearer "+other); resp.StatusCode != 401 {
		t.Fatalf("the other device's session after the change: %d", resp.StatusCode)
	}
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Личный кабинет" || Eval[int](b, `document.querySelectorAll(".form-notice").length`) != 0 {
		t.Fatalf("the account page after the change: %q, still advised", h1)
	}

	// Someone at this browser who does not know the password: five wrong tries end the session.
	b.Open(sep.URL + "/id/account/password")
	for range 5 {
		b.Do(chromedp.SetValue(chromedp.CSS("#current_password"), "Ugadyvayu-2026!"),
			chromedp.SetValue(chromedp.CSS("#password"), "Zimniy-Les-Tropa-2028!"),
			chromedp.SetValue(chromedp.CSS("#password2"), "Zimniy-Les-Tropa-2028!"))
		b.Submit(`form[action="/id/account/password"] button`)
	}
	if h1, notice := b.Text("h1"), b.Text(".form-notice"); h1 != "Вход" || !strings.Contains(notice, "сеанс завершён") {
		t.Fatalf("after five wrong current passwords: h1 %q, notice %q", h1, notice)
	}
	b.CheckA11y()
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("the session still works: %q", h1)
	}
}

// With SEP_PASSWORD_MAX_AGE, a sign-in with an expired password asks for a new one after the
// SMS code, without JavaScript, and enters the cabinet only then.
func TestExpiredPasswordInTheBrowser(t *testing.T) {
	sep := Start(t, "SEP_PASSWORD_MAX_AGE", "90")
	const phone, email, old, fresh = "+79005557102", "expired.citizen@example.ru", "Ptichka-Sinica-2026!", "Lesnaya-Tropa-2027?"
	registerAccount(t, sep, phone, email, old)
	agePassword(t, sep, phone, 80)

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	signInInBrowser(t, sep, b, phone, old, phone, false)
	if notice := b.Text(".form-notice"); !strings.Contains(notice, "Срок действия пароля истекает") {
		t.Fatalf("ten days before expiry the account page says %q", notice)
	}
	b.CheckA11y()
	b.Submit(`form[action="/id/signout"] button`)

	agePassword(t, sep, phone, 11)
	signInInBrowser(t, sep, b, phone, old, phone, false)
	if h1 := b.Text("h1"); h1 != "Срок действия пароля истёк" {
		t.Fatalf("an expired password: h1 %q", h1)
	}
	b.CheckA11y()
	if n := Eval[int](b, `document.querySelectorAll('form[action="/id/signout"]').length`); n != 0 {
		t.Fatal("signed in before the new password")
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#password"), old), chromedp.SendKeys(chromedp.CSS("#password2"), old))
	b.Submit(`form[action="/id/signin/password"] button`)
	if msg := b.Text("#password-error"); !strings.Contains(msg, "трёх последних") {
		t.Fatalf("the expired password again: %q", msg)
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#password"), fresh), chromedp.SetValue(chromedp.CSS("#password2"), fresh+"x"))
	b.Submit(`form[action="/id/signin/password"] button`)
	if msg := b.Text("#password2-error"); !strings.Contains(msg, "не совпадают") {
		t.Fatalf("two different passwords: %q", msg)
	}
	b.Do(chromedp.SetValue(chromedp.CSS("#password"), fresh), chromedp.SetValue(chromedp.CSS("#password2"), fresh))
	b.Submit(`form[action="/id/signin/password"] button`)
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after the new password: h1 %q", h1)
	}
	if Eval[int](b, `document.querySelectorAll(".form-notice").length`) != 0 {
		t.Fatal("a fresh password still gets advice")
	}
}

// The password API: the age, a change refused with every rule listed, the change; and a
// sign-in held for an expired password. Every answer is checked against the OpenAPI document.
func TestPasswordAPI(t *testing.T) {
	sep := Start(t, "SEP_PASSWORD_MAX_AGE", "90")
	c := apitest.New(t, sep.API, sep.URL)
	const phone, email, old, fresh = "+79005557103", "api.passwords@example.ru", "Ptichka-Sinica-2026!", "Lesnaya-Tropa-2027?"
	token := registerAccount(t, sep, phone, email, old)
	auth := []string{"Authorization", "Bearer " + token}

	resp, body := c.Get("/api/v1/account/password", auth...)
	var st struct {
		Expired       bool   `json:"expired"`
		ChangeAdvised bool   `json:"change_advised"`
		ExpiresAt     string `json:"expires_at"`
	}
	if json.Unmarshal(body, &st); resp.StatusCode != 200 || st.Expired || st.ChangeAdvised || st.ExpiresAt == "" {
		t.Fatalf("the status: %d %s", resp.StatusCode, body)
	}
	if resp, _ := apitest.New(t, sep.API, sep.URL).Get("/api/v1/account/password"); resp.StatusCode != 401 {
		t.Fatalf("the status without a session: %d", resp.StatusCode)
	}

	req, _ := json.Marshal(map[string]string{"current_password": "wrong", "password": "aaaa1234"})
	resp, body = c.Send("POST", "/api/v1/account/password", req, auth...)
	var refused struct {
		Fields     map[string]string `json:"fields"`
		Violations []struct {
			MessageID string `json:"message_id"`
		} `json:"violations"`
	}
	json.Unmarshal(body, &refused)
	var ids []string
	for _, v := range refused.Violations {
		ids = append(ids, v.MessageID)
	}
	if resp.StatusCode != 400 || refused.Fields["current_password"] == "" || refused.Fields["password"] == "" ||
		strings.Join(ids, " ") != "id.password.short id.password.no_upper id.password.no_special id.password.repeated id.password.sequential" {
		t.Fatalf("a refused change: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"current_password": old, "password": fresh})
	sms := outboxCount(t, sep.URL, phone)
	if resp, body = c.Send("POST", "/api/v1/account/password", req, auth...); resp.StatusCode != 200 ||
		!strings.Contains(string(body), `"ended_sessions":0`) {
		t.Fatalf("the change: %d %s", resp.StatusCode, body)
	}
	lastMessages(t, sep.URL, phone, sms+1) // the alert, before the code that follows

	// Expired: the factor is answered 403, and the new password starts the session.
	agePassword(t, sep, phone, 91)
	sms = outboxCount(t, sep.URL, phone)
	req, _ = json.Marshal(map[string]string{"login": email, "password": fresh})
	resp, body = c.Send("POST", "/api/v1/signin", req)
	var f struct{ Flow string }
	if json.Unmarshal(body, &f); resp.StatusCode != 200 {
		t.Fatalf("signin: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"flow": f.Flow, "method": "sms", "code": latestCode(t, sep.URL, phone, sms)})
	if resp, body = c.Send("POST", "/api/v1/signin/factor", req); resp.StatusCode != 403 || !strings.Contains(string(body), "id.password_expired") {
		t.Fatalf("the factor of an expired password: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"flow": f.Flow, "password": "Ptichka-Sinica-2026!"})
	if resp, body = c.Send("POST", "/api/v1/signin/password", req); resp.StatusCode != 400 || !strings.Contains(string(body), "id.password.reused") {
		t.Fatalf("a password of the last three: %d %s", resp.StatusCode, body)
	}
	req, _ = json.Marshal(map[string]string{"flow": f.Flow, "password": "Zimniy-Les-Tropa-2028!"})
	resp, body = c.Send("POST", "/api/v1/signin/password", req)
	var session struct{ Token string }
	if json.Unmarshal(body, &session); resp.StatusCode != 200 || session.Token == "" {
		t.Fatalf("the new password: %d %s", resp.StatusCode, body)
	}
	if resp, _ = c.Get("/api/v1/account", "Authorization", "Bearer "+session.Token); resp.StatusCode != 200 {
		t.Fatalf("the new session: %d", resp.StatusCode)
	}
	if resp, _ = apitest.New(t, sep.API, sep.URL).Get("/api/v1/account", auth...); resp.StatusCode != 401 {
		t.Fatalf("the old session after the expired password's change: %d", resp.StatusCode)
	}
}
