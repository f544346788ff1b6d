package id

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"slices"

	"github.com/skip2/go-qrcode"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The factors page and its forms. Every page works without JavaScript except the passkey
// ceremonies, which browsers offer to scripts only: there the page says so and offers the
// other factors.
func (h *Handler) registerFactors() {
	h.site.Handle("GET /id/security/factors", h.factorsPage)
	h.site.Handle("GET /id/security/factors/totp", h.totpPage)
	h.site.Handle("POST /id/security/factors/totp", h.totpPost)
	h.site.Handle("GET /id/security/factors/passkey", h.passkeyPage)
	h.site.Handle("POST /id/security/factors/passkey", h.passkeyPost)
	h.site.Handle("GET /id/security/factors/recovery", h.recoveryPage)
	h.site.Handle("POST /id/security/factors/recovery", h.recoveryPost)
	h.site.Handle("GET /id/security/factors/remove", h.removePage)
	h.site.Handle("POST /id/security/factors/remove", h.removePost)
	h.site.Handle("POST /id/signin/method", h.signInMethodPost)
	h.registerFactorsAPI()
}

const factorsPath = "/id/security/factors"

// factorsDone are the notices the factors page shows after a change (?done=…), each a
// catalog key "id.factors.done.<value>".
var factorsDone = []string{"totp_added", "webauthn_added", "totp_removed", "webauthn_removed", "recovery_removed"}

type factorsPage struct {
	web.Page
	Factors *Factors
	Phone   string // masked
	Done    string // a notice's catalog key
}

// signedInAccount returns the signed-in account, or redirects to the sign-in (which comes back
// to the page) and returns nil.
func (h *Handler) signedInAccount(w http.ResponseWriter, r *http.Request, back string) (*Account, error) {
	p, ok := h.signedIn(w, r, back)
	if !ok {
		return nil, nil
	}
	return h.svc.Account(r.Context(), p.ID)
}

func (h *Handler) factorsPage(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath)
	if a == nil {
		return err
	}
	f, err := h.svc.FactorsOf(r.Context(), a)
	if err != nil {
		return err
	}
	p := &factorsPage{Factors: f, Phone: maskPhone(a.Phone)}
	if d := r.URL.Query().Get("done"); slices.Contains(factorsDone, d) {
		p.Done = "id.factors.done." + d
	}
	p.Title = h.site.Printer(r).T("id.factors.title")
	return h.site.Render(w, r, http.StatusOK, "id_factors_list", p)
}

type totpPage struct {
	formPage
	Secret string       // grouped by four for reading
	QR     template.URL // a data: URL of the PNG (made here, so safe to show)
}

func (h *Handler) totpPage(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath+"/totp")
	if a == nil {
		return err
	}
	en, err := h.svc.StartTOTP(r.Context(), a)
	if errs.KindOf(err) == errs.Conflict {
		http.Redirect(w, r, factorsPath, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	return h.renderTOTP(w, r, en, nil)
}

func (h *Handler) renderTOTP(w http.ResponseWriter, r *http.Request, en *TOTPEnrolment, err error) error {
	png, qerr := qrcode.Encode(en.URL, qrcode.Medium, 256)
	if qerr != nil {
		return qerr
	}
	p := &totpPage{Secret: groupBy4(en.Secret), QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
	p.Flow, p.Title = en.Flow.Token, h.site.Printer(r).T("id.totp.title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "code") {
			return err
		}
		status = http.StatusBadRequest
	}
	w.Header().Set("Cache-Control", "no-store") // the page shows the secret
	return h.site.Render(w, r, status, "id_factors_totp", p)
}

// groupBy4 writes a secret in groups of four characters, as authenticator apps accept it.
func groupBy4(s string) string {
	var out []byte
	for i := 0; i < len(s); i++ {
		if i > 0 && i%4 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func (h *Handler) totpPost(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath+"/totp")
	if a == nil {
		return err
	}
	token := r.PostFormValue("flow")
	if err := h.svc.ConfirmTOTP(r.Context(), r, a, token, r.PostFormValue("code")); err != nil {
		en, ferr := h.svc.TOTPFlow(r.Context(), a, token)
		if ferr != nil {
			return err
		}
		return h.renderTOTP(w, r, en, err)
	}
	http.Redirect(w, r, factorsPath+"?done=totp_added", http.StatusSeeOther)
	return nil
}

type passkeyPage struct {
	formPage
	Options string // for navigator.credentials.create, JSON
	Name    string
}

func (h *Handler) passkeyPage(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath+"/passkey")
	if a == nil {
		return err
	}
	en, err := h.svc.StartPasskey(r.Context(), a)
	if err != nil {
		return err
	}
	return h.renderPasskey(w, r, en, "", nil)
}

func (h *Handler) renderPasskey(w http.ResponseWriter, r *http.Request, en *PasskeyEnrolment, name string, err error) error {
	p := &passkeyPage{Options: en.Options, Name: name}
	p.Flow, p.Title = en.Flow.Token, h.site.Printer(r).T("id.passkey.title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "name") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_factors_passkey", p)
}

func (h *Handler) passkeyPost(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath+"/passkey")
	if a == nil {
		return err
	}
	token, name := r.PostFormValue("flow"), r.PostFormValue("name")
	if _, err := h.svc.FinishPasskey(r.Context(), r, a, token, name, r.PostFormValue("credential")); err != nil {
		en, ferr := h.svc.PasskeyFlow(r.Context(), a, token)
		if ferr != nil {
			return err
		}
		return h.renderPasskey(w, r, en, name, err)
	}
	http.Redirect(w, r, factorsPath+"?done=webauthn_added", http.StatusSeeOther)
	return nil
}

