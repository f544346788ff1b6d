package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The preferences API (openapi_prefs.yaml): the same choices as the page, the test message
// and the browser's push subscription.

// The API's bodies.
type apiPrefChannel struct {
	Channel Channel `json:"channel"`
	On      bool    `json:"on"`
}

type apiPrefKind struct {
	Kind     KindName         `json:"kind"`
	Critical bool             `json:"critical"`
	Channels []apiPrefChannel `json:"channels"`
}

type apiPrefs struct {
	Preferences       []apiPrefKind `json:"preferences"`
	PushKey           string        `json:"push_key,omitempty"`
	PushSubscriptions int           `json:"push_subscriptions"`
}

func (h *prefsHandler) apiView(ctx context.Context, acc string) (apiPrefs, error) {
	prefs, err := h.n.Preferences(ctx, acc)
	if err != nil {
		return apiPrefs{}, err
	}
	out := apiPrefs{Preferences: []apiPrefKind{}, PushKey: h.n.PushKey()}
	for _, k := range PreferenceKinds() {
		v := apiPrefKind{Kind: k.Name, Critical: k.AlwaysOn, Channels: []apiPrefChannel{}}
		for _, c := range k.Channels {
			v.Channels = append(v.Channels, apiPrefChannel{Channel: c, On: prefs.On(k.Name, c)})
		}
		out.Preferences = append(out.Preferences, v)
	}
	out.PushSubscriptions, err = h.n.Subscriptions(ctx, acc)
	return out, err
}

func (h *prefsHandler) apiGet(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	v, err := h.apiView(r.Context(), acc)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, v)
	return nil
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return errs.E(errs.Invalid, "error.invalid", err)
	}
	return nil
}

func (h *prefsHandler) apiPut(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	var body struct {
		Preferences map[KindName][]Channel `json:"preferences"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := h.store(r, acc, Preferences(body.Preferences)); err != nil {
		return err
	}
	return h.apiGet(w, r)
}

func (h *prefsHandler) apiTest(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	var body struct {
		Channels []Channel `json:"channels"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	for _, c := range body.Channels {
		if !slices.Contains(channels[:], c) {
			return errs.E(errs.Invalid, "notify_prefs.test.none", nil)
		}
	}
	id, err := h.sendTest(r.Context(), acc, body.Channels)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusAccepted, map[string]string{"message_id": id})
	return nil
}

func (h *prefsHandler) apiSubscribe(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	if h.n.PushKey() == "" {
		return errs.E(errs.NotFound, "notify.push.unavailable", nil)
	}
	var s Subscription
	if err := decodeJSONLoose(r, &s); err != nil {
		return err
	}
	id, err := h.n.Subscribe(r.Context(), acc, s)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusCreated, map[string]string{"id": id})
	return nil
}

// decodeJSONLoose decodes a browser's PushSubscription.toJSON(), which may carry fields a
// browser adds (expirationTime).
func decodeJSONLoose(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return errs.E(errs.Invalid, "error.invalid", err)
	}
	return nil
}

func (h *prefsHandler) apiUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	var body struct {
		Endpoint string `json:"endpoint"`
	}
	if err := decodeJSONLoose(r, &body); err != nil {
		return err
	}
	if err := h.n.Unsubscribe(r.Context(), acc, body.Endpoint); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
