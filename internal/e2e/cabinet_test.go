package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/id/provider"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// cabinetPerson gives the account of login the whole profile of one of the simulator's
// (fictitious) people, as if it had been filled in, and returns the person.
func cabinetPerson(t *testing.T, sep *Instance, login string, n int) *sim.Person {
	t.Helper()
	ctx := context.Background()
	a, err := sep.ID.AccountByLogin(ctx, nil, login)
	if err != nil {
		t.Fatal(err)
	}
	p := sim.Default().Tagged("basic")[n]
	pp := p.Passport()
	prof := id.Profile{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time,
		BirthPlace: "город Кабинетск", SNILS: p.SNILS, INN: p.INN,
		Passport: &id.Passport{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time, Issuer: "Отделом Кабинетского района",
			DivisionCode: pp.DivisionCode}}
	if err := sep.ID.SaveProfile(ctx, nil, a.ID, prof); err != nil {
		t.Fatal(err)
	}
	return p
}

// A citizen enters the cabinet «Через Госуслуги» in a real browser without JavaScript: the
// cabinet sends them to ID (ЕСИА's pages), they sign in and allow the access, the cabinet
// exchanges the code for GOST-signed tokens, asks the consent to the data transfer at the
// first entry and shows the profile from ЕСИА; sign-out ends both sessions; the next entry
// needs neither consent again.
func TestCabinetSignInThroughGosuslugiInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005558101", "cabinet.citizen@example.ru", "Кабинет-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	p := cabinetPerson(t, sep, email, 3)

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/cabinet")
	if h1 := b.Text("h1"); h1 != "Личный кабинет СЭП" {
		t.Fatalf("/cabinet before entry: %q", h1)
	}
	b.CheckA11y()
	b.Submit("#esia-signin")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("«Войти через Госуслуги» leads to %q, want ID's sign-in", h1)
	}
	signInAtID(t, b, sep, email, pw, phone)
	if h1 := b.Text("h1"); h1 != "Предоставление доступа к данным" || !strings.Contains(b.Text("main"), "SEPCABINET") {
		t.Fatalf("after signing in: %q, want the provider's consent for the cabinet", b.Text("main"))
	}
	b.Submit("#allow")
	waitBack(t, b, sep.URL+"/cabinet/consent")
	b.WaitFor("#agree")
	if h1 := b.Text("h1"); h1 != "Согласие на передачу данных" || !strings.Contains(b.Text("main"), p.FirstName) {
		t.Fatalf("the first entry: %q, want the consent to the data transfer", b.Text("main"))
	}
	b.CheckA11y()
	b.Submit("#agree")
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after the consent: %q", b.Text("main"))
	}
	main := b.Text("main")
	for _, want := range []string{p.LastName + " " + p.FirstName + " " + p.MiddleName, "Упрощённая", "Личность не подтверждена",
		email, "+7(900)5558101", p.SNILS, p.INN, p.Passport().Series + " " + p.Passport().Number, "Отделом Кабинетского района",
		"город Кабинетск", p.BirthDate.Format("02.01.2006")} {
		if !strings.Contains(main, want) {
			t.Errorf("the cabinet lacks %q:\n%s", want, main)
		}
	}
	b.CheckA11y()

	// Sign-out of both: the cabinet, then ID (ЕСИА's logout) — back at the cabinet's page.
	b.Submit("#cabinet-signout")
	waitBack(t, b, sep.URL+"/cabinet/signedout")
	b.WaitFor("#signedout")
	b.CheckA11y()
	b.Open(sep.URL + "/cabinet")
	if h1 := b.Text("h1"); h1 != "Личный кабинет СЭП" {
		t.Fatalf("/cabinet after sign-out: %q", h1)
	}
	b.Open(sep.URL + "/id/account")
	if h1 := b.Text("h1"); h1 != "Вход" {
		t.Fatalf("after the cabinet's sign-out ID shows %q: its session should have ended", h1)
	}

	// The next entry: ID's sign-in again, but neither consent.
	b.Open(sep.URL + "/cabinet")
	b.Submit("#esia-signin")
	signInAtID(t, b, sep, email, pw, phone)
	waitBack(t, b, sep.URL+"/cabinet")
	b.WaitFor("#cabinet-name")
	if got := b.Text("#cabinet-name"); got != p.LastName+" "+p.FirstName+" "+p.MiddleName {
		t.Fatalf("the second entry shows %q", got)
	}
}

