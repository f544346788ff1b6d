package audit

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// FuzzCriteria: whatever an auditor types, Filter either names the bad fields with catalog
// messages, or gives whole UTC days with the "to" day included; the criteria survive the
// download links' query string unchanged.
func FuzzCriteria(f *testing.F) {
	for _, c := range [][4]string{{"", "", "", ""}, {"2026-03-01", "2026-03-31", "anna", "org-1"},
		{"2026-03-02", "2026-03-01", "", ""}, {"2026-03-01", "2026-03-01", "", ""}, {"2026-02-30", "", "", ""},
		{"1.3.2026", "", "", ""}, {"", "9999-12-31", "", ""}, {"", "", "anna smith", "org&1"},
		{"", "", "4508123456", "+79001234567"}, {"", "", strings.Repeat("a", 300), ""}, {"0000-01-01", "", "", "org=1"}} {
		f.Add(c[0], c[1], c[2], c[3])
	}
	catalog := i18n.Default()
	f.Fuzz(func(t *testing.T, from, to, actor, org string) {
		c := Criteria{From: from, To: to, Actor: actor, Org: org}
		filter, bad := c.Filter()
		for field, id := range bad {
			switch field {
			case "from", "to", "actor", "org":
			default:
				t.Fatalf("%+v: unknown field %q", c, field)
			}
			if !catalog.Has(id) {
				t.Fatalf("%+v: %s has no catalog message %q", c, field, id)
			}
		}
		_, fromErr := time.Parse(time.DateOnly, from)
		if (from != "" && fromErr != nil) != (bad["from"] == "audit.error.date") {
			t.Fatalf("%+v: from judged %q", c, bad["from"])
		}
		if len(bad) > 0 {
			return
		}
		for _, d := range []time.Time{filter.From, filter.To} {
			if !d.IsZero() && (d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour))) {
				t.Fatalf("%+v: %v is not a UTC midnight", c, d)
			}
		}
		if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
			t.Fatalf("%+v: empty range %v–%v", c, filter.From, filter.To)
		}
		if to != "" && filter.To.Format(time.DateOnly) != mustDay(t, to).AddDate(0, 0, 1).Format(time.DateOnly) {
			t.Fatalf("%+v: the to day is not included: %v", c, filter.To)
		}
		if filter.ActorID != actor || filter.OrgID != org || filter.ActorKind != "" {
			t.Fatalf("%+v: filter %+v", c, filter)
		}
		q, err := url.ParseQuery(c.query())
		if err != nil {
			t.Fatalf("%+v: query %q: %v", c, c.query(), err)
		}
		back := Criteria{From: q.Get("from"), To: q.Get("to"), Actor: q.Get("actor"), Org: q.Get("org")}
		if back != c {
			t.Fatalf("%+v came back from %q as %+v", c, c.query(), back)
		}
		e := c.ExportEntry(CSV)
		if e.Details["format"] != "csv" || len(e.Details) != len(c.fields())+1 {
			t.Fatalf("%+v: export entry details %v", c, e.Details)
		}
	})
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// FuzzAuditPages: the paging parameter of the activity pages and the auditors' criteria are
// answered 200 or 400, never a server error: a typed or edited link is the visitor's mistake.
func FuzzAuditPages(f *testing.F) {
	for _, s := range []string{"", "1", "3", "9223372036854775807", "9223372036854775808", "0", "-1", "+2", "1e3", " 2", "x"} {
		f.Add(s, "2026-03-01", "", "anna", "")
	}
	f.Add("", "2026-03-02", "2026-03-01", "", "")
	f.Add("", " 2026-03-01 ", "", " anna ", "org-1")
	f.Add("", "", "", "4508123456", "")
	d := dbtest.Open(f, dbtest.SQLiteURL(f))
	j := newJournal(f, d)
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates}, Authenticators: []web.Authenticator{headerAuth{}}})
	if err != nil {
		f.Fatal(err)
	}
	Register(site, j)
	handler := site.Handler()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := j.Append(ctx, nil, citizenEntry(i)); err != nil {
			f.Fatal(err)
		}
	}
	get := func(who, path string, q url.Values) int {
		r := httptest.NewRequest("GET", path, nil)
		r.URL.RawQuery = q.Encode()
		r.Header.Set("X-Test-Principal", who)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		return w.Code
	}
	f.Fuzz(func(t *testing.T, before, from, to, actor, org string) {
		want := http.StatusOK
		if n, err := strconv.ParseInt(before, 10, 64); before != "" && (err != nil || n < 1) {
			want = http.StatusBadRequest
		}
		for _, path := range []string{"/cabinet/activity", "/org/activity"} {
			if code := get("citizen,user-1,org-1,admin", path, url.Values{"before": {before}}); code != want {
				t.Fatalf("%s?before=%q: %d, want %d", path, before, code, want)
			}
		}
		crit := Criteria{From: strings.TrimSpace(from), To: strings.TrimSpace(to), Actor: strings.TrimSpace(actor), Org: strings.TrimSpace(org)}
		want = http.StatusOK
		if _, bad := crit.Filter(); len(bad) > 0 {
			want = http.StatusBadRequest
		}
		q := url.Values{"from": {from}, "to": {to}, "actor": {actor}, "org": {org}}
		if code := get(auditor, "/audit", q); code != want {
			t.Fatalf("/audit?%s: %d, want %d", q.Encode(), code, want)
		}
	})
}
