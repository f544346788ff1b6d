package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/applications"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/id"
)

// picture is a w×h colour gradient.
func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

// jpegAt is img as a JPEG whose JFIF header says dpi.
func jpegAt(t *testing.T, img image.Image, dpi int) []byte {
	t.Helper()
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	app0 := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 1, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(app0[12:], uint16(dpi))
	binary.BigEndian.PutUint16(app0[14:], uint16(dpi))
	b := enc.Bytes()
	return append(append(append([]byte{}, b[:2]...), app0...), b[2:]...)
}

// pngAt is img as a PNG whose pHYs chunk says dpi.
func pngAt(t *testing.T, img image.Image, dpi int) []byte {
	t.Helper()
	var enc bytes.Buffer
	if err := png.Encode(&enc, img); err != nil {
		t.Fatal(err)
	}
	b := enc.Bytes()
	ppm := uint32(float64(dpi)/0.0254 + 0.5)
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	body := append([]byte("pHYs"), 0, 0, 0, 0, 0, 0, 0, 0, 1)
	binary.BigEndian.PutUint32(body[4:], ppm)
	binary.BigEndian.PutUint32(body[8:], ppm)
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	const afterIHDR = 8 + 25
	return append(append(append([]byte{}, b[:afterIHDR]...), chunk...), b[afterIHDR:]...)
}

// documentFiles writes the e-passport's documents into dir and returns their paths by kind.
func documentFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"passport_scan.jpg": jpegAt(t, picture(620, 440), 300),
		"snils.jpg":         jpegAt(t, picture(400, 260), 150),
		"photo.jpg":         jpegAt(t, picture(413, 531), 300),
		"photo2.jpg":        jpegAt(t, picture(450, 580), 300),
		"fingerprints.png":  pngAt(t, picture(300, 200), 500),
		"wrong.pdf":         []byte("not a PDF at all, whatever its name says"),
	}
	out := map[string]string{}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(name, filepath.Ext(name))] = p
	}
	return out
}

// upload attaches a file on the documents page and waits for the page after it.
func upload(b *Browser, kind, path string) {
	b.t.Helper()
	b.Do(chromedp.SetUploadFiles(chromedp.CSS(`#file-`+kind), []string{path}))
	b.Submit(`form[action$="/documents/` + kind + `"] button`)
}

func signOut(b *Browser) {
	b.t.Helper()
	b.Submit(`form[action="/id/signout"] button`)
}

