package id

import (
	"net/http"
	"net/url"

	"github.com/sep-platform/sep/internal/web"
)

// The pages and API of changing a contact (routes in registerRecovery, web_recovery.go).

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
