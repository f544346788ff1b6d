package id

import (
	"net/http"

	"github.com/sep-platform/sep/internal/web"
)

func (h *Handler) registerRegistration() {
	h.site.Handle("GET /id/register", h.registerPage)
	h.site.Handle("POST /id/register", h.registerPost)
	h.site.Handle("POST /id/register/codes", h.registerCodesPost)
	h.site.Handle("POST /id/register/password", h.registerPasswordPost)
	h.site.Handle("POST /api/v1/register", h.apiRegister)
	h.site.Handle("POST /api/v1/register/codes", h.apiRegisterCodes)
	h.site.Handle("POST /api/v1/register/password", h.apiRegisterPassword)
}

type registerPage struct {
	formPage
	Phone, Email string
	Consent      bool
}

func (h *Handler) registerPage(w http.ResponseWriter, r *http.Request) error {
	p := &registerPage{}
	p.Title = h.site.Printer(r).T("id.register.title")
	return h.site.Render(w, r, http.StatusOK, "id_register", p)
}

func (h *Handler) registerPost(w http.ResponseWriter, r *http.Request) error {
	form := RegistrationForm{Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"),
		Consent: r.PostFormValue("consent") == "yes", Lang: web.Lang(r)}
	reg, err := h.svc.StartRegistration(r.Context(), r, form)
	if err != nil {
		p := &registerPage{Phone: form.Phone, Email: form.Email, Consent: form.Consent}
		p.Title = h.site.Printer(r).T("id.register.title")
		if !h.fail(r, &p.formPage, err, "phone", "email", "consent") {
			return err
		}
		return h.site.Render(w, r, http.StatusBadRequest, "id_register", p)
	}
	return h.renderCodes(w, r, reg, nil)
}

type codesPage struct {
	formPage
	Phone, Email         string
	PhoneDone, EmailDone bool // confirmed already: that field is not asked again
}

func (h *Handler) renderCodes(w http.ResponseWriter, r *http.Request, reg *Registration, err error) error {
	p := &codesPage{Phone: maskPhone(reg.Phone), Email: reg.Email, PhoneDone: reg.PhoneConfirmed(), EmailDone: reg.EmailConfirmed()}
	p.Flow, p.Title = reg.Flow.Token, h.site.Printer(r).T("id.register.codes_title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "phone_code", "email_code") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_register_codes", p)
}

func (h *Handler) registerCodesPost(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("flow")
	reg, err := h.svc.ConfirmRegistration(r.Context(), token, r.PostFormValue("phone_code"), r.PostFormValue("email_code"))
	if err != nil {
		again, ferr := h.svc.RegistrationFlow(r.Context(), token)
		if ferr != nil {
			return ferr
		}
		again.Flow.Token = token
		return h.renderCodes(w, r, again, err)
	}
	reg.Flow.Token = token
	return h.renderPassword(w, r, reg, nil)
}

type passwordPage struct {
	formPage
	MinLength int
}

func (h *Handler) renderPassword(w http.ResponseWriter, r *http.Request, reg *Registration, err error) error {
	p := &passwordPage{MinLength: 12}
	p.Flow, p.Title = reg.Flow.Token, h.site.Printer(r).T("id.register.password_title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "password") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_register_password", p)
}

func (h *Handler) registerPasswordPost(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("flow")
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		reg, err := h.svc.RegistrationFlow(r.Context(), token)
		if err != nil {
			return err
		}
		reg.Flow.Token = token
		return h.renderPassword(w, r, reg, FieldErrors{"password": errMismatch})
	}
	_, ss, st, err := h.svc.FinishRegistration(r.Context(), r, token, pw)
	if err != nil {
		reg, ferr := h.svc.RegistrationFlow(r.Context(), token)
		if ferr != nil {
			return err
		}
		reg.Flow.Token = token
		return h.renderPassword(w, r, reg, err)
	}
	h.svc.SetSessionCookie(w, st)
	h.svc.SetDeviceCookie(w, ss)
	http.Redirect(w, r, "/id/account", http.StatusSeeOther)
	return nil
}

func (h *Handler) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Phone   string `json:"phone"`
		Email   string `json:"email"`
		Consent bool   `json:"consent"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	reg, err := h.svc.StartRegistration(r.Context(), r, RegistrationForm{Phone: req.Phone, Email: req.Email,
		Consent: req.Consent, Lang: web.Lang(r)})
	if err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, apiFlow{Flow: reg.Flow.Token})
	return nil
}

func (h *Handler) apiRegisterCodes(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow      string `json:"flow"`
		PhoneCode string `json:"phone_code"`
		EmailCode string `json:"email_code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if _, err := h.svc.ConfirmRegistration(r.Context(), req.Flow, req.PhoneCode, req.EmailCode); err != nil {
		return h.apiError(w, r, err)
	}
	web.JSON(w, http.StatusOK, apiFlow{Flow: req.Flow})
	return nil
}

func (h *Handler) apiRegisterPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow     string `json:"flow"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	a, ss, st, err := h.svc.FinishRegistration(r.Context(), r, req.Flow, req.Password)
	if err != nil {
		return h.apiError(w, r, err)
	}
	h.svc.SetSessionCookie(w, st)
	h.svc.SetDeviceCookie(w, ss)
	web.JSON(w, http.StatusCreated, apiSession{Token: st, AccountID: a.ID, ExpiresAt: ss.ExpiresAt,
		IdleFor: int(h.svc.IdleTimeout().Seconds())})
	return nil
}
