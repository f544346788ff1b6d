package site

import (
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// The home page must not promise what sep cannot do yet: everything not built (payments,
// organisations) stands under the "coming" heading, and only what works stands above it.
func TestHomePageMarksWhatIsComing(t *testing.T) {
	s, err := web.NewSite(web.Options{Templates: []fs.FS{Templates}, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	Register(s, false)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	works := []string{"account", "signin", "applications", "passport", "checks", "registries", "notices", "journal", "gost", "encryption"}
	coming := []string{"payments", "organisations"}
	for _, lang := range i18n.Languages() {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.AddCookie(&http.Cookie{Name: web.LangCookie, Value: lang})
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET / = %d", lang, res.StatusCode)
		}
		now, later, ok := strings.Cut(string(b), `id="coming-heading"`)
		if !ok {
			t.Fatalf("%s: the home page has no section for what is coming", lang)
		}
		p := i18n.Default().Printer(lang)
		for _, f := range works {
			if text := html.EscapeString(p.T("home." + f + "_title")); !strings.Contains(now, text) {
				t.Errorf("%s: %q is not among what works today", lang, text)
			}
		}
		for _, f := range coming {
			for _, key := range []string{"home." + f + "_title", "home." + f + "_text"} {
				text := html.EscapeString(p.T(key))
				if strings.Contains(now, text) || !strings.Contains(later, text) {
					t.Errorf("%s: %q is not shown as coming", lang, text)
				}
			}
		}
	}
}
