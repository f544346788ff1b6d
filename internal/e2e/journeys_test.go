package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/id"
)

// accountOf is the demo user's account id.
func accountOf(t *testing.T, sep *Instance, u id.DemoUser) string {
	t.Helper()
	acc, err := sep.ID.AccountByLogin(context.Background(), nil, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

// browserSubmit submits the citizen's draft from the browser: its documents uploaded on the
// documents page, the check page, the consents and the SMS code. It returns the number.
func browserSubmit(t *testing.T, sep *Instance, b *Browser, u id.DemoUser, appID string, files map[string]string) string {
	t.Helper()
	b.Open(sep.URL + "/applications/" + appID + "/documents")
	for _, k := range []string{"passport_scan", "snils", "photo", "fingerprints"} {
		upload(b, k, files[k])
	}
	b.Submit("#to-check")
	if b.Text("#no-problems") == "" {
		t.Fatalf("problems on the check page: %s", b.Text("main"))
	}
	b.Submit("#to-submit")
	sms := outboxCount(t, sep.URL, u.Phone)
	b.Submit("#send-code")
	code := latestCode(t, sep.URL, u.Phone, sms)
	b.Click("#consent")
	b.Click("#biometric_consent")
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.Submit("#submit")
	return b.Text("#number")
}

// The rejected path and a withdrawal, wholly in the browser without JavaScript, every page
// axe-clean: the citizen submits one application and withdraws another before any decision
// («Отозвано»); the operator's desk offers nothing to decide on the withdrawn one; the
// operator rejects the first, an empty reason refused with a message next to the field; the
// citizen's card says «Отклонено» with the reason, and offers no withdrawal.
func TestRejectedAndWithdrawnInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen, op := users["citizen/standard"], users["operator"]
	ctx := context.Background()
	owner := accountOf(t, sep, citizen)
	draft, err := sep.Applications.Create(ctx, nil, owner, "e-passport", "", passportForm(citizen))
	if err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)
	if number := browserSubmit(t, sep, b, citizen, draft.ID, documentFiles(t)); !strings.Contains(number, "СЭП-") {
		t.Fatalf("the confirmation: %q", number)
	}

	// Withdrawn before a decision.
	second := submitted(t, sep, owner, passportForm(citizen))
	b.Open(sep.URL + "/applications/" + second.ID)
	b.CheckA11y()
	b.Submit("#withdraw")
	if s := b.Text("#status"); s != "Отозвано" {
		t.Fatalf("after withdrawal: %q", s)
	}
	if n := Eval[int](b, `document.querySelectorAll("#withdraw").length`); n != 0 {
		t.Fatal("a withdrawn application offers withdrawal")
	}
	b.CheckA11y()

	signOut(b)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, op)
	b.Open(sep.URL + "/desk")
	b.CheckA11y()
	if n := Eval[int](b, `document.querySelectorAll('#queue a[href="/desk/`+second.ID+`"]').length`); n != 0 {
		t.Fatal("the withdrawn application is in the queue")
	}
	b.Open(sep.URL + "/desk/" + second.ID)
	if s := b.Text("#status"); s != "Отозвано" {
		t.Fatalf("the desk card of the withdrawn application: %q", s)
	}
	if n := Eval[int](b, `document.querySelectorAll("#take, #approve, #reject, #ask-correction").length`); n != 0 {
		t.Fatalf("the desk offers %d actions on a withdrawn application", n)
	}
	b.CheckA11y()

	// Rejected: a reason is a must.
	b.Open(sep.URL + "/desk")
	b.Submit(`#queue a[href="/desk/` + draft.ID + `"]`)
	b.Submit("#take")
	b.Submit("#reject")
	if msg := b.Text("#reason-error"); msg == "" {
		t.Fatal("rejected without a reason")
	}
	if b.Attr("#reason", "aria-invalid") != "true" || Eval[int](b, `document.querySelectorAll(".form-errors li").length`) != 1 {
		t.Fatal("the missing reason is not in the error summary and marked on its field")
	}
	if s := b.Text("#status"); s != "В обработке" {
		t.Fatalf("after the refused rejection: %q", s)
	}
	b.CheckA11y()
	const reason = "Сведения о паспорте не подтверждены МВД"
	b.Do(chromedp.SendKeys(chromedp.CSS("textarea#reason"), reason))
	b.Submit("#reject")
	if s := b.Text("#status"); s != "Отклонено" {
		t.Fatalf("after the rejection: %q", s)
	}
	if n := Eval[int](b, `document.querySelectorAll("#take, #approve, #reject").length`); n != 0 {
		t.Fatal("a rejected application can be decided again")
	}
	b.CheckA11y()

	signOut(b)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)
	b.Open(sep.URL + "/applications")
	if s := b.Text(`#applications tr[data-id="` + draft.ID + `"] .status`); s != "Отклонено" {
		t.Fatalf("the list says %q", s)
	}
	b.Open(sep.URL + "/applications/" + draft.ID)
	if s, r := b.Text("#status"), b.Text("#reason"); s != "Отклонено" || r != reason {
		t.Fatalf("the rejected card: %q %q", s, r)
	}
	if n := Eval[int](b, `document.querySelectorAll("#withdraw").length`); n != 0 {
		t.Fatal("a rejected application offers withdrawal")
	}
	b.CheckA11y()
}

