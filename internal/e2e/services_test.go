package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sep-platform/sep/internal/api/apitest"
)

// A citizen finds «Электронный паспорт» in the catalogue, by category and by search in any
// word form, with JavaScript off, and reads what it needs.
func TestServiceCatalogueAndSearch(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.DisableJavaScript(true) // the catalogue and its search are plain pages and a GET form

	b.Open(sep.URL + "/services")
	if h1 := b.Text("h1"); h1 != "Каталог услуг" {
		t.Fatalf("h1 = %q", h1)
	}
	groups := Eval[[]string](b, `[...document.querySelectorAll("main section h2")].map(h => h.textContent.trim())`)
	if strings.Join(groups, "|") != "Личный кабинет и доступ к СЭП|Паспорта и удостоверение личности|Персональные данные" {
		t.Fatalf("categories: %q", groups)
	}
	names := Eval[[]string](b, `[...document.querySelectorAll(".service-list h3")].map(h => h.textContent.trim())`)
	if strings.Join(names, "|") != "Регистрация в СЭП|Электронный паспорт|Изменение персональных данных" {
		t.Fatalf("services: %q", names)
	}
	b.CheckA11y()

	for _, q := range []string{"паспорт", "паспорта", "электронный паспорт"} {
		b.Open(sep.URL + "/services")
		b.Do(chromedp.SetValue(chromedp.CSS("#q"), q))
		b.Submit(".service-search button")
		if got := b.Text(".service-list h3"); got != "Электронный паспорт" {
			t.Fatalf("search %q: first result %q", q, got)
		}
		if heading := b.Text("#results-heading"); !strings.Contains(heading, "«"+q+"»") {
			t.Fatalf("search %q: heading %q", q, heading)
		}
		if v := b.Attr("#q", "value"); v != q {
			t.Fatalf("search %q: the box holds %q", q, v)
		}
	}
	b.CheckA11y()

	b.Open(sep.URL + "/services?q=" + url.QueryEscape("тракторы"))
	if heading := b.Text("#results-heading"); heading != "По запросу «тракторы» ничего не найдено" {
		t.Fatalf("no results: %q", heading)
	}
	b.CheckA11y()

	// The service's page: who may apply, documents with their rules, deadlines, fee, apply.
	b.Open(sep.URL + "/services?q=" + url.QueryEscape("электронного паспорта"))
	b.Submit(".service-list h3 a")
	if h1 := b.Text("h1"); h1 != "Электронный паспорт" {
		t.Fatalf("service page h1 = %q", h1)
	}
	main := b.Text("main")
	for _, want := range []string{
		"Гражданин (физическое лицо)",
		"уровня не ниже «стандартная»",
		"Скан паспорта гражданина РФ (обязательно)",
		"Формат: PDF, JPEG или PNG", "Размер файла не более 5 МБ", "Разрешение не менее 300 dpi",
		"Карточка СНИЛС (обязательно)", "Размер файла не более 2 МБ", "Без обрезки полей",
		"Отпечатки пальцев (обязательно)", "Формат: PNG", "Разрешение не менее 500 dpi",
		"статья 11 Федерального закона № 152-ФЗ",
		"до 24 часов", "продлён до 72 часов", "Рассмотрение заявления — до 3 рабочих дней",
		"Бесплатно.",
	} {
		if !strings.Contains(main, want) {
			t.Errorf("the e-passport page lacks %q", want)
		}
	}
	if href := b.Attr("main a.button", "href"); href != "/applications/new?service=e-passport" {
		t.Fatalf("apply link %q", href)
	}
	b.CheckA11y()

	b.Open(sep.URL + "/services/sep-registration")
	main = b.Text("main")
	for _, want := range []string{"Рассмотрение заявления — 1 рабочий день.", "«Услуга активирована»",
		"Организация (юридическое лицо) — заявление подписывается квалифицированной электронной подписью (КЭП).",
		"PDF — в архивном формате PDF/A-1b"} {
		if !strings.Contains(main, want) {
			t.Errorf("the registration page lacks %q", want)
		}
	}
	b.CheckA11y()

	// In English, and a service that does not exist.
	b.Click(".lang-switch button")
	b.WaitFor(`html[lang="en"] h1`)
	if h1 := b.Text("h1"); h1 != "Registration in СЭП" {
		t.Fatalf("English h1 = %q", h1)
	}
	b.CheckA11y()
	b.Open(sep.URL + "/services/no-such-service")
	if h1 := b.Text("h1"); h1 != "Service not found" {
		t.Fatalf("unknown service h1 = %q", h1)
	}
	b.CheckA11y()
}

