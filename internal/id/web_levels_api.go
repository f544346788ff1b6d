package id

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

func (h *Handler) registerLevelsAPI() {
	h.site.Handle("GET /api/v1/id/profile", h.apiProfile)
	h.site.Handle("PUT /api/v1/id/profile", h.apiProfilePut)
	h.site.Handle("GET /api/v1/id/level", h.apiLevel)
	h.site.Handle("POST /api/v1/id/profile/confirm", h.apiConfirm)
	h.site.Handle("POST /api/v1/id/operator/find", h.apiOperatorFind)
	h.site.Handle("POST /api/v1/id/operator/accounts/{id}/confirm", h.apiOperatorConfirm)
	h.site.Handle("POST /api/v1/id/operator/accounts/{id}/confirmation-code", h.apiOperatorCode)
}

// apiCheck is one registry check in the API.
type apiCheck struct {
	Registry  string    `json:"registry"`
	Status    string    `json:"status"`
	Field     string    `json:"field,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// apiLevelBody is GET /api/v1/id/level: the level, what the next needs, the checks.
type apiLevelBody struct {
	Level        Level            `json:"level"`
	Next         Level            `json:"next,omitempty"`
	Missing      []string         `json:"missing"`
	Checks       []apiCheck       `json:"checks"`
	Confirmation *apiConfirmation `json:"confirmation,omitempty"`
}

type apiConfirmation struct {
	Method      string    `json:"method"`
	ConfirmedAt time.Time `json:"confirmed_at"`
}

// apiProfileBody is GET and PUT /api/v1/id/profile: the level and the profile, its fields as
// the form has them.
type apiProfileBody struct {
	apiLevelBody
	Profile map[string]string `json:"profile"`
}

func levelBody(st *LevelState) apiLevelBody {
	b := apiLevelBody{Level: st.Level, Next: st.Next, Missing: st.Missing, Checks: []apiCheck{}}
	if b.Missing == nil {
		b.Missing = []string{}
	}
	for _, c := range st.Checks {
		b.Checks = append(b.Checks, apiCheck{Registry: string(c.Registry), Status: c.Status, Field: c.Field,
			Reason: string(c.Reason), CheckedAt: c.CheckedAt})
	}
	if c := st.Confirmation; c != nil {
		b.Confirmation = &apiConfirmation{Method: c.Method, ConfirmedAt: c.At}
	}
	return b
}

func (h *Handler) apiProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	return h.answerProfile(w, r, p.ID, http.StatusOK)
}

func (h *Handler) answerProfile(w http.ResponseWriter, r *http.Request, accountID string, status int) error {
	st, err := h.svc.ReviewLevel(r.Context(), accountID)
	if err != nil {
		return err
	}
	a, err := h.svc.Account(r.Context(), accountID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, status, apiProfileBody{apiLevelBody: levelBody(st), Profile: formValues(FormOf(a.Profile))})
	return nil
}

func (h *Handler) apiProfilePut(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var req map[string]string
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		return errs.E(errs.Invalid, "id.bad_json", err)
	}
	for k := range req {
		if _, known := formValues(ProfileForm{})[k]; !known {
			return errs.E(errs.Invalid, "id.bad_json", errors.New("id: unknown profile field "+k))
		}
	}
	if _, err := h.svc.SaveProfileForm(r.Context(), r, p.ID, formFrom(func(k string) string { return req[k] })); err != nil {
		return h.apiError(w, r, err)
	}
	return h.answerProfile(w, r, p.ID, http.StatusOK)
}

func (h *Handler) apiLevel(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	st, err := h.svc.ReviewLevel(r.Context(), p.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, levelBody(st))
	return nil
}

func (h *Handler) apiConfirm(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.svc.EnterConfirmationCode(r.Context(), r, p.ID, req.Code); err != nil {
		if errs.KindOf(err) == errs.Invalid {
			return h.apiError(w, r, FieldErrors{"code": err})
		}
		return err
	}
	st, err := h.svc.ReviewLevel(r.Context(), p.ID)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, levelBody(st))
	return nil
}

// apiOperator is the operator making an API request, or a refusal.
func apiOperator(r *http.Request) (*web.Principal, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	if p.Kind != web.Operator {
		return nil, ErrNotOperator
	}
	return p, nil
}

// apiFoundBody is what an operator is shown of the account found.
type apiFoundBody struct {
	AccountID string       `json:"account_id"`
	Name      string       `json:"name"`
	BirthDate string       `json:"birth_date,omitempty"`
	Passport  string       `json:"passport,omitempty"`
	Level     apiLevelBody `json:"level"`
}

func (h *Handler) apiOperatorFind(w http.ResponseWriter, r *http.Request) error {
	op, err := apiOperator(r)
	if err != nil {
		return err
	}
	var req struct {
		Login string `json:"login"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	a, st, err := h.svc.FindForConfirmation(r.Context(), r, op.ID, req.Login)
	if err != nil {
		return err
	}
	f := h.found(r, a, st)
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, apiFoundBody{AccountID: a.ID, Name: f.Name, BirthDate: f.BirthDate, Passport: f.Passport,
		Level: levelBody(st)})
	return nil
}

func (h *Handler) apiOperatorConfirm(w http.ResponseWriter, r *http.Request) error {
	op, err := apiOperator(r)
	if err != nil {
		return err
	}
	if err := h.svc.ConfirmAtServicePoint(r.Context(), r, op.ID, r.PathValue("id")); err != nil {
		return err
	}
	a, err := h.svc.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	st, err := h.svc.Level(r.Context(), a)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, levelBody(st))
	return nil
}

func (h *Handler) apiOperatorCode(w http.ResponseWriter, r *http.Request) error {
	op, err := apiOperator(r)
	if err != nil {
		return err
	}
	code, expires, err := h.svc.IssueConfirmationCode(r.Context(), r, op.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, struct {
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
	}{code, expires})
	return nil
}