// The core journey in a real browser without JavaScript, every page axe-clean: a citizen finds
// «Электронный паспорт» in the catalogue, fills the prefilled form (a mistake shown next to its
// field), uploads documents (a wrong type refused), finds on the check page the one missing and
// fixes it by its link, submits with the consents and the SMS code from the dev outbox; an
// operator takes it and asks for a new photo; the citizen replaces it («Дополнить заявку»);
// the operator approves it, which issues the electronic passport.
func TestApplicationJourneyInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen, op := users["citizen/standard"], users["operator"]
	files := documentFiles(t)
	b := NewBrowser(t)
	b.DisableJavaScript(true)

	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)
	b.Open(sep.URL + "/services?q=" + "паспорта")
	b.Submit(`a[href="/services/e-passport"]`)
	b.Submit(`a[href="/applications/new?service=e-passport"]`)
	b.CheckA11y()
	if v := b.Attr("#last_name", "value"); v != citizen.Profile.LastName || v == "" {
		t.Fatalf("the last name is prefilled with %q, want %q", v, citizen.Profile.LastName)
	}
	// A mistake: the place of birth emptied; the reason not chosen.
	Eval[bool](b, `(document.querySelector("#birth_place").value = "", true)`)
	b.Submit("#save")
	if n := Eval[int](b, `document.querySelectorAll(".form-errors li").length`); n != 2 {
		t.Fatalf("the error summary lists %d mistakes, want the reason and the place of birth", n)
	}
	if b.Attr("#birth_place", "aria-invalid") != "true" {
		t.Fatal("the place of birth is not marked")
	}
	b.CheckA11y()
	// The draft exists already: the values typed are kept.
	if !strings.Contains(Eval[string](b, `document.querySelector("form#application-form").action`), "/form") {
		t.Fatal("no draft after the first input")
	}
	b.Click("#reason-first")
	b.Do(chromedp.SetValue(chromedp.CSS("#birth_place"), "г. Тестовск"))
	b.Submit("#save")
	if h1 := b.Text("h1"); h1 != "Документы" {
		t.Fatalf("after the form: %q", h1)
	}
	b.CheckA11y()
	upload(b, "passport_scan", files["wrong"])
	if msg := b.Text("#file-passport_scan-error"); msg == "" {
		t.Fatal("a text file named .pdf was not refused")
	}
	b.CheckA11y()
	upload(b, "passport_scan", files["passport_scan"])
	upload(b, "snils", files["snils"])
	upload(b, "fingerprints", files["fingerprints"])
	if v := b.Text(`.verdict[data-kind="fingerprints"]`); !strings.Contains(v, "Принят") {
		t.Fatalf("the fingerprints: %q", v)
	}
	b.Submit("#to-check")
	b.CheckA11y()
	problems := Eval[[]string](b, `[...document.querySelectorAll("#problems li a")].map(a => a.getAttribute("href"))`)
	if len(problems) != 1 || !strings.HasSuffix(problems[0], "#doc-photo") {
		t.Fatalf("the check page lists %v, want the photo only", problems)
	}
	b.Submit("#problems li a")
	upload(b, "photo", files["photo"])
	b.Submit("#to-check")
	if b.Text("#no-problems") == "" {
		t.Fatal("problems left after fixing the photo")
	}
	b.Submit("#to-submit")
	b.CheckA11y()
	sms := outboxCount(t, sep.URL, citizen.Phone)
	b.Submit("#send-code")
	code := latestCode(t, sep.URL, citizen.Phone, sms)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.Submit("#submit") // no consent yet
	if b.Text("#consent-error") == "" || b.Text("#biometric_consent-error") == "" {
		t.Fatal("submitted without the consents")
	}
	b.CheckA11y()
	b.Click("#consent")
	b.Click("#biometric_consent")
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.Submit("#submit")
	number := b.Text("#number")
	if !strings.Contains(number, "СЭП-2026-000001") {
		t.Fatalf("the confirmation: %q", number)
	}
	b.CheckA11y()
	b.Open(sep.URL + "/applications")
	b.CheckA11y()
	if s := b.Text("#applications .status"); s != "В обработке" {
		t.Fatalf("status in the list %q", s)
	}
	appID := b.Attr("#applications tbody tr", "data-id")

	// The operator asks for a new photo.
	signOut(b)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, op)
	b.Open(sep.URL + "/desk")
	b.CheckA11y()
	b.Submit(`#queue a[href="/desk/` + appID + `"]`)
	b.Submit("#take")
	b.CheckA11y()
	b.Submit("#ask-correction") // nothing ticked
	if b.Text("#remark-error") == "" {
		t.Fatal("a correction naming nothing was taken")
	}
	b.Click("#fix-doc-photo")
	b.Do(chromedp.SendKeys(chromedp.CSS("#remark"), "Фотография слишком тёмная"))
	b.Submit("#ask-correction")
	if s := b.Text("#status"); s != "Ожидает ответа" {
		t.Fatalf("after the request: %q", s)
	}

	// The citizen replaces the photo: nothing else can change, no new application.
	signOut(b)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)
	b.Open(sep.URL + "/applications/" + appID)
	b.CheckA11y()
	if !strings.Contains(b.Text("#correction"), "Фотография слишком тёмная") {
		t.Fatal("the card does not say what to correct")
	}
	b.Submit("#supplement")
	if n := Eval[int](b, `document.querySelectorAll("input[type=file]").length`); n != 1 {
		t.Fatalf("%d documents may be changed, want the photo only", n)
	}
	upload(b, "photo", files["photo2"])
	b.Open(sep.URL + "/applications/" + appID)
	b.Submit("#send-correction")
	if s := b.Text("#status"); s != "В обработке" {
		t.Fatalf("after the correction: %q", s)
	}

	// The operator approves: the passport is issued.
	signOut(b)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, op)
	b.Open(sep.URL + "/desk/" + appID)
	b.Submit("#approve")
	if !strings.Contains(b.Text("#issued"), "№") {
		t.Fatalf("no passport issued: %q", b.Text("main"))
	}
	if s := b.Text("#status"); s != "Одобрено" {
		t.Fatalf("after approval: %q", s)
	}
	b.CheckA11y()
}

// submitted makes a submitted «Электронный паспорт» application of the account through the
// store (its documents stand-ins), for the paths the browser journey does not walk.
func submitted(t *testing.T, sep *Instance, accountID string, values map[string]string) *applications.Application {
	t.Helper()
	ctx := context.Background()
	a, err := sep.Applications.Create(ctx, nil, accountID, "e-passport", "", values)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"passport_scan", "snils", "photo", "fingerprints"} {
		if _, err := sep.Applications.Attach(ctx, nil, accountID, a.ID, k, db.NewID()); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = sep.Applications.Submit(ctx, nil, accountID, a.ID, true); err != nil {
		t.Fatal(err)
	}
	return a
}