// signInAtID fills ID's sign-in form (password, then the SMS code) the browser is on.
func signInAtID(t *testing.T, b *Browser, sep *Instance, login, pw, phone string) {
	t.Helper()
	b.Do(chromedp.SendKeys(chromedp.CSS("#login"), login), chromedp.SendKeys(chromedp.CSS("#password"), pw))
	sms := outboxCount(t, sep.URL, phone)
	b.Submit(`form[action="/id/signin"] button`)
	b.Do(chromedp.SendKeys(chromedp.CSS("#code"), latestCode(t, sep.URL, phone, sms)))
	b.Submit(`form[action="/id/signin/factor"] button`)
}

// The refused entries: access declined at ЕСИА, a forged state, the consent to the data
// transfer refused — each explained, and none leaves a cabinet session or profile behind.
func TestCabinetRefusals(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005558102", "cabinet.refuser@example.ru", "Кабинет-Пароль-2026"
	registerAccount(t, sep, phone, email, pw)
	cabinetPerson(t, sep, email, 4)

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	// A forged state: a callback with a code and a state this browser never sent.
	b.Open(sep.URL + "/cabinet/callback?code=forged&state=" + newUUID())
	if h1 := b.Text("h1"); h1 != "Вход в кабинет не выполнен" || !strings.Contains(b.Text("#refused-reason"), "не прошёл проверку") {
		t.Fatalf("a forged callback: %q", b.Text("main"))
	}
	b.CheckA11y()

	// Declined at ЕСИА.
	b.Open(sep.URL + "/cabinet")
	b.Submit("#esia-signin")
	signInAtID(t, b, sep, email, pw, phone)
	b.Submit("#deny")
	waitBack(t, b, sep.URL+"/cabinet/callback")
	b.WaitFor("#refused-reason")
	if !strings.Contains(b.Text("#refused-reason"), "отказались предоставить доступ") || !strings.Contains(b.Text("main"), "ESIA-007004") {
		t.Fatalf("declined: %q", b.Text("main"))
	}
	b.CheckA11y()

	// Then in again (ID remembers the sign-in), allowed at ЕСИА, but the cabinet's consent refused.
	b.Submit("#retry")
	b.Submit("#esia-signin")
	b.Submit("#allow")
	waitBack(t, b, sep.URL+"/cabinet/consent")
	b.WaitFor("#refuse")
	b.Submit("#refuse")
	if !strings.Contains(b.Text("#refused-reason"), "не дали согласие") {
		t.Fatalf("the consent refused: %q", b.Text("main"))
	}
	b.CheckA11y()
	var profiles, sessions int
	sep.DB.Reader().QueryRow(`SELECT COUNT(*) FROM cabinet_profiles`).Scan(&profiles)
	sep.DB.Reader().QueryRow(`SELECT COUNT(*) FROM cabinet_sessions WHERE stage <> 'signin'`).Scan(&sessions)
	if profiles != 0 || sessions != 0 {
		t.Fatalf("after refusals: %d profiles, %d sessions past sign-in", profiles, sessions)
	}
	// A replayed callback (the state of a finished sign-in) is refused too.
	b.Open(sep.URL + "/cabinet")
	b.Submit("#esia-signin")
	waitBack(t, b, sep.URL+"/cabinet/consent")
	b.WaitFor("#agree")
	b.Submit("#agree")
	if h1 := b.Text("h1"); h1 != "Личный кабинет" {
		t.Fatalf("after the consent: %q", b.Text("main"))
	}
}

