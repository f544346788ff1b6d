package id

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The administrators' pages: find an account by its phone, e-mail, СНИЛС or ИНН, see its
// status, level and role, block it with a reason and unblock it. Only administrators may
// use them (anyone else signed in gets 403); the search is a POST, so that a phone or a
// СНИЛС never appears in an address (the browser's history, a proxy's log).
func (h *Handler) registerAdmin() {
	h.site.Handle("GET /id/admin/accounts", h.adminSearchPage)
	h.site.Handle("POST /id/admin/accounts", h.adminSearchPost)
	h.site.Handle("GET /id/admin/accounts/{id}", h.adminAccountPage)
	h.site.Handle("POST /id/admin/accounts/{id}/block", h.adminBlockPost)
	h.site.Handle("POST /id/admin/accounts/{id}/unblock", h.adminUnblockPost)
	h.site.Handle("POST /api/v1/admin/accounts/search", h.apiAdminSearch)
	h.site.Handle("GET /api/v1/admin/accounts/{id}", h.apiAdminAccount)
	h.site.Handle("POST /api/v1/admin/accounts/{id}/block", h.apiAdminBlock)
	h.site.Handle("POST /api/v1/admin/accounts/{id}/unblock", h.apiAdminUnblock)
}

var errNotAdmin = errs.E(errs.Forbidden, "id.admin.forbidden", errors.New("id: administrators only"))

// adminOf returns the request's principal if it is an administrator: errs.Unauthenticated
// for nobody signed in, errs.Forbidden for anyone else.
func adminOf(r *http.Request) (*web.Principal, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	if p.Kind != web.Admin {
		return nil, errNotAdmin
	}
	return p, nil
}

// adminPage is the start of every admin page handler: the administrator, or (for a page
// asked for by nobody signed in) a redirect to the sign-in that comes back here.
func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request) (*web.Principal, bool, error) {
	p, err := adminOf(r)
	if errs.KindOf(err) == errs.Unauthenticated && r.Method == http.MethodGet {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return nil, false, nil
	}
	return p, err == nil, err
}

type adminSearchPage struct {
	formPage
	Login string
}

func (h *Handler) adminSearchPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := h.adminPage(w, r); !ok {
		return err
	}
	p := &adminSearchPage{}
	p.Title = h.site.Printer(r).T("id.admin.search.title")
	return h.site.Render(w, r, http.StatusOK, "id_admin_search", p)
}

// findAccount finds the account a login names for an administrator; the mistakes are field
// errors of "login".
func (h *Handler) findAccount(r *http.Request, login string) (*Account, error) {
	if strings.TrimSpace(login) == "" {
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"login": errs.E(errs.Invalid, "id.admin.login_needed", nil)})
	}
	a, err := h.svc.AccountByLogin(r.Context(), nil, login)
	if errors.Is(err, ErrNoAccount) {
		return nil, errs.E(errs.NotFound, "id.form_invalid", FieldErrors{"login": errs.E(errs.NotFound, "id.admin.not_found", err)})
	}
	return a, err
}

func (h *Handler) adminSearchPost(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := h.adminPage(w, r); !ok {
		return err
	}
	login := r.PostFormValue("login")
	a, err := h.findAccount(r, login)
	if err != nil {
		p := &adminSearchPage{Login: login}
		p.Title = h.site.Printer(r).T("id.admin.search.title")
		if !h.fail(r, &p.formPage, err, "login") {
			return err
		}
		return h.site.Render(w, r, web.Status(err), "id_admin_search", p)
	}
	http.Redirect(w, r, "/id/admin/accounts/"+a.ID, http.StatusSeeOther)
	return nil
}

type adminAccountPage struct {
	formPage
	Account      *Account
	Phone, Email string // masked
	Block        *BlockInfo
	Self         bool // the administrator's own account: no block form
	Reasons      []string
	Reason, Note string // the block form as sent, after a mistake
	NoteMax      int
	Done         string // what was just done (blocked, unblocked), said at the top
}

// renderAccount shows the account page, with err (a mistake in a form) if any.
func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, admin *web.Principal, accountID string, form *adminAccountPage, err error) error {
	a, aerr := h.svc.Account(r.Context(), accountID)
	if aerr != nil {
		return aerr
	}
	b, aerr := h.svc.BlockOf(r.Context(), a.ID)
	if aerr != nil {
		return aerr
	}
	p := form
	if p == nil {
		p = &adminAccountPage{}
	}
	p.Account, p.Phone, p.Email, p.Block, p.Self = a, maskPhone(a.Phone), maskEmail(a.Email), b, a.ID == admin.ID
	p.Reasons, p.NoteMax = BlockReasons, BlockNoteMax
	p.Title = h.site.Printer(r).T("id.admin.account.title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "reason", "note") {
			return err
		}
		status = web.Status(err)
	} else if done := r.URL.Query().Get("done"); done == "blocked" || done == "unblocked" {
		p.Done = h.site.Printer(r).T("id.admin.done." + done)
	}
	return h.site.Render(w, r, status, "id_admin_account", p)
}

