package id

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The pages and API answers of throttled sign-ins and of accounts that may not sign in: the
// CAPTCHA's picture and sound, the locked notice, the blocked and unconfirmed pages.

func (h *Handler) registerThrottle() {
	h.site.Handle("GET /id/captcha/{id}/image", h.captchaImage)
	h.site.Handle("GET /id/captcha/{id}/audio", h.captchaAudio)
}

func (h *Handler) captchaImage(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.CaptchaImage(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return serveCaptcha(w, "image/png", b)
}

func (h *Handler) captchaAudio(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.CaptchaAudio(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `inline; filename="captcha.wav"`)
	return serveCaptcha(w, "audio/wav", b)
}

func serveCaptcha(w http.ResponseWriter, contentType string, b []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store")
	_, err := w.Write(b)
	return err
}

// captchaView is a challenge on a form: the picture, the sound and the answer's field.
type captchaView struct {
	ID, Image, Audio string
	Digits           int
}

func newCaptchaView(c *Captcha) *captchaView {
	base := "/id/captcha/" + c.ID
	return &captchaView{ID: c.ID, Image: base + "/image", Audio: base + "/audio", Digits: CaptchaDigits}
}

// lockedView is the locked notice: until when, in Moscow time, and the way out.
type lockedView struct {
	Until   string
	Recover string // the recovery page
}

// refuseSignIn puts a refused sign-in on the sign-in page — the CAPTCHA to answer, the lock,
// a wait — or renders the page of an account that may not sign in. It reports false for
// errors that are not such a refusal.
func (h *Handler) refuseSignIn(w http.ResponseWriter, r *http.Request, p *signInPage, err error) (bool, error) {
	pr := h.site.Printer(r)
	var ce *CaptchaError
	var le *LockedError
	var be *BlockedError
	var cw *codeWait
	var nc *NextCaptcha
	switch {
	case errors.As(err, &nc): // wrong, and the next attempt answers this
		p.Captcha = newCaptchaView(nc.Challenge)
		p.Notice = pr.T(messageID(err))
		return true, h.site.Render(w, r, http.StatusBadRequest, "id_signin", p)
	case errors.As(err, &ce):
		p.Captcha = newCaptchaView(ce.Challenge)
		msg := pr.T(messageID(err))
		p.Errors = map[string]string{"captcha": msg}
		p.Summary = []FieldMessage{{Field: "captcha", Message: msg}}
		return true, h.site.Render(w, r, http.StatusBadRequest, "id_signin", p)
	case errors.As(err, &le):
		setRetryAfter(w, le.RetryAfter())
		p.Locked = &lockedView{Until: pr.MoscowTime(le.Until), Recover: "/id/recover"}
		p.Notice = pr.T("id.signin_locked", "until", p.Locked.Until)
		return true, h.site.Render(w, r, http.StatusTooManyRequests, "id_signin", p)
	case errs.IDOf(err) == "id.signin_too_many" && errors.As(err, &cw):
		setRetryAfter(w, cw.RetryAfter())
		p.Notice = pr.T("id.signin_too_many", "seconds", cw.Seconds())
		return true, h.site.Render(w, r, http.StatusTooManyRequests, "id_signin", p)
	case errors.As(err, &be):
		sp := &statusPage{Reason: blockReason(pr.T, be.Code), Note: be.Note, Request: web.RequestID(r)}
		sp.Title = pr.T("id.account_blocked.title")
		return true, h.site.Render(w, r, http.StatusForbidden, "id_throttle_blocked", sp)
	case errs.IDOf(err) == "id.account_unconfirmed":
		sp := &statusPage{}
		sp.Title = pr.T("id.account_unconfirmed.title")
		return true, h.site.Render(w, r, http.StatusForbidden, "id_throttle_unconfirmed", sp)
	}
	return false, nil
}

// statusPage is the page of an account that may not sign in.
type statusPage struct {
	web.Page
	Reason  string // the reason of a block, in words
	Note    string // the administrator's note, if any
	Request string // the request's id, for support
}

// blockReason is the reason of a block in words; an unknown code reads as "other".
func blockReason(t func(string, ...any) string, code string) string {
	for _, c := range BlockReasons {
		if c == code {
			return t("id.block_reason." + code)
		}
	}
	return t("id.block_reason.other")
}

func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
	}
}

// The API's answers (openapi_throttle.yaml).

type apiCaptcha struct {
	ID        string    `json:"id"`
	Image     string    `json:"image"`
	Audio     string    `json:"audio"`
	Digits    int       `json:"digits"`
	ExpiresAt time.Time `json:"expires_at"`
}

func apiCaptchaOf(c *Captcha) *apiCaptcha {
	v := newCaptchaView(c)
	return &apiCaptcha{ID: v.ID, Image: v.Image, Audio: v.Audio, Digits: v.Digits, ExpiresAt: c.ExpiresAt}
}

type apiBlock struct {
	Reason        string `json:"reason"`
	ReasonMessage string `json:"reason_message"`
	Note          string `json:"note,omitempty"`
}

// apiSignInError answers a refused sign-in step: a CAPTCHA to answer (400 with the challenge),
// a lock (429 with its end), too many attempts (429), a blocked account (403 with the reason);
// anything else as apiError does.
func (h *Handler) apiSignInError(w http.ResponseWriter, r *http.Request, err error) error {
	pr := h.site.Printer(r)
	var body struct {
		web.APIError
		Fields      map[string]string `json:"fields,omitempty"`
		Captcha     *apiCaptcha       `json:"captcha,omitempty"`
		LockedUntil *time.Time        `json:"locked_until,omitempty"`
		Block       *apiBlock         `json:"block,omitempty"`
	}
	id := messageID(err)
	body.Error.Code, body.Error.MessageID, body.RequestID = errs.KindOf(err).String(), id, web.RequestID(r)
	var ce *CaptchaError
	var le *LockedError
	var be *BlockedError
	var cw *codeWait
	var nc *NextCaptcha
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &nc):
		body.Error.Message = pr.T(id)
		body.Captcha = apiCaptchaOf(nc.Challenge)
	case errors.As(err, &ce):
		body.Error.Message = pr.T(id)
		body.Fields = map[string]string{"captcha": body.Error.Message}
		body.Captcha = apiCaptchaOf(ce.Challenge)
	case errors.As(err, &le):
		status = http.StatusTooManyRequests
		setRetryAfter(w, le.RetryAfter())
		body.Error.Message = pr.T(id, "until", pr.MoscowTime(le.Until))
		body.LockedUntil = &le.Until
	case id == "id.signin_too_many" && errors.As(err, &cw):
		status = http.StatusTooManyRequests
		setRetryAfter(w, cw.RetryAfter())
		body.Error.Message = pr.T(id, "seconds", cw.Seconds())
	case errors.As(err, &be):
		status = http.StatusForbidden
		body.Error.Message = pr.T(id)
		code := be.Code
		if blockReason(func(k string, _ ...any) string { return k }, code) == "id.block_reason.other" {
			code = "other"
		}
		body.Block = &apiBlock{Reason: code, ReasonMessage: blockReason(pr.T, code), Note: be.Note}
	default:
		return h.apiError(w, r, err)
	}
	web.JSON(w, status, body)
	return nil
}
