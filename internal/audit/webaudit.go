package audit

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// criteriaOf reads the auditor's criteria from the query string.
func criteriaOf(r *http.Request) Criteria {
	q := r.URL.Query()
	trim := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return Criteria{From: trim("from"), To: trim("to"), Actor: trim("actor"), Org: trim("org")}
}

// auditorPage is the data of templates/audit_export.html.
type auditorPage struct {
	web.Page
	Form     Criteria
	Errors   map[string]string // field → message
	Count    int
	Entries  []entryView
	CSVLink  string
	JSONLink string
}

// deny journals a refused attempt at the auditors' pages and returns the refusal.
func (p *Pages) deny(r *http.Request) error {
	if _, err := p.journal.AppendRequest(r.Context(), nil, r, Entry{Action: ActionView, ObjectType: "audit_journal",
		Outcome: Denied}); err != nil {
		return err
	}
	return errs.E(errs.Forbidden, "audit.error.auditors_only", nil)
}

func (p *Pages) auditor(w http.ResponseWriter, r *http.Request) error {
	who, err := principal(r)
	if err != nil {
		return err
	}
	if !mayAudit(who) {
		return p.deny(r)
	}
	// Auditors see other people's addresses here: their looking is on record too.
	if _, err := p.journal.AppendRequest(r.Context(), nil, r, Entry{Action: ActionView, ObjectType: "audit_journal"}); err != nil {
		return err
	}
	pr := p.site.Printer(r)
	crit := criteriaOf(r)
	f, bad := crit.Filter()
	page := &auditorPage{Form: crit, Errors: map[string]string{}}
	page.Title = pr.T("audit.export.title")
	if len(bad) > 0 {
		for field, id := range bad {
			page.Errors[field] = pr.T(id)
		}
		return p.site.Render(w, r, http.StatusBadRequest, "audit_export", page)
	}
	count, err := p.journal.Count(r.Context(), f)
	if err != nil {
		return err
	}
	page.Count = int(count)
	entries, err := p.journal.Page(r.Context(), f, 0, 20)
	if err != nil {
		return err
	}
	for i := range entries {
		page.Entries = append(page.Entries, view(pr, &entries[i]))
	}
	page.CSVLink, page.JSONLink = "/audit/export.csv", "/audit/export.json"
	if q := crit.query(); q != "" {
		page.CSVLink += "?" + q
		page.JSONLink += "?" + q
	}
	return p.site.Render(w, r, http.StatusOK, "audit_export", page)
}

// query is the criteria as a query string, for the download links.
func (c Criteria) query() string {
	q := url.Values{}
	for k, v := range c.fields() {
		q.Set(k, v)
	}
	return q.Encode()
}

// export streams the filtered journal. The export itself is journaled first, so that even an
// interrupted download is on record.
func (p *Pages) export(format Format) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		who, err := principal(r)
		if err != nil {
			return err
		}
		if !mayAudit(who) {
			return p.deny(r)
		}
		crit := criteriaOf(r)
		f, bad := crit.Filter()
		if len(bad) > 0 {
			return errs.E(errs.Invalid, "audit.error.filter", fmt.Errorf("bad fields %v", bad))
		}
		if _, err := p.journal.AppendRequest(r.Context(), nil, r, crit.ExportEntry(format)); err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", format.ContentType())
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sep-audit-%s.%s"`, time.Now().UTC().Format("20060102-150405"), format))
		h.Set("Cache-Control", "no-store")
		cw := &countingWriter{w: w}
		// A large export outlasts the server's write timeout: each page of entries sent
		// earns another minute.
		rc := http.NewResponseController(w)
		extend := func(n int64) {
			if n%pageSize == 0 {
				rc.SetWriteDeadline(time.Now().Add(time.Minute))
			}
		}
		if _, err := p.journal.Export(r.Context(), cw, f, format, extend); err != nil {
			if cw.n == 0 {
				h.Del("Content-Disposition")
				return err
			}
			// The response has begun; cutting it short is all that is left, and the missing
			// closing bracket (JSON) or row (CSV) shows it.
			p.site.Logger().Error("audit export cut short", "request_id", web.RequestID(r), "err", err)
			panic(http.ErrAbortHandler)
		}
		return nil
	}
}

type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