func passportForm(u id.DemoUser) map[string]string {
	p := u.Profile
	return map[string]string{"reason": "first", "last_name": p.LastName, "first_name": p.FirstName, "middle_name": p.MiddleName,
		"birth_date": p.BirthDate.Format("02.01.2006"), "birth_place": "г. Тестовск", "passport": p.Passport.Series + p.Passport.Number,
		"passport_issue_date": p.Passport.IssueDate.Format("02.01.2006"), "passport_issuer": p.Passport.Issuer,
		"passport_division_code": p.Passport.DivisionCode, "snils": p.SNILS, "address": "г. Тестовск, ул. Примерная, д. 1"}
}

// The JSON API and access control: a retried create with one Idempotency-Key makes one draft;
// another citizen gets 404 from every object route, page or API, with the first one's ids; an
// operator sees the desk, a citizen does not. The rejected path (a reason is a must, and the
// card shows it) and a withdrawal.
func TestApplicationsAPIAndAccess(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	owner, other, op := users["citizen/standard"], users["citizen/confirmed"], users["operator"]
	mine := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, mine, owner)
	theirs := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, theirs, other)

	body, _ := json.Marshal(map[string]any{"service": "e-passport", "values": map[string]string{"last_name": owner.Profile.LastName}})
	var first, second struct{ ID string }
	resp, b := mine.Send("POST", "/api/v1/applications", body, "Idempotency-Key", "retry-1")
	if json.Unmarshal(b, &first); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	_, b = mine.Send("POST", "/api/v1/applications", body, "Idempotency-Key", "retry-1")
	if json.Unmarshal(b, &second); second.ID != first.ID {
		t.Fatalf("a retried create made another draft: %s, %s", first.ID, second.ID)
	}
	resp, b = mine.Send("PUT", "/api/v1/applications/"+first.ID+"/values", []byte(`{"values":{"snils":"123"}}`))
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"snils":"`) {
		t.Fatalf("a wrong СНИЛС: %d %s", resp.StatusCode, b)
	}
	if _, b := mine.Get("/api/v1/applications"); strings.Count(string(b), `"id"`) != 1 {
		t.Fatalf("the list: %s", b)
	}

	ownerAcc, err := sep.ID.AccountByLogin(context.Background(), nil, owner.Email)
	if err != nil {
		t.Fatal(err)
	}
	sub := submitted(t, sep, ownerAcc.ID, passportForm(owner))
	for _, id := range []string{first.ID, sub.ID} {
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/applications/" + id}, {"PUT", "/api/v1/applications/" + id + "/values"},
			{"POST", "/api/v1/applications/" + id + "/withdraw"}, {"POST", "/api/v1/applications/" + id + "/code"},
			{"POST", "/api/v1/applications/" + id + "/submit"},
		} {
			var resp *http.Response
			if c.method == "GET" {
				resp, _ = theirs.Get(c.path)
			} else {
				resp, _ = theirs.Send(c.method, c.path, []byte(`{"values":{}}`))
			}
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("another citizen: %s %s → %d, want 404", c.method, c.path, resp.StatusCode)
			}
		}
		for _, c := range []struct{ method, path string }{
			{"GET", ""}, {"GET", "/form"}, {"POST", "/form"}, {"GET", "/documents"}, {"POST", "/documents/photo"},
			{"POST", "/documents/photo/remove"}, {"GET", "/documents/photo/file"}, {"GET", "/check"}, {"GET", "/submit"},
			{"POST", "/submit"}, {"GET", "/done"}, {"POST", "/withdraw"}, {"POST", "/correct"}, {"GET", "/copy.pdf"},
			{"POST", "/documents/photo/reuse"}, {"POST", "/documents/passport_scan/reuse"},
		} {
			if code := page(t, sep, theirs, c.method, "/applications/"+id+c.path); code != http.StatusNotFound {
				t.Errorf("another citizen: %s /applications/%s%s → %d, want 404", c.method, id, c.path, code)
			}
		}
		// The owner's documents, in the library's routes.
		for _, doc := range sub.Documents {
			for _, c := range []struct{ method, path string }{{"GET", "/documents/" + doc + "/file"}, {"POST", "/documents/" + doc + "/remove"}} {
				if code := page(t, sep, theirs, c.method, c.path); code != http.StatusNotFound {
					t.Errorf("another citizen: %s %s → %d, want 404", c.method, c.path, code)
				}
			}
		}
		// A citizen has no desk.
		for _, path := range []string{"/desk/" + id, "/desk/" + id + "/documents/photo"} {
			if code := page(t, sep, mine, "GET", path); code != http.StatusNotFound {
				t.Errorf("a citizen: GET %s → %d, want 404", path, code)
			}
		}
	}
	desk := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, desk, op)
	if code := page(t, sep, desk, "GET", "/desk"); code != http.StatusOK {
		t.Fatalf("the operator's desk: %d", code)
	}
	if code := page(t, sep, desk, "GET", "/desk/"+first.ID); code != http.StatusNotFound {
		t.Fatalf("an operator reads a draft: %d", code)
	}
	if code := page(t, sep, desk, "GET", "/applications/"+sub.ID); code != http.StatusNotFound {
		t.Fatalf("an operator opens a citizen's card: %d", code)
	}

	// Submission through the API: the code by SMS, then a retried submit makes no second one.
	body, _ = json.Marshal(map[string]any{"service": "e-passport", "values": passportForm(owner)})
	var viaAPI struct{ ID, Number string }
	_, b = mine.Send("POST", "/api/v1/applications", body, "Idempotency-Key", "api-submit")
	json.Unmarshal(b, &viaAPI)
	for _, k := range []string{"passport_scan", "snils", "photo", "fingerprints"} {
		if _, err := sep.Applications.Attach(context.Background(), nil, ownerAcc.ID, viaAPI.ID, k, db.NewID()); err != nil {
			t.Fatal(err)
		}
	}
	sms := outboxCount(t, sep.URL, owner.Phone)
	if resp, b := mine.Send("POST", "/api/v1/applications/"+viaAPI.ID+"/code", []byte(`{}`)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the code: %d %s", resp.StatusCode, b)
	}
	submit, _ := json.Marshal(map[string]any{"consent": true, "biometric_consent": true, "code": latestCode(t, sep.URL, owner.Phone, sms)})
	var once, twice struct{ Number, State string }
	resp, b = mine.Send("POST", "/api/v1/applications/"+viaAPI.ID+"/submit", submit)
	if json.Unmarshal(b, &once); resp.StatusCode != 200 || once.State != "in_review" || once.Number == "" {
		t.Fatalf("submit: %d %s", resp.StatusCode, b)
	}
	_, b = mine.Send("POST", "/api/v1/applications/"+viaAPI.ID+"/submit", submit)
	if json.Unmarshal(b, &twice); twice.Number != once.Number {
		t.Fatalf("a retried submit: %s", b)
	}
	if _, b := mine.Get("/api/v1/applications"); strings.Count(string(b), `"number"`) != 2 {
		t.Fatalf("after the retried submit: %s", b)
	}

	// The rejected path.
	opAcc, _ := sep.ID.AccountByLogin(context.Background(), nil, op.Email)
	ctx := context.Background()
	if _, err := sep.Applications.Take(ctx, nil, opAcc.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sep.Applications.Reject(ctx, nil, opAcc.ID, sub.ID, ""); err == nil {
		t.Fatal("rejected without a reason")
	}
	if _, err := sep.Applications.Reject(ctx, nil, opAcc.ID, sub.ID, "Сведения о паспорте не подтверждены"); err != nil {
		t.Fatal(err)
	}
	br := NewBrowser(t)
	br.DisableJavaScript(true)
	br.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, br, owner)
	br.Open(sep.URL + "/applications/" + sub.ID)
	if br.Text("#status") != "Отклонено" || br.Text("#reason") != "Сведения о паспорте не подтверждены" {
		t.Fatalf("the rejected card: %q %q", br.Text("#status"), br.Text("#reason"))
	}
	if Eval[int](br, `document.querySelectorAll("#withdraw").length`) != 0 {
		t.Fatal("a decided application offers withdrawal")
	}
	br.CheckA11y()

	// A withdrawal, in the browser.
	third := submitted(t, sep, ownerAcc.ID, passportForm(owner))
	br.Open(sep.URL + "/applications/" + third.ID)
	br.Submit("#withdraw")
	if s := br.Text("#status"); s != "Отозвано" {
		t.Fatalf("after withdrawal: %q", s)
	}
	br.CheckA11y()
}

// page asks for a page with c's session and returns the status (a POST carries the CSRF token
// of the cookie, as a form would).
func page(t *testing.T, sep *Instance, c *apitest.Client, method, path string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", sep.URL+"/applications", nil)
	resp, err := c.HTTP.Do(req) // gets the CSRF cookie
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var token string
	for _, ck := range c.HTTP.Jar.Cookies(req.URL) {
		if strings.HasSuffix(ck.Name, "sep_csrf") {
			token = ck.Value
		}
	}
	req, _ = http.NewRequest(method, sep.URL+path, strings.NewReader("csrf_token="+token))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", sep.URL)
	}
	resp, err = c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
