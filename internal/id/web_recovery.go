package id

import (
	"net/http"
	"net/url"

	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/web"
)

// The pages and API of password recovery and of changing a contact. Every page is a form that
// works without JavaScript; each step renders the next from its POST, the flow's token in a
// hidden field.

func (h *Handler) registerRecovery() {
	h.site.Handle("GET /id/recover", h.recoverPage)
	h.site.Handle("POST /id/recover", h.recoverPost)
	h.site.Handle("POST /id/recover/code", h.recoverCodePost)
	h.site.Handle("POST /id/recover/resend", h.recoverResendPost)
	h.site.Handle("POST /id/recover/password", h.recoverPasswordPost)
	h.site.Handle("POST /api/v1/id/recovery", h.apiRecovery)
	h.site.Handle("POST /api/v1/id/recovery/code", h.apiRecoveryCode)
	h.site.Handle("POST /api/v1/id/recovery/confirm", h.apiRecoveryConfirm)
	h.site.Handle("POST /api/v1/id/recovery/password", h.apiRecoveryPassword)

	h.site.Handle("GET /id/account/contact", h.contactPage)
	h.site.Handle("POST /id/account/contact", h.contactPost)
	h.site.Handle("POST /id/account/contact/code", h.contactCodePost)
	h.site.Handle("POST /id/account/contact/resend", h.contactResendPost)
	h.site.Handle("POST /api/v1/account/contact", h.apiContact)
	h.site.Handle("POST /api/v1/account/contact/code", h.apiContactCode)
	h.site.Handle("POST /api/v1/account/contact/confirm", h.apiContactConfirm)
}

type recoverPage struct {
	formPage
	Contact string
}

type recoverCodePage struct {
	formPage
	Email bool   // the code went by e-mail (else by SMS)
	To    string // where, as the person typed it (a phone masked)
}

type recoverDonePage struct {
	web.Page
	AddFactor bool
}

func (h *Handler) recoverPage(w http.ResponseWriter, r *http.Request) error {
	p := &recoverPage{}
	p.Title = h.site.Printer(r).T("id.recovery.title")
	return h.site.Render(w, r, http.StatusOK, "id_recovery_start", p)
}

func (h *Handler) recoverPost(w http.ResponseWriter, r *http.Request) error {
	contact := r.PostFormValue("contact")
	rec, err := h.svc.StartRecovery(r.Context(), r, contact, web.Lang(r))
	if err != nil {
		p := &recoverPage{Contact: contact}
		p.Title = h.site.Printer(r).T("id.recovery.title")
		if !h.fail(r, &p.formPage, err, "contact") {
			return err
		}
		return h.site.Render(w, r, http.StatusBadRequest, "id_recovery_start", p)
	}
	return h.renderRecoverCode(w, r, rec, "", nil)
}

// shownContact is a contact as a page shows it: a phone masked, an address as it is.
func shownContact(channel notify.Channel, to string) string {
	if channel == notify.SMS {
		return maskPhone(to)
	}
	return to
}

func (h *Handler) renderRecoverCode(w http.ResponseWriter, r *http.Request, rec *Recovery, notice string, err error) error {
	p := &recoverCodePage{Email: rec.Channel == notify.Email, To: shownContact(rec.Channel, rec.To)}
	p.Flow, p.Title, p.Notice = rec.Flow.Token, h.site.Printer(r).T("id.recovery.code_title"), notice
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "code") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_recovery_code", p)
}

func (h *Handler) recoverCodePost(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("flow")
	rec, err := h.svc.ConfirmRecovery(r.Context(), token, r.PostFormValue("code"))
	if err != nil {
		again, ferr := h.svc.RecoveryFlow(r.Context(), token)
		if ferr != nil {
			return ferr // the flow is gone: the error page says to start again
		}
		return h.renderRecoverCode(w, r, again, "", err)
	}
	return h.renderRecoverPassword(w, r, rec, nil)
}

func (h *Handler) recoverResendPost(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("flow")
	rec, err := h.svc.RecoveryFlow(r.Context(), token)
	if err != nil {
		return err
	}
	if err := h.svc.SendRecoveryCode(r.Context(), token); err != nil {
		return h.renderRecoverCode(w, r, rec, "", err)
	}
	return h.renderRecoverCode(w, r, rec, h.site.Printer(r).T("id.factor.resent"), nil)
}

func (h *Handler) renderRecoverPassword(w http.ResponseWriter, r *http.Request, rec *Recovery, err error) error {
	p := &passwordPage{MinLength: 12}
	p.Flow, p.Title = rec.Flow.Token, h.site.Printer(r).T("id.recovery.password_title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "password") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_recovery_password", p)
}

func (h *Handler) recoverPasswordPost(w http.ResponseWriter, r *http.Request) error {
	token, pw := r.PostFormValue("flow"), r.PostFormValue("password")
	var done *Recovered
	err := error(FieldErrors{"password": errMismatch})
	if pw == r.PostFormValue("password2") {
		done, err = h.svc.FinishRecovery(r.Context(), r, token, pw)
	}
	if err != nil {
		rec, ferr := h.svc.RecoveryFlow(r.Context(), token)
		if ferr != nil {
			return err
		}
		return h.renderRecoverPassword(w, r, rec, err)
	}
	p := &recoverDonePage{AddFactor: done.AddFactor}
	p.Title = h.site.Printer(r).T("id.recovery.done_title")
	return h.site.Render(w, r, http.StatusOK, "id_recovery_done", p)
}

// Changing a contact.

type contactPage struct {
	formPage
	Kind    ContactKind
	Current string // the contact the account has now, as the account page shows it
	Value   string
}

