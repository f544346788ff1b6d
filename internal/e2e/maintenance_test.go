package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/maintenance"
	"github.com/sep-platform/sep/internal/web"
)

func msk(lang string, t time.Time) string { return i18n.Default().Printer(lang).MoscowTime(t) }

// schedule plans a window as `sep admin maintenance schedule` does and makes this instance
// see it now rather than within 5 seconds.
func schedule(t *testing.T, sep *Instance, w maintenance.Window) maintenance.Window {
	t.Helper()
	ctx := context.Background()
	w, err := maintenance.NewStore(sep.DB, maintenance.Options{Journal: sep.Audit}).Schedule(ctx, w, audit.Entry{ActorID: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sep.Maintenance.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// checkA11yNoJS runs axe-core (which needs JavaScript) on a page seen with JavaScript off,
// and turns it off again for what follows.
func checkA11yNoJS(b *Browser) {
	b.t.Helper()
	b.CheckA11y() // it turns scripts on for axe-core and off again
}

func TestMaintenanceWindowJourney(t *testing.T) {
	sep := Start(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Minute)
	soon := schedule(t, sep, maintenance.Window{From: now.Add(3 * time.Hour), To: now.Add(5 * time.Hour),
		NoteRU: "Обновляем базу данных.", NoteEN: "Upgrading the database."})
	b := NewBrowser(t)
	b.DisableJavaScript(true)

	// A window within a day is announced on every page; the footer leads to the schedule.
	b.Open(sep.URL + "/")
	want := "с " + msk("ru", soon.From) + " до " + msk("ru", soon.To) + " сервис будет недоступен"
	if banner := b.Text(".maintenance-notice"); !strings.Contains(banner, want) || !strings.Contains(banner, "Обновляем базу данных.") {
		t.Fatalf("banner = %q, want %q", banner, want)
	}
	checkA11yNoJS(b)
	b.Click(".footer-link")
	b.WaitFor("table.schedule")
	if h1 := b.Text("h1"); h1 != "Расписание обслуживания" {
		t.Fatalf("schedule h1 = %q", h1)
	}
	if row := b.Text("table.schedule tbody tr"); !strings.Contains(row, msk("ru", soon.From)) || !strings.Contains(row, "Запланированы") {
		t.Fatalf("schedule row = %q", row)
	}
	checkA11yNoJS(b)

	// Cancelled, it is gone; a window under way closes the site.
	if _, err := maintenance.NewStore(sep.DB, maintenance.Options{Journal: sep.Audit}).Cancel(ctx, soon.ID, audit.Entry{ActorID: "cli"}); err != nil {
		t.Fatal(err)
	}
	now = time.Now().Truncate(time.Minute)
	active := schedule(t, sep, maintenance.Window{From: now.Add(-time.Minute), To: now.Add(40 * time.Minute),
		NoteRU: "Обновляем базу данных.", NoteEN: "Upgrading the database."})
	b.Open(sep.URL + "/")
	if h1 := b.Text("h1"); h1 != "Сервис временно недоступен: технические работы" {
		t.Fatalf("503 h1 = %q", h1)
	}
	if lead := b.Text("main .lead"); !strings.Contains(lead, "до "+msk("ru", active.To)) {
		t.Fatalf("the 503 page does not say until when: %q", lead)
	}
	checkA11yNoJS(b)
	b.Click(`main a[href="/maintenance"]`)
	b.WaitFor("table.schedule")
	if row := b.Text("table.schedule tbody tr"); !strings.Contains(row, "Идут сейчас") || !strings.Contains(row, msk("ru", active.To)) {
		t.Fatalf("schedule during the window = %q", row)
	}
	checkA11yNoJS(b)
	// The language switch works during the window, without JavaScript.
	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="en"] table.schedule`)
	if row := b.Text("table.schedule tbody tr"); !strings.Contains(row, "Under way") || !strings.Contains(row, "Upgrading the database.") {
		t.Fatalf("English schedule = %q", row)
	}
	checkA11yNoJS(b)
	b.Open(sep.URL + "/")
	if lead := b.Text("main .lead"); !strings.Contains(lead, "until "+msk("en", active.To)) {
		t.Fatalf("English 503 page: %q", lead)
	}
	checkA11yNoJS(b)

	// What clients and load balancers see.
	res, err := http.Get(sep.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	if left := int(time.Until(active.To).Seconds()); res.StatusCode != 503 || retry < left-10 || retry > left+1 {
		t.Fatalf("GET / during the window: %d, Retry-After %q, want about %d", res.StatusCode, res.Header.Get("Retry-After"), left)
	}
	res, err = http.Get(sep.URL + "/api/v1/validate/snils?value=112-233-445%2095")
	if err != nil {
		t.Fatal(err)
	}
	var e web.APIError
	json.NewDecoder(res.Body).Decode(&e)
	res.Body.Close()
	if res.StatusCode != 503 || e.Error.MessageID != "error.maintenance" || !strings.Contains(e.Error.Message, msk("ru", active.To)) || res.Header.Get("Retry-After") == "" {
		t.Fatalf("API during the window: %d %+v", res.StatusCode, e)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics", Eval[string](b, `document.querySelector('link[rel=stylesheet]').getAttribute('href')`)} {
		res, err := http.Get(sep.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s during the window: %d", path, res.StatusCode)
		}
	}
}
