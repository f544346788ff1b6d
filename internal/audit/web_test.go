package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// headerAuth is a test authenticator: the principal comes from the header
// X-Test-Principal: kind,id[,org[,role…]].
type headerAuth struct{}

func (headerAuth) Authenticate(r *http.Request) (*web.Principal, error) {
	v := r.Header.Get("X-Test-Principal")
	if v == "" {
		return nil, nil
	}
	f := strings.Split(v, ",")
	p := &web.Principal{Kind: web.PrincipalKind(f[0]), ID: f[1]}
	if len(f) > 2 {
		p.OrgID = f[2]
	}
	if len(f) > 3 {
		p.Roles = f[3:]
	}
	return p, nil
}

type testServer struct {
	*httptest.Server
	j *Journal
}

func newTestServer(t *testing.T, d *db.DB) *testServer {
	t.Helper()
	j := newJournal(t, d)
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates}, Authenticators: []web.Authenticator{headerAuth{}}})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, j)
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	return &testServer{srv, j}
}

// get fetches path as the principal (empty: nobody) and returns the status and body.
func (s *testServer) get(t *testing.T, who, path string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	if who != "" {
		req.Header.Set("X-Test-Principal", who)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

const (
	anna     = "citizen,anna"
	boris    = "citizen,boris"
	annaOrg  = "citizen,anna,org-1"
	orgAdmin = "citizen,vera,org-1,admin"
	otherOrg = "citizen,gleb,org-2,admin"
	auditor  = "auditor,aud-1"
)

// act journals an action of a principal as a request would.
func (s *testServer) act(t *testing.T, who, action, object string) {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("User-Agent", "TestBrowser/1.0")
	if p, _ := (headerAuth{}).Authenticate(withHeader(r, who)); p != nil {
		r = web.WithPrincipal(r, p)
	}
	if _, err := s.j.AppendRequest(context.Background(), nil, r, Entry{Action: action, ObjectType: "application", ObjectID: object}); err != nil {
		t.Fatal(err)
	}
}

func withHeader(r *http.Request, who string) *http.Request {
	r.Header.Set("X-Test-Principal", who)
	return r
}

func TestActivityPagesShowOnlyWhatThePrincipalMaySee(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newTestServer(t, d)
		s.j.RecordStart(context.Background(), "v1.0.0", "demo")
		s.act(t, anna, "application.submit", "app-anna-private")
		s.act(t, annaOrg, "application.submit", "app-org1-by-anna")
		s.act(t, boris, "application.submit", "app-boris")
		s.act(t, otherOrg, "application.submit", "app-org2")

		code, body, _ := s.get(t, anna, "/cabinet/activity")
		if code != 200 || !strings.Contains(body, "app-anna-private") || !strings.Contains(body, "app-org1-by-anna") {
			t.Fatalf("anna's own page: %d\n%s", code, body)
		}
		for _, other := range []string{"app-boris", "app-org2", "Запуск системы"} {
			if strings.Contains(body, other) {
				t.Errorf("anna sees %q", other)
			}
		}
		if !strings.Contains(body, "TestBrowser/1.0") || !strings.Contains(body, "Журнал моих действий") {
			t.Error("the page does not show the user agent or its Russian title")
		}

		code, body, _ = s.get(t, orgAdmin, "/org/activity")
		if code != 200 || !strings.Contains(body, "app-org1-by-anna") || strings.Contains(body, "app-anna-private") || strings.Contains(body, "app-org2") {
			t.Fatalf("org-1 admin's page: %d\n%s", code, body)
		}
		if !strings.Contains(body, "Пользователь anna") {
			t.Error("the organisation's page does not say who acted")
		}
		if code, body, _ = s.get(t, otherOrg, "/org/activity"); code != 200 || strings.Contains(body, "app-org1-by-anna") || !strings.Contains(body, "app-org2") {
			t.Fatalf("org-2's admin: %d, or sees org-1's entries, or not their own", code)
		}

		for _, c := range []struct {
			who, path string
			status    int
		}{
			{"", "/cabinet/activity", 401}, {"", "/org/activity", 401}, {"", "/audit", 401}, {"", "/audit/export.csv", 401},
			{anna, "/org/activity", 403}, {annaOrg, "/org/activity", 403},
			{anna, "/audit", 403}, {orgAdmin, "/audit", 403}, {orgAdmin, "/audit/export.json", 403}, {"operator,op-1", "/audit/export.csv", 403},
			{auditor, "/audit", 200}, {"admin,root-1", "/audit", 200},
		} {
			if code, _, _ := s.get(t, c.who, c.path); code != c.status {
				t.Errorf("%q GET %s: %d, want %d", c.who, c.path, code, c.status)
			}
		}
		// Refusals at the auditors' pages are themselves journaled.
		n, _ := s.j.Count(context.Background(), Filter{ActorID: "vera"})
		if n != 2 {
			t.Errorf("org admin's refused attempts journaled %d times, want 2", n)
		}
		// 1 start, 4 actions, 4 refusals, 2 auditor views.
		wantIntact(t, s.j, 1+4+4+2)
	})
}