type recoveryPage struct {
	formPage
	Left  int
	Codes []string // the new codes, shown once
}

func (h *Handler) recoveryPage(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath+"/recovery")
	if a == nil {
		return err
	}
	rc, err := h.svc.recoveryCodes(r.Context(), nil, a.ID)
	if err != nil {
		return err
	}
	p := &recoveryPage{Left: rc.Left}
	p.Title = h.site.Printer(r).T("id.recovery_codes.title")
	return h.site.Render(w, r, http.StatusOK, "id_factors_recovery", p)
}

func (h *Handler) recoveryPost(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath+"/recovery")
	if a == nil {
		return err
	}
	codes, err := h.svc.NewRecoveryCodes(r.Context(), r, a, r.PostFormValue("password"))
	p := &recoveryPage{Codes: codes}
	p.Title = h.site.Printer(r).T("id.recovery_codes.title")
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "password") {
			return err
		}
		if p.Left, err = h.svc.recoveryCodesLeft(r.Context(), nil, a.ID); err != nil {
			return err
		}
		status = http.StatusBadRequest
	}
	w.Header().Set("Cache-Control", "no-store") // the page shows the codes
	return h.site.Render(w, r, status, "id_factors_recovery", p)
}

type removePage struct {
	formPage
	Method string
	ID     string
	Name   string // the passkey's
}

func (h *Handler) removePage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	a, err := h.signedInAccount(w, r, factorsPath+"/remove?"+q.Encode())
	if a == nil {
		return err
	}
	return h.renderRemove(w, r, a, q.Get("method"), q.Get("id"), nil)
}

func (h *Handler) renderRemove(w http.ResponseWriter, r *http.Request, a *Account, method, id string, err error) error {
	p := &removePage{Method: method, ID: id}
	switch method {
	case MethodTOTP, MethodRecovery:
		p.ID = ""
	case MethodWebAuthn:
		keys, kerr := h.svc.Passkeys(r.Context(), a.ID)
		if kerr != nil {
			return kerr
		}
		i := slices.IndexFunc(keys, func(k Passkey) bool { return k.ID == id })
		if i < 0 {
			return errNoSuchFactor
		}
		p.Name = keys[i].Name
	default:
		return errNoSuchFactor
	}
	p.Title = h.site.Printer(r).T("id.factors.remove.title." + method)
	status := http.StatusOK
	if err != nil {
		if !h.fail(r, &p.formPage, err, "password") {
			return err
		}
		status = http.StatusBadRequest
	}
	return h.site.Render(w, r, status, "id_factors_remove", p)
}

func (h *Handler) removePost(w http.ResponseWriter, r *http.Request) error {
	a, err := h.signedInAccount(w, r, factorsPath)
	if a == nil {
		return err
	}
	method, id := r.PostFormValue("method"), r.PostFormValue("id")
	if err := h.svc.RemoveFactor(r.Context(), r, a, method, id, r.PostFormValue("password")); err != nil {
		return h.renderRemove(w, r, a, method, id, err)
	}
	http.Redirect(w, r, factorsPath+"?done="+method+"_removed", http.StatusSeeOther)
	return nil
}

// signInMethodPost shows the sign-in's factor page for another method than the default: the
// SMS code is sent then (if a minute has passed since the last), a passkey gets its challenge.
func (h *Handler) signInMethodPost(w http.ResponseWriter, r *http.Request) error {
	token, method := r.PostFormValue("flow"), r.PostFormValue("method")
	si, err := h.svc.SignInFlow(r.Context(), token)
	if err != nil {
		return err
	}
	si.Flow.Token = token
	ret := localPath(r.PostFormValue("return"))
	if !slices.Contains(si.Methods, method) {
		method = si.Methods[0]
	}
	var notice error
	if method == MethodSMS {
		if err := h.svc.SendSignInCode(r.Context(), token); err != nil && errs.IDOf(err) != "id.code_too_soon" {
			notice = err
		}
	}
	return h.renderFactorMethod(w, r, si, method, notice, ret)
}
