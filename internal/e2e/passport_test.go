package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/passport/mrz"
	"github.com/sep-platform/sep/internal/passport/qr"
	"github.com/sep-platform/sep/internal/web"
)

// demoPassport returns the passport SeedDemo issued to the confirmed demo citizen.
func demoPassport(t *testing.T, sep *Instance, u id.DemoUser) *passport.Passport {
	t.Helper()
	ps, err := sep.Passport.OfAccount(context.Background(), u.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("the demo citizen's passports: %d %v", len(ps), err)
	}
	return ps[0]
}

// verifyOutcome submits the /verify form the browser is on and returns the outcome it shows.
func verifyOutcome(t *testing.T, b *Browser) string {
	t.Helper()
	b.Submit(`form[action="/verify"] button[type="submit"]`)
	b.CheckA11y()
	return b.Text("[data-outcome]")
}

// fetchIn fetches a path from the page the browser is on, with its cookies, and returns the
// status, the content type and the first bytes of the body.
func fetchIn(t *testing.T, b *Browser, path string) (status int, ctype, head string) {
	t.Helper()
	var r struct {
		Status int
		Type   string
		Head   string
	}
	b.withScripts(func() {
		r = Value(b, chromedp.Evaluate[struct {
			Status int
			Type   string
			Head   string
		}](`fetch(`+jsString(path)+`).then(async r => {
			const buf = new Uint8Array(await r.arrayBuffer());
			return {Status: r.status, Type: r.headers.get("Content-Type") || "", Head: String.fromCharCode(...buf.slice(0, 8))};
		})`, chromedp.EvalAwaitPromise))
	})
	return r.Status, r.Type, r.Head
}

// The public /verify page, without JavaScript and without signing in: a pasted payload is
// «Действителен» with the data to compare with the person, garbage «Не распознан», the QR
// code's PNG uploaded «Действителен», an annulled passport «Аннулирован», and nothing sent
// at all is refused with the error summary. Every page passes axe-core.
func TestPassportVerifyInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	ctx := context.Background()
	valid := demoPassport(t, sep, users["citizen/confirmed"])
	annulled, err := sep.Passport.IssueDemo(ctx, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := sep.Passport.Annul(ctx, nil, annulled.Number, passport.ReasonOperator); err != nil {
		t.Fatal(err)
	}

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/verify")
	if h1 := b.Text("h1"); h1 != "Проверка электронного паспорта" {
		t.Fatalf("/verify: h1 %q", h1)
	}
	b.CheckA11y()

	// Nothing sent: the summary says what to do.
	b.Submit(`form[action="/verify"] button[type="submit"]`)
	if msg := b.Text("#verify-error"); !strings.Contains(msg, "Вставьте текст QR-кода") {
		t.Fatalf("an empty check: %q", msg)
	}
	b.CheckA11y()

	b.Do(chromedp.SetValue(chromedp.CSS("#payload"), valid.Payload))
	if got := verifyOutcome(t, b); got != "Действителен" {
		t.Fatalf("a genuine payload: %q", got)
	}
	shown := b.Text(".passport-result dl")
	for _, want := range []string{valid.Number, valid.Holder.Surname, valid.Holder.BirthDate.Format("02.01.2006")} {
		if !strings.Contains(shown, want) {
			t.Fatalf("the answer %q lacks %q", shown, want)
		}
	}
	// Only what the seal carries: not the birth place, nor the paper passport.
	for _, never := range []string{valid.Holder.BirthPlace, valid.Holder.PaperNumber, valid.Holder.SNILS} {
		if strings.Contains(b.Text("main"), never) {
			t.Fatalf("the public answer shows %q", never)
		}
	}

	b.Do(chromedp.SetValue(chromedp.CSS("#payload"), "это не паспорт"))
	if got := verifyOutcome(t, b); got != "Не распознан" {
		t.Fatalf("garbage: %q", got)
	}
	if strings.Contains(b.Text("main"), valid.Number) {
		t.Fatal("garbage's answer shows a passport")
	}

	// A screenshot of the QR code, uploaded (the text field left empty).
	code, err := qr.Encode(valid.Payload)
	if err != nil {
		t.Fatal(err)
	}
	png, err := code.PNG()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "passport-qr.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	Eval[bool](b, `(document.querySelector("#payload").value = "", true)`)
	b.Do(chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{file}))
	if got := verifyOutcome(t, b); got != "Действителен" || !strings.Contains(b.Text(".passport-result dl"), valid.Number) {
		t.Fatalf("the uploaded QR code: %q", got)
	}

	// A file that is not an image is refused as such.
	text := filepath.Join(t.TempDir(), "note.png")
	if err := os.WriteFile(text, []byte("не картинка"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{text}))
	b.Submit(`form[action="/verify"] button[type="submit"]`)
	if msg := b.Text("#verify-error"); !strings.Contains(msg, "не является изображением") {
		t.Fatalf("a text file as the image: %q", msg)
	}
	b.CheckA11y()

	b.Open(sep.URL + "/verify")
	b.Do(chromedp.SetValue(chromedp.CSS("#payload"), annulled.Payload))
	if got := verifyOutcome(t, b); got != "Аннулирован" {
		t.Fatalf("an annulled passport: %q", got)
	}
}

