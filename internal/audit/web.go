package audit

import (
	"embed"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// Templates are the page templates of the journal, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// Pages serves the journal on the web:
//
//	GET /cabinet/activity       the signed-in principal's own entries, newest first
//	GET /org/activity           an organisation admin's view of the organisation's entries
//	GET /audit                  auditors: filter form, preview, download links
//	GET /audit/export.csv|json  auditors: the filtered journal, streamed
//
// Every handler checks the principal against what it shows: a citizen sees only entries they
// made, an organisation admin only entries of their organisation, and only auditors and
// administrators the whole journal.
type Pages struct {
	site    *web.Site
	journal *Journal
}

// pageLimit is how many entries a page shows.
const pageLimit = 50

// OpenAPI is this package's part of the API document (package api): the JSON export.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Register adds the journal's routes to the site.
func Register(s *web.Site, j *Journal) *Pages {
	p := &Pages{site: s, journal: j}
	s.Handle("GET /cabinet/activity", p.ownActivity)
	s.Handle("GET /org/activity", p.orgActivity)
	s.Handle("GET /audit", p.auditor)
	s.Handle("GET /audit/export.csv", p.export(CSV))
	s.Handle("GET /audit/export.json", p.export(JSON))
	return p
}

func principal(r *http.Request) (*web.Principal, error) {
	p, ok := web.PrincipalOf(r)
	if !ok || p.ID == "" {
		return nil, errs.E(errs.Unauthenticated, "", nil)
	}
	return p, nil
}

// mayAudit: auditors and system administrators see the whole journal. An organisation's
// admin (role "admin" with an OrgID) does not: they have /org/activity.
func mayAudit(p *web.Principal) bool {
	return p.Kind == web.Auditor || p.Kind == web.Admin
}

type detailView struct{ Key, Value string }

// entryView is an entry as the pages show it, with readable names from the catalog.
type entryView struct {
	Seq        int64
	Time       string // UTC, for people
	DateTime   string // RFC 3339, for <time datetime>
	Action     string
	ActionCode string
	Object     string
	Actor      string
	IP         string
	UserAgent  string
	Outcome    string
	Failed     bool
	Details    []detailView
}

// name returns the catalog message key, or fallback when the catalog has no such message.
func name(pr *i18n.Printer, key, fallback string) string {
	if s := pr.T(key); s != key {
		return s
	}
	return fallback
}

func view(pr *i18n.Printer, e *Entry) entryView {
	v := entryView{Seq: e.Seq, Time: e.At.UTC().Format("2006-01-02 15:04:05") + " UTC", DateTime: e.At.UTC().Format(time.RFC3339),
		Action: name(pr, "audit.action."+e.Action, e.Action), ActionCode: e.Action,
		IP: e.IP, UserAgent: e.UserAgent, Outcome: name(pr, "audit.outcome."+string(e.Outcome), string(e.Outcome)),
		Failed: e.Outcome != Success}
	if e.ObjectType != "" {
		v.Object = strings.TrimSpace(name(pr, "audit.object."+e.ObjectType, e.ObjectType) + " " + e.ObjectID)
	}
	v.Actor = name(pr, "audit.actor."+string(e.ActorKind), string(e.ActorKind))
	if e.ActorID != "" {
		v.Actor += " " + e.ActorID
	}
	for _, k := range slices.Sorted(maps.Keys(e.Details)) {
		v.Details = append(v.Details, detailView{k, e.Details[k]})
	}
	return v
}

// activityPage is the data of templates/audit_activity.html.
type activityPage struct {
	web.Page
	Lead    string
	ShowWho bool // the organisation's view names who acted
	Entries []entryView
	Older   string // link to the next page, empty on the last
	Newest  string // link to the first page, empty on it
}

func (p *Pages) ownActivity(w http.ResponseWriter, r *http.Request) error {
	who, err := principal(r)
	if err != nil {
		return err
	}
	return p.activity(w, r, Filter{ActorKind: ActorKind(who.Kind), ActorID: who.ID}, "audit.activity.title", "audit.activity.lead", false)
}

func (p *Pages) orgActivity(w http.ResponseWriter, r *http.Request) error {
	who, err := principal(r)
	if err != nil {
		return err
	}
	if who.OrgID == "" || !who.HasRole("admin") {
		return errs.E(errs.Forbidden, "audit.error.org_admin_only", nil)
	}
	return p.activity(w, r, Filter{OrgID: who.OrgID}, "audit.org.title", "audit.org.lead", true)
}

func (p *Pages) activity(w http.ResponseWriter, r *http.Request, f Filter, title, lead string, showWho bool) error {
	var before int64
	if s := r.URL.Query().Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return errs.E(errs.Invalid, "audit.error.page", err)
		}
		before = n
	}
	entries, err := p.journal.Page(r.Context(), f, before, pageLimit+1)
	if err != nil {
		return err
	}
	pr := p.site.Printer(r)
	page := &activityPage{Lead: pr.T(lead), ShowWho: showWho}
	page.Title = pr.T(title)
	if len(entries) > pageLimit {
		entries = entries[:pageLimit]
		page.Older = r.URL.Path + "?before=" + strconv.FormatInt(entries[pageLimit-1].Seq, 10)
	}
	if before > 0 {
		page.Newest = r.URL.Path
	}
	for i := range entries {
		page.Entries = append(page.Entries, view(pr, &entries[i]))
	}
	return p.site.Render(w, r, http.StatusOK, "audit_activity", page)
}