// cabinetEnter enters the cabinet with a scripted HTTP client as the owner of an ID session
// token: through the provider's consent (allowed), back to the cabinet, and its consent to the
// data transfer (agreed) when asked. It returns the client (signed in to the cabinet) and the
// cabinet's home page.
func cabinetEnter(t testing.TB, base, session string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: id.SessionCookie, Value: session, Path: "/"}})
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, body := fetchPage(t, c, "GET", base+"/cabinet/signin", nil)
	for range 3 {
		switch {
		case resp.Header.Get("Refresh") != "": // the provider hands the person back
			_, target, _ := strings.Cut(resp.Header.Get("Refresh"), "url=")
			resp, body = fetchPage(t, c, "GET", target, nil)
		case strings.Contains(body, `name="decision" value="allow"`):
			resp, body = fetchPage(t, c, "POST", resp.Request.URL.String(), url.Values{"decision": {"allow"}, "csrf_token": {csrfOf(t, body)}})
		case strings.Contains(body, `name="decision" value="agree"`):
			resp, body = fetchPage(t, c, "POST", base+"/cabinet/consent", url.Values{"decision": {"agree"}, "version": {"transfer-v1"},
				"csrf_token": {csrfOf(t, body)}})
		}
		if resp.Request.URL.Path == "/cabinet" && strings.Contains(body, `id="cabinet-name"`) {
			return c, body
		}
	}
	t.Fatalf("the cabinet's entry ended at %s (%d): %s", resp.Request.URL, resp.StatusCode, body)
	return nil, ""
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page: %s", page)
	}
	return m[1]
}

