// Package validate serves GET /api/v1/validate/{kind}?value=…: the validators
// of package ruid over HTTP, so that a form can tell a citizen at once that an
// СНИЛС has a wrong check number, with the same rule and the same message the
// server applies when the form is sent.
//
//	200 {"valid":true,"normalized":"112-233-445 95"}
//	200 {"valid":false,"code":"snils.checksum","message":"…"}
//
// The kinds are ruid's table (ruid.Kinds): snils, inn, ogrn, ogrnip, kpp,
// okved, passport, division_code, phone, email, date, name, uin, bik,
// account. Besides value, a kind reads the parameters ruid names for it:
//
//   - passport: value is series and number together ("45 08 123456");
//     issue_date, birth_date and division_code, each optional, add the
//     rules that need them (issued at 14 or later, not expired by age …).
//     The first failing rule is reported; its code names the field.
//   - account: bik is required (without it: account.bik_missing).
//   - inn: type=person or type=legal demands that kind of ИНН.
//   - phone: mobile=1 demands a number that can receive SMS.
//   - email: latin=1 demands Latin letters and digits only (ruid.EmailLatin),
//     the rule account addresses follow.
//
// The message is in the language of Accept-Language (Russian by default).
// A missing or repeated value, or a value or parameter over MaxValueLen
// bytes, is a 400 with the API's JSON error; an empty value is checked (and is
// not valid). An unknown kind is a 404 whose body lists the kinds:
//
//	{"error":{"code":"not_found","message_id":"validate.unknown_kind","message":"…"},"request_id":"…","kinds":["snils",…]}
//
// Values may be personal data: responses are Cache-Control: no-store, and
// nothing here logs a value (the access log has the route pattern only). The
// endpoint guesses nothing about anyone, so it is not rate limited.
package validate

import (
	_ "embed"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// MaxValueLen is the longest value, or other parameter, accepted, in bytes:
// room for the longest e-mail address in Cyrillic, and a bound on the work a
// request can ask for.
const MaxValueLen = 512

// Route is the endpoint's pattern.
const Route = "GET /api/v1/validate/{kind}"

// Handler serves the endpoint.
type Handler struct {
	site  *web.Site
	now   func() time.Time
	names []string // the kinds, for the 404
}

// Register adds the endpoint to the site. now is the clock for the date rules
// (nil: time.Now).
func Register(s *web.Site, now func() time.Time) *Handler {
	if now == nil {
		now = time.Now
	}
	h := &Handler{site: s, now: now}
	for _, k := range ruid.Kinds() {
		h.names = append(h.names, k.Name)
	}
	s.Handle(Route, h.validate)
	// Without a kind the answer is the same 404 with the list, so that a
	// client can discover the kinds.
	s.Handle("GET /api/v1/validate", h.validate)
	s.Handle("GET /api/v1/validate/{$}", h.validate)
	return h
}

// OpenAPI is this package's part of the API document (package api).
//
//go:embed openapi.yaml
var OpenAPI []byte

// Valid is the answer for a value that passed.
type Valid struct {
	Valid      bool   `json:"valid"` // true
	Normalized string `json:"normalized"`
}

// Invalid is the answer for a value that did not.
type Invalid struct {
	Valid   bool   `json:"valid"` // false
	Code    string `json:"code"`
	Message string `json:"message"`
}

// UnknownKind is the 404 body: the API's error with the list of kinds.
type UnknownKind struct {
	web.APIError
	Kinds []string `json:"kinds"`
}

// moscow is the time zone whose calendar date the date rules use: "today"
// for a passport issued today is the date in Moscow, as government systems
// count it.
var moscow = time.FixedZone("MSK", 3*60*60)

func (h *Handler) validate(w http.ResponseWriter, r *http.Request) error {
	kind, ok := ruid.LookupKind(r.PathValue("kind"))
	if !ok {
		var body UnknownKind
		const id = "validate.unknown_kind"
		body.Error.Code, body.Error.MessageID = errs.NotFound.String(), id
		body.Error.Message = h.site.Printer(r).T(id)
		body.RequestID, body.Kinds = web.RequestID(r), h.names
		web.JSON(w, http.StatusNotFound, body)
		return nil
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errs.E(errs.Invalid, "", errors.New("validate: malformed query string"))
	}
	values, ok := params["value"]
	switch {
	case !ok:
		return errs.E(errs.Invalid, "validate.value_missing", nil)
	case len(values) > 1:
		return errs.E(errs.Invalid, "validate.value_repeated", nil)
	}
	for _, vs := range params {
		for _, v := range vs {
			if len(v) > MaxValueLen {
				return errs.E(errs.Invalid, "validate.value_too_long", nil)
			}
		}
	}

	normalized, err := kind.Check(values[0], params, h.now().In(moscow))
	if err == nil {
		web.JSON(w, http.StatusOK, Valid{Valid: true, Normalized: normalized})
		return nil
	}
	var e *ruid.Error
	if !errors.As(err, &e) {
		return err // not a verdict on the value: a failure of ours, answered 500
	}
	web.JSON(w, http.StatusOK, Invalid{Code: string(e.Code), Message: e.Message(web.Lang(r))})
	return nil
}
