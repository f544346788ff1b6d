package applications

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

func (h *Handler) registerLibrary(s *web.Site) {
	s.Handle("GET /documents", h.libraryPage)
	s.Handle("GET /documents/{document}/file", h.libraryFile)
	s.Handle("POST /documents/{document}/remove", h.libraryRemove)
	s.Handle("POST /applications/{id}/documents/{kind}/reuse", h.reuse)
}

// release removes from the document store the documents nothing refers to any more.
func (h *Handler) release(r *http.Request, ids []string) error {
	for _, id := range ids {
		if err := h.docs.Remove(r.Context(), r, id); err != nil && errs.KindOf(err) != errs.NotFound {
			return err
		}
	}
	return nil
}

// libraryOffer is the library's document offered on an application's documents page.
type libraryOffer struct {
	DocumentID, FileName, Date string
}

// offers are the account's library documents that an application may take, by kind: accepted
// ones (a quarantined or refused document is never offered).
func (h *Handler) offers(r *http.Request, p *i18n.Printer, accountID string) (map[string]libraryOffer, error) {
	entries, err := h.store.Library(r.Context(), accountID)
	if err != nil {
		return nil, err
	}
	out := map[string]libraryOffer{}
	for _, e := range entries {
		doc, err := h.docs.Get(r.Context(), e.DocumentID)
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if doc.Verdict.State == documents.Accepted {
			out[e.Kind] = libraryOffer{DocumentID: e.DocumentID, FileName: doc.Name, Date: h.date(p, e.AddedAt)}
		}
	}
	return out, nil
}

// reuse attaches the library's document of a kind to the application, after judging it by
// THIS service's rule for the kind: a refusal is shown next to the kind, in the rule's words,
// and nothing is attached.
func (h *Handler) reuse(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	kind := r.PathValue("kind")
	rule, found := svc.Document(kind)
	if !found {
		return ErrNotFound
	}
	e, err := h.store.LibraryDocument(r.Context(), a.AccountID, r.PostFormValue("document"))
	if err != nil {
		return err
	}
	if e.Kind != kind {
		return ErrNoLibraryDocument
	}
	if !a.DocumentEditable(kind) {
		return errs.E(errs.Conflict, "applications.not_editable", nil)
	}
	p := h.site.Printer(r)
	v, err := h.docs.Recheck(r.Context(), e.DocumentID, documentRule(rule))
	if err != nil && errs.KindOf(err) != errs.Conflict {
		return err
	}
	if err != nil || v.State != documents.Accepted {
		f := &form{}
		if err != nil {
			f.add("file-"+kind, message(p, err))
		} else {
			f.add("file-"+kind, v.Message(p))
		}
		return h.renderDocuments(w, r, a, svc, f, http.StatusUnprocessableEntity)
	}
	released, err := h.store.AttachFromLibrary(r.Context(), r, a.AccountID, a.ID, kind, e.DocumentID)
	if err != nil {
		return err
	}
	if err := h.release(r, released); err != nil {
		return err
	}
	http.Redirect(w, r, "/applications/"+a.ID+"/documents#doc-"+kind, http.StatusSeeOther)
	return nil
}

type libraryRow struct {
	DocumentID, Kind, FileName, Date, Status, Size string
	Accepted                                       bool
}

type libraryPage struct {
	web.Page
	Rows    []libraryRow
	Removed bool
}

// libraryPage lists the citizen's library «Документы».
func (h *Handler) libraryPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	entries, err := h.store.Library(r.Context(), pr.ID)
	if err != nil {
		return err
	}
	p := h.site.Printer(r)
	page := &libraryPage{Removed: r.URL.Query().Get("removed") == "1"}
	page.Title = p.T("applications.library.title")
	for _, e := range entries {
		doc, err := h.docs.Get(r.Context(), e.DocumentID)
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return err
		}
		row := libraryRow{DocumentID: e.DocumentID, Kind: e.Kind, FileName: doc.Name, Date: h.date(p, e.AddedAt),
			Status: doc.Verdict.Message(p), Size: sizeText(p, doc.Size), Accepted: doc.Verdict.State == documents.Accepted}
		if k, ok := h.catalogue.DocumentKind(e.Kind); ok {
			row.Kind = k.Name.In(p.Lang())
		}
		page.Rows = append(page.Rows, row)
	}
	return h.site.Render(w, r, http.StatusOK, "applications_library", page)
}

func (h *Handler) libraryFile(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	e, err := h.store.LibraryDocument(r.Context(), pr.ID, r.PathValue("document"))
	if err != nil {
		return err
	}
	return h.serveStored(w, r, e.DocumentID)
}

// libraryRemove takes a document out of the library; the applications it is attached to
// keep it.
func (h *Handler) libraryRemove(w http.ResponseWriter, r *http.Request) error {
	pr, ok, err := citizen(w, r)
	if !ok {
		return err
	}
	released, err := h.store.RemoveFromLibrary(r.Context(), r, pr.ID, r.PathValue("document"))
	if err != nil {
		return err
	}
	if err := h.release(r, released); err != nil {
		return err
	}
	http.Redirect(w, r, "/documents?removed=1", http.StatusSeeOther)
	return nil
}

// sizeText is a file size as people read it: «820 КБ», «4,2 МБ».
func sizeText(p *i18n.Printer, n int64) string {
	if n < 1<<20 {
		return p.T("applications.library.size_kb", "n", strconv.FormatInt((n+1023)/1024, 10))
	}
	mb := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	if p.Lang() == i18n.RU {
		mb = strings.Replace(mb, ".", ",", 1)
	}
	return p.T("applications.library.size_mb", "n", mb)
}