func (h *Handler) adminAccountPage(w http.ResponseWriter, r *http.Request) error {
	admin, ok, err := h.adminPage(w, r)
	if !ok {
		return err
	}
	return h.renderAccount(w, r, admin, r.PathValue("id"), nil, nil)
}

func (h *Handler) adminBlockPost(w http.ResponseWriter, r *http.Request) error {
	admin, ok, err := h.adminPage(w, r)
	if !ok {
		return err
	}
	id, reason, note := r.PathValue("id"), r.PostFormValue("reason"), r.PostFormValue("note")
	if _, err := h.svc.Block(r.Context(), r, ActorOf(admin), id, reason, note); err != nil {
		if errors.Is(err, ErrNoAccount) {
			return err
		}
		return h.renderAccount(w, r, admin, id, &adminAccountPage{Reason: reason, Note: note}, err)
	}
	http.Redirect(w, r, "/id/admin/accounts/"+id+"?done=blocked", http.StatusSeeOther)
	return nil
}

func (h *Handler) adminUnblockPost(w http.ResponseWriter, r *http.Request) error {
	admin, ok, err := h.adminPage(w, r)
	if !ok {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.svc.Unblock(r.Context(), r, ActorOf(admin), id); err != nil {
		if errors.Is(err, ErrNoAccount) {
			return err
		}
		return h.renderAccount(w, r, admin, id, nil, err)
	}
	http.Redirect(w, r, "/id/admin/accounts/"+id+"?done=unblocked", http.StatusSeeOther)
	return nil
}

// maskEmail shows an address as its owner recognises it: i***@example.ru.
func maskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 1 {
		return ""
	}
	return e[:1] + "***" + e[at:]
}

// The JSON API of the admin pages (openapi_admin.yaml describes it).

// apiAdminAccountBody is what an administrator sees of an account.
type apiAdminAccountBody struct {
	ID        string        `json:"id"`
	Role      Role          `json:"role"`
	Status    Status        `json:"status"`
	Level     Level         `json:"level"`
	Phone     string        `json:"phone,omitempty"` // masked
	Email     string        `json:"email,omitempty"` // masked
	CreatedAt time.Time     `json:"created_at"`
	Block     *apiBlockBody `json:"block,omitempty"`
}

type apiBlockBody struct {
	Reason    string    `json:"reason"`
	Note      string    `json:"note,omitempty"`
	BlockedAt time.Time `json:"blocked_at"`
	BlockedBy string    `json:"blocked_by"`
}

func (h *Handler) writeAdminAccount(w http.ResponseWriter, r *http.Request, a *Account) error {
	b, err := h.svc.BlockOf(r.Context(), a.ID)
	if err != nil {
		return err
	}
	body := apiAdminAccountBody{ID: a.ID, Role: a.Role, Status: a.Status, Level: a.Level, Phone: maskPhone(a.Phone),
		Email: maskEmail(a.Email), CreatedAt: a.CreatedAt}
	if b != nil {
		body.Block = &apiBlockBody{Reason: a.BlockCode, Note: a.BlockNote, BlockedAt: b.At, BlockedBy: b.By}
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, body)
	return nil
}

func (h *Handler) apiAdminSearch(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOf(r); err != nil {
		return err
	}
	var req struct {
		Login string `json:"login"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := h.findAccount(r, req.Login)
	if errs.KindOf(err) == errs.NotFound {
		return ErrNoAccount // 404, as for an account id that names none
	}
	if err != nil {
		return h.apiError(w, r, err)
	}
	return h.writeAdminAccount(w, r, a)
}

func (h *Handler) apiAdminAccount(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminOf(r); err != nil {
		return err
	}
	a, err := h.svc.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeAdminAccount(w, r, a)
}

func (h *Handler) apiAdminBlock(w http.ResponseWriter, r *http.Request) error {
	admin, err := adminOf(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := h.svc.Block(r.Context(), r, ActorOf(admin), r.PathValue("id"), req.Reason, req.Note)
	if err != nil {
		return h.apiError(w, r, err)
	}
	return h.writeAdminAccount(w, r, a)
}

func (h *Handler) apiAdminUnblock(w http.ResponseWriter, r *http.Request) error {
	admin, err := adminOf(r)
	if err != nil {
		return err
	}
	a, err := h.svc.Unblock(r.Context(), r, ActorOf(admin), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.writeAdminAccount(w, r, a)
}
