package id

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/web"
)

// The JSON API of the factors (openapi_factors.yaml describes it), for the mobile app. Adding
// a passkey is left to the pages: an app makes its passkeys with the platform's own API.
func (h *Handler) registerFactorsAPI() {
	h.site.Handle("GET /api/v1/factors", h.apiFactors)
	h.site.Handle("POST /api/v1/factors/totp", h.apiTOTPStart)
	h.site.Handle("POST /api/v1/factors/totp/confirm", h.apiTOTPConfirm)
	h.site.Handle("POST /api/v1/factors/recovery-codes", h.apiRecoveryCodes)
	h.site.Handle("POST /api/v1/factors/remove", h.apiRemoveFactor)
	h.site.Handle("POST /api/v1/signin/passkey", h.apiSignInPasskey)
}

// apiAccountOf returns the signed-in account of an API request.
func (h *Handler) apiAccountOf(r *http.Request) (*Account, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	return h.svc.Account(r.Context(), p.ID)
}

type apiTime struct{ time.Time }

func (t apiTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time)
}

type apiFactorsBody struct {
	SMS struct {
		Phone string `json:"phone,omitempty"`
	} `json:"sms"`
	TOTP *struct {
		CreatedAt  apiTime `json:"created_at"`
		LastUsedAt apiTime `json:"last_used_at"`
	} `json:"totp"`
	Passkeys          []apiPasskey `json:"passkeys"`
	PasskeysAvailable bool         `json:"passkeys_available"`
	RecoveryCodes     struct {
		Left      int     `json:"left"`
		CreatedAt apiTime `json:"created_at"`
	} `json:"recovery_codes"`
}

type apiPasskey struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedAt  apiTime `json:"created_at"`
	LastUsedAt apiTime `json:"last_used_at"`
}

func (h *Handler) apiFactors(w http.ResponseWriter, r *http.Request) error {
	a, err := h.apiAccountOf(r)
	if err != nil {
		return err
	}
	f, err := h.svc.FactorsOf(r.Context(), a)
	if err != nil {
		return err
	}
	var body apiFactorsBody
	body.SMS.Phone = f.Phone
	if f.TOTP != nil {
		body.TOTP = &struct {
			CreatedAt  apiTime `json:"created_at"`
			LastUsedAt apiTime `json:"last_used_at"`
		}{apiTime{f.TOTP.CreatedAt}, apiTime{f.TOTP.LastUsedAt}}
	}
	body.Passkeys = []apiPasskey{}
	for _, k := range f.Passkeys {
		body.Passkeys = append(body.Passkeys, apiPasskey{ID: k.ID, Name: k.Name, CreatedAt: apiTime{k.CreatedAt},
			LastUsedAt: apiTime{k.LastUsedAt}})
	}
	body.PasskeysAvailable = f.PasskeysAvailable
	body.RecoveryCodes.Left, body.RecoveryCodes.CreatedAt = f.Recovery.Left, apiTime{f.Recovery.CreatedAt}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, body)
	return nil
}

func (h *Handler) apiTOTPStart(w http.ResponseWriter, r *http.Request) error {
	a, err := h.apiAccountOf(r)
	if err != nil {
		return err
	}
	en, err := h.svc.StartTOTP(r.Context(), a)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, map[string]string{"flow": en.Flow.Token, "secret": en.Secret, "otpauth_url": en.URL})
	return nil
}

func (h *Handler) apiTOTPConfirm(w http.ResponseWriter, r *http.Request) error {
	a, err := h.apiAccountOf(r)
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
	if err := h.svc.ConfirmTOTP(r.Context(), r, a, req.Flow, req.Code); err != nil {
		return h.apiError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	a, err := h.apiAccountOf(r)
	if err != nil {
		return err
	}
	var req struct {
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	codes, err := h.svc.NewRecoveryCodes(r.Context(), r, a, req.Password)
	if err != nil {
		return h.apiError(w, r, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, map[string][]string{"codes": codes})
	return nil
}

func (h *Handler) apiRemoveFactor(w http.ResponseWriter, r *http.Request) error {
	a, err := h.apiAccountOf(r)
	if err != nil {
		return err
	}
	var req struct {
		Method   string `json:"method"`
		ID       string `json:"id"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.svc.RemoveFactor(r.Context(), r, a, req.Method, req.ID, req.Password); err != nil {
		return h.apiError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiSignInPasskey(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow string `json:"flow"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	si, err := h.svc.SignInFlow(r.Context(), req.Flow)
	if err != nil {
		return err
	}
	opts, err := h.svc.PasskeySignInOptions(r.Context(), si)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(`{"options":` + opts + `}`))
	return err
}
