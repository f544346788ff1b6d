package applications

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// EPassport is the service whose approval issues an electronic passport.
const EPassport = "e-passport"

func (h *Handler) registerDesk(s *web.Site) {
	s.Handle("GET /desk", h.deskPage)
	s.Handle("GET /desk/report", h.reportPage)
	s.Handle("GET /desk/{id}", h.deskCard)
	s.Handle("GET /desk/{id}/documents/{kind}", h.deskDocument)
	s.Handle("POST /desk/{id}/take", h.deskTake)
	s.Handle("POST /desk/{id}/correction", h.deskCorrection)
	s.Handle("POST /desk/{id}/approve", h.deskApprove)
	s.Handle("POST /desk/{id}/reject", h.deskReject)
}

// operator is the signed-in operator; anybody else gets 404 (the desk is not theirs to know
// of), and nobody signed in is sent to the sign-in.
func operator(w http.ResponseWriter, r *http.Request) (*web.Principal, bool, error) {
	p, ok := web.PrincipalOf(r)
	if ok && p.Kind == web.Operator {
		return p, true, nil
	}
	if !ok && r.Method == http.MethodGet {
		http.Redirect(w, r, "/id/signin?return="+r.URL.EscapedPath(), http.StatusSeeOther)
		return nil, false, nil
	}
	return nil, false, ErrNotFound
}

type deskCardPage struct {
	*cardPage
	Errors                         map[string]string
	Summary                        []fieldMessage
	Notice                         string
	Assignee, Issued               string
	Mine, CanDecide, CanAskCorrect bool
	FieldNames, DocumentKinds      []optionView
	Previews                       []previewView
	// Registry are the results of the applicant's registry checks; RegistryKnown is false
	// where this instance cannot read them.
	Registry      []registryView
	RegistryKnown bool
}

// queued is the application of the path as the operator sees it: any not a draft.
func (h *Handler) queued(w http.ResponseWriter, r *http.Request) (*web.Principal, *Application, *services.Service, bool, error) {
	pr, ok, err := operator(w, r)
	if !ok {
		return nil, nil, nil, false, err
	}
	a, err := h.store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, nil, false, err
	}
	agency, err := h.store.OperatorAgency(r.Context(), pr.ID)
	if err != nil {
		return nil, nil, nil, false, err
	}
	svc, found := h.catalogue.Service(a.Service)
	if a.State == Draft || !found || svc.Agency != agency {
		return nil, nil, nil, false, ErrNotFound // a draft is the applicant's alone; another agency's is not known here
	}
	return pr, a, svc, true, nil
}

func (h *Handler) deskCard(w http.ResponseWriter, r *http.Request) error {
	pr, a, svc, ok, err := h.queued(w, r)
	if !ok {
		return err
	}
	return h.renderDeskCard(w, r, pr, a, svc, &form{}, "", http.StatusOK)
}

func (h *Handler) renderDeskCard(w http.ResponseWriter, r *http.Request, pr *web.Principal, a *Application, svc *services.Service, f *form, issued string, status int) error {
	p := h.site.Printer(r)
	c, err := h.card(r, p, svc, a)
	if err != nil {
		return err
	}
	page := &deskCardPage{cardPage: c, Errors: f.Errors, Summary: f.Summary, Notice: f.Notice, Mine: a.Assignee == pr.ID,
		Issued: issued, CanDecide: a.State == InReview && a.Assignee == pr.ID}
	page.CanAskCorrect = page.CanDecide
	lang := p.Lang()
	for _, fd := range svc.Fields {
		page.FieldNames = append(page.FieldNames, optionView{Value: fd.Name, Label: fd.Label.In(lang)})
	}
	for _, d := range svc.Documents {
		page.DocumentKinds = append(page.DocumentKinds, optionView{Value: d.Kind, Label: d.Name.In(lang)})
	}
	for i := range page.Documents {
		if page.Documents[i].Value != "" {
			page.Documents[i].Link = "/desk/" + a.ID + "/documents/" + svc.Documents[i].Kind
		} else {
			page.Documents[i].Link = ""
		}
	}
	for i := range page.Fields {
		page.Fields[i].Link = ""
	}
	if page.Previews, err = h.previews(r, p, svc, a); err != nil {
		return err
	}
	if page.Registry, page.RegistryKnown, err = h.registryResults(r, p, a); err != nil {
		return err
	}
	return h.site.Render(w, r, status, "applications_desk_card", page)
}

func (h *Handler) deskDocument(w http.ResponseWriter, r *http.Request) error {
	_, a, _, ok, err := h.queued(w, r)
	if !ok {
		return err
	}
	if a.Documents[r.PathValue("kind")] == "" {
		return ErrNotFound
	}
	// The card shows the document in a frame of its own origin (a PDF) or as an image: the
	// site's frame-ancestors 'none' is relaxed to 'self' for this response alone.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; frame-ancestors 'self'")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	return h.serveDocument(w, r, a, r.PathValue("kind"))
}

