package applications

import (
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
)

// answer is one line of the check page or the card: a field's value or a document.
type answer struct {
	Label, Value, Link, Problem string
	Anchor                      string
}

type checkPage struct {
	web.Page
	ID        string
	Problems  []answer
	Fields    []answer
	Documents []answer
}

// answers are a's fields and documents as the applicant gave them, each with its problem.
func (h *Handler) answers(r *http.Request, p *i18n.Printer, svc *services.Service, a *Application) (fields, docs []answer, err error) {
	lang := p.Lang()
	problems := map[string]string{}
	for _, pr := range Problems(svc, a, h.store.now()) {
		problems[pr.Field+"/"+pr.Kind] = message(p, pr.Err)
	}
	for _, f := range svc.Fields {
		v := a.Values[f.Name]
		for _, o := range f.Options {
			if o.Value == v {
				v = o.Label.In(lang)
			}
		}
		fields = append(fields, answer{Label: f.Label.In(lang), Value: v, Anchor: f.Name, Problem: problems[f.Name+"/"],
			Link: "/applications/" + a.ID + "/form?return=check#" + f.Name})
	}
	views, err := h.documentViews(r, p, svc, a, &form{})
	if err != nil {
		return nil, nil, err
	}
	for _, d := range views {
		docs = append(docs, answer{Label: d.Name, Value: d.FileName, Anchor: "doc-" + d.Kind, Problem: problems["/"+d.Kind],
			Link: "/applications/" + a.ID + "/documents#doc-" + d.Kind})
	}
	return fields, docs, nil
}

func (h *Handler) checkPage(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if a.State != Draft {
		http.Redirect(w, r, "/applications/"+a.ID, http.StatusSeeOther)
		return nil
	}
	p := h.site.Printer(r)
	page := &checkPage{ID: a.ID}
	page.Title = p.T("applications.check.title")
	if page.Fields, page.Documents, err = h.answers(r, p, svc, a); err != nil {
		return err
	}
	for _, x := range append(append([]answer{}, page.Fields...), page.Documents...) {
		if x.Problem != "" {
			page.Problems = append(page.Problems, x)
		}
	}
	return h.site.Render(w, r, http.StatusOK, "applications_check", page)
}

type submitPage struct {
	form
	ID, Service string
	Biometric   bool
	CodeSent    bool
	Consent     bool
	BioConsent  bool
}

// codeAction names the submission an SMS code confirms: one application, never another.
func codeAction(a *Application) string { return "application.submit:" + a.ID }

func (h *Handler) submitPage(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if a.State != Draft {
		http.Redirect(w, r, "/applications/"+a.ID, http.StatusSeeOther)
		return nil
	}
	if len(Problems(svc, a, h.store.now())) > 0 {
		http.Redirect(w, r, "/applications/"+a.ID+"/check", http.StatusSeeOther)
		return nil
	}
	return h.renderSubmit(w, r, a, svc, &submitPage{}, http.StatusOK)
}

func (h *Handler) renderSubmit(w http.ResponseWriter, r *http.Request, a *Application, svc *services.Service, page *submitPage, status int) error {
	p := h.site.Printer(r)
	page.ID, page.Service, page.Biometric = a.ID, svc.Name.In(p.Lang()), svc.Biometric()
	page.Title = p.T("applications.submit.title")
	return h.site.Render(w, r, status, "applications_submit", page)
}

