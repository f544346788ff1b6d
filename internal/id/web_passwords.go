package id

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/web"
)

// The pages and API of a password's life (passwords.go): the change by its owner, and the new
// password a sign-in asks for when the old one has expired.
func (h *Handler) registerPasswords() {
	h.site.Handle("GET /id/account/password", h.changePasswordPage)
	h.site.Handle("POST /id/account/password", h.changePasswordPost)
	h.site.Handle("POST /id/signin/password", h.expiredPasswordPost)
	h.site.Handle("GET /api/v1/account/password", h.apiPasswordStatus)
	h.site.Handle("POST /api/v1/account/password", h.apiChangePassword)
	h.site.Handle("POST /api/v1/signin/password", h.apiExpiredPassword)
}

// newPasswordPage is the page id_passwords: the owner's change of the password (with the current
// one), the change just done, or the new password of a sign-in held for an expired one. The
// new password's broken rules are listed one a line next to its field.
type newPasswordPage struct {
	formPage
	MinLength int
	Rules     []string // the broken rules, one message each
	Done      bool     // the password was just changed
	Expired   bool     // a sign-in asks for it: Flow and Return go on
	Return    string
}

// renderNewPassword shows the page with err's mistakes, if any.
func (h *Handler) renderNewPassword(w http.ResponseWriter, r *http.Request, p *newPasswordPage, err error) error {
	p.MinLength = password.MinLength
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "current_password", "password", "password2") {
			return err
		}
		p.Rules = violationMessages(h.site.Printer(r), passwordViolations(err))
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_passwords", p)
}

func (h *Handler) renderChangePassword(w http.ResponseWriter, r *http.Request, done bool, err error) error {
	p := &newPasswordPage{Done: done}
	p.Title = h.site.Printer(r).T("id.password_change.title")
	if done {
		p.Title = h.site.Printer(r).T("id.password_change.done_title")
	}
	return h.renderNewPassword(w, r, p, err)
}

func (h *Handler) changePasswordPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		http.Redirect(w, r, "/id/signin?return=/id/account/password", http.StatusSeeOther)
		return nil
	}
	return h.renderChangePassword(w, r, r.URL.Query().Get("changed") == "1", nil)
}

func (h *Handler) changePasswordPost(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	current, pw := r.PostFormValue("current_password"), r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		return h.renderChangePassword(w, r, false, FieldErrors{"password2": errMismatch})
	}
	_, err = h.svc.ChangePassword(r.Context(), r, p.ID, p.Session, current, pw)
	if errors.Is(err, ErrReauthExhausted) {
		// The session has ended: the sign-in page says why.
		h.svc.ClearSessionCookie(w)
		sp := &signInPage{Return: "/id/account/password"}
		sp.Title = h.site.Printer(r).T("id.signin.title")
		h.fail(r, &sp.formPage, err)
		return h.site.Render(w, r, http.StatusUnauthorized, "id_signin", sp)
	}
	if err != nil {
		return h.renderChangePassword(w, r, false, err)
	}
	h.rotateCookie(w, r, p.Session)
	http.Redirect(w, r, "/id/account/password?changed=1", http.StatusSeeOther)
	return nil
}

// renderExpired shows the page that asks a held sign-in (flow token) for a new password.
func (h *Handler) renderExpired(w http.ResponseWriter, r *http.Request, token, ret string, err error) error {
	p := &newPasswordPage{Expired: true, Return: ret}
	p.Flow, p.Title = token, h.site.Printer(r).T("id.password_expired.title")
	return h.renderNewPassword(w, r, p, err)
}

func (h *Handler) expiredPasswordPost(w http.ResponseWriter, r *http.Request) error {
	token, pw, ret := r.PostFormValue("flow"), r.PostFormValue("password"), localPath(r.PostFormValue("return"))
	if _, err := h.svc.ExpiredSignIn(r.Context(), token); err != nil {
		return err // the flow is gone: the error page says to sign in again
	}
	if pw != r.PostFormValue("password2") {
		return h.renderExpired(w, r, token, ret, FieldErrors{"password2": errMismatch})
	}
	_, st, err := h.svc.ChangeExpiredPassword(r.Context(), r, token, pw)
	if err != nil {
		if _, ferr := h.svc.ExpiredSignIn(r.Context(), token); ferr != nil {
			return ferr
		}
		return h.renderExpired(w, r, token, ret, err)
	}
	h.svc.SetSessionCookie(w, st)
	if ret == "" {
		ret = "/id/account"
	}
	http.Redirect(w, r, ret, http.StatusSeeOther)
	return nil
}

// passwordNotice is what the account page says of the password: when it was set, and the
// advice to change it when it is old or about to expire.
type passwordNotice struct {
	Changed string // the date it was set, in the reader's language
	Advice  string // empty unless a change is advised
}

func (h *Handler) passwordNotice(r *http.Request, set sql.NullTime) *passwordNotice {
	if !set.Valid {
		return nil // no password: the page goes on without the notice
	}
	st := h.svc.passwordStatus(set.Time.UTC())
	pr := h.site.Printer(r)
	n := &passwordNotice{Changed: pr.T("id.account.password_changed", "date", calendarDate(pr, st.ChangedAt))}
	switch {
	case st.Expired:
		n.Advice = pr.T("id.account.password_expired", "date", calendarDate(pr, st.ExpiresAt))
	case st.ChangeAdvised && !st.ExpiresAt.IsZero() && h.svc.now().Add(expiryWarning).After(st.ExpiresAt):
		n.Advice = pr.T("id.account.password_expires", "date", calendarDate(pr, st.ExpiresAt))
	case st.ChangeAdvised:
		n.Advice = pr.T("id.account.password_remind", "date", calendarDate(pr, st.ChangedAt))
	}
	return n
}

// calendarDate writes the day of t in Moscow: «04.12.2026», "4 Dec 2026".
func calendarDate(p *i18n.Printer, t time.Time) string {
	layout := "02.01.2006"
	if p.Lang() == i18n.EN {
		layout = "2 Jan 2006"
	}
	return t.In(i18n.Moscow).Format(layout)
}

// The JSON API (openapi_passwords.yaml describes it).

type apiPasswordStatusBody struct {
	ChangedAt     time.Time  `json:"changed_at"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	Expired       bool       `json:"expired"`
	ChangeAdvised bool       `json:"change_advised"`
}

func (h *Handler) apiPasswordStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	st, err := h.svc.PasswordStatus(r.Context(), p.ID)
	if err != nil {
		return err
	}
	body := apiPasswordStatusBody{ChangedAt: st.ChangedAt, Expired: st.Expired, ChangeAdvised: st.ChangeAdvised}
	if !st.ExpiresAt.IsZero() {
		body.ExpiresAt = &st.ExpiresAt
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, body)
	return nil
}

func (h *Handler) apiChangePassword(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var req struct {
		CurrentPassword string `json:"current_password"`
		Password        string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ended, err := h.svc.ChangePassword(r.Context(), r, p.ID, p.Session, req.CurrentPassword, req.Password)
	if err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, struct {
		EndedSessions int `json:"ended_sessions"`
	}{ended})
	return nil
}

func (h *Handler) apiExpiredPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow     string `json:"flow"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ss, st, err := h.svc.ChangeExpiredPassword(r.Context(), r, req.Flow, req.Password)
	if err != nil {
		return h.apiError(w, r, err)
	}
	h.svc.SetSessionCookie(w, st)
	web.JSON(w, http.StatusOK, apiSession{Token: st, AccountID: ss.AccountID, ExpiresAt: ss.ExpiresAt,
		IdleFor: int(IdleTimeout / time.Second)})
	return nil
}
