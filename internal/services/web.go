package services

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/web"
)

// Templates are the page templates of this package, for web.Options.Templates.
//
//go:embed templates/*.html
var Templates embed.FS

// ApplyPath is where «Подать заявление» leads: the applications package's new application
// for a service.
func ApplyPath(code string) string { return "/applications/new?service=" + url.QueryEscape(code) }

// Accounts reads the account of a signed-in person, so that a service's page can say whether
// its level is enough; *id.Service is one.
type Accounts interface {
	Account(ctx context.Context, id string) (*id.Account, error)
}

// Handler serves the catalogue pages and its API.
type Handler struct {
	site     *web.Site
	catalog  *Catalogue
	accounts Accounts // nil: the pages say nothing of the visitor's own level
}

// Register adds the catalogue's pages and JSON routes to the site.
func Register(s *web.Site, c *Catalogue, accounts Accounts) *Handler {
	h := &Handler{site: s, catalog: c, accounts: accounts}
	s.Handle("GET /services", h.cataloguePage)
	s.Handle("GET /services/{code}", h.servicePage)
	s.Handle("GET /api/v1/services", h.apiList)
	s.Handle("GET /api/v1/services/{code}", h.apiService)
	return h
}

// card is a service in a list.
type card struct {
	Code, Name, Summary, Category string
}

type group struct {
	Code, Name string
	Services   []card
}

type cataloguePage struct {
	web.Page
	Query    string
	Searched bool
	Groups   []group // without a query: every service, by category
	Results  []card  // with one: what it found, best first
}

func (h *Handler) card(s *Service, lang string) card {
	cat, _ := h.catalog.Category(s.Category)
	return card{Code: s.Code, Name: s.Name.In(lang), Summary: s.Summary.In(lang), Category: cat.Name.In(lang)}
}

