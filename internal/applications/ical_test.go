package applications

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
)

// icsEvent is one VEVENT: its properties by name (with parameters, "DTSTART;VALUE=DATE"),
// TEXT values unescaped.
type icsEvent map[string]string

var (
	icsName  = regexp.MustCompile(`^[A-Z][A-Z0-9-]*(;[A-Z-]+=[^;:,"]+)*$`)
	icsStamp = regexp.MustCompile(`^\d{8}T\d{6}Z$`)
)

// parseICS reads an iCalendar document strictly (RFC 5545): CRLF lines of at most 75 octets,
// folded by a leading space, one VCALENDAR with VERSION and PRODID, each VEVENT with UID,
// DTSTAMP and DTSTART, TEXT values with ; , \ and newlines escaped.
func parseICS(t *testing.T, body string) []icsEvent {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Fatalf("not CRLF lines: %q", body)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("a line of %d octets: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") {
			if len(lines) == 0 {
				t.Fatal("a continuation first")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not one VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	var events []icsEvent
	var ev icsEvent
	top := map[string]bool{}
	for _, l := range lines[1 : len(lines)-1] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || !icsName.MatchString(name) {
			t.Fatalf("not a content line: %q", l)
		}
		switch {
		case l == "BEGIN:VEVENT":
			if ev != nil {
				t.Fatal("a VEVENT inside a VEVENT")
			}
			ev = icsEvent{}
		case l == "END:VEVENT":
			for _, p := range []string{"UID", "DTSTAMP"} {
				if ev[p] == "" {
					t.Fatalf("a VEVENT without %s: %v", p, ev)
				}
			}
			if ev["DTSTART"] == "" && ev["DTSTART;VALUE=DATE"] == "" {
				t.Fatalf("a VEVENT without DTSTART: %v", ev)
			}
			if !icsStamp.MatchString(ev["DTSTAMP"]) {
				t.Fatalf("DTSTAMP %q", ev["DTSTAMP"])
			}
			events, ev = append(events, ev), nil
		case ev != nil:
			if name == "SUMMARY" || name == "DESCRIPTION" {
				value = unescapeText(t, value)
			}
			ev[name] = value
		default:
			top[name+":"+value] = true
		}
	}
	if ev != nil || !top["VERSION:2.0"] {
		t.Fatalf("an open VEVENT, or no VERSION:2.0: %v", top)
	}
	return events
}

func unescapeText(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v):
			i++
			switch v[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			case '\\', ';', ',':
				b.WriteByte(v[i])
			default:
				t.Fatalf("a bad escape in %q", v)
			}
		case c == ';' || c == ',':
			t.Fatalf("an unescaped %q in %q", c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestICalendarFolding(t *testing.T) {
	var w icalWriter
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("BEGIN:VEVENT")
	w.line("UID:x@sep")
	w.line("DTSTAMP:20261204T090000Z")
	w.line("DTSTART;VALUE=DATE:20261209")
	long := strings.Repeat("Заявление, срок; путь \\ ", 8) + "\nконец"
	w.prop("SUMMARY", long)
	w.line("END:VEVENT")
	w.line("END:VCALENDAR")
	evs := parseICS(t, w.b.String())
	if len(evs) != 1 || evs[0]["SUMMARY"] != long {
		t.Fatalf("round trip: %q", evs)
	}
}

// The feed lists the open deadlines of its account only, as valid iCalendar; its secret is
// kept as a digest; a new secret replaces the old, and a revoked one is not found.
func TestCalendarFeed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _, _ := deadlineStore(t, d, services.LapseReject)
		a := submitted(t, s, "acc-1")
		a, _ = s.AskCorrection(ctx, nil, "op-1", a.ID, Correction{Documents: []string{"photo"}, Remark: "Фото размыто"})
		b := inChecks(t, s, "acc-1")
		theirs := submitted(t, s, "acc-2")
		secret, err := s.NewFeed(ctx, nil, "acc-1")
		if err != nil || len(secret) != feedSecretLen {
			t.Fatalf("secret %q %v", secret, err)
		}
		if acc, err := s.FeedAccount(ctx, secret); err != nil || acc != "acc-1" {
			t.Fatalf("feed of %q %v", acc, err)
		}
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM application_calendar_feeds WHERE digest = $1 OR account_id = $2`,
			[]byte(secret), secret).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the secret is stored: %d %v", n, err)
		}
		body, err := s.Calendar(ctx, i18n.Default().Printer("ru"), "acc-1", "https://sep.example.ru")
		if err != nil {
			t.Fatal(err)
		}
		evs := parseICS(t, string(body))
		if len(evs) != 2 {
			t.Fatalf("events %v", evs)
		}
		byUID := map[string]icsEvent{}
		for _, e := range evs {
			byUID[e["UID"]] = e
		}
		corr := byUID[a.ID+"."+a.Correction.ID+"@sep"]
		if corr["DTSTART;VALUE=DATE"] != "20261209" || corr["DTEND;VALUE=DATE"] != "20261210" ||
			corr["SUMMARY"] != "Дополнить заявление № "+a.Number+" («Электронный паспорт»)" ||
			!strings.Contains(corr["DESCRIPTION"], "оно будет отклонено") || corr["URL"] != "https://sep.example.ru/applications/"+a.ID {
			t.Errorf("the correction's event %v", corr)
		}
		checks := byUID[b.ID+".registry_checks@sep"]
		if checks["DTSTART"] != b.Deadline.UTC().Format("20060102T150405Z") || !strings.Contains(checks["SUMMARY"], b.Number) {
			t.Errorf("the checks' event %v", checks)
		}
		if strings.Contains(string(body), theirs.Number) {
			t.Error("another account's application is in the feed")
		}

		renewed, err := s.NewFeed(ctx, nil, "acc-1")
		if err != nil || renewed == secret {
			t.Fatalf("renewed %v", err)
		}
		if _, err := s.FeedAccount(ctx, secret); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("the replaced secret: %v", err)
		}
		if err := s.RevokeFeed(ctx, nil, "acc-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FeedAccount(ctx, renewed); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("the revoked secret: %v", err)
		}
		if at, err := s.Feed(ctx, "acc-1"); err != nil || !at.IsZero() {
			t.Fatalf("a revoked feed remains: %v %v", at, err)
		}
	})
}

// testAuth makes the principal of a test request from its X-Test-Principal header
// ("kind:id").
type testAuth struct{}

func (testAuth) Authenticate(r *http.Request) (*web.Principal, error) {
	kind, id, ok := strings.Cut(r.Header.Get("X-Test-Principal"), ":")
	if !ok {
		return nil, nil
	}
	return &web.Principal{Kind: web.PrincipalKind(kind), ID: id, Session: "s-" + id}, nil
}

// noDocs is a document store that has none of the documents asked for.
type noDocs struct{ Documents }

func (noDocs) Get(context.Context, string) (documents.Document, error) {
	return documents.Document{}, errs.E(errs.NotFound, "documents.not_found", nil)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// The pages: the card says in advance what a lapse does; the calendar page makes a feed by a
// form (shown once), the feed serves text/calendar, and after revoking it is 404.
func TestCalendarPages(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	s, _, _ := deadlineStore(t, d, services.LapseReject)
	a := submitted(t, s, "acc-1")
	a, _ = s.AskCorrection(ctx, nil, "op-1", a.ID, Correction{Documents: []string{"photo"}, Remark: "Фото размыто"})
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates},
		Authenticators: []web.Authenticator{testAuth{}}})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, s, nil, noDocs{}, nil)
	h := site.Handler()
	var cookies []*http.Cookie
	do := func(who, method, path string, form url.Values) *httptest.ResponseRecorder {
		var req *http.Request
		if form != nil {
			req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(method, path, nil)
		}
		if who != "" {
			req.Header.Set("X-Test-Principal", who)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			cookies = cs
		}
		return rec
	}

	rec := do("citizen:acc-1", "GET", "/applications/"+a.ID, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Если не дополнить заявление до 09.12.2026 23:59 МСК, оно будет отклонено.") {
		t.Fatalf("card: %d %s", rec.Code, rec.Body)
	}
	if rec := do("", "GET", "/applications/calendar", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("anonymous calendar page: %d", rec.Code)
	}
	rec = do("citizen:acc-1", "GET", "/applications/calendar", nil)
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil || !strings.Contains(rec.Body.String(), "Ленты нет.") {
		t.Fatalf("calendar page: %d %s", rec.Code, rec.Body)
	}
	if rec := do("citizen:acc-1", "POST", "/applications/calendar", url.Values{"op": {"new"}}); rec.Code != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: %d", rec.Code)
	}
	rec = do("citizen:acc-1", "POST", "/applications/calendar", url.Values{"op": {"new"}, "csrf_token": {m[1]}})
	feedURL := regexp.MustCompile(`value="http://example\.com(/applications/calendar/feed/[A-Za-z0-9_-]{43}\.ics)"`).FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || feedURL == nil {
		t.Fatalf("new feed: %d %s", rec.Code, rec.Body)
	}
	rec = do("", "GET", feedURL[1], nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") ||
		!strings.Contains(rec.Header().Get("Cache-Control"), "no-store") {
		t.Fatalf("feed: %d %v", rec.Code, rec.Header())
	}
	if evs := parseICS(t, rec.Body.String()); len(evs) != 1 || !strings.Contains(evs[0]["SUMMARY"], a.Number) {
		t.Fatalf("feed events %v", evs)
	}
	if rec := do("", "GET", "/applications/calendar/feed/"+strings.Repeat("A", 43)+".ics", nil); rec.Code != http.StatusNotFound {
		t.Errorf("a guessed secret: %d", rec.Code)
	}
	rec = do("citizen:acc-1", "POST", "/applications/calendar", url.Values{"op": {"revoke"}, "csrf_token": {m[1]}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if rec := do("", "GET", feedURL[1], nil); rec.Code != http.StatusNotFound {
		t.Errorf("a revoked feed: %d", rec.Code)
	}
}
