// Package site serves the public pages that belong to no single service: the home page and the
// language switch.
package site

import (
	"embed"
	"net/http"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// Templates are the page templates of this package, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// Handler serves the public pages.
type Handler struct {
	site   *web.Site
	secure bool // set cookies with the Secure flag
}

// Register adds the routes to the site.
func Register(s *web.Site, secure bool) {
	h := &Handler{site: s, secure: secure}
	s.Handle("GET /{$}", h.home)
	s.Handle("POST /language", h.switchLanguage)
	// The maintenance notice can be read in either language.
	s.ServeDuringMaintenance("POST /language")
}

type homePage struct {
	web.Page
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	return h.site.Render(w, r, http.StatusOK, "home", &homePage{})
}

// switchLanguage remembers the chosen language in a cookie and goes back to the page the visitor
// was on. It is a form POST so that it works without JavaScript.
func (h *Handler) switchLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !i18n.Supported(lang) {
		return errs.E(errs.Invalid, "", nil)
	}
	http.SetCookie(w, &http.Cookie{Name: web.LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostFormValue("return")), http.StatusSeeOther)
	return nil
}

// localPath keeps a return address on this site: a path, never another host (an open
// redirect would let phishing pages borrow our address).
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\t") {
		return "/"
	}
	return p
}