func (h *Handler) cataloguePage(w http.ResponseWriter, r *http.Request) error {
	p := h.site.Printer(r)
	lang := p.Lang()
	page := &cataloguePage{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	page.Title = p.T("services.catalogue.title")
	if page.Query != "" {
		page.Searched = true
		for _, res := range h.catalog.Search(page.Query) {
			page.Results = append(page.Results, h.card(res.Service, lang))
		}
		page.Title = p.T("services.search.title", "query", page.Query)
		return h.site.Render(w, r, http.StatusOK, "services_catalogue", page)
	}
	for _, cat := range h.catalog.Categories {
		g := group{Code: cat.Code, Name: cat.Name.In(lang)}
		for _, s := range h.catalog.Services {
			if s.Category == cat.Code {
				g.Services = append(g.Services, h.card(s, lang))
			}
		}
		if len(g.Services) > 0 {
			page.Groups = append(page.Groups, g)
		}
	}
	return h.site.Render(w, r, http.StatusOK, "services_catalogue", page)
}

// documentView is a document rule in the applicant's words.
type documentView struct {
	Name, Hint string
	Required   bool
	Rules      []string // formats, size, quality
	Biometric  bool
}

type fieldView struct {
	Label, Hint string
	Required    bool
}

type servicePage struct {
	web.Page
	Code, Name, Summary, Description, Category string
	Applicants                                 []string // each with how the submission is signed
	Level                                      string
	// YourLevel says whether a signed-in citizen's account reaches the level; LevelShort
	// is set when it does not.
	YourLevel  string
	LevelShort bool
	Fields     []fieldView
	Documents  []documentView
	Biometric  bool
	Deadlines  []string
	Fee        string
	ApplyURL   string
}

func (h *Handler) lookup(r *http.Request) (*Service, error) {
	s, ok := h.catalog.Service(r.PathValue("code"))
	if !ok {
		return nil, errs.E(errs.NotFound, "services.not_found", nil)
	}
	return s, nil
}

func (h *Handler) servicePage(w http.ResponseWriter, r *http.Request) error {
	s, err := h.lookup(r)
	if err != nil {
		return err
	}
	p := h.site.Printer(r)
	lang := p.Lang()
	cat, _ := h.catalog.Category(s.Category)
	page := &servicePage{Code: s.Code, Name: s.Name.In(lang), Summary: s.Summary.In(lang),
		Description: s.Description.In(lang), Category: cat.Name.In(lang), ApplyURL: ApplyPath(s.Code),
		Level: p.T("services.level", "level", p.T("id.levels.name."+string(s.MinLevel))), Biometric: s.Biometric()}
	page.Title = page.Name
	if err := h.yourLevel(r, p, s, page); err != nil {
		return err
	}
	for _, a := range s.Applicants {
		key := "services.signature.sms"
		if s.NeedsQualifiedSignature(a) {
			key = "services.signature.qualified"
		}
		page.Applicants = append(page.Applicants, p.T(key, "applicant", p.T("services.applicant."+string(a))))
	}
	for _, f := range s.Fields {
		page.Fields = append(page.Fields, fieldView{Label: f.Label.In(lang), Hint: f.Hint.In(lang), Required: f.Required})
	}
	for _, d := range s.Documents {
		page.Documents = append(page.Documents, documentView{Name: d.Name.In(lang), Hint: d.Hint.In(lang),
			Required: d.Required, Rules: documentRules(p, d), Biometric: d.Biometric})
	}
	page.Deadlines = deadlines(p, s.Workflow)
	page.Fee = p.T("services.fee.none")
	if s.Fee != nil {
		page.Fee = p.T("services.fee.amount", "amount", money(p, s.Fee.Kopecks), "purpose", s.Fee.Purpose.In(lang))
	}
	return h.site.Render(w, r, http.StatusOK, "services_service", page)
}

// yourLevel tells a signed-in citizen whether their account's level is enough to apply.
func (h *Handler) yourLevel(r *http.Request, p *i18n.Printer, s *Service, page *servicePage) error {
	pr, ok := web.PrincipalOf(r)
	if !ok || pr.Kind != web.Citizen || h.accounts == nil {
		return nil
	}
	a, err := h.accounts.Account(r.Context(), pr.ID)
	if errs.KindOf(err) == errs.NotFound {
		return nil // signed out meanwhile: the page is the public one
	}
	if err != nil {
		return err
	}
	yours := p.T("id.levels.name." + string(a.Level))
	if LevelAtLeast(a.Level, s.MinLevel) {
		page.YourLevel = p.T("services.your_level.enough", "level", yours)
		return nil
	}
	page.YourLevel, page.LevelShort = p.T("services.your_level.short", "level", yours), true
	return nil
}

// documentRules words a rule: «PDF, JPEG или PNG», «не более 5 МБ», the quality asked.
func documentRules(p *i18n.Printer, d DocumentRule) []string {
	names := make([]string, len(d.Formats))
	for i, f := range d.Formats {
		names[i] = p.T("services.format." + string(f))
	}
	list := names[0]
	if n := len(names); n > 1 {
		list = p.T("services.formats.list", "first", strings.Join(names[:n-1], ", "), "last", names[n-1])
	}
	out := []string{p.T("services.rule.formats", "formats", list), p.T("services.rule.size", "size", size(p, d.MaxBytes))}
	q := d.Quality
	if q.MinDPI > 0 {
		out = append(out, p.T("services.rule.dpi", "dpi", q.MinDPI))
	}
	if q.MinWidth > 0 || q.MinHeight > 0 {
		out = append(out, p.T("services.rule.pixels", "width", q.MinWidth, "height", q.MinHeight))
	}
	if q.Colour {
		out = append(out, p.T("services.rule.colour"))
	}
	if q.Uncropped {
		out = append(out, p.T("services.rule.uncropped"))
	}
	if q.PDFA1b {
		out = append(out, p.T("services.rule.pdfa"))
	}
	return out
}

// size words a size limit in MB or KB, as the seeds write them («5 МБ»).
func size(p *i18n.Printer, n int64) string {
	if n >= 1<<20 {
		return p.T("services.size.mb", "n", decimal(p, float64(n)/(1<<20)))
	}
	return p.T("services.size.kb", "n", decimal(p, float64(n)/(1<<10)))
}

// decimal writes x with at most one decimal, with the language's decimal mark.
func decimal(p *i18n.Printer, x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if p.Lang() == i18n.RU {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// money writes an amount in rubles: «1 500,00 ₽» in Russian, "₽1,500.00" style in English.
func money(p *i18n.Printer, kopecks int64) string {
	whole := strconv.FormatInt(kopecks/100, 10)
	sep, mark := "\u00a0", ","
	if p.Lang() != i18n.RU {
		sep, mark = ",", "."
	}
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return p.T("services.rubles", "amount", fmt.Sprintf("%s%s%02d", b.String(), mark, kopecks%100))
}

// deadlines words a workflow's deadlines, in the order an application meets them.
func deadlines(p *i18n.Printer, wf Workflow) []string {
	var out []string
	if d, ok := wf.Deadline(RegistryChecks); ok {
		line := p.N("services.deadline.checks_hours", d.Hours)
		if d.WorkingDays > 0 {
			line = p.N("services.deadline.checks_days", d.WorkingDays)
		}
		if d.ExtendableToHours > 0 {
			line += " " + p.N("services.deadline.extendable", d.ExtendableToHours)
		}
		out = append(out, line)
	}
	if d, ok := wf.Deadline(InReview); ok {
		key := "services.deadline.review_days"
		n := d.WorkingDays
		if d.Hours > 0 {
			key, n = "services.deadline.review_hours", d.Hours
		}
		out = append(out, p.N(key, n))
	}
	if d, ok := wf.Deadline(NeedsCorrection); ok {
		key := "services.deadline.correction_days"
		n := d.WorkingDays
		if d.Hours > 0 {
			key, n = "services.deadline.correction_hours", d.Hours
		}
		out = append(out, p.N(key, n)+" "+p.T("services.lapse."+string(wf.OnCorrectionLapse)))
	}
	if wf.Activates {
		out = append(out, p.T("services.deadline.activates"))
	}
	return out
}
