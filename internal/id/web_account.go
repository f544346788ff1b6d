package id

import (
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

var errMismatch = errs.E(errs.Invalid, "id.password.mismatch", errors.New("id: the two passwords differ"))

func (h *Handler) registerAccount() {
	h.site.Handle("GET /id/account", h.accountPage)
	h.site.Handle("GET /api/v1/account", h.apiAccount)
}

type accountPage struct {
	web.Page
	Account *Account
	Phone   string
	IdleEnd time.Time
	// Password is when the password was set, with the advice to change it when it is old
	// (web_passwords.go); nil if the account has none.
	Password *passwordNotice
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		http.Redirect(w, r, "/id/signin?return=/id/account", http.StatusSeeOther)
		return nil
	}
	si, err := h.svc.requestRead(r)
	if err != nil {
		return err
	}
	a, err := h.svc.openAccount(&si.row)
	if err != nil {
		return err
	}
	page := &accountPage{Account: a, Phone: maskPhone(a.Phone), Password: h.passwordNotice(r, si.passwordSet)}
	page.Title = h.site.Printer(r).T("id.account.title")
	return h.site.Render(w, r, http.StatusOK, "id_account", page)
}

// apiAccountBody is GET /api/v1/account: what the app shows of the account.
type apiAccountBody struct {
	ID        string    `json:"id"`
	Role      Role      `json:"role"`
	Status    Status    `json:"status"`
	Level     Level     `json:"level"`
	Phone     string    `json:"phone,omitempty"`
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func (h *Handler) apiAccount(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	a, err := h.svc.RequestAccount(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, apiAccountBody{ID: a.ID, Role: a.Role, Status: a.Status, Level: a.Level, Phone: a.Phone,
		Email: a.Email, CreatedAt: a.CreatedAt})
	return nil
}
