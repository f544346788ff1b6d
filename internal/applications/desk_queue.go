package applications

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
)

// The queue page: the open applications of the operator's agency, a page at a time, narrowed
// by a GET form (service, status, assignee) that works without JavaScript; the next page is a
// link carrying the filter and the cursor.

type queueRow struct {
	ID, Number, Service, Status, Deadline, Assignee string
	Overdue                                         bool
}

type deskPage struct {
	web.Page
	Rows        []queueRow
	Overdue     int
	OverdueMore bool // more than Overdue (OverdueCap)
	// Filter is the form's state; Services, States and Assignees its choices.
	Service, State, Assignee    string
	Services, States, Assignees []optionView
	Next, First                 string // links to the next and the first page; "" for none
	Filtered                    bool
}

// assignee filter values of the form.
const (
	assigneeMine       = "mine"
	assigneeUnassigned = "unassigned"
)

// agencyServices returns the services the operator's agency reviews (nil: all of them).
func (h *Handler) agencyServices(ctx context.Context, pr *web.Principal) ([]string, error) {
	if pr.Kind == web.Admin {
		return nil, nil
	}
	agency, err := h.store.OperatorAgency(ctx, pr.ID)
	if err != nil {
		return nil, err
	}
	return h.store.AgencyServices(agency), nil
}

func (h *Handler) deskPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := operator(w, r)
	if !ok {
		return err
	}
	ctx := r.Context()
	scope, err := h.agencyServices(ctx, pr)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := h.site.Printer(r)
	lang := p.Lang()
	page := &deskPage{Service: q.Get("service"), State: q.Get("status"), Assignee: q.Get("assignee")}
	page.Title = p.T("applications.desk.title")
	f := QueueFilter{Services: scope}
	page.Services = append(page.Services, optionView{Label: p.T("applications.desk.filter.any_service")})
	for _, svc := range h.catalogue.Services {
		if scope != nil && !contains(scope, svc.Code) {
			continue
		}
		o := optionView{Value: svc.Code, Label: svc.Name.In(lang), Selected: svc.Code == page.Service}
		if o.Selected {
			f.Service = svc.Code
		}
		page.Services = append(page.Services, o)
	}
	page.States = append(page.States, optionView{Label: p.T("applications.desk.filter.any_status")})
	for _, st := range States {
		if !st.Open() {
			continue
		}
		o := optionView{Value: string(st), Label: p.T("applications.status." + string(st)), Selected: string(st) == page.State}
		if o.Selected {
			f.State = st
		}
		page.States = append(page.States, o)
	}
	for _, a := range []struct{ value, key string }{{"", "applications.desk.filter.anyone"},
		{assigneeMine, "applications.desk.filter.mine"}, {assigneeUnassigned, "applications.desk.filter.unassigned"}} {
		page.Assignees = append(page.Assignees, optionView{Value: a.value, Label: p.T(a.key), Selected: a.value == page.Assignee})
	}
	switch page.Assignee {
	case assigneeMine:
		f.Assignee = pr.ID
	case assigneeUnassigned:
		f.Unassigned = true
	}
	page.Filtered = f.Service != "" || f.State != "" || f.Assignee != "" || f.Unassigned

	res, err := h.store.QueuePage(ctx, f, q.Get("after"), PageSize)
	if err != nil {
		return err
	}
	if page.Overdue, page.OverdueMore, err = h.store.CountOverdue(ctx, f); err != nil {
		return err
	}
	now := h.store.now()
	for _, a := range res.Items {
		row := queueRow{ID: a.ID, Number: a.Number, Status: p.T("applications.status." + string(a.State)),
			Overdue: a.Overdue(now), Assignee: p.T("applications.desk.nobody")}
		if !a.Deadline.IsZero() {
			row.Deadline = p.MoscowTime(a.Deadline)
		}
		if svc, ok := h.catalogue.Service(a.Service); ok {
			row.Service = svc.Name.In(lang)
		}
		switch a.Assignee {
		case "":
		case pr.ID:
			row.Assignee = p.T("applications.desk.you")
		default:
			row.Assignee = a.Assignee
		}
		page.Rows = append(page.Rows, row)
	}
	filter := url.Values{}
	for k, v := range map[string]string{"service": f.Service, "status": string(f.State), "assignee": page.Assignee} {
		if v != "" {
			filter.Set(k, v)
		}
	}
	if res.Next != "" {
		next := url.Values{"after": {res.Next}}
		for k, v := range filter {
			next[k] = v
		}
		page.Next = "/desk?" + next.Encode()
	}
	if q.Get("after") != "" {
		page.First = "/desk"
		if len(filter) > 0 {
			page.First += "?" + filter.Encode()
		}
	}
	return h.site.Render(w, r, http.StatusOK, "applications_desk", page)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// previewView is a document the desk card shows inline: an image, or a PDF in a frame.
type previewView struct {
	Label, Link string
	Image, PDF  bool
}

func (h *Handler) previews(r *http.Request, p *i18n.Printer, svc *services.Service, a *Application) ([]previewView, error) {
	var out []previewView
	for _, d := range svc.Documents {
		docID := a.Documents[d.Kind]
		if docID == "" {
			continue
		}
		doc, err := h.docs.Get(r.Context(), docID)
		if errs.KindOf(err) == errs.NotFound {
			continue // removed meanwhile (retention): the card's list says so
		}
		if err != nil {
			return nil, err
		}
		out = append(out, previewView{Label: d.Name.In(p.Lang()), Link: "/desk/" + a.ID + "/documents/" + d.Kind,
			Image: doc.Type == documents.JPEG || doc.Type == documents.PNG, PDF: doc.Type == documents.PDF})
	}
	return out, nil
}

// Levels reads an account's registry checks (the checks of its profile's passport, СНИЛС and
// ИНН); *id.Service is one. The desk card shows them when the Identity given to Register is
// one.
type Levels interface {
	Level(ctx context.Context, a *id.Account) (*id.LevelState, error)
}

// registryView is one registry check of the applicant, as the card shows it.
type registryView struct {
	Registry, Status, Reason, CheckedAt string
	Confirmed                           bool
}

// registryResults are the applicant's registry checks — those of their account's current
// profile, which the application's form was prefilled from.
func (h *Handler) registryResults(r *http.Request, p *i18n.Printer, a *Application) ([]registryView, bool, error) {
	levels, ok := h.ids.(Levels)
	if !ok || h.ids == nil {
		return nil, false, nil
	}
	acc, err := h.ids.Account(r.Context(), a.AccountID)
	if err != nil {
		return nil, false, err
	}
	st, err := levels.Level(r.Context(), acc)
	if err != nil {
		return nil, false, err
	}
	var out []registryView
	for _, c := range st.Checks {
		v := registryView{Registry: p.T("registry.name." + string(c.Registry)), Confirmed: c.Status == string(registry.Confirmed)}
		if c.Status == id.NotRequested {
			v.Status = p.T("applications.desk.registry.not_requested")
		} else {
			v.Status = p.T("registry.status." + c.Status)
		}
		if c.Reason != "" {
			v.Reason = p.T("registry.reason." + string(c.Reason))
		}
		if !c.CheckedAt.IsZero() {
			v.CheckedAt = p.MoscowTime(c.CheckedAt)
		}
		out = append(out, v)
	}
	return out, true, nil
}
