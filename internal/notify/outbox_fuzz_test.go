package notify

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// FuzzOutboxFilter: whatever query string /dev/outbox and /dev/outbox.json get, the filter is
// either refused as invalid input (400 on both) or within its bounds, and then both answer 200
// with only the matching messages.
func FuzzOutboxFilter(f *testing.F) {
	for _, q := range []string{"", "to=%2B79001110001", "to=+7+(900)+111-00-01&kind=signin_code", "limit=1", "limit=500",
		"limit=501", "limit=0", "limit=-1", "limit=1e3", "to=" + strings.Repeat("a", 255), "to=%3Cscript%3E", "kind=%00",
		"to=%zz", "to=BORIS@EXAMPLE.RU&to=x", ";limit=2"} {
		f.Add(q)
	}
	d := dbtest.Open(f, dbtest.SQLiteURL(f))
	n := newTestNotifier(f, d, Options{Outbox: true})
	runWorkers(f, n)
	for _, m := range []Message{codeMessage(SigninCode, "+79001110001", "111111"),
		{Kind: TestMessage, To: Recipient{Email: "boris@example.ru", Lang: "en"}}} {
		waitFinal(f, n, send(f, n, m))
	}
	site, err := web.NewSite(web.Options{Templates: []fs.FS{Pages}, Demo: true})
	if err != nil {
		f.Fatal(err)
	}
	RegisterOutbox(site, d, testBox)
	h := &outboxHandler{site: site, db: d, box: testBox}
	handler := site.Handler()
	get := func(path, rawQuery string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		r.URL.RawQuery = rawQuery
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		return w
	}

	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := httptest.NewRequest("GET", "/dev/outbox", nil)
		r.URL.RawQuery = rawQuery
		filter, ferr := h.filter(r)
		want := http.StatusOK
		if ferr != nil {
			if errs.KindOf(ferr) != errs.Invalid {
				t.Fatalf("%q: %v is not invalid input", rawQuery, ferr)
			}
			want = http.StatusBadRequest
		} else if filter.Limit < 0 || filter.Limit > 500 || len(filter.To) > 254 || filter.To != strings.TrimSpace(filter.To) {
			t.Fatalf("%q: filter %+v out of bounds", rawQuery, filter)
		}

		js := get("/dev/outbox.json", rawQuery)
		page := get("/dev/outbox", rawQuery)
		if js.Code != want || page.Code != want {
			t.Fatalf("%q: json %d, page %d, want %d", rawQuery, js.Code, page.Code, want)
		}
		if ferr != nil {
			return
		}
		var out outboxJSON
		if err := json.Unmarshal(js.Body.Bytes(), &out); err != nil {
			t.Fatalf("%q: %v", rawQuery, err)
		}
		for _, m := range out.Messages {
			to, _ := normalizeAddress(filter.To)
			if filter.To != "" && m.Recipient != to || filter.Kind != "" && m.Kind != filter.Kind {
				t.Fatalf("%q: %+v does not match the filter %+v", rawQuery, m, filter)
			}
		}
	})
}