func (h *Handler) deskTake(w http.ResponseWriter, r *http.Request) error {
	pr, a, _, ok, err := h.queued(w, r)
	if !ok {
		return err
	}
	if _, err := h.store.Take(r.Context(), r, pr.ID, a.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/desk/"+a.ID, http.StatusSeeOther)
	return nil
}

// decision runs one decision of the operator on the application of the path; field errors
// (a missing reason or remark) are shown on the page.
func (h *Handler) decision(w http.ResponseWriter, r *http.Request, do func(pr *web.Principal, a *Application, svc *services.Service) (string, error)) error {
	pr, a, svc, ok, err := h.queued(w, r)
	if !ok {
		return err
	}
	if a.Assignee != pr.ID {
		return errs.E(errs.Conflict, "applications.not_taken", nil)
	}
	issued, err := do(pr, a, svc)
	if fe, isFields := err.(FieldErrors); isFields {
		f := &form{}
		p := h.site.Printer(r)
		for _, name := range []string{"remark", "reason"} {
			if e, ok := fe[name]; ok {
				f.add(name, message(p, e))
			}
		}
		return h.renderDeskCard(w, r, pr, a, svc, f, "", http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	if issued != "" {
		a, err = h.store.Get(r.Context(), a.ID)
		if err != nil {
			return err
		}
		return h.renderDeskCard(w, r, pr, a, svc, &form{}, issued, http.StatusOK)
	}
	http.Redirect(w, r, "/desk/"+a.ID, http.StatusSeeOther)
	return nil
}

func (h *Handler) deskCorrection(w http.ResponseWriter, r *http.Request) error {
	return h.decision(w, r, func(pr *web.Principal, a *Application, svc *services.Service) (string, error) {
		c := Correction{Remark: r.PostFormValue("remark")}
		for _, f := range r.PostForm["fields"] {
			if _, ok := svc.Field(f); ok {
				c.Fields = append(c.Fields, f)
			}
		}
		for _, k := range r.PostForm["documents"] {
			if _, ok := svc.Document(k); ok {
				c.Documents = append(c.Documents, k)
			}
		}
		if len(c.Fields)+len(c.Documents) == 0 {
			return "", FieldErrors{"remark": errs.E(errs.Invalid, "applications.correction_empty", nil)}
		}
		_, err := h.store.AskCorrection(r.Context(), r, pr.ID, a.ID, c)
		return "", err
	})
}

func (h *Handler) deskReject(w http.ResponseWriter, r *http.Request) error {
	return h.decision(w, r, func(pr *web.Principal, a *Application, _ *services.Service) (string, error) {
		_, err := h.store.Reject(r.Context(), r, pr.ID, a.ID, r.PostFormValue("reason"))
		return "", err
	})
}

// deskApprove approves; approving «Электронный паспорт» then issues the passport with the
// holder's data from the application (a failure to issue is an error the operator sees; the
// approval stands and the passport can be issued again from the desk later — not yet built).
func (h *Handler) deskApprove(w http.ResponseWriter, r *http.Request) error {
	return h.decision(w, r, func(pr *web.Principal, a *Application, _ *services.Service) (string, error) {
		if _, err := h.store.Approve(r.Context(), r, pr.ID, a.ID, ""); err != nil {
			return "", err
		}
		if a.Service != EPassport || h.passports == nil {
			return "", nil
		}
		holder, err := h.holder(r.Context(), a)
		if err != nil {
			return "", err
		}
		pp, err := h.passports.Issue(r.Context(), holder)
		if err != nil {
			return "", fmt.Errorf("applications: issue the passport of %s: %w", a.ID, err)
		}
		return h.site.Printer(r).T("applications.desk.passport_issued", "number", pp.Number), nil
	})
}

// holder is the passport holder an «Электронный паспорт» application describes.
func (h *Handler) holder(ctx context.Context, a *Application) (passport.Holder, error) {
	v := a.Values
	given := strings.TrimSpace(v["first_name"] + " " + v["middle_name"])
	hd := passport.Holder{AccountID: a.AccountID, Surname: v["last_name"], GivenNames: given, BirthPlace: v["birth_place"],
		SNILS: v["snils"], INN: v["inn"]}
	if t, err := ruid.ParseDate(v["birth_date"]); err == nil {
		hd.BirthDate = t
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, v["passport"])
	if len(digits) == 10 {
		hd.PaperSeries, hd.PaperNumber = digits[:4], digits[4:]
	}
	if photo := a.Documents["photo"]; photo != "" {
		_, rc, err := h.docs.Open(ctx, photo)
		if err != nil {
			return hd, err
		}
		defer rc.Close()
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, io.LimitReader(rc, services.MaxDocumentBytes)); err != nil {
			return hd, err
		}
		hd.Photo = buf.Bytes()
	}
	return hd, nil
}