type contactCodePage struct {
	formPage
	Kind ContactKind
	To   string
}

type contactDonePage struct {
	web.Page
	Kind ContactKind
}

// signInFirst sends a visitor who is not signed in to the sign-in page, to come back to path.
func signInFirst(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(path), http.StatusSeeOther)
}

func (h *Handler) renderContact(w http.ResponseWriter, r *http.Request, a *Account, kind ContactKind, value string, err error) error {
	p := &contactPage{Kind: kind, Current: a.Email, Value: value}
	if kind == ContactPhone {
		p.Current = maskPhone(a.Phone)
	}
	p.Title = h.site.Printer(r).T("id.contact.title." + string(kind))
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "value", "password") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_recovery_contact", p)
}

func (h *Handler) contactPage(w http.ResponseWriter, r *http.Request) error {
	kind, err := ParseContactKind(r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	p, err := principal(r)
	if err != nil {
		signInFirst(w, r, "/id/account/contact?kind="+string(kind))
		return nil
	}
	a, err := h.svc.Account(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return h.renderContact(w, r, a, kind, "", nil)
}

func (h *Handler) contactPost(w http.ResponseWriter, r *http.Request) error {
	kind, err := ParseContactKind(r.PostFormValue("kind"))
	if err != nil {
		return err
	}
	p, err := principal(r)
	if err != nil {
		signInFirst(w, r, "/id/account/contact?kind="+string(kind))
		return nil
	}
	value := r.PostFormValue("value")
	cc, err := h.svc.StartContactChange(r.Context(), r, p.ID, p.Session, kind, value, r.PostFormValue("password"))
	if err != nil {
		a, aerr := h.svc.Account(r.Context(), p.ID)
		if aerr != nil {
			return aerr
		}
		return h.renderContact(w, r, a, kind, value, err)
	}
	return h.renderContactCode(w, r, cc, "", nil)
}

func (h *Handler) renderContactCode(w http.ResponseWriter, r *http.Request, cc *ContactChange, notice string, err error) error {
	p := &contactCodePage{Kind: cc.Kind, To: shownContact(cc.Kind.channel(), cc.Value)}
	p.Flow, p.Title, p.Notice = cc.Flow.Token, h.site.Printer(r).T("id.contact.code_title."+string(cc.Kind)), notice
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "code") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_recovery_contact_code", p)
}

func (h *Handler) contactCodePost(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	token := r.PostFormValue("flow")
	cc, err := h.svc.ConfirmContactChange(r.Context(), r, p.ID, p.Session, token, r.PostFormValue("code"))
	if err != nil {
		again, ferr := h.svc.ContactChangeFlow(r.Context(), p.ID, p.Session, token)
		if ferr != nil {
			return err
		}
		return h.renderContactCode(w, r, again, "", err)
	}
	page := &contactDonePage{Kind: cc.Kind}
	page.Title = h.site.Printer(r).T("id.contact.done_title." + string(cc.Kind))
	return h.site.Render(w, r, http.StatusOK, "id_recovery_contact_done", page)
}

func (h *Handler) contactResendPost(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	token := r.PostFormValue("flow")
	cc, err := h.svc.ContactChangeFlow(r.Context(), p.ID, p.Session, token)
	if err != nil {
		return err
	}
	if err := h.svc.SendContactCode(r.Context(), p.ID, p.Session, token); err != nil {
		return h.renderContactCode(w, r, cc, "", err)
	}
	return h.renderContactCode(w, r, cc, h.site.Printer(r).T("id.factor.resent"), nil)
}

// The JSON API (openapi_recovery.yaml).

type apiRecoveryFlow struct {
	Flow    string         `json:"flow"`
	Channel notify.Channel `json:"channel"`
}

func (h *Handler) apiRecovery(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Contact string `json:"contact"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	rec, err := h.svc.StartRecovery(r.Context(), r, req.Contact, web.Lang(r))
	if err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, apiRecoveryFlow{Flow: rec.Flow.Token, Channel: rec.Channel})
	return nil
}

func (h *Handler) apiRecoveryCode(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow string `json:"flow"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.svc.SendRecoveryCode(r.Context(), req.Flow); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiRecoveryConfirm(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow string `json:"flow"`
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if _, err := h.svc.ConfirmRecovery(r.Context(), req.Flow, req.Code); err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, apiFlow{Flow: req.Flow})
	return nil
}

func (h *Handler) apiRecoveryPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow     string `json:"flow"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	done, err := h.svc.FinishRecovery(r.Context(), r, req.Flow, req.Password)
	if err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, struct {
		SessionsRevoked int  `json:"sessions_revoked"`
		AddFactor       bool `json:"add_factor"`
	}{done.SessionsRevoked, done.AddFactor})
	return nil
}

func (h *Handler) apiContact(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var req struct {
		Kind     string `json:"kind"`
		Value    string `json:"value"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	kind, err := ParseContactKind(req.Kind)
	if err != nil {
		return err
	}
	cc, err := h.svc.StartContactChange(r.Context(), r, p.ID, p.Session, kind, req.Value, req.Password)
	if err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, apiFlow{Flow: cc.Flow.Token})
	return nil
}

func (h *Handler) apiContactCode(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var req struct {
		Flow string `json:"flow"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.svc.SendContactCode(r.Context(), p.ID, p.Session, req.Flow); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiContactConfirm(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var req struct {
		Flow string `json:"flow"`
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	cc, err := h.svc.ConfirmContactChange(r.Context(), r, p.ID, p.Session, req.Flow, req.Code)
	if err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, struct {
		Kind  ContactKind `json:"kind"`
		Value string      `json:"value"`
	}{cc.Kind, cc.Value})
	return nil
}
