package id

import (
	"net/http"

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
