package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
)

var statusOf = map[errs.Kind]int{
	errs.Other:           http.StatusInternalServerError,
	errs.Invalid:         http.StatusBadRequest,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.TooMany:         http.StatusTooManyRequests,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.Unavailable:     http.StatusServiceUnavailable,
}

// errorPage is the data of templates/error.html.
type errorPage struct {
	Page
	Status  int
	Heading string
	Message string
}

// APIError is the body of every JSON error response.
type APIError struct {
	Error struct {
		Code      string `json:"code"`       // the kind: not_found, invalid, …
		MessageID string `json:"message_id"` // catalog key, for clients that translate themselves
		Message   string `json:"message"`    // in the language of Accept-Language
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// Error answers a failed request: the status from the error's kind, a page (or JSON for the API)
// with a message in the user's language, and a log line with the detail for unexpected errors.
// It is the only place that turns errors into responses.
func (s *Site) Error(w http.ResponseWriter, r *http.Request, err error) {
	kind := errs.KindOf(err)
	var tooBig *http.MaxBytesError
	if kind == errs.Other && errors.As(err, &tooBig) {
		kind = errs.TooLarge
	}
	status := statusOf[kind]
	id := errs.IDOf(err)
	if id == "" {
		id = "error." + kind.String()
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", RequestID(r), "route", info(r).route, "err", err)
	} else {
		// Refusals are expected; their detail may echo user input, so only the kind is logged.
		s.log.Debug("request refused", "request_id", RequestID(r), "status", status, "message_id", id)
	}
	if kind == errs.TooMany {
		w.Header().Set("Retry-After", "60")
	}
	p := s.Printer(r)
	if wantsJSON(r) {
		var body APIError
		body.Error.Code, body.Error.MessageID, body.Error.Message = kind.String(), id, p.T(id)
		body.RequestID = RequestID(r)
		JSON(w, status, body)
		return
	}
	titleID := id + ".title"
	if !s.opt.Catalog.Has(titleID) {
		titleID = "error." + kind.String() + ".title"
	}
	page := &errorPage{Status: status, Heading: p.T(titleID), Message: p.T(id)}
	page.Title = page.Heading
	if rerr := s.Render(w, r, status, "error", page); rerr != nil {
		s.log.Error("cannot render the error page", "err", rerr)
		http.Error(w, p.T(id), status)
	}
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") ||
		strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// JSON writes v as a JSON response.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Default().Debug("web: writing JSON", "err", err)
	}
}
