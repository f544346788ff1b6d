package applications

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
)

type listRow struct {
	ID, Number, Date, Service, Status, State, Deadline string
}

type listPage struct {
	web.Page
	Rows        []listRow
	Next, First string // links to the next and the first page; "" for none
	LiveAfter   int64  // the live status follows from here (live.go)
}

func (h *Handler) listPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	live, err := h.liveAfter(r)
	if err != nil {
		return err
	}
	after := r.URL.Query().Get("after")
	res, err := h.store.ListPage(r.Context(), pr.ID, after, PageSize)
	if err != nil {
		return err
	}
	p := h.site.Printer(r)
	page := &listPage{LiveAfter: live}
	page.Title = p.T("applications.list.title")
	for _, a := range res.Items {
		svc, _ := h.catalogue.Service(a.Service)
		row := listRow{ID: a.ID, Number: a.Number, Date: h.date(p, a.CreatedAt), State: string(a.State),
			Status: p.T(StatusKey(a.State, svc != nil && svc.Workflow.Activates))}
		if svc != nil {
			row.Service = svc.Name.In(p.Lang())
		}
		if a.SubmittedAt.IsZero() {
			row.Number = p.T("applications.list.draft_number")
		} else {
			row.Date = h.date(p, a.SubmittedAt)
		}
		if a.State.Open() {
			row.Deadline = h.date(p, a.Deadline)
		}
		page.Rows = append(page.Rows, row)
	}
	if res.Next != "" {
		page.Next = "/applications?" + url.Values{"after": {res.Next}}.Encode()
	}
	if after != "" {
		page.First = "/applications"
	}
	return h.site.Render(w, r, http.StatusOK, "applications_list", page)
}

type optionView struct {
	Value, Label string
	Selected     bool
}

type fieldView struct {
	Name, Label, Hint, Type, Value, Error string
	Required, Disabled                    bool
	Options                               []optionView
	Rows                                  int
}

type formPage struct {
	form
	Action, Service, Key string
	Fields               []fieldView
	Correction           bool
}

// fields are the service's inputs with a's values (or values) and the page's mistakes.
func (h *Handler) fields(p *i18n.Printer, svc *services.Service, values map[string]string, a *Application, f *form) []fieldView {
	lang := p.Lang()
	var out []fieldView
	for _, fd := range svc.Fields {
		v := fieldView{Name: fd.Name, Label: fd.Label.In(lang), Hint: fd.Hint.In(lang), Type: string(fd.Type),
			Value: values[fd.Name], Required: fd.Required, Error: f.Errors[fd.Name]}
		if a != nil {
			v.Disabled = !a.Editable(fd.Name)
		}
		for _, o := range fd.Options {
			v.Options = append(v.Options, optionView{Value: o.Value, Label: o.Label.In(lang), Selected: o.Value == v.Value})
		}
		if fd.Type == services.Textarea {
			v.Rows = 3
		}
		out = append(out, v)
	}
	return out
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	svc, found := h.catalogue.Service(r.URL.Query().Get("service"))
	if !found {
		return errs.E(errs.NotFound, "applications.no_service", nil)
	}
	acc, err := h.ids.Account(r.Context(), pr.ID)
	if err != nil {
		return err
	}
	if err := mayApply(svc, acc); err != nil {
		return err
	}
	p := h.site.Printer(r)
	page := &formPage{Action: "/applications/new", Service: svc.Code, Key: newKey()}
	page.Title = p.T("applications.form.title", "service", svc.Name.In(p.Lang()))
	page.Fields = h.fields(p, svc, Prefilled(svc, acc), nil, &page.form)
	return h.site.Render(w, r, http.StatusOK, "applications_form", page)
}

// posted are the service's fields as the form sent them (only those a may change).
func posted(r *http.Request, svc *services.Service, a *Application) map[string]string {
	out := map[string]string{}
	for _, f := range svc.Fields {
		if a != nil && !a.Editable(f.Name) {
			continue
		}
		if _, sent := r.PostForm[f.Name]; sent || f.Type == services.Checkbox {
			out[f.Name] = strings.TrimSpace(r.PostFormValue(f.Name))
		}
	}
	return out
}

// create makes the draft from the first page's values (the form's key makes a second post of
// the same page find the same draft), then goes on as saveForm does.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	svc, found := h.catalogue.Service(r.PostFormValue("service"))
	if !found {
		return errs.E(errs.NotFound, "applications.no_service", nil)
	}
	acc, err := h.ids.Account(r.Context(), pr.ID)
	if err != nil {
		return err
	}
	if err := mayApply(svc, acc); err != nil {
		return err
	}
	a, err := h.store.Create(r.Context(), r, pr.ID, svc.Code, r.PostFormValue("key"), posted(r, svc, nil))
	if err != nil {
		return err
	}
	return h.afterSave(w, r, a, svc)
}