// submit sends the SMS code (op=code), or checks it with the consents and submits. A second
// submission of an application already submitted shows its confirmation again.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	done := "/applications/" + a.ID + "/done"
	if a.State != Draft {
		http.Redirect(w, r, done, http.StatusSeeOther)
		return nil
	}
	p := h.site.Printer(r)
	page := &submitPage{Consent: r.PostFormValue("consent") == "yes", BioConsent: r.PostFormValue("biometric_consent") == "yes",
		CodeSent: r.PostFormValue("code_sent") == "yes"}
	if r.PostFormValue("op") == "code" {
		err := h.ids.SendActionCode(r.Context(), a.AccountID, codeAction(a))
		if err != nil && !shown(err) {
			return err
		}
		if err != nil {
			page.Notice = message(p, err)
		} else {
			page.CodeSent = true
		}
		return h.renderSubmit(w, r, a, svc, page, http.StatusOK)
	}
	if !page.Consent {
		page.add("consent", p.T("applications.consent_required"))
	}
	if svc.Biometric() && !page.BioConsent {
		page.add("biometric_consent", p.T("applications.biometric_consent_required"))
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		page.add("code", p.T("applications.code_required"))
	}
	if len(page.Summary) > 0 {
		return h.renderSubmit(w, r, a, svc, page, http.StatusUnprocessableEntity)
	}
	if err := h.ids.CheckActionCode(r.Context(), a.AccountID, codeAction(a), code); err != nil {
		if !shown(err) {
			return err
		}
		page.add("code", message(p, err))
		return h.renderSubmit(w, r, a, svc, page, http.StatusUnprocessableEntity)
	}
	if _, err := h.store.Submit(r.Context(), r, a.AccountID, a.ID, true); err != nil {
		if !shown(err) {
			return err
		}
		page.Notice = message(p, err)
		return h.renderSubmit(w, r, a, svc, page, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
	return nil
}

type donePage struct {
	web.Page
	ID, Number string
	Copy       bool // the signed PDF copy can be downloaded
}

func (h *Handler) donePage(w http.ResponseWriter, r *http.Request) error {
	a, _, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if a.State == Draft {
		http.Redirect(w, r, "/applications/"+a.ID+"/submit", http.StatusSeeOther)
		return nil
	}
	p := h.site.Printer(r)
	page := &donePage{ID: a.ID, Number: a.Number, Copy: h.copyOffered(a)}
	page.Title = p.T("applications.done.title")
	return h.site.Render(w, r, http.StatusOK, "applications_done", page)
}

type eventView struct {
	At, What, Status, Note string
}

type cardPage struct {
	web.Page
	ID, Number, Service, Status, State, Submitted, Deadline, Reason string
	Draft, CanWithdraw, Correcting, Copy                            bool
	Correction                                                      []string
	Remark, CorrectionDue                                           string
	Lapse, Paused                                                   string // what the lapse does; that it paused
	Fields, Documents                                               []answer
	History                                                         []eventView
	LiveAfter                                                       int64 // the live status follows from here (live.go)
}

func (h *Handler) cardPage(w http.ResponseWriter, r *http.Request) error {
	after, err := h.liveAfter(r)
	if err != nil {
		return err
	}
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	p := h.site.Printer(r)
	page, err := h.card(r, p, svc, a)
	if err != nil {
		return err
	}
	page.CanWithdraw = May(a.State, Withdraw, Applicant)
	page.LiveAfter = after
	page.Copy = h.copyOffered(a)
	return h.site.Render(w, r, http.StatusOK, "applications_card", page)
}

// card is what the citizen's card and the operator's page both show of a.
func (h *Handler) card(r *http.Request, p *i18n.Printer, svc *services.Service, a *Application) (*cardPage, error) {
	lang := p.Lang()
	page := &cardPage{ID: a.ID, Number: a.Number, Service: svc.Name.In(lang), Status: h.status(p, a), State: string(a.State),
		Submitted: p.MoscowTime(a.SubmittedAt), Reason: a.Reason, Draft: a.State == Draft, Correcting: a.State == NeedsCorrection}
	if a.SubmittedAt.IsZero() {
		page.Submitted = ""
	}
	page.Title = p.T("applications.card.title", "number", a.Number)
	if a.State == Draft {
		page.Title = p.T("applications.card.draft_title", "service", page.Service)
	}
	if a.State.Open() && !a.Deadline.IsZero() {
		page.Deadline = p.MoscowTime(a.Deadline)
	}
	if c := a.Correction; c != nil && a.State == NeedsCorrection {
		page.Remark, page.CorrectionDue = c.Remark, p.MoscowTime(c.Due)
		if c.Lapsed.IsZero() {
			page.Lapse = p.T("applications.deadlines.lapse."+string(svc.Workflow.OnCorrectionLapse), "due", page.CorrectionDue)
		} else {
			page.Paused = p.T("applications.deadlines.paused", "due", page.CorrectionDue)
		}
		for _, f := range c.Fields {
			if fd, ok := svc.Field(f); ok {
				page.Correction = append(page.Correction, fd.Label.In(lang))
			}
		}
		for _, k := range c.Documents {
			if d, ok := svc.Document(k); ok {
				page.Correction = append(page.Correction, d.Name.In(lang))
			}
		}
	}
	var err error
	if page.Fields, page.Documents, err = h.answers(r, p, svc, a); err != nil {
		return nil, err
	}
	evs, err := h.store.Events(r.Context(), a.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		page.History = append(page.History, eventView{At: p.MoscowTime(e.At), What: p.T("applications.action." + string(e.Action)),
			Status: p.T(StatusKey(e.To, svc.Workflow.Activates)), Note: e.Note})
	}
	return page, nil
}

func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request) error {
	a, _, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if _, err := h.store.Withdraw(r.Context(), r, a.AccountID, a.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/applications/"+a.ID, http.StatusSeeOther)
	return nil
}

// correct returns a corrected application to review, when what was asked is fixed.
func (h *Handler) correct(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if a.Correction != nil {
		for _, f := range a.Correction.Fields {
			if fd, ok := svc.Field(f); ok {
				if _, err := CheckValue(fd, a.Values[f], h.store.now()); err != nil {
					http.Redirect(w, r, "/applications/"+a.ID+"/form#"+f, http.StatusSeeOther)
					return nil
				}
			}
		}
	}
	if len(Problems(svc, a, h.store.now())) > 0 {
		return errs.E(errs.Invalid, "applications.has_problems", nil)
	}
	if _, err := h.store.Corrected(r.Context(), r, a.AccountID, a.ID, strings.TrimSpace(r.PostFormValue("note"))); err != nil {
		return err
	}
	http.Redirect(w, r, "/applications/"+a.ID, http.StatusSeeOther)
	return nil
}
