package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/sep-platform/sep/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Page is what every page template gets besides its own data. Page data structs embed it:
//
//	type homePage struct {
//		web.Page
//		News []Item
//	}
type Page struct {
	Title     string // the page's own title, already translated; the layout adds the service name
	Lang      string
	CSRFToken string
	Demo      bool
	Path      string // where the language switch brings the visitor back
	Version   string
	RequestID string
	// Maintenance announces the next maintenance window (or the one in progress, on the
	// pages that stay open during it).
	Maintenance *MaintenanceNotice
	OldBrowser  bool // the User-Agent names a browser older than those supported
	SignedIn    bool // someone is signed in (the header offers the account and sign-out)
	IdleWarning bool // signed in with a session that ends when idle: the page warns before it does
}

func (p *Page) page() *Page { return p }

// PageData is implemented by every struct that embeds Page.
type PageData interface{ page() *Page }

type renderer struct {
	pages map[string]map[string]*template.Template // lang → page name → template
}

// newRenderer parses the layout and every page once per language, binding that language's
// messages into the templates, so that a broken template stops start-up, not a request; with
// folding, the constant actions are folded into text (fold.go).
func newRenderer(cat *i18n.Catalog, assets *Assets, fsyses []fs.FS, folding bool) (*renderer, error) {
	r := &renderer{pages: map[string]map[string]*template.Template{}}
	for _, lang := range i18n.Languages() {
		p := cat.Printer(lang)
		funcs := template.FuncMap{
			"t":      p.T,
			"tn":     p.N,
			"asset":  assets.URL,
			"moscow": p.MoscowTime,
			// supportedBrowsers names the supported versions, for the old-browser notice.
			"supportedBrowsers": supportedBrowsers,
		}
		layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
		if err != nil {
			return nil, fmt.Errorf("web: layout: %w", err)
		}
		r.pages[lang] = map[string]*template.Template{}
		for _, fsys := range fsyses {
			files, err := fs.Glob(fsys, "templates/*.html")
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				name := strings.TrimSuffix(path.Base(f), ".html")
				if name == "layout" {
					continue
				}
				if _, dup := r.pages[lang][name]; dup {
					return nil, fmt.Errorf("web: two page templates are named %q", name)
				}
				t, err := template.Must(layout.Clone()).ParseFS(fsys, f)
				if err != nil {
					return nil, fmt.Errorf("web: page %s: %w", name, err)
				}
				if t.Lookup("content") == nil {
					return nil, fmt.Errorf("web: page %s does not define \"content\"", name)
				}
				if folding {
					if err := fold(t, "layout.html", funcs); err != nil {
						return nil, fmt.Errorf("web: page %s: %w", name, err)
					}
				}
				r.pages[lang][name] = t
			}
		}
	}
	return r, nil
}

// Render writes the page template name with data, in the request's language. The page is
// rendered into a buffer first, so a template error never sends half a page.
func (s *Site) Render(w http.ResponseWriter, r *http.Request, status int, name string, data PageData) error {
	ri := info(r)
	p := data.page()
	p.Lang, p.CSRFToken, p.Demo, p.Version, p.RequestID = ri.lang, ri.csrf, s.opt.Demo, s.opt.Version, ri.id
	p.Maintenance, p.OldBrowser = s.notice(r), OutdatedBrowser(r.UserAgent())
	pr, signedIn := PrincipalOf(r)
	p.SignedIn, p.IdleWarning = signedIn, signedIn && pr.Session != ""
	if p.Path == "" {
		p.Path = r.URL.Path
		if r.Method == http.MethodGet && r.URL.RawQuery != "" {
			p.Path = r.URL.RequestURI()
		}
	}
	t, ok := s.render.pages[ri.lang][name]
	if !ok {
		return fmt.Errorf("web: no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}