func (h *Handler) formPage(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	f := &form{}
	if held := h.takeHeld(w, r, a, svc); held != nil {
		shown := *a
		shown.Values = held
		a = &shown
		f.Notice = h.site.Printer(r).T("applications.held_form")
	}
	return h.renderForm(w, r, a, svc, f, http.StatusOK)
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, a *Application, svc *services.Service, f *form, status int) error {
	p := h.site.Printer(r)
	page := &formPage{form: *f, Action: "/applications/" + a.ID + "/form", Correction: a.State == NeedsCorrection}
	page.Title = p.T("applications.form.title", "service", svc.Name.In(p.Lang()))
	page.Fields = h.fields(p, svc, a.Values, a, &page.form)
	return h.site.Render(w, r, status, "applications_form", page)
}

func (h *Handler) saveForm(w http.ResponseWriter, r *http.Request) error {
	if _, signedIn := web.PrincipalOf(r); !signedIn {
		return h.holdForm(w, r) // the session ended while the form was filled
	}
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if a, err = h.store.SaveValues(r.Context(), a.AccountID, a.ID, posted(r, svc, a)); err != nil {
		return err
	}
	return h.afterSave(w, r, a, svc)
}

// afterSave shows the form again with its mistakes, or goes on to the documents (to the
// card while a correction is asked).
func (h *Handler) afterSave(w http.ResponseWriter, r *http.Request, a *Application, svc *services.Service) error {
	p := h.site.Printer(r)
	f := &form{}
	for _, fd := range svc.Fields {
		if !a.Editable(fd.Name) {
			continue
		}
		if _, err := CheckValue(fd, a.Values[fd.Name], h.store.now()); err != nil {
			f.add(fd.Name, message(p, err))
		}
	}
	if len(f.Summary) > 0 {
		return h.renderForm(w, r, a, svc, f, http.StatusUnprocessableEntity)
	}
	next := "/applications/" + a.ID + "/documents"
	if r.PostFormValue("return") == "check" {
		next = "/applications/" + a.ID + "/check"
	}
	if a.State == NeedsCorrection {
		next = "/applications/" + a.ID
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

type documentView struct {
	Kind, Name, Hint, Verdict, FileName string
	Required, Biometric, Editable       bool
	Accepted                            bool
	Rules                               string
	Error                               string
	Offer                               *libraryOffer // the library's document of the kind, when it may be taken
}

type documentsPage struct {
	form
	ID         string
	Documents  []documentView
	Correction bool
}

func (h *Handler) documentViews(r *http.Request, p *i18n.Printer, svc *services.Service, a *Application, f *form) ([]documentView, error) {
	lang := p.Lang()
	var offers map[string]libraryOffer
	if a.State == Draft || a.State == NeedsCorrection { // only then may a document be taken
		var err error
		if offers, err = h.offers(r, p, a.AccountID); err != nil {
			return nil, err
		}
	}
	var out []documentView
	for _, d := range svc.Documents {
		v := documentView{Kind: d.Kind, Name: d.Name.In(lang), Hint: d.Hint.In(lang), Required: d.Required,
			Biometric: d.Biometric, Editable: a.DocumentEditable(d.Kind), Error: f.Errors["file-"+d.Kind], Rules: rules(p, d)}
		if docID := a.Documents[d.Kind]; docID != "" {
			doc, err := h.docs.Get(r.Context(), docID)
			if err != nil && errs.KindOf(err) != errs.NotFound {
				return nil, err
			}
			if err == nil {
				v.FileName, v.Verdict, v.Accepted = doc.Name, doc.Verdict.Message(p), doc.Verdict.State == documents.Accepted
			}
		}
		if o, ok := offers[d.Kind]; ok && v.Editable && o.DocumentID != a.Documents[d.Kind] {
			v.Offer = &o
		}
		out = append(out, v)
	}
	return out, nil
}

// rules words a document rule briefly: formats and size.
func rules(p *i18n.Printer, d services.DocumentRule) string {
	names := make([]string, len(d.Formats))
	for i, f := range d.Formats {
		names[i] = strings.ToUpper(string(f))
	}
	mb := strconv.FormatFloat(float64(d.MaxBytes)/(1<<20), 'f', -1, 64)
	return p.T("applications.docs.rules", "formats", strings.Join(names, ", "), "mb", mb)
}

func (h *Handler) documentsPage(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	return h.renderDocuments(w, r, a, svc, &form{}, http.StatusOK)
}

func (h *Handler) renderDocuments(w http.ResponseWriter, r *http.Request, a *Application, svc *services.Service, f *form, status int) error {
	p := h.site.Printer(r)
	page := &documentsPage{form: *f, ID: a.ID, Correction: a.State == NeedsCorrection}
	page.Title = p.T("applications.docs.title")
	var err error
	if page.Documents, err = h.documentViews(r, p, svc, a, &page.form); err != nil {
		return err
	}
	return h.site.Render(w, r, status, "applications_documents", page)
}

// upload checks and stores one document and attaches it when accepted (a refusal is shown
// next to its input; the document before it, if any, stays).
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	kind := r.PathValue("kind")
	rule, found := svc.Document(kind)
	if !found {
		return ErrNotFound
	}
	if !a.DocumentEditable(kind) {
		return errs.E(errs.Conflict, "applications.not_editable", nil)
	}
	p := h.site.Printer(r)
	f := &form{}
	// The file streams from the request into the store, which seals it as it reads and stops
	// at the rule's limit: nothing of it is kept in clear, in memory or on disk.
	mf, err := web.Multipart(r)
	if err != nil && errs.KindOf(err) != errs.Invalid {
		return err
	}
	if err != nil || mf.File == nil {
		f.add("file-"+kind, p.T("applications.file_required"))
		return h.renderDocuments(w, r, a, svc, f, http.StatusUnprocessableEntity)
	}
	doc, err := h.docs.Put(r.Context(), mf.File, documents.Upload{Name: mf.FileName(), Rule: documentRule(rule), Request: r})
	if err != nil {
		return err
	}
	if doc.Verdict.State == documents.Refused {
		f.add("file-"+kind, doc.Verdict.Message(p))
		return h.renderDocuments(w, r, a, svc, f, http.StatusUnprocessableEntity)
	}
	released, err := h.store.Attach(r.Context(), r, a.AccountID, a.ID, kind, doc.ID)
	if err != nil {
		h.docs.Remove(r.Context(), r, doc.ID)
		return err
	}
	if err := h.release(r, released); err != nil {
		return err
	}
	http.Redirect(w, r, "/applications/"+a.ID+"/documents#doc-"+kind, http.StatusSeeOther)
	return nil
}

// documentRule is a service's document rule as the document store reads it.
func documentRule(d services.DocumentRule) documents.Rule {
	types := make([]documents.Type, len(d.Formats))
	for i, f := range d.Formats {
		types[i] = documents.Type(f)
	}
	return documents.Rule{Kind: d.Kind, Types: types, MaxBytes: d.MaxBytes, MinDPI: d.Quality.MinDPI,
		Colour: d.Quality.Colour, PDFA: d.Quality.PDFA1b}
}

func (h *Handler) removeDocument(w http.ResponseWriter, r *http.Request) error {
	a, _, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	released, err := h.store.Detach(r.Context(), r, a.AccountID, a.ID, r.PathValue("kind"))
	if err != nil {
		return err
	}
	if err := h.release(r, released); err != nil {
		return err
	}
	http.Redirect(w, r, "/applications/"+a.ID+"/documents", http.StatusSeeOther)
	return nil
}

func (h *Handler) documentFile(w http.ResponseWriter, r *http.Request) error {
	a, _, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	return h.serveDocument(w, r, a, r.PathValue("kind"))
}

// serveDocument sends an application's document of kind, inline, never cached.
func (h *Handler) serveDocument(w http.ResponseWriter, r *http.Request, a *Application, kind string) error {
	docID := a.Documents[kind]
	if docID == "" {
		return ErrNotFound
	}
	return h.serveStored(w, r, docID)
}

// serveStored sends a stored document, inline, never cached.
func (h *Handler) serveStored(w http.ResponseWriter, r *http.Request, docID string) error {
	doc, rc, err := h.docs.Open(r.Context(), docID)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", doc.Type.ContentType())
	w.Header().Set("Content-Disposition", "inline")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, rc)
	return err
}

// mayApply refuses an account whose level is below the service's (the service's page says
// which level it needs and how to raise one's own).
func mayApply(svc *services.Service, acc *id.Account) error {
	if !svc.MayApply(services.Person) || !services.LevelAtLeast(acc.Level, svc.MinLevel) {
		return errs.E(errs.Forbidden, "applications.level_short", nil)
	}
	return nil
}
