package applications

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/passport"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// Templates are the page templates of this package, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// Identity is what the pages need of ID: the account (contacts, profile) and the SMS code
// confirming a submission; *id.Service is one.
type Identity interface {
	Account(ctx context.Context, id string) (*id.Account, error)
	SendActionCode(ctx context.Context, accountID, action string) error
	CheckActionCode(ctx context.Context, accountID, action, code string) error
	// StatusOf is the clock of the request's session; an error once it has ended (a live
	// stream ends with its session).
	StatusOf(r *http.Request) (*id.SessionStatus, error)
}

// Documents is the document store; *documents.Store is one.
type Documents interface {
	Put(ctx context.Context, r io.Reader, u documents.Upload) (documents.Document, error)
	Get(ctx context.Context, id string) (documents.Document, error)
	Open(ctx context.Context, id string) (documents.Document, io.ReadCloser, error)
	Remove(ctx context.Context, r *http.Request, id string) error
	Recheck(ctx context.Context, id string, rule documents.Rule) (documents.Verdict, error)
}

// Passports issues electronic passports; *passport.Service is one.
type Passports interface {
	Issue(ctx context.Context, h passport.Holder) (*passport.Passport, error)
}

// Handler serves the citizen's pages, the operator's desk and the JSON API.
type Handler struct {
	site      *web.Site
	store     *Store
	catalogue *services.Catalogue
	ids       Identity
	docs      Documents
	passports Passports // nil: approving «Электронный паспорт» issues nothing
}

// uploadLimit is the body limit of an upload: the largest document a service may ask for
// and room for the form around it.
const uploadLimit = services.MaxDocumentBytes + 1<<20

// Register adds the pages and JSON routes to the site.
func Register(s *web.Site, st *Store, ids Identity, docs Documents, passports Passports) *Handler {
	h := &Handler{site: s, store: st, catalogue: st.opt.Services, ids: ids, docs: docs, passports: passports}
	s.Handle("GET /applications", h.listPage)
	s.Handle("GET /applications/new", h.newPage)
	s.Handle("GET /applications/calendar", h.calendarPage)
	s.Handle("POST /applications/calendar", h.calendarForm)
	s.Handle("GET /applications/calendar/feed/{file}", h.feed)
	s.Handle("POST /applications/new", h.create)
	s.Handle("GET /applications/{id}", h.cardPage)
	s.Handle("GET "+LivePath, h.events)
	s.Handle("GET /applications/{id}/form", h.formPage)
	s.Handle("POST /applications/{id}/form", h.saveForm)
	s.Handle("GET /applications/{id}/documents", h.documentsPage)
	s.HandleLimit("POST /applications/{id}/documents/{kind}", uploadLimit, h.upload)
	s.Handle("POST /applications/{id}/documents/{kind}/remove", h.removeDocument)
	s.Handle("GET /applications/{id}/documents/{kind}/file", h.documentFile)
	s.Handle("GET /applications/{id}/check", h.checkPage)
	s.Handle("GET /applications/{id}/submit", h.submitPage)
	s.Handle("POST /applications/{id}/submit", h.submit)
	s.Handle("GET /applications/{id}/done", h.donePage)
	s.Handle("POST /applications/{id}/withdraw", h.withdraw)
	s.Handle("POST /applications/{id}/correct", h.correct)
	s.Handle("GET /applications/{id}/copy.pdf", h.copyPDF)
	h.registerLibrary(s)
	h.registerDesk(s)
	h.registerAPI(s)
	return h
}

// citizen is the signed-in citizen; for a page asked for by nobody signed in, a redirect to
// the sign-in that comes back (ok false, err nil).
func citizen(w http.ResponseWriter, r *http.Request) (*web.Principal, bool, error) {
	p, ok := web.PrincipalOf(r)
	if ok && p.Kind == web.Citizen {
		return p, true, nil
	}
	if !ok && r.Method == http.MethodGet {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false, nil
	}
	if !ok {
		return nil, false, errs.E(errs.Unauthenticated, "id.signin_needed", nil)
	}
	return nil, false, ErrNotFound // staff have the desk, not a citizen's applications
}

// own is the citizen's application of the path, with its service; another's is 404.
func (h *Handler) own(w http.ResponseWriter, r *http.Request) (*Application, *services.Service, bool, error) {
	p, ok, err := citizen(w, r)
	if !ok {
		return nil, nil, false, err
	}
	a, err := h.store.Own(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return nil, nil, false, err
	}
	svc, found := h.catalogue.Service(a.Service)
	if !found {
		return nil, nil, false, ErrNotFound
	}
	return a, svc, true, nil
}

// fieldMessage is one mistake in the error summary, linking to its input.
type fieldMessage struct{ Field, Message string }

// form is the part of pages that shows mistakes (the layout's error-summary).
type form struct {
	web.Page
	Errors  map[string]string
	Summary []fieldMessage
	Notice  string
}

func (f *form) add(field, msg string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	f.Errors[field] = msg
	f.Summary = append(f.Summary, fieldMessage{Field: field, Message: msg})
}

// message is what to tell the person of err: ruid's precise message, or the catalog's.
func message(p *i18n.Printer, err error) string {
	var re *ruid.Error
	if errors.As(err, &re) {
		return re.Message(p.Lang())
	}
	if id := errs.IDOf(err); id != "" {
		return p.T(id)
	}
	return p.T("error." + errs.KindOf(err).String())
}

// shown is a refusal a page shows (not a failure of ours, which the site's error page shows).
func shown(err error) bool {
	k := errs.KindOf(err)
	return k == errs.Invalid || k == errs.Conflict || k == errs.TooMany
}

func newKey() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (h *Handler) date(p *i18n.Printer, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(moscow).Format("02.01.2006")
}

// status is the word of a's status for the applicant.
func (h *Handler) status(p *i18n.Printer, a *Application) string {
	svc, _ := h.catalogue.Service(a.Service)
	return p.T(StatusKey(a.State, svc != nil && svc.Workflow.Activates))
}