// A session that ends while a form is being filled loses nothing, without JavaScript: the
// draft keeps what was saved; the values typed after are posted to a dead session, held
// sealed in the browser, and after signing in again (the sign-in page says the session ended)
// the citizen is back on the form with every value there — the saved ones and the ones typed
// last, not yet saved, as a notice says — and saving keeps them.
func TestSessionEndsMidFormAndNothingIsLost(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen := users["citizen/standard"]
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)

	// The first part, saved as a draft.
	b.Open(sep.URL + "/applications/new?service=e-passport")
	b.Click("#reason-first")
	b.Do(chromedp.SetValue(chromedp.CSS("#birth_place"), "г. Сеансовск"))
	b.Submit("#save")
	if h1 := b.Text("h1"); h1 != "Документы" {
		t.Fatalf("after the first save: %q", h1)
	}
	apps, err := sep.Applications.List(context.Background(), accountOf(t, sep, citizen))
	if err != nil || len(apps) != 1 {
		t.Fatalf("drafts: %d %v", len(apps), err)
	}
	appID := apps[0].ID

	// Back on the form, more typed; meanwhile the session goes idle past its end.
	b.Open(sep.URL + "/applications/" + appID + "/form")
	b.Do(chromedp.SetValue(chromedp.CSS("#address"), "г. Сеансовск, ул. Простоя, д. 20"),
		chromedp.SetValue(chromedp.CSS("#birth_place"), "село Долгое Ожидание"))
	idle := time.Now().Add(-2 * sep.ID.IdleTimeout()).UTC()
	if _, err := sep.DB.Writer().Exec(`UPDATE id_sessions SET seen_at = $1 WHERE account_id = $2`, idle, apps[0].AccountID); err != nil {
		t.Fatal(err)
	}
	b.Submit("#save")
	if !strings.HasPrefix(Eval[string](b, "location.pathname"), "/id/signin") {
		t.Fatalf("a post with an ended session went to %s", Eval[string](b, "location.href"))
	}
	if n := b.Text(".form-notice"); !strings.Contains(n, "Сеанс") && !strings.Contains(n, "сеанс") {
		t.Fatalf("the sign-in page does not say the session ended: %q", n)
	}
	b.CheckA11y()
	if a, _ := sep.Applications.Get(context.Background(), appID); a.Values["address"] != apps[0].Values["address"] || a.Values["birth_place"] != "г. Сеансовск" {
		t.Fatalf("the dead session wrote to the draft: %q %q", a.Values["address"], a.Values["birth_place"])
	}

	browserSignIn(t, sep, b, citizen)
	if p := Eval[string](b, "location.pathname"); p != "/applications/"+appID+"/form" {
		t.Fatalf("after signing in again: %s", p)
	}
	if v := Eval[string](b, `document.querySelector("#address").value`); v != "г. Сеансовск, ул. Простоя, д. 20" {
		t.Fatalf("the address typed before the session ended: %q", v)
	}
	if v := Eval[string](b, `document.querySelector("#birth_place").value`); v != "село Долгое Ожидание" {
		t.Fatalf("the place of birth typed before the session ended: %q", v)
	}
	if !Eval[bool](b, `document.querySelector("#reason-first").checked`) || b.Attr("#last_name", "value") != citizen.Profile.LastName {
		t.Fatal("the values saved before are not on the form")
	}
	if n := b.Text(".form-notice"); !strings.Contains(n, "не сохранено") {
		t.Fatalf("no notice that the values are not saved yet: %q", n)
	}
	b.CheckA11y()
	b.Submit("#save")
	if h1 := b.Text("h1"); h1 != "Документы" {
		t.Fatalf("after saving the kept values: %q", h1)
	}
	a, err := sep.Applications.Get(context.Background(), appID)
	if err != nil || a.Values["address"] != "г. Сеансовск, ул. Простоя, д. 20" || a.Values["birth_place"] != "село Долгое Ожидание" {
		t.Fatalf("the draft after saving: %v %q %q", err, a.Values["address"], a.Values["birth_place"])
	}
	// Held once: the form shows the draft now, without the notice.
	b.Open(sep.URL + "/applications/" + appID + "/form")
	if n := Eval[int](b, `document.querySelectorAll(".form-notice").length`); n != 0 {
		t.Fatal("the notice stays after the values were saved")
	}
}
