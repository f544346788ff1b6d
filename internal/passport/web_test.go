package passport

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// The API and the page answer every input with its precise result, never a 5xx.
func TestWeb(t *testing.T) {
	c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
	s := newService(t, dbtest.Open(t, dbtest.SQLiteURL(t)), c)
	p, _ := s.IssueDemo(context.Background(), 1, "")
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates}})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, s)
	h := site.Handler()
	do := func(method, path, ctype, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for payload, want := range map[string]Outcome{p.Payload: OutcomeValid, "": OutcomeUnrecognized,
		"x": OutcomeUnrecognized, strings.Repeat("9", 30000): OutcomeUnrecognized} {
		body, _ := json.Marshal(map[string]string{"payload": payload})
		rec := do("POST", "/api/v1/passports/verify", "application/json", string(body))
		var a VerifyAnswer
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &a) != nil || a.Result != want {
			t.Errorf("%.20q: %d %s", payload, rec.Code, rec.Body)
		}
		if want == OutcomeValid && (a.Passport == nil || a.Passport.Surname != "Примеров" || a.Label != "Действителен") {
			t.Errorf("valid: %s", rec.Body)
		}
	}
	if rec := do("POST", "/api/v1/passports/verify", "application/json", "{"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad JSON: %d", rec.Code)
	}
	if rec := do("POST", "/api/v1/passports/verify", "application/json", strings.Repeat(" ", 1<<20)+"{}"); rec.Code >= 500 {
		t.Errorf("huge: %d", rec.Code)
	}
	if rec := do("GET", "/verify", "", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="payload"`) {
		t.Errorf("page: %d", rec.Code)
	}
	for _, path := range []string{CertsPath, RootPath, StatusPath} {
		if rec := do("GET", path, "", ""); rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
}
