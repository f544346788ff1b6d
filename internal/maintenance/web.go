package maintenance

import (
	"embed"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/web"
)

// Templates are this package's page templates, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// Register adds the public schedule page (web.SchedulePath), which stays open during a
// window: it is where the 503 page sends people.
func Register(s *web.Site, c *Cache) {
	h := &handler{site: s, cache: c}
	pattern := "GET " + web.SchedulePath
	s.Handle(pattern, h.schedule)
	s.ServeDuringMaintenance(pattern)
}

type handler struct {
	site  *web.Site
	cache *Cache
}

type windowView struct {
	From, To time.Time
	Now      bool
	Note     string
}

type schedulePage struct {
	web.Page
	Windows []windowView
}

func (h *handler) schedule(w http.ResponseWriter, r *http.Request) error {
	now := time.Now()
	p := &schedulePage{}
	for _, win := range h.cache.Windows(r.Context(), now) {
		p.Windows = append(p.Windows, windowView{From: win.From, To: win.To, Now: !win.From.After(now),
			Note: win.Notes[web.Lang(r)]})
	}
	p.Title = h.site.Printer(r).T("maintenance.title")
	return h.site.Render(w, r, http.StatusOK, "maintenance", p)
}
