package id

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

func (h *Handler) registerSignIn() {
	h.site.Handle("GET /id/signin", h.signInPage)
	h.site.Handle("POST /id/signin", h.signInPost)
	h.site.Handle("POST /id/signin/factor", h.factorPost)
	h.site.Handle("POST /id/signin/resend", h.resendPost)
	h.site.Handle("POST /id/signout", h.signOutPost)
	h.site.Handle("POST /api/v1/signin", h.apiSignIn)
	h.site.Handle("POST /api/v1/signin/code", h.apiSignInCode)
	h.site.Handle("POST /api/v1/signin/factor", h.apiSignInFactor)
	h.site.Handle("POST /api/v1/signout", h.apiSignOut)
}

type signInPage struct {
	formPage
	Login   string
	Return  string
	QR      *qrPanel     // «Войти по QR-коду» (web_qr.go)
	Captcha *captchaView // a CAPTCHA to answer (web_throttle.go)
	Locked  *lockedView  // the login's sign-in is locked
}

type factorPage struct {
	formPage
	Methods []string
	Method  string
	Phone   string // the phone the SMS code went to, masked
	Return  string
	// WebAuthn is the passkey challenge (the options of navigator.credentials.get, JSON)
	// when the method is webauthn.
	WebAuthn string
	// CanRemember offers «Запомнить это устройство на 30 дней» (citizens only).
	CanRemember bool
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) error {
	p := &signInPage{Return: localPath(r.URL.Query().Get("return"))}
	p.Title = h.site.Printer(r).T("id.signin.title")
	p.Notice = h.sessionEndedNotice(w, r)
	if err := h.addQRPanel(r, p); err != nil { // may say why a sign-in is asked (to approve a QR code)
		return err
	}
	return h.site.Render(w, r, http.StatusOK, "id_signin", p)
}

func (h *Handler) signInPost(w http.ResponseWriter, r *http.Request) error {
	login := r.PostFormValue("login")
	si, err := h.svc.SignInWith(r.Context(), r, SignInForm{Login: login, Password: r.PostFormValue("password"),
		CaptchaID: r.PostFormValue("captcha_id"), Captcha: r.PostFormValue("captcha")})
	if err != nil {
		p := &signInPage{Login: login, Return: localPath(r.PostFormValue("return"))}
		p.Title = h.site.Printer(r).T("id.signin.title")
		if done, rerr := h.refuseSignIn(w, r, p, err); done {
			return rerr
		}
		if !h.fail(r, &p.formPage, err) {
			return err
		}
		if err := h.addQRPanel(r, p); err != nil {
			return err
		}
		return h.site.Render(w, r, http.StatusBadRequest, "id_signin", p)
	}
	if si.Session != nil { // a remembered device: no second factor
		return h.completeSignIn(w, r, si.Session, si.SessionToken, localPath(r.PostFormValue("return")))
	}
	return h.renderFactor(w, r, si, nil, localPath(r.PostFormValue("return")))
}

func (h *Handler) renderFactor(w http.ResponseWriter, r *http.Request, si *SignIn, err error, ret string) error {
	return h.renderFactorMethod(w, r, si, si.Methods[0], err, ret)
}

// renderFactorMethod shows the factor page for one of the sign-in's methods (the default if
// method is not one of them), with the others offered below it.
func (h *Handler) renderFactorMethod(w http.ResponseWriter, r *http.Request, si *SignIn, method string, err error, ret string) error {
	if !slices.Contains(si.Methods, method) {
		method = si.Methods[0]
	}
	p := &factorPage{Methods: si.Methods, Method: method, Phone: maskPhone(si.Account.Phone), Return: ret,
		CanRemember: si.Account.Role == Citizen}
	p.Flow, p.Title = si.Flow.Token, h.site.Printer(r).T("id.factor.title")
	if method == MethodWebAuthn {
		opts, werr := h.svc.PasskeySignInOptions(r.Context(), si)
		if werr != nil {
			return werr
		}
		p.WebAuthn = opts
	}
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "code") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_factor", p)
}

// maskPhone shows a phone as the person recognises it without showing it to a bystander:
// +7 900 ***-**-67.
func maskPhone(p string) string {
	if len(p) != 12 {
		return ""
	}
	return p[:2] + " " + p[2:5] + " ***-**-" + p[10:]
}

