package applications

import (
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// OpenAPI is this package's part of the API document (package api).
//
//go:embed openapi.yaml
var OpenAPI []byte

func (h *Handler) registerAPI(s *web.Site) {
	s.Handle("GET /api/v1/applications", h.apiList)
	s.Handle("POST /api/v1/applications", h.apiCreate)
	s.Handle("GET /api/v1/applications/{id}", h.apiGet)
	s.Handle("PUT /api/v1/applications/{id}/values", h.apiValues)
	s.Handle("POST /api/v1/applications/{id}/withdraw", h.apiWithdraw)
	s.Handle("POST /api/v1/applications/{id}/code", h.apiCode)
	s.Handle("POST /api/v1/applications/{id}/submit", h.apiSubmit)
}

// apiApplication is an application in the JSON API.
type apiApplication struct {
	ID          string            `json:"id"`
	Number      string            `json:"number,omitempty"`
	Service     string            `json:"service"`
	State       State             `json:"state"`
	Status      string            `json:"status"` // the applicant's word for it, in the request's language
	CreatedAt   time.Time         `json:"created_at"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	Deadline    *time.Time        `json:"deadline,omitempty"`
	Values      map[string]string `json:"values,omitempty"`
	Documents   []string          `json:"documents,omitempty"` // the kinds attached
	Reason      string            `json:"reason,omitempty"`
	Correction  *Correction       `json:"correction,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (h *Handler) apiView(r *http.Request, a *Application, full bool) apiApplication {
	v := apiApplication{ID: a.ID, Number: a.Number, Service: a.Service, State: a.State, Status: h.status(h.site.Printer(r), a),
		CreatedAt: a.CreatedAt, SubmittedAt: timePtr(a.SubmittedAt)}
	if a.State.Open() {
		v.Deadline = timePtr(a.Deadline)
	}
	if full {
		v.Values, v.Reason = a.Values, a.Reason
		if a.State == NeedsCorrection {
			v.Correction = a.Correction
		}
		for k := range a.Documents {
			v.Documents = append(v.Documents, k)
		}
	}
	return v
}

// apiCitizen is the citizen calling the API.
func apiCitizen(r *http.Request) (*web.Principal, error) {
	p, ok := web.PrincipalOf(r)
	if !ok {
		return nil, errs.E(errs.Unauthenticated, "id.signin_needed", nil)
	}
	if p.Kind != web.Citizen {
		return nil, ErrNotFound
	}
	return p, nil
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := apiCitizen(r)
	if err != nil {
		return err
	}
	apps, err := h.store.List(r.Context(), p.ID)
	if err != nil {
		return err
	}
	out := struct {
		Applications []apiApplication `json:"applications"`
	}{Applications: []apiApplication{}}
	for _, a := range apps {
		out.Applications = append(out.Applications, h.apiView(r, a, false))
	}
	web.JSON(w, http.StatusOK, out)
	return nil
}

type apiValuesBody struct {
	Service string            `json:"service"`
	Values  map[string]string `json:"values"`
}

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return errs.E(errs.Invalid, "error.invalid", err)
	}
	return nil
}

// apiCreate starts a draft; the Idempotency-Key header makes a retried call return the same
// draft instead of a second one.
func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := apiCitizen(r)
	if err != nil {
		return err
	}
	var body apiValuesBody
	if err := decode(r, &body); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 100 {
		return errs.E(errs.Invalid, "error.invalid", errors.New("applications: a long idempotency key"))
	}
	svc, ok := h.catalogue.Service(body.Service)
	if !ok {
		return errs.E(errs.NotFound, "applications.no_service", nil)
	}
	acc, err := h.ids.Account(r.Context(), p.ID)
	if err != nil {
		return err
	}
	if err := mayApply(svc, acc); err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range body.Values {
		if _, ok := svc.Field(k); ok {
			values[k] = v
		}
	}
	a, err := h.store.Create(r.Context(), r, p.ID, svc.Code, key, values)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusCreated, h.apiView(r, a, true))
	return nil
}

// apiOwn is the API caller and the application the path names, if it is theirs (else
// not found, as for an id that does not exist).
func (h *Handler) apiOwn(r *http.Request) (*web.Principal, *Application, error) {
	p, err := apiCitizen(r)
	if err != nil {
		return nil, nil, err
	}
	a, err := h.store.Own(r.Context(), p.ID, r.PathValue("id"))
	return p, a, err
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	_, a, err := h.apiOwn(r)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, h.apiView(r, a, true))
	return nil
}

// apiValues saves values; the answer holds each field's mistake in "fields" (the values are
// saved all the same, as the pages do, so that nothing typed is lost).
func (h *Handler) apiValues(w http.ResponseWriter, r *http.Request) error {
	p, a, err := h.apiOwn(r)
	if err != nil {
		return err
	}
	svc, _ := h.catalogue.Service(a.Service)
	var body apiValuesBody
	if err := decode(r, &body); err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range body.Values {
		if _, ok := svc.Field(k); ok {
			values[k] = v
		}
	}
	if a, err = h.store.SaveValues(r.Context(), p.ID, a.ID, values); err != nil {
		return err
	}
	pr := h.site.Printer(r)
	fields := map[string]string{}
	for k := range values {
		fd, _ := svc.Field(k)
		if _, err := CheckValue(fd, a.Values[k], h.store.now()); err != nil {
			fields[k] = message(pr, err)
		}
	}
	out := struct {
		apiApplication
		Fields map[string]string `json:"fields"`
	}{h.apiView(r, a, true), fields}
	web.JSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) apiWithdraw(w http.ResponseWriter, r *http.Request) error {
	p, err := apiCitizen(r)
	if err != nil {
		return err
	}
	a, err := h.store.Withdraw(r.Context(), r, p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, h.apiView(r, a, true))
	return nil
}

// apiCode sends the SMS code that confirms the draft's submission.
func (h *Handler) apiCode(w http.ResponseWriter, r *http.Request) error {
	p, a, err := h.apiOwn(r)
	if err != nil {
		return err
	}
	if a.State != Draft {
		return errs.E(errs.Conflict, "applications.not_allowed", nil)
	}
	if err := h.ids.SendActionCode(r.Context(), p.ID, codeAction(a)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type apiSubmitBody struct {
	Consent          bool   `json:"consent"`
	BiometricConsent bool   `json:"biometric_consent"`
	Code             string `json:"code"`
}

// apiSubmit submits the draft with the consents and the SMS code. It is idempotent: a retried
// call on a submitted application answers it as it is (the code is not asked again), so a
// retry never makes a second application.
func (h *Handler) apiSubmit(w http.ResponseWriter, r *http.Request) error {
	p, a, err := h.apiOwn(r)
	if err != nil {
		return err
	}
	if a.State != Draft {
		web.JSON(w, http.StatusOK, h.apiView(r, a, true))
		return nil
	}
	var body apiSubmitBody
	if err := decode(r, &body); err != nil {
		return err
	}
	svc, _ := h.catalogue.Service(a.Service)
	if !body.Consent {
		return errs.E(errs.Invalid, "applications.consent_required", nil)
	}
	if svc.Biometric() && !body.BiometricConsent {
		return errs.E(errs.Invalid, "applications.biometric_consent_required", nil)
	}
	if err := h.ids.CheckActionCode(r.Context(), p.ID, codeAction(a), body.Code); err != nil {
		return err
	}
	if a, err = h.store.Submit(r.Context(), r, p.ID, a.ID, true); err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, h.apiView(r, a, true))
	return nil
}
