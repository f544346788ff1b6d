// Package web is sep's HTTP layer: the middleware every request passes (request id, access log,
// panic recovery, security headers, language, CSRF, body limits, metrics), page rendering from
// embedded templates and message catalogs, fingerprinted static assets, and the one place that
// turns errors into a status and a safe message in the user's language.
//
// Handlers return error; they never write error responses themselves:
//
//	site.Handle("GET /applications/{id}", func(w http.ResponseWriter, r *http.Request) error {
//		app, err := store.Application(r.Context(), r.PathValue("id"))
//		if err != nil {
//			return err // errs.NotFound → 404 page in Russian or English
//		}
//		return site.Render(w, r, http.StatusOK, "application", &applicationPage{App: app})
//	})
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
)

// HandlerFunc is an HTTP handler that reports failure by returning an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Options configure a Site.
type Options struct {
	Logger  *slog.Logger
	Catalog *i18n.Catalog
	// Templates are the page templates of the domains: each file system holds templates/*.html,
	// each defining "title" and "content" for the shared layout.
	Templates      []fs.FS
	Demo           bool // show the demo banner on every page
	Secure         bool // served over HTTPS (directly or behind a proxy): Secure cookies, HSTS
	MaxBodyBytes   int64
	Version        string
	Registerer     prometheus.Registerer
	TrustedProxies []netip.Prefix
	// Authenticators recognise who makes a request (see Principal), tried in order.
	Authenticators []Authenticator
	// Maintenance is the schedule of maintenance windows: during one every route not kept
	// open (ServeDuringMaintenance) answers 503, and pages announce the next one. Nil: none.
	Maintenance MaintenanceSchedule
}

// Site is the web application: routes, middleware and rendering.
type Site struct {
	opt     Options
	log     *slog.Logger
	mux     *http.ServeMux
	render  *renderer
	assets  *Assets
	metrics *httpMetrics
	limits  map[string]int64 // route pattern → body limit, for routes that differ
	open    map[string]bool  // route patterns served during maintenance windows
	noToken map[string]bool  // paths whose POSTs need no CSRF token (AllowWithoutCSRFToken)
	// patterns are the registered routes, for Patterns.
	patterns []string
}

// NewSite parses the templates (failing fast on any error) and sets up the middleware.
func NewSite(opt Options) (*Site, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Catalog == nil {
		opt.Catalog = i18n.Default()
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 1 << 20
	}
	if opt.Registerer == nil {
		opt.Registerer = prometheus.NewRegistry()
	}
	assets, err := newAssets(staticFiles)
	if err != nil {
		return nil, err
	}
	r, err := newRenderer(opt.Catalog, assets, append([]fs.FS{templateFiles}, opt.Templates...), true)
	if err != nil {
		return nil, err
	}
	s := &Site{opt: opt, log: opt.Logger, mux: http.NewServeMux(), render: r, assets: assets,
		metrics: newHTTPMetrics(opt.Registerer), limits: map[string]int64{}, open: map[string]bool{}}
	s.mux.Handle("GET /static/", assets)
	s.ServeDuringMaintenance("GET /static/")
	s.mux.Handle("/", http.HandlerFunc(s.unrouted))
	return s, nil
}

// probeMethods are the methods tried to tell "no such page" from "not with this method".
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete}

// unrouted answers what no route takes. ServeMux would answer 405 with Allow by itself when
// a path exists for other methods, but the catch-all "/" that gives our own 404 page matches
// every method, so the other methods are probed here.
func (s *Site) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		if m == r.Method {
			continue
		}
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		s.Error(w, r, errs.E(errs.NotFound, "", nil))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.Error(w, r, errs.E(errs.WrongMethod, "", nil))
}

// Handle registers h for a ServeMux pattern such as "GET /applications/{id}".
func (s *Site) Handle(pattern string, h HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	}))
}

// HandleHTTP registers a plain http.Handler (health checks, metrics).
func (s *Site) HandleHTTP(pattern string, h http.Handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, h)
}

// Patterns lists the patterns registered with Handle and HandleHTTP, in order (the tests
// check that every JSON route is in the OpenAPI document).
func (s *Site) Patterns() []string { return slices.Clone(s.patterns) }

// Printer returns the message printer in the language of the request.
func (s *Site) Printer(r *http.Request) *i18n.Printer { return s.opt.Catalog.Printer(Lang(r)) }

// Logger is the site's logger.
func (s *Site) Logger() *slog.Logger { return s.log }

// Handler returns the whole chain: middleware around the routes. The order matters: the
// request id and recovery come first so that every later failure is logged with the id and
// answered with a page; metrics see the route the mux chose.
func (s *Site) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(s.route)
	h = s.authenticate(h)
	h = s.csrf(h)
	h = s.limitBody(h)
	h = s.language(h)
	h = securityHeaders(h, s.opt.Secure)
	h = s.observe(h)
	h = s.recoverPanics(h)
	h = s.identify(h)
	return h
}
