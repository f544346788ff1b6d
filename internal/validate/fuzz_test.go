package validate

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// Whatever is typed, every kind answers 200 with one of the two shapes: a
// value ruid cannot judge would be a 500, and a form would lose its feedback.
func FuzzValidate(f *testing.F) {
	site, err := web.NewSite(web.Options{})
	if err != nil {
		f.Fatal(err)
	}
	Register(site, func() time.Time { return today })
	h := site.Handler()
	for _, c := range cases {
		f.Add(c.kind, c.value, "01.02.2010")
	}
	f.Add("passport", "4508 123456", "31.02.2010")
	f.Add("email", "a@b\u0000.ru", "")
	f.Fuzz(func(t *testing.T, kind, value, date string) {
		if _, ok := ruid.LookupKind(kind); !ok || len(value) > MaxValueLen || len(date) > MaxValueLen {
			return
		}
		q := url.Values{"value": {value}, "issue_date": {date}, "birth_date": {date}, "bik": {date}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/validate/"+kind+"?"+q.Encode(), nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %q: status %d: %s", kind, value, rec.Code, rec.Body)
		}
		var body struct {
			Valid      bool
			Normalized *string
			Code       *string
			Message    *string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		switch {
		case body.Valid && (body.Normalized == nil || body.Code != nil):
			t.Fatalf("%s %q: %s", kind, value, rec.Body)
		case !body.Valid && (body.Code == nil || body.Message == nil || *body.Message == "" ||
			!slices.Contains(ruid.Codes(), ruid.Code(*body.Code))):
			t.Fatalf("%s %q: %s", kind, value, rec.Body)
		}
	})
}