func fetchPage(t testing.TB, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The cabinet's entry through the scripted client, as the benchmark and the plaintext scan run
// it: the profile shown; the session ends after 20 minutes idle.
func TestCabinetEntryScripted(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005558103", "cabinet.script@example.ru", "Кабинет-Пароль-2026"
	token := registerAccount(t, sep, phone, email, pw)
	p := cabinetPerson(t, sep, email, 0)
	c, home := cabinetEnter(t, sep.URL, token)
	if !strings.Contains(home, p.LastName) || !strings.Contains(home, p.SNILS) {
		t.Fatalf("the cabinet: %s", home)
	}
	// Signed in to the cabinet: its home page again, then sign-out.
	resp, again := fetchPage(t, c, "GET", sep.URL+"/cabinet", nil)
	if resp.StatusCode != 200 || !strings.Contains(again, p.FirstName) {
		t.Fatalf("the cabinet again: %d", resp.StatusCode)
	}
	if _, err := sep.DB.Writer().Exec(`UPDATE cabinet_sessions SET seen_at = $1`, time.Now().Add(-21*time.Minute).UTC()); err != nil {
		t.Fatal(err)
	}
	if _, idle := fetchPage(t, c, "GET", sep.URL+"/cabinet", nil); !strings.Contains(idle, `id="esia-signin"`) {
		t.Fatal("an idle cabinet session still open after 20 minutes")
	}
}

// Pointed by settings alone at another ЕСИА — here a second СЭП instance standing in for it,
// with the cabinet's mnemonic, certificate and key files and the provider's certificate — the
// cabinet signs in through it, and its sign-out goes to that ЕСИА's logout by a page (another
// site: a form may not be redirected there).
func TestCabinetAgainstAnotherESIABySettings(t *testing.T) {
	esiaSEP := Start(t)
	const phone, email, pw = "+79005558104", "cabinet.external@example.ru", "Кабинет-Пароль-2026"
	token := registerAccount(t, esiaSEP, phone, email, pw)
	p := cabinetPerson(t, esiaSEP, email, 2)

	dir := t.TempDir()
	curve, _ := gost3410.CurveByName("tc26-256-A")
	key, _ := gost3410.GenerateKey(curve, nil)
	name, _ := gostx509.ParseName("CN=EXTCABINET,O=Example")
	der, _ := gostx509.CreateCertificate(nil, &gostx509.Template{Subject: name, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour)}, nil, key.PublicKey(), key)
	keyPEM, _ := gostpkix.EncodePrivateKeyPEM(key)
	_, providerCert := get(t, esiaSEP.URL+"/aas/oauth2/certs/gost.pem", "")
	for f, b := range map[string][]byte{"system.cer": der, "system.key": keyPEM, "esia.pem": providerCert} {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The cabinet listens where it is registered: a fixed free port known before it starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := esiaSEP.Provider.RegisterClient(context.Background(), provider.NewClient{Mnemonic: "EXTCABINET", CertDER: der,
		RedirectURIs: []string{"http://" + addr + "/cabinet/callback", "http://" + addr + "/cabinet/signedout"},
		Scopes:       strings.Fields("openid fullname birthdate gender snils inn id_doc birthplace email mobile contacts addresses")}); err != nil {
		t.Fatal(err)
	}
	sep := Start(t, "SEP_HTTP_ADDR", addr, "SEP_ESIA_URL", esiaSEP.URL, "SEP_ESIA_MNEMONIC", "EXTCABINET",
		"SEP_ESIA_CERT_FILE", filepath.Join(dir, "system.cer"), "SEP_ESIA_KEY_FILE", filepath.Join(dir, "system.key"),
		"SEP_ESIA_PROVIDER_CERT_FILES", filepath.Join(dir, "esia.pem"), "SEP_ESIA_PROVIDER_ISSUER", "http://esia.gosuslugi.ru/")
	if c, err := sep.Provider.ClientByMnemonic(context.Background(), "SEPCABINET"); err == nil {
		t.Fatalf("pointed at another ЕСИА, the instance registered its own cabinet client %s", c.Mnemonic)
	}

	// The ID session is the other ЕСИА's; the cabinet's cookie is this instance's.
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(esiaSEP.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: id.SessionCookie, Value: token, Path: "/"}})
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, body := fetchPage(t, c, "GET", sep.URL+"/cabinet/signin", nil)
	if !strings.HasPrefix(resp.Request.URL.String(), esiaSEP.URL+"/aas/oauth2/request/") {
		t.Fatalf("«Войти через Госуслуги» went to %s", resp.Request.URL)
	}
	resp, _ = fetchPage(t, c, "POST", resp.Request.URL.String(), url.Values{"decision": {"allow"}, "csrf_token": {csrfOf(t, body)}})
	_, target, _ := strings.Cut(resp.Header.Get("Refresh"), "url=")
	if !strings.HasPrefix(target, sep.URL+"/cabinet/callback?") {
		t.Fatalf("the other ЕСИА hands back to %q", target)
	}
	_, body = fetchPage(t, c, "GET", target, nil)
	resp, body = fetchPage(t, c, "POST", sep.URL+"/cabinet/consent", url.Values{"decision": {"agree"}, "version": {"transfer-v1"},
		"csrf_token": {csrfOf(t, body)}})
	if resp.Request.URL.Path != "/cabinet" || !strings.Contains(body, p.LastName) || !strings.Contains(body, p.SNILS) {
		t.Fatalf("the cabinet through the other ЕСИА: %s %d", resp.Request.URL, resp.StatusCode)
	}
	// Sign-out: a page that goes on to the other ЕСИА's logout, which comes back.
	resp, body = fetchPage(t, c, "POST", sep.URL+"/cabinet/signout", url.Values{"csrf_token": {csrfOf(t, body)}})
	_, target, _ = strings.Cut(resp.Header.Get("Refresh"), "url=")
	if resp.StatusCode != 200 || !strings.HasPrefix(target, esiaSEP.URL+"/idp/ext/Logout?client_id=EXTCABINET&redirect_url=") ||
		!strings.Contains(body, `id="back"`) {
		t.Fatalf("sign-out: %d %q", resp.StatusCode, target)
	}
	if resp, _ = fetchPage(t, c, "GET", target, nil); resp.Request.URL.String() != sep.URL+"/cabinet/signedout" {
		t.Fatalf("the other ЕСИА's logout led to %s", resp.Request.URL)
	}
	if resp, _ = fetchPage(t, c, "GET", esiaSEP.URL+"/api/v1/account", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the other ЕСИА's session after the sign-out: %d", resp.StatusCode)
	}
}
