package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	errs.WrongMethod:     http.StatusMethodNotAllowed,
}

// Status is the HTTP status of err's kind: 400 for invalid input, 404, 409, 429…; 500 for a
// failure of ours. Pages that show a refusal themselves answer with it.
func Status(err error) int {
	if st, ok := statusOf[errs.KindOf(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// RetryLater is implemented by errors that know when a refused request may be tried again
// (a rate limit, a maintenance window). Error finds it anywhere in the chain and sends the
// wait as the Retry-After header, in whole seconds rounded up.
type RetryLater interface {
	error
	RetryAfter() time.Duration
}

// errorPage is the data of templates/error.html.
type errorPage struct {
	Page
	Status  int
	Heading string
	Message string
	Note    string   // a maintenance window's note, if any
	Steps   []string // what to do, from the catalog's "<id>.step.N"
	Link    *link    // a page that helps, e.g. the maintenance schedule
}

type link struct{ Href, Text string }

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
	var closed *maintenanceError
	inWindow := errors.As(err, &closed)
	if status >= 500 && !inWindow {
		s.log.Error("request failed", "request_id", RequestID(r), "route", info(r).route, "err", err)
	} else {
		// Refusals are expected; their detail may echo user input, so only the kind is logged.
		s.log.Debug("request refused", "request_id", RequestID(r), "status", status, "message_id", id)
	}
	var later RetryLater
	if errors.As(err, &later) {
		if d := later.RetryAfter(); d > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
		}
	}
	p := s.Printer(r)
	message := p.T(id)
	if inWindow {
		message = p.T(id, "until", p.MoscowTime(closed.window.To))
	}
	if wantsJSON(r) {
		var body APIError
		body.Error.Code, body.Error.MessageID, body.Error.Message = kind.String(), id, message
		body.RequestID = RequestID(r)
		JSON(w, status, body)
		return
	}
	titleID := id + ".title"
	if !s.opt.Catalog.Has(titleID) {
		titleID = "error." + kind.String() + ".title"
	}
	page := &errorPage{Status: status, Heading: p.T(titleID), Message: message}
	page.Title = page.Heading
	if !safeMethod(r.Method) {
		// The language switch must not bring the visitor back to a form's action by GET.
		page.Path = referringPath(r)
	}
	for n := 1; s.opt.Catalog.Has(id + ".step." + strconv.Itoa(n)); n++ {
		page.Steps = append(page.Steps, p.T(id+".step."+strconv.Itoa(n)))
	}
	if inWindow {
		page.Note = closed.window.Notes[p.Lang()]
		page.Link = &link{Href: SchedulePath, Text: p.T("layout.maintenance_schedule")}
	}
	if rerr := s.Render(w, r, status, "error", page); rerr != nil {
		s.log.Error("cannot render the error page", "err", rerr)
		http.Error(w, message, status)
	}
}

// referringPath is the page of this site that sent the request (the Referer, which
// Referrer-Policy same-origin gives), or the home page.
func referringPath(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return u.RequestURI()
}

// wantsJSON reports whether an error is answered in JSON: on the API and every *.json route
// (a client of a JSON route parses what it gets), or when the client asks for JSON only.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasSuffix(r.URL.Path, ".json") ||
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
