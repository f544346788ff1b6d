package notify

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// OpenAPI is this package's part of the API document (package api): the development outbox.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Pages are this package's page templates, for web.Options.Templates.
//
//go:embed templates/*.html
var Pages embed.FS

// RegisterOutbox adds the development outbox to the site: GET /dev/outbox (a page) and
// GET /dev/outbox.json. Call it only in demo mode: the outbox holds one-time codes, and in
// production its routes must not exist.
func RegisterOutbox(s *web.Site, d *db.DB, box *seal.Box) {
	h := &outboxHandler{site: s, db: d, box: box}
	s.Handle("GET /dev/outbox", h.page)
	s.Handle("GET /dev/outbox.json", h.json)
}

type outboxHandler struct {
	site *web.Site
	db   *db.DB
	box  *seal.Box
}

type outboxRow struct {
	OutboxEntry
	ChannelKey, KindKey string
	Lines               []string
}

type outboxPage struct {
	web.Page
	To       string
	JSONLink string
	Entries  []outboxRow
}

func (h *outboxHandler) filter(r *http.Request) (OutboxFilter, error) {
	q := r.URL.Query()
	f := OutboxFilter{To: strings.TrimSpace(q.Get("to")), Kind: KindName(q.Get("kind"))}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, errs.E(errs.Invalid, "", nil)
		}
		f.Limit = n
	}
	if len(f.To) > 254 {
		return f, errs.E(errs.Invalid, "", nil)
	}
	return f, nil
}

func (h *outboxHandler) page(w http.ResponseWriter, r *http.Request) error {
	f, err := h.filter(r)
	if err != nil {
		return err
	}
	entries, err := Outbox(r.Context(), h.db, h.box, f)
	if err != nil {
		return err
	}
	p := &outboxPage{To: f.To, JSONLink: "/dev/outbox.json"}
	if f.To != "" {
		p.JSONLink += "?to=" + url.QueryEscape(f.To)
	}
	p.Title = h.site.Printer(r).T("notify.outbox.title")
	for _, e := range entries {
		p.Entries = append(p.Entries, outboxRow{OutboxEntry: e,
			ChannelKey: "notify.channel." + string(e.Channel), KindKey: "notify.kind." + string(e.Kind),
			Lines: strings.Split(e.Body, "\n")})
	}
	return h.site.Render(w, r, http.StatusOK, "dev_outbox", p)
}

// outboxJSON is the body of /dev/outbox.json.
type outboxJSON struct {
	Messages []OutboxEntry `json:"messages"`
}

func (h *outboxHandler) json(w http.ResponseWriter, r *http.Request) error {
	f, err := h.filter(r)
	if err != nil {
		return err
	}
	entries, err := Outbox(r.Context(), h.db, h.box, f)
	if err != nil {
		return err
	}
	web.JSON(w, http.StatusOK, outboxJSON{Messages: entries})
	return nil
}