func TestActivityPageIsPagedAndTranslated(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newTestServer(t, d)
		for i := range 2*pageLimit + 3 {
			s.act(t, anna, "application.submit", fmt.Sprintf("app-%03d", i))
		}
		seen := map[string]bool{}
		path := "/cabinet/activity"
		for pages := 0; path != ""; pages++ {
			if pages > 3 {
				t.Fatal("more pages than entries allow")
			}
			code, body, _ := s.get(t, anna, path)
			if code != 200 {
				t.Fatalf("%s: %d", path, code)
			}
			n := strings.Count(body, `class="card audit-entry"`)
			if want := []int{pageLimit, pageLimit, 3}[pages]; n != want {
				t.Fatalf("page %d shows %d entries, want %d", pages+1, n, want)
			}
			for i := range 2*pageLimit + 3 {
				id := fmt.Sprintf("app-%03d", i)
				if strings.Contains(body, id+"<") {
					if seen[id] {
						t.Fatalf("%s shown twice", id)
					}
					seen[id] = true
				}
			}
			path = ""
			if i := strings.Index(body, `class="audit-older" href="`); i >= 0 {
				rest := body[i+len(`class="audit-older" href="`):]
				path = strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
			}
		}
		if len(seen) != 2*pageLimit+3 {
			t.Fatalf("%d entries seen over all pages, want %d", len(seen), 2*pageLimit+3)
		}
		_, body, _ := s.get(t, anna, "/cabinet/activity", "Cookie", web.LangCookie+"=en")
		if !strings.Contains(body, "My activity") || !strings.Contains(body, "Succeeded") {
			t.Error("the English page is not in English")
		}
		if code, _, _ := s.get(t, anna, "/cabinet/activity?before=abc"); code != 400 {
			t.Errorf("bad page parameter: %d, want 400", code)
		}
	})
}

func TestAuditorExportsTheFilteredJournal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newTestServer(t, d)
		s.act(t, anna, "application.submit", "app-1")
		s.act(t, annaOrg, "application.submit", "app-2")
		s.act(t, boris, "application.submit", "app-3")

		code, body, hdr := s.get(t, auditor, "/audit/export.csv?actor=anna")
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
			t.Fatalf("CSV export: %d %v", code, hdr)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][0] != "seq" || rows[1][7] != "app-1" || rows[2][7] != "app-2" {
			t.Fatalf("CSV rows for actor anna: %v", rows)
		}

		code, body, _ = s.get(t, auditor, "/audit/export.json?org=org-1")
		var got []map[string]any
		if err := json.Unmarshal([]byte(body), &got); code != 200 || err != nil {
			t.Fatalf("JSON export: %d %v\n%s", code, err, body)
		}
		if len(got) != 1 || got[0]["object_id"] != "app-2" {
			t.Fatalf("JSON for org-1: %v", got)
		}

		// The exports are journaled, with their filter.
		var exports []Entry
		s.j.Scan(context.Background(), Filter{ActorID: "aud-1"}, func(e *Entry) error { exports = append(exports, *e); return nil })
		if len(exports) != 2 || exports[0].Action != ActionExport || exports[0].Details["actor"] != "anna" || exports[1].Details["format"] != "json" {
			t.Fatalf("journaled exports: %+v", exports)
		}

		code, body, _ = s.get(t, auditor, "/audit?from=2020-01-01&actor=boris")
		if code != 200 || !strings.Contains(body, "Найдена 1 запись") || !strings.Contains(body, `href="/audit/export.csv?actor=boris&amp;from=2020-01-01"`) {
			t.Fatalf("auditor page: %d\n%s", code, body)
		}
		for _, bad := range []string{"from=01.02.2025", "from=2025-02-03&to=2025-02-01", "actor=4510123456", "org=x%20y"} {
			code, body, _ := s.get(t, auditor, "/audit?"+bad)
			if code != 400 || !strings.Contains(body, `aria-invalid="true"`) || strings.Contains(body, "download-csv") {
				t.Errorf("/audit?%s: %d, want 400 with the field marked and no download", bad, code)
			}
			if code, _, _ := s.get(t, auditor, "/audit/export.csv?"+bad); code != 400 {
				t.Errorf("/audit/export.csv?%s: %d, want 400", bad, code)
			}
		}
	})
}