// The holder, signed in through ID without JavaScript, sees their passport and the online
// checks made against it, downloads the PDF in both layouts, and reports it lost: it is
// «Приостановлен» at once, in the cabinet and at /verify. Another holder's number is a 404.
// An operator finds it at /operator/passports and annuls it — the reason is required — and
// the holder then sees «Аннулирован» and is told by e-mail. A citizen cannot open the desk.
// Every page passes axe-core.
func TestPassportHolderAndOperatorInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	ctx := context.Background()
	holder := users["citizen/confirmed"]
	mine := demoPassport(t, sep, holder)
	theirs, err := sep.Passport.IssueDemo(ctx, 2, users["citizen/standard"].ID)
	if err != nil {
		t.Fatal(err)
	}

	// Checked once at /verify by someone not signed in: the holder will see it.
	v := NewBrowser(t)
	v.DisableJavaScript(true)
	v.Open(sep.URL + "/verify")
	v.Do(chromedp.SetValue(chromedp.CSS("#payload"), mine.Payload))
	if got := verifyOutcome(t, v); got != "Действителен" {
		t.Fatalf("before the report: %q", got)
	}

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + passport.CabinetPath)
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("the cabinet, signed out, leads to %q", h1)
	}
	browserSignIn(t, sep, b, holder)
	if h1 := b.Text("h1"); h1 != "Электронный паспорт" {
		t.Fatalf("after signing in the holder is at %q, not back at the passport", h1)
	}
	if n, st := b.Text("#passport-number"), b.Text("#passport-status"); n != mine.Number || st != "Действителен" {
		t.Fatalf("the cabinet shows %q %q", n, st)
	}
	if mrz := b.Text("pre.mrz"); !strings.Contains(mrz, mine.MRZ[0]) || !strings.Contains(mrz, mine.MRZ[1]) {
		t.Fatalf("the MRZ: %q", mrz)
	}
	if checks := b.Text("#checks"); !strings.Contains(checks, "проверка по QR-коду") || !strings.Contains(checks, "Действителен") {
		t.Fatalf("the checks made: %q", checks)
	}
	b.CheckA11y()

	// The PDF in both layouts; another holder's files and pages are not found.
	for _, layout := range []string{"a4", "card"} {
		href := b.Attr("#pdf-"+layout, "href")
		if status, ctype, head := fetchIn(t, b, href); status != 200 || ctype != "application/pdf" || !strings.HasPrefix(head, "%PDF-") {
			t.Fatalf("the %s PDF: %d %q %q", layout, status, ctype, head)
		}
	}
	other := passport.CabinetPath + "/" + theirs.Number
	for _, path := range []string{other + "/pdf?layout=a4", other + "/qr.png", other + "/qr.svg"} {
		if status, _, _ := fetchIn(t, b, path); status != 404 {
			t.Fatalf("another holder's %s: %d", path, status)
		}
	}
	resp, err := chromedp.Run(b.Ctx, chromedp.NavigateResponse(sep.URL+other+"/report"))
	if err != nil || resp.Status != 404 || strings.Contains(b.Text("main"), theirs.Number) {
		t.Fatalf("another holder's report page: %v %v %q", resp, err, b.Text("main"))
	}
	b.CheckA11y()

	// Reported lost: a reason is required, then it is suspended at once.
	b.Open(sep.URL + passport.CabinetPath)
	b.Submit("#report-link")
	b.CheckA11y()
	b.Submit("#report-confirm")
	if msg := b.Text("#reason-error"); !strings.Contains(msg, "Выберите") {
		t.Fatalf("a report without a reason: %q", msg)
	}
	b.CheckA11y()
	b.Click("#reason-lost")
	b.Submit("#report-confirm")
	if st, done := b.Text("#passport-status"), b.Text(".form-notice"); st != "Приостановлен" || !strings.Contains(done, "приостановлен") {
		t.Fatalf("after the report: %q %q", st, done)
	}
	if strings.Contains(b.Text("main"), "Сообщить об утере") {
		t.Fatal("a suspended passport is offered to be reported again")
	}
	b.CheckA11y()
	v.Open(sep.URL + "/verify")
	v.Do(chromedp.SetValue(chromedp.CSS("#payload"), mine.Payload))
	if got := verifyOutcome(t, v); got != "Приостановлен" {
		t.Fatalf("after the report /verify says %q", got)
	}

	// A citizen cannot open the operators' desk.
	resp, err = chromedp.Run(b.Ctx, chromedp.NavigateResponse(sep.URL+passport.OperatorPath))
	if err != nil || resp.Status != 403 {
		t.Fatalf("a citizen at the operators' desk: %v %v", resp, err)
	}

	// The operator annuls it with a reason.
	op := NewBrowser(t)
	op.DisableJavaScript(true)
	op.Open(sep.URL + passport.OperatorPath)
	browserSignIn(t, sep, op, users["operator"])
	if h1 := op.Text("h1"); h1 != "Электронные паспорта: решения оператора" {
		t.Fatalf("after signing in the operator is at %q", h1)
	}
	op.CheckA11y()
	op.Do(chromedp.SetValue(chromedp.CSS("#number"), "EP0000000"))
	op.Submit(`form[action="/operator/passports"] button`)
	if msg := op.Text("main"); !strings.Contains(msg, "Паспорт не найден") {
		t.Fatalf("an unknown number: %q", msg)
	}
	op.CheckA11y()
	op.Do(chromedp.SetValue(chromedp.CSS("#number"), strings.ToLower(mine.Number)))
	op.Submit(`form[action="/operator/passports"] button`)
	if st := op.Text("#passport-status"); !strings.Contains(st, "Приостановлен") {
		t.Fatalf("the operator sees %q", st)
	}
	op.CheckA11y()
	op.Submit("#annul-submit")
	if msg := op.Text("#reason-error"); !strings.Contains(msg, "Укажите причину") || op.Attr("#reason", "aria-invalid") != "true" {
		t.Fatalf("an annulment without a reason: %q", msg)
	}
	op.CheckA11y()
	mails := outboxCount(t, sep.URL, holder.Email)
	op.Do(chromedp.SetValue(chromedp.CSS("#reason"), "Паспорт утерян владельцем, заявление № 0000"))
	op.Submit("#annul-submit")
	if st, done := op.Text("#passport-status"), op.Text(".form-notice"); !strings.Contains(st, "Аннулирован") || !strings.Contains(done, "аннулирован") {
		t.Fatalf("after the annulment: %q %q", st, done)
	}
	if n := Eval[int](op, `document.querySelectorAll("#annul-submit, #reissue-submit").length`); n != 0 {
		t.Fatal("an annulled passport is offered to be annulled or re-issued again")
	}
	op.CheckA11y()

	// The holder sees it annulled, and was told.
	b.Open(sep.URL + passport.CabinetPath)
	if st := b.Text("#passport-status"); st != "Аннулирован" {
		t.Fatalf("the holder sees %q after the annulment", st)
	}
	if strings.Contains(b.Text("main"), "Запросить перевыпуск") || Eval[int](b, `document.querySelectorAll("#reissue-link, #report-link").length`) != 0 {
		t.Fatal("an annulled passport offers the holder's actions")
	}
	b.CheckA11y()
	told := false
	for _, m := range lastMessages(t, sep.URL, holder.Email, mails+1).Messages {
		told = told || m.Kind == string(notify.PassportStatus) && strings.Contains(m.Body, mine.Number) &&
			strings.Contains(strings.ToLower(m.Subject+m.Body), "аннулирован")
	}
	if !told {
		t.Fatal("the holder was not told of the annulment by e-mail")
	}
}

