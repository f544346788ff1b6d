package provider

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// SandboxDocsPath is the integrators' guide to СЭП as an ЕСИА test stand.
const SandboxDocsPath = "/docs/esia-sandbox"

// sandboxPage is the guide: the addresses of this instance, the test users, the demo systems
// and the error codes.
type sandboxPage struct {
	web.Page
	Base             string
	Users            []SandboxUser
	Mnemonic, OIDCID string
	Redirect         string
	Scopes           []string
	Codes            []codeRow
}

type codeRow struct{ Code, OAuth, Text, Description string }

// sandboxDocs serves the guide in the request's language (two templates: it is prose).
func (h *handler) sandboxDocs(w http.ResponseWriter, r *http.Request) error {
	pr := h.site.Printer(r)
	p := &sandboxPage{Base: h.baseURL(r), Users: SandboxUsers(), Mnemonic: SandboxMnemonic, OIDCID: SandboxOIDCClientID,
		Redirect: SandboxRedirect, Scopes: scopes}
	codes := make([]Code, 0, len(codeInfo))
	for c := range codeInfo {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		p.Codes = append(p.Codes, codeRow{Code: string(c), OAuth: c.OAuth(), Text: pr.T("provider.error." + string(c)),
			Description: strings.TrimPrefix(c.Description(), string(c)+": ")})
	}
	p.Title = pr.T("provider.sandbox.title")
	name := "provider_sandbox_ru"
	if web.Lang(r) == i18n.EN {
		name = "provider_sandbox_en"
	}
	return h.site.Render(w, r, http.StatusOK, name, p)
}
