package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/web"
)

// signedIn puts a test-only front on a running sep, for the pages that need someone signed in
// before identity exists: GET /test/sign-in?as=kind,id[,org[,role…]] sets a cookie, and every
// request with that cookie carries that principal. It lives in this test file only; the
// production wiring has no such door.
func signedIn(t *testing.T, sep *Instance) string {
	t.Helper()
	inner := sep.Site.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/test/sign-in" {
			http.SetCookie(w, &http.Cookie{Name: "test_principal", Value: r.URL.Query().Get("as"), Path: "/"})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		if c, err := r.Cookie("test_principal"); err == nil && c.Value != "" {
			f := strings.Split(c.Value, ",")
			p := &web.Principal{Kind: web.PrincipalKind(f[0]), ID: f[1]}
			if len(f) > 2 {
				p.OrgID = f[2]
			}
			if len(f) > 3 {
				p.Roles = f[3:]
			}
			r = web.WithPrincipal(r, p)
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// journal appends an action of a citizen, as a domain handler would.
func journal(t *testing.T, sep *Instance, kind audit.ActorKind, id, org, action, object string) {
	t.Helper()
	_, err := sep.Audit.Append(context.Background(), nil, audit.Entry{ActorKind: kind, ActorID: id, OrgID: org,
		Action: action, ObjectType: "application", ObjectID: object, IP: "203.0.113.5", UserAgent: "Firefox/140.0"})
	if err != nil {
		t.Fatal(err)
	}
}

func TestActivityJournalPages(t *testing.T) {
	sep := Start(t)
	url := signedIn(t, sep)
	journal(t, sep, audit.ActorCitizen, "anna", "", "application.submit", "app-anna")
	journal(t, sep, audit.ActorCitizen, "anna", "org-1", "application.submit", "app-org")
	journal(t, sep, audit.ActorCitizen, "boris", "", "application.submit", "app-boris")

	b := NewBrowser(t)
	b.Open(url + "/cabinet/activity")
	if h1 := b.Text("h1"); h1 != "Нужно войти" {
		t.Fatalf("signed out, /cabinet/activity shows %q", h1)
	}

	b.Open(url + "/test/sign-in?as=citizen,anna")
	b.Open(url + "/cabinet/activity")
	if h1 := b.Text("h1"); h1 != "Журнал моих действий" {
		t.Fatalf("h1 = %q", h1)
	}
	if n := Eval[int](b, `document.querySelectorAll(".audit-entry").length`); n != 2 {
		t.Fatalf("anna sees %d entries, want her 2", n)
	}
	if text := b.Text("main"); strings.Contains(text, "app-boris") || !strings.Contains(text, "Firefox/140.0") || !strings.Contains(text, "203.0.113.5") {
		t.Fatalf("anna's page:\n%s", text)
	}
	b.CheckA11y()

	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="en"] h1`)
	if h1 := b.Text("h1"); h1 != "My activity" {
		t.Fatalf("English h1 = %q", h1)
	}
	b.CheckA11y()
	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="ru"] h1`)

	// An auditor's page is not for citizens, and the attempt is on record.
	b.Open(url + "/audit")
	if h1 := b.Text("h1"); h1 != "Доступ только для аудиторов" {
		t.Fatalf("citizen at /audit: h1 %q", h1)
	}
	b.CheckA11y()

	// The organisation's admin sees the organisation's entry, not anna's private one.
	b.Open(url + "/test/sign-in?as=citizen,vera,org-1,admin")
	b.Open(url + "/org/activity")
	if text := b.Text("main"); !strings.Contains(text, "app-org") || strings.Contains(text, "app-anna") || !strings.Contains(text, "Пользователь anna") {
		t.Fatalf("org admin's page:\n%s", text)
	}
	b.CheckA11y()

	// On a phone the entries fit the screen.
	b.Do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.Open(url + "/org/activity")
	if Eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the activity page scrolls sideways on a 360 px wide phone")
	}
}