// passportFlows, for TestPlaintextScan: a passport issued to the account (its holder's name,
// birth place, paper passport and photo), checked online through the API, a re-issue asked
// for with a note, then re-issued and the new one annulled by an operator with
// reasons; it returns the personal values they stored.
func passportFlows(t *testing.T, sep *Instance, login string) []string {
	t.Helper()
	ctx := context.Background()
	a, err := sep.ID.AccountByLogin(ctx, nil, login)
	if err != nil {
		t.Fatal(err)
	}
	const photoMark = "ФотоСканерПаспорт-7731"
	h := passport.DemoHolder(7)
	h.AccountID, h.Surname, h.GivenNames, h.BirthPlace = a.ID, "Печатникова", "Зоя Шифровна", "посёлок Паспортный"
	h.PaperSeries, h.PaperNumber, h.INN, h.SNILS = "4599", "775533", "770700998811", "998-877-665 54"
	h.Photo = append(h.Photo, photoMark...) // a PNG reader stops at IEND: the trailer is its mark
	p, err := sep.Passport.Issue(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	c := apitest.New(t, sep.API, sep.URL)
	js, _ := json.Marshal(map[string]string{"payload": p.Payload})
	if resp, body := c.Send("POST", "/api/v1/passports/verify", js); resp.StatusCode != http.StatusOK ||
		!strings.Contains(string(body), `"result":"valid"`) {
		t.Fatalf("verify: %d %s", resp.StatusCode, body)
	}
	const note = "Сменила фамилию на Переплётову, свидетельство о браке"
	// The holder's request, as the cabinet makes it (the account's sessions ended at «это был
	// не я» in an earlier flow).
	holder := web.WithPrincipal(httptest.NewRequest("POST", "/", nil), &web.Principal{Kind: web.Citizen, ID: a.ID, Session: "scan"})
	if _, err := sep.Passport.RequestReissue(ctx, holder, a.ID, p.Number, "name", note); err != nil {
		t.Fatal(err)
	}
	const reissued, annulled = "Перевыпуск по заявлению Печатниковой", "Аннулирован по решению суда Сканерска"
	op := httptest.NewRequest("POST", "/", nil)
	np, err := sep.Passport.OperatorReissue(ctx, op, p.Number, reissued)
	if err != nil {
		t.Fatal(err)
	}
	if err := sep.Passport.OperatorAnnul(ctx, op, np.Number, annulled); err != nil {
		t.Fatal(err)
	}
	return []string{h.Surname, h.GivenNames, h.Surname + " " + h.GivenNames, mrz.Transliterate(h.Surname),
		h.BirthPlace, "Паспортный", h.PaperSeries + h.PaperNumber, h.PaperSeries + " " + h.PaperNumber, `"` + h.PaperNumber + `"`,
		h.INN, h.SNILS, "99887766554", photoMark, note, "Переплётову", reissued, annulled, "Сканерска"}
}
