package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
)

// HandleLimit registers h like Handle, with its own request body limit (an upload form takes
// more than the default). The limit is known before any middleware reads the body.
func (s *Site) HandleLimit(pattern string, limit int64, h HandlerFunc) {
	s.limits[pattern] = limit
	s.Handle(pattern, h)
}

// limitBody caps every request body at its route's limit.
func (s *Site) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.opt.MaxBodyBytes
		if _, pattern := s.mux.Handler(r); s.limits[pattern] > 0 {
			limit = s.limits[pattern]
		}
		if r.ContentLength > limit {
			s.Error(w, r, errs.E(errs.TooLarge, "", &http.MaxBytesError{Limit: limit}))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// ParseForm parses a urlencoded or multipart form, turning a body over its limit into a
// TooLarge error and a malformed one into Invalid.
func ParseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.E(errs.TooLarge, "", err)
	}
	return errs.E(errs.Invalid, "", err)
}
