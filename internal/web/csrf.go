package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
)

// CSRFCookie holds the visitor's anti-forgery token; forms echo it in the CSRFField. Over
// HTTPS the cookie is named with the __Host- prefix (see Site.CookieName).
const (
	CSRFCookie = "sep_csrf"
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// CookieName is the name to give one of sep's cookies: over HTTPS with the __Host- prefix,
// which makes the browser refuse the cookie unless it is Secure, for the whole site
// (Path=/) and without a Domain — so a neighbouring subdomain or a plain-HTTP page cannot
// plant or overwrite it. Browsers also refuse __Host- cookies without Secure, so over plain
// HTTP (demo on localhost) the bare name is used. Set such cookies with Path "/", no Domain
// and Secure as Options.Secure says.
func (s *Site) CookieName(name string) string { return CookieName(name, s.opt.Secure) }

// Secure reports whether the site is served over HTTPS: its cookies are then Secure.
func (s *Site) Secure() bool { return s.opt.Secure }

// CookieName is Site.CookieName for code that runs before the site exists (an Authenticator):
// "__Host-"+name over HTTPS, name over plain HTTP.
func CookieName(name string, secure bool) string {
	if secure {
		return "__Host-" + name
	}
	return name
}

// csrf rejects forged state-changing requests in two independent ways: the browser's own
// Sec-Fetch-Site/Origin headers (http.CrossOriginProtection), and a token that a same-origin
// form carries and a cross-site one cannot know (double-submit of the sep_csrf cookie).
// Requests that authenticate with a bearer token are exempt from the token: browsers never
// attach that header by themselves (unlike Basic credentials, which they do resend).
func (s *Site) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, errs.E(errs.Forbidden, "error.csrf", errCrossOrigin))
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		name := s.CookieName(CSRFCookie)
		if c, err := r.Cookie(name); err == nil && len(c.Value) == 43 {
			ri.csrf = c.Value
		}
		had := ri.csrf != ""
		if !had {
			// A first visit, or a cookie that expired: issue a token so that the forms of the
			// page about to be shown (even an error page) work.
			ri.csrf = newToken()
			http.SetCookie(w, &http.Cookie{Name: name, Value: ri.csrf, Path: "/",
				HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
		}
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") && !jsonAPICall(r) && !s.noToken[r.URL.Path] {
			sent := r.Header.Get(CSRFHeader)
			if sent == "" {
				if err := ParseForm(r); err != nil {
					s.Error(w, r, err)
					return
				}
				sent = r.PostFormValue(CSRFField)
			}
			if !had {
				// No cookie came with the form: cookies are off (or the browser was closed
				// since the form was shown). Say how to turn them on, not "forged".
				s.Error(w, r, errs.E(errs.Forbidden, "error.cookies", errNoCookie))
				return
			}
			if sent == "" && isMultipart(r) {
				if f, _ := Multipart(r); f != nil && f.File != nil {
					s.Error(w, r, errFileBeforeToken)
					return
				}
			}
			if subtle.ConstantTimeCompare([]byte(sent), []byte(ri.csrf)) != 1 {
				s.Error(w, r, errs.E(errs.Forbidden, "error.csrf", errBadToken))
				return
			}
		}
		next.ServeHTTP(w, r)
	}))
}

// jsonAPICall reports whether a request is a call of the JSON API with a JSON body (the mobile
// app signing in has no bearer token yet). Such a call needs no token: a cross-site page can
// send application/json only through CORS, which sep does not allow (the browser's preflight is
// refused), and CrossOriginProtection has already turned away browsers' cross-origin calls.
func jsonAPICall(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return strings.HasPrefix(r.URL.Path, "/api/") && mt == "application/json"
}

type csrfError string

func (e csrfError) Error() string { return string(e) }

const (
	errCrossOrigin = csrfError("csrf: cross-origin request")
	errBadToken    = csrfError("csrf: missing or wrong token")
	errNoCookie    = csrfError("csrf: no cookie came with the form")
)

// CSRFToken returns the token to put in forms (hidden field csrf_token) or the X-CSRF-Token
// header.
func CSRFToken(r *http.Request) string { return info(r).csrf }

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
