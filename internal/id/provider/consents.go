package provider

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The page /id/security/consents: the systems a person let have their data, and what data;
// access lasts until the person revokes it here (the seeds).

func (h *handler) registerConsents() {
	h.site.Handle("GET /id/security/consents", h.consentsPage)
	h.site.Handle("POST /id/security/consents/{client}/revoke", h.revoke)
}

// consentsPage lists the consents.
type consentsPage struct {
	web.Page
	Notice   string
	Consents []consentView
}

type consentView struct {
	ClientID, System string
	Scopes           []string // catalog keys
	GrantedAt        time.Time
}

func (h *handler) consentsPage(w http.ResponseWriter, r *http.Request) error {
	pr := citizen(r)
	if pr == nil {
		http.Redirect(w, r, "/id/signin?return=/id/security/consents", http.StatusSeeOther)
		return nil
	}
	return h.renderConsents(w, r, pr.ID, "")
}

func (h *handler) renderConsents(w http.ResponseWriter, r *http.Request, accountID, notice string) error {
	cs, err := h.p.Consents(r.Context(), accountID)
	if err != nil {
		return err
	}
	p := &consentsPage{Notice: notice}
	for _, c := range cs {
		v := consentView{ClientID: c.Client.ID, System: c.Client.Mnemonic, GrantedAt: c.GrantedAt}
		for _, s := range c.Scopes {
			v.Scopes = append(v.Scopes, "provider.scope."+s)
		}
		p.Consents = append(p.Consents, v)
	}
	p.Title = h.site.Printer(r).T("provider.consents.title")
	return h.site.Render(w, r, http.StatusOK, "provider_consents", p)
}

// revoke withdraws a consent: the system's refresh tokens end, and its next request asks again.
func (h *handler) revoke(w http.ResponseWriter, r *http.Request) error {
	pr := citizen(r)
	if pr == nil {
		http.Redirect(w, r, "/id/signin?return=/id/security/consents", http.StatusSeeOther)
		return nil
	}
	cid := r.PathValue("client")
	err := h.p.db.Tx(r.Context(), func(tx *sql.Tx) error {
		if err := h.p.revokeConsent(r.Context(), tx, pr.ID, cid); err != nil {
			return err
		}
		return h.p.record(r.Context(), tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: pr.ID, Action: ActionConsentRevoked,
			ObjectType: "client", ObjectID: cid})
	})
	if errors.Is(err, errGone) {
		return errs.E(errs.NotFound, "provider.no_consent", err)
	}
	if err != nil {
		return err
	}
	return h.renderConsents(w, r, pr.ID, h.site.Printer(r).T("provider.consents.revoked"))
}