func TestServiceCatalogueFitsAPhone(t *testing.T) {
	sep := Start(t)
	b := NewBrowser(t)
	b.Do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	for _, path := range []string{"/services", "/services/e-passport"} {
		b.Open(sep.URL + path)
		if Eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
			t.Fatalf("%s scrolls sideways on a 360 px wide phone", path)
		}
	}
	b.CheckA11y()
}

// The API answers as its OpenAPI document says, with the same search.
func TestServicesThroughTheAPI(t *testing.T) {
	sep := Start(t)
	c := apitest.New(t, sep.API, sep.URL)

	resp, body := c.Get("/api/v1/services")
	var list struct {
		Categories []struct{ Code string }
		Services   []struct {
			Code, URL string
			Name      struct{ RU, EN string }
		}
	}
	if json.Unmarshal(body, &list); resp.StatusCode != 200 || len(list.Services) != 3 || len(list.Categories) != 3 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	for _, q := range []string{"паспорт", "паспорта", "электронный паспорт", "passports"} {
		resp, body = c.Get("/api/v1/services?q=" + url.QueryEscape(q))
		if json.Unmarshal(body, &list); resp.StatusCode != 200 || len(list.Services) == 0 || list.Services[0].Code != "e-passport" ||
			list.Services[0].Name.RU != "Электронный паспорт" || list.Services[0].URL != "/services/e-passport" {
			t.Fatalf("search %q: %d %s", q, resp.StatusCode, body)
		}
	}

	resp, body = c.Get("/api/v1/services/e-passport")
	var s struct {
		MinLevel  string `json:"min_level"`
		ApplyURL  string `json:"apply_url"`
		Documents []struct {
			Kind       string
			MaxBytes   int64    `json:"max_bytes"`
			MediaTypes []string `json:"media_types"`
			Biometric  bool
			Quality    struct {
				MinDPI int `json:"min_dpi"`
			}
		}
		Workflow struct {
			Deadlines map[string]struct {
				WorkingDays int `json:"working_days"`
			}
		}
	}
	if json.Unmarshal(body, &s); resp.StatusCode != 200 || s.MinLevel != "standard" || s.ApplyURL != "/applications/new?service=e-passport" ||
		s.Workflow.Deadlines["in_review"].WorkingDays != 3 {
		t.Fatalf("e-passport: %d %s", resp.StatusCode, body)
	}
	d := s.Documents[0]
	if d.Kind != "passport_scan" || d.MaxBytes != 5<<20 || d.Quality.MinDPI != 300 ||
		strings.Join(d.MediaTypes, " ") != "application/pdf image/jpeg image/png" {
		t.Fatalf("passport scan rule: %+v", d)
	}

	if resp, body = c.Get("/api/v1/services/no-such-service"); resp.StatusCode != 404 ||
		!strings.Contains(string(body), `"message_id":"services.not_found"`) {
		t.Fatalf("unknown service: %d %s", resp.StatusCode, body)
	}
	bad := c.Bad()
	if resp, body = bad.Get("/api/v1/services?q=" + strings.Repeat("a", 201)); resp.StatusCode != 400 ||
		!strings.Contains(string(body), `"message_id":"services.query_too_long"`) {
		t.Fatalf("a long query: %d %s", resp.StatusCode, body)
	}
}

// A signed-in citizen reads on a service's page whether their account's level is enough.
func TestServicePageTellsACitizenTheirLevel(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	b := NewBrowser(t)

	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, users["citizen/simplified"])
	b.Open(sep.URL + "/services/e-passport")
	if got := b.Text(".form-notice"); !strings.Contains(got, "Ваша учётная запись — «упрощённая»: этого пока недостаточно") {
		t.Fatalf("a simplified account on the e-passport page: %q", got)
	}
	b.CheckA11y()
	b.Open(sep.URL + "/services/sep-registration")
	if got := b.Text(".your-level"); !strings.Contains(got, "этого достаточно, чтобы подать заявление") {
		t.Fatalf("a simplified account on the registration page: %q", got)
	}

	b.ClearCookies()
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, users["citizen/standard"])
	b.Open(sep.URL + "/services/e-passport")
	if got := b.Text(".your-level"); !strings.Contains(got, "Ваша учётная запись — «стандартная»: этого достаточно") {
		t.Fatalf("a standard account on the e-passport page: %q", got)
	}
	b.CheckA11y()
}