func TestAuditorFiltersAndDownloads(t *testing.T) {
	sep := Start(t)
	url := signedIn(t, sep)
	journal(t, sep, audit.ActorCitizen, "anna", "", "application.submit", "app-1")
	journal(t, sep, audit.ActorCitizen, "anna", "", "application.submit", "app-2")
	journal(t, sep, audit.ActorCitizen, "boris", "", "application.submit", "app-3")

	b := NewBrowser(t)
	b.Open(url + "/test/sign-in?as=auditor,aud-7")
	b.Open(url + "/audit")
	if h1 := b.Text("h1"); h1 != "Журнал аудита" {
		t.Fatalf("h1 = %q", h1)
	}
	// The system's own start is there, under its readable name. (The preview shows the latest
	// 20 entries: the migrations, journaled first, fall out of it as their number grows.)
	if text := b.Text("main"); !strings.Contains(text, "Запуск системы") || !strings.Contains(text, "Изменена настройка") {
		t.Fatalf("auditor's preview lacks the system events:\n%s", text)
	}
	b.CheckA11y()

	// The filter is a plain GET form: it works without JavaScript.
	b.DisableJavaScript(true)
	b.Do(chromedp.SendKeys(chromedp.CSS("#filter-actor"), "anna"))
	b.Submit(".audit-filter button")
	if h := b.Text("#result-heading"); h != "Найдено 2 записи" {
		t.Fatalf("result heading %q", h)
	}
	b.DisableJavaScript(false)
	b.CheckA11y()

	// The download link carries the filter; fetch it as the browser would.
	href := b.Attr("#download-csv", "href")
	req, _ := http.NewRequest("GET", url+href, nil)
	req.AddCookie(&http.Cookie{Name: "test_principal", Value: "auditor,aud-7"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil || len(rows) != 3 || rows[1][7] != "app-1" || rows[2][7] != "app-2" {
		t.Fatalf("downloaded CSV (%s): %v %v", href, err, rows)
	}

	// A filter that is not an id: the field is marked and nothing is shown or offered.
	b.Open(url + "/audit")
	b.Do(chromedp.SendKeys(chromedp.CSS("#filter-actor"), "+79161234567"))
	b.Submit(".audit-filter button")
	if b.Attr("#filter-actor", "aria-invalid") != "true" || Eval[int](b, `document.querySelectorAll("#download-csv").length`) != 0 {
		t.Fatal("a phone number as the actor filter was not refused")
	}
	b.CheckA11y()
}

// TestInstanceJournalsItsLife starts and stops sep twice on one data directory and checks
// what the journal records: first start (migrations, generated keys, settings, start), the
// shutdown with a checkpoint, and a second start that records only itself.
func TestInstanceJournalsItsLife(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		t.Run(fmt.Sprintf("run %d", i+1), func(t *testing.T) { Start(t, "SEP_DATA_DIR", dir) })
	}
	d := dbtest.Open(t, "sqlite:"+filepath.Join(dir, "sep.db"))
	key, _, err := keys.LoadSigning(keys.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := audit.New(d, audit.Options{})
	var got []string
	j.Scan(context.Background(), audit.Filter{}, func(e *audit.Entry) error {
		got = append(got, e.Action)
		return nil
	})
	all := strings.Join(got, " ")
	first, second, ok := strings.Cut(all, " system.stop ")
	migrations, _ := db.Migrations(db.SQLite)
	applied := strings.Repeat("db.migration_applied ", len(migrations))
	if !ok || !strings.HasPrefix(first, applied+"key.generated key.generated settings.changed") ||
		!strings.HasSuffix(first, "system.start") || strings.Count(first, "system.") != 1 {
		t.Errorf("first run journaled %q", first)
	}
	if second != "system.start system.stop" {
		t.Errorf("second run journaled %q; want only its start and stop", second)
	}
	rep, err := j.Verify(context.Background(), audit.VerifyOptions{Trusted: []*gost3410.PublicKey{key.PublicKey()}})
	if err != nil || !rep.Intact() || rep.Checkpoints != 2 || rep.LastCheckpoint != rep.Head {
		t.Fatalf("after two runs: %+v %v", rep, err)
	}
}

// TestTwoInstancesKeepOneChain runs two instances with one key on one PostgreSQL and makes
// both journal at once through their web pages.
func TestTwoInstancesKeepOneChain(t *testing.T) {
	pg := dbtest.PostgresURL(t)
	keyDir := t.TempDir()
	k, err := keys.Load(keys.Options{DataDir: keyDir, Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	shared := []string{"SEP_DATABASE_URL", pg, "SEP_SIGNING_KEY_FILE", filepath.Join(keyDir, "keys", "signing.pem"),
		"SEP_DATA_KEY_FILE", filepath.Join(keyDir, "keys", "data.key")}
	a, b := Start(t, shared...), Start(t, shared...)
	urls := []string{signedIn(t, a), signedIn(t, b)}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for range 10 {
				req, _ := http.NewRequest("GET", urls[w%2]+"/audit", nil)
				req.AddCookie(&http.Cookie{Name: "test_principal", Value: fmt.Sprintf("auditor,aud-%d", w)})
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("instance %d: /audit %d", w%2, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	if _, _, err := a.Audit.MakeCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := b.Audit.Verify(context.Background(), audit.VerifyOptions{Trusted: []*gost3410.PublicKey{k.Signing.PublicKey()}})
	if err != nil || !rep.Intact() {
		t.Fatalf("%+v %v", rep, err)
	}
	if n, _ := a.Audit.Count(context.Background(), audit.Filter{ActorKind: audit.ActorAuditor}); n != 80 {
		t.Fatalf("%d auditor views journaled, want 80", n)
	}
}
