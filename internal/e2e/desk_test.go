package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/applications"
	"github.com/sep-platform/sep/internal/audit"
)

// inReview waits until the background checks have put the application in review.
func inReview(t *testing.T, sep *Instance, appID string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		a, err := sep.Applications.Get(context.Background(), appID)
		if err != nil {
			t.Fatal(err)
		}
		if a.State == applications.InReview {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("application %s still %s", appID, a.State)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// body GETs a page with c's session.
func body(t *testing.T, sep *Instance, c *apitest.Client, path string) (int, string) {
	t.Helper()
	resp, err := c.HTTP.Get(sep.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var svgRe = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// The operator's desk: the overdue application is marked in words and counted; the filter
// form works without JavaScript; the report page's charts are well-formed SVG with a table
// beside; an operator of another agency neither sees the applications nor opens their cards.
func TestDeskFilterReportAndAgencyInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen, op := users["citizen/standard"], users["operator"]
	ctx := context.Background()
	acc, err := sep.ID.AccountByLogin(ctx, nil, citizen.Email)
	if err != nil {
		t.Fatal(err)
	}
	late, onTime := submitted(t, sep, acc.ID, passportForm(citizen)), submitted(t, sep, acc.ID, passportForm(citizen))
	inReview(t, sep, late.ID)
	inReview(t, sep, onTime.ID)
	if _, err := sep.DB.Writer().Exec(`UPDATE applications SET deadline_at = $2 WHERE id = $1`, late.ID,
		time.Now().Add(-time.Hour).UTC()); err != nil {
		t.Fatal(err)
	}

	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, op)
	b.Open(sep.URL + "/desk")
	b.CheckA11y()
	if s := b.Text("#overdue"); !strings.Contains(s, "1") {
		t.Errorf("overdue count %q", s)
	}
	if s := b.Text(`#queue tr[data-id="` + late.ID + `"] .overdue-mark`); !strings.Contains(s, "Просрочено") {
		t.Errorf("the overdue row says %q", s)
	}
	if n := Eval[int](b, `document.querySelectorAll('#queue tr[data-overdue]').length`); n != 1 {
		t.Errorf("%d rows marked overdue, want 1", n)
	}
	b.Do(chromedp.SetValue(chromedp.CSS("#filter-status"), "needs_correction"))
	b.Submit("#filter-apply")
	if n := Eval[int](b, `document.querySelectorAll('#queue tbody tr').length`); n != 0 {
		t.Errorf("%d rows awaiting a correction, want none", n)
	}
	b.CheckA11y()
	b.Do(chromedp.SetValue(chromedp.CSS("#filter-status"), "in_review"), chromedp.SetValue(chromedp.CSS("#filter-assignee"), "unassigned"))
	b.Submit("#filter-apply")
	if n := Eval[int](b, `document.querySelectorAll('#queue tbody tr').length`); n != 2 {
		t.Errorf("%d unassigned rows in review, want 2", n)
	}
	if v := b.Attr("#filter-status option[selected]", "value"); v != "in_review" {
		t.Errorf("the form forgot the filter: %q", v)
	}
	b.Open(sep.URL + "/desk/report")
	b.CheckA11y()
	if s := b.Text("#total"); s != "2" {
		t.Errorf("report total %q, want 2", s)
	}
	if s := b.Text("#report-overdue"); s != "1" {
		t.Errorf("report overdue %q, want 1", s)
	}
	b.Open(sep.URL + "/desk/" + late.ID)
	b.CheckA11y()
	if n := Eval[int](b, `document.querySelectorAll('#registry tbody tr').length`); n != 3 {
		t.Errorf("%d registry checks on the card, want passport, СНИЛС and ИНН", n)
	}

	// The same desk over HTTP: the charts parse as XML; another agency sees nothing.
	desk := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, desk, op)
	code, page := body(t, sep, desk, "/desk/report")
	svgs := svgRe.FindAllString(page, -1)
	if code != http.StatusOK || len(svgs) != 2 { // by status, by service; no decision yet, so no medians
		t.Fatalf("report %d with %d charts", code, len(svgs))
	}
	for _, svg := range svgs {
		dec := xml.NewDecoder(bytes.NewReader([]byte(svg)))
		var titles int
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("a chart is not well-formed XML: %v\n%s", err, svg)
			}
			if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "title" || se.Name.Local == "desc") {
				titles++
			}
		}
		if titles != 2 {
			t.Errorf("a chart without its title and description:\n%s", svg)
		}
	}
	opAcc, err := sep.ID.AccountByLogin(ctx, nil, op.Email)
	if err != nil {
		t.Fatal(err)
	}
	if err := sep.Applications.SetOperatorAgency(ctx, nil, audit.ActorSystem, "cli", opAcc.ID, "mvd"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/desk/" + late.ID, "/desk/" + late.ID + "/documents/photo"} {
		if code, _ := body(t, sep, desk, path); code != http.StatusNotFound {
			t.Errorf("an operator of another agency: GET %s → %d, want 404", path, code)
		}
	}
	if code, page := body(t, sep, desk, "/desk"); code != http.StatusOK || strings.Contains(page, late.ID) || strings.Contains(page, onTime.ID) {
		t.Errorf("an operator of another agency sees the queue (%d)", code)
	}
	if _, page := body(t, sep, desk, "/desk/report"); !strings.Contains(page, `<dd id="total">0</dd>`) {
		t.Error("an operator of another agency has the report's figures")
	}
}
