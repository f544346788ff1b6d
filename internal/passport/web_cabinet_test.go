package passport

import (
	"bytes"
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

// headerAuth makes the principal of a test request from its X-Test-Principal header
// ("kind:id").
type headerAuth struct{}

func (headerAuth) Authenticate(r *http.Request) (*web.Principal, error) {
	kind, id, ok := strings.Cut(r.Header.Get("X-Test-Principal"), ":")
	if !ok {
		return nil, nil
	}
	return &web.Principal{Kind: web.PrincipalKind(kind), ID: id, Session: "s-" + id}, nil
}

// The holder sees, downloads and reports their own passport; another account's number is a
// 404 on every route; an operator annuls with a reason, and only an operator.
func TestCabinet(t *testing.T) {
	c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
	s := newService(t, dbtest.Open(t, dbtest.SQLiteURL(t)), c)
	ctx := context.Background()
	mine, err := s.IssueDemo(ctx, 1, "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	theirs, _ := s.IssueDemo(ctx, 2, "acc-2")
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates},
		Authenticators: []web.Authenticator{headerAuth{}}})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, s)
	h := site.Handler()
	do := func(who, method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if who != "" {
			req.Header.Set("X-Test-Principal", who)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("", "GET", CabinetPath, ""); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/id/signin") {
		t.Errorf("anonymous: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	rec := do("citizen:acc-1", "GET", CabinetPath, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), mine.Number) || !strings.Contains(rec.Body.String(), "Действителен") ||
		strings.Contains(rec.Body.String(), theirs.Number) {
		t.Fatalf("cabinet: %d %s", rec.Code, rec.Body)
	}
	for _, sfx := range []string{"/pdf?layout=a4", "/pdf?layout=card", "/qr.png", "/qr.svg", "/report", "/reissue"} {
		if rec := do("citizen:acc-1", "GET", CabinetPath+"/"+mine.Number+sfx, ""); rec.Code != 200 {
			t.Errorf("%s: %d %s", sfx, rec.Code, rec.Body)
		}
		if rec := do("citizen:acc-1", "GET", CabinetPath+"/"+theirs.Number+sfx, ""); rec.Code != http.StatusNotFound {
			t.Errorf("another's %s: %d", sfx, rec.Code)
		}
	}
	if rec := do("citizen:acc-1", "GET", CabinetPath+"/"+mine.Number+"/pdf?layout=a4", ""); !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) ||
		rec.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("pdf: %q", rec.Header())
	}
	if rec := do("citizen:acc-1", "POST", "/api/v1/passport/"+theirs.Number+"/report", `{"reason":"lost"}`); rec.Code != http.StatusNotFound {
		t.Errorf("reporting another's: %d", rec.Code)
	}
	if rec := do("citizen:acc-1", "POST", "/api/v1/passport/"+mine.Number+"/report", `{"reason":"bored"}`); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), `"reason"`) {
		t.Errorf("bad reason: %d %s", rec.Code, rec.Body)
	}
	if rec := do("citizen:acc-1", "POST", "/api/v1/passport/"+mine.Number+"/report", `{"reason":"lost"}`); rec.Code != http.StatusNoContent {
		t.Fatalf("report: %d %s", rec.Code, rec.Body)
	}
	if r, _ := s.Verify(ctx, nil, mine.Payload); r.Outcome != OutcomeSuspended {
		t.Errorf("after the report: %s", r.Outcome)
	}
	if rec := do("citizen:acc-1", "POST", "/api/v1/passport/"+mine.Number+"/reissue", `{"what":"name","note":"вышла замуж"}`); rec.Code != http.StatusCreated {
		t.Fatalf("reissue: %d %s", rec.Code, rec.Body)
	}
	if rec := do("citizen:acc-1", "POST", "/api/v1/passport/"+mine.Number+"/reissue", `{"what":"name"}`); rec.Code != http.StatusConflict {
		t.Errorf("second reissue: %d %s", rec.Code, rec.Body)
	}
	rec = do("citizen:acc-1", "GET", "/api/v1/passport", "")
	var got struct {
		Passports []PassportJSON `json:"passports"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil || len(got.Passports) != 1 ||
		got.Passports[0].Status != Suspended || len(got.Passports[0].Checks) != 1 || got.Passports[0].Checks[0].Checker != "anonymous" ||
		len(got.Passports[0].Requests) != 1 || !got.Passports[0].Requests[0].Open {
		t.Errorf("API: %d %s", rec.Code, rec.Body)
	}
	// Operators.
	if rec := do("citizen:acc-1", "POST", "/api/v1/operator/passports/"+theirs.Number+"/annul", `{"reason":"решение суда"}`); rec.Code != http.StatusForbidden {
		t.Errorf("a citizen annulled: %d", rec.Code)
	}
	if rec := do("operator:op-1", "POST", "/api/v1/operator/passports/"+theirs.Number+"/annul", `{"reason":""}`); rec.Code != http.StatusBadRequest {
		t.Errorf("no reason: %d %s", rec.Code, rec.Body)
	}
	if rec := do("operator:op-1", "POST", "/api/v1/operator/passports/"+theirs.Number+"/annul", `{"reason":"решение суда"}`); rec.Code != http.StatusNoContent {
		t.Errorf("annul: %d %s", rec.Code, rec.Body)
	}
	if r, _ := s.Verify(ctx, nil, theirs.Payload); r.Outcome != OutcomeAnnulled {
		t.Errorf("after the annulment: %s", r.Outcome)
	}
	rec = do("operator:op-1", "POST", "/api/v1/operator/passports/"+mine.Number+"/reissue", `{"reason":"смена фамилии"}`)
	var np struct{ Number string }
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &np) != nil || np.Number == mine.Number {
		t.Fatalf("reissue: %d %s", rec.Code, rec.Body)
	}
	ps, _ := s.OfAccount(ctx, "acc-1")
	if len(ps) != 2 || ps[0].Number != np.Number || ps[0].Status != Valid || ps[1].Status != Annulled || ps[1].Reason != ReasonDataChanged {
		t.Errorf("after the re-issue: %+v", ps)
	}
	if rec := do("operator:op-1", "GET", OperatorPath+"?number="+np.Number, ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Действителен") {
		t.Errorf("operator page: %d %s", rec.Code, rec.Body)
	}
	if rec := do("citizen:acc-1", "GET", OperatorPath, ""); rec.Code != http.StatusForbidden {
		t.Errorf("operator page for a citizen: %d", rec.Code)
	}
}
