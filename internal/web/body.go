package web

import (
	"net/http"
	"net/url"

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
// TooLarge error and a malformed one into Invalid. Of a multipart form only the fields before
// its file are parsed (into r.PostForm and r.Form), and the file is left to Multipart: the
// form is read as a stream, never spooled to a temporary file.
func ParseForm(r *http.Request) error {
	if isMultipart(r) {
		f, err := Multipart(r)
		if err != nil {
			return err
		}
		r.PostForm = f.Values
		r.Form = url.Values{}
		for k, vs := range r.URL.Query() {
			r.Form[k] = append(r.Form[k], vs...)
		}
		for k, vs := range f.Values {
			r.Form[k] = append(r.Form[k], vs...)
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return bodyError(err)
	}
	return nil
}