func (h *Handler) factorPost(w http.ResponseWriter, r *http.Request) error {
	token, method, code := r.PostFormValue("flow"), r.PostFormValue("method"), r.PostFormValue("code")
	ss, st, err := h.svc.FinishSignIn(r.Context(), r, token, method, code)
	if errors.Is(err, ErrPasswordExpired) {
		return h.renderExpired(w, r, token, localPath(r.PostFormValue("return")), nil)
	}
	if err != nil {
		if errors.As(err, new(*LockedError)) { // the lock ends this sign-in: back to the start
			p := &signInPage{Return: localPath(r.PostFormValue("return"))}
			p.Title = h.site.Printer(r).T("id.signin.title")
			_, rerr := h.refuseSignIn(w, r, p, err)
			return rerr
		}
		si, ferr := h.svc.SignInFlow(r.Context(), token)
		if ferr != nil {
			return ferr // the flow is gone: the error page says to sign in again
		}
		si.Flow.Token = token
		return h.renderFactorMethod(w, r, si, method, err, localPath(r.PostFormValue("return")))
	}
	h.rememberIfAsked(r, ss, r.PostFormValue("remember") != "")
	return h.completeSignIn(w, r, ss, st, localPath(r.PostFormValue("return")))
}

func (h *Handler) resendPost(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("flow")
	si, err := h.svc.SignInFlow(r.Context(), token)
	if err != nil {
		return err
	}
	si.Flow.Token = token
	if err := h.svc.SendSignInCode(r.Context(), token); err != nil {
		return h.renderFactor(w, r, si, err, localPath(r.PostFormValue("return")))
	}
	p := &factorPage{Methods: si.Methods, Method: MethodSMS, Phone: maskPhone(si.Account.Phone),
		Return: localPath(r.PostFormValue("return")), CanRemember: si.Account.Role == Citizen}
	p.Flow, p.Title = token, h.site.Printer(r).T("id.factor.title")
	p.Notice = h.site.Printer(r).T("id.factor.resent")
	return h.site.Render(w, r, http.StatusOK, "id_factor", p)
}

func (h *Handler) signOutPost(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.SignOut(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// The JSON API of sign-in (openapi.yaml describes it).

type apiSignInRequest struct {
	Login     string `json:"login"`
	Password  string `json:"password"`
	CaptchaID string `json:"captcha_id,omitempty"` // the CAPTCHA asked by the last answer
	Captcha   string `json:"captcha,omitempty"`
}

type apiFlow struct {
	Flow    string   `json:"flow"`
	Methods []string `json:"methods,omitempty"`
}

// decode reads a JSON request body into v; a malformed one is errs.Invalid "id.bad_json".
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E(errs.Invalid, "id.bad_json", err)
	}
	return nil
}

func (h *Handler) apiSignIn(w http.ResponseWriter, r *http.Request) error {
	var req apiSignInRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	si, err := h.svc.SignInWith(r.Context(), r, SignInForm(req))
	if err != nil {
		return h.apiSignInError(w, r, err)
	}
	if si.Session != nil { // a remembered device: no second factor
		h.apiSignedIn(w, si.Session, si.SessionToken)
		return nil
	}
	web.JSON(w, http.StatusOK, apiFlow{Flow: si.Flow.Token, Methods: si.Methods})
	return nil
}

func (h *Handler) apiSignInCode(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow string `json:"flow"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.svc.SendSignInCode(r.Context(), req.Flow); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type apiSession struct {
	Token     string    `json:"token"` // for "Authorization: Bearer"; browsers get the cookie too
	AccountID string    `json:"account_id"`
	ExpiresAt time.Time `json:"expires_at"`
	IdleFor   int       `json:"idle_timeout_seconds"`
}

func (h *Handler) apiSignInFactor(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow     string `json:"flow"`
		Method   string `json:"method"`
		Code     string `json:"code"`
		Remember bool   `json:"remember"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ss, st, err := h.svc.FinishSignIn(r.Context(), r, req.Flow, req.Method, req.Code)
	if err != nil {
		return h.apiSignInError(w, r, err)
	}
	h.rememberIfAsked(r, ss, req.Remember)
	h.apiSignedIn(w, ss, st)
	return nil
}

func (h *Handler) apiSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.SignOut(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
