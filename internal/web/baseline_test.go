package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// waitError is a refusal that knows when to try again, like notify.RateLimitError.
type waitError time.Duration

func (e waitError) Error() string             { return "wait" }
func (e waitError) RetryAfter() time.Duration { return time.Duration(e) }

func TestRetryAfterComesFromTheError(t *testing.T) {
	f := newFixture(t, nil)
	f.site.Handle("GET /limited/{d}", func(w http.ResponseWriter, r *http.Request) error {
		d, _ := time.ParseDuration(r.PathValue("d"))
		return errs.E(errs.TooMany, "", waitError(d))
	})
	f.site.Handle("GET /limited-plain", func(w http.ResponseWriter, r *http.Request) error {
		return errs.E(errs.TooMany, "", errors.New("slow down"))
	})
	for d, want := range map[string]string{"7m": "420", "90.2s": "91", "300ms": "1", "24h": "86400"} {
		res, _ := get(t, f.srv.Client(), f.srv.URL+"/limited/"+d)
		if res.StatusCode != 429 || res.Header.Get("Retry-After") != want {
			t.Errorf("wait %s: %d, Retry-After %q, want %q", d, res.StatusCode, res.Header.Get("Retry-After"), want)
		}
	}
	// An error that does not say when gets no invented figure.
	if res, _ := get(t, f.srv.Client(), f.srv.URL+"/limited-plain"); res.StatusCode != 429 || res.Header.Get("Retry-After") != "" {
		t.Errorf("a limit without a wait: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	f := newFixture(t, nil)
	c, token := csrfToken(t, f)
	res, body := post(t, c, f.srv.URL+"/hello", url.Values{"csrf_token": {token}})
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" || !strings.Contains(body, "не принимает такой запрос") {
		t.Fatalf("POST to a GET page: %d, Allow %q\n%s", res.StatusCode, res.Header.Get("Allow"), body)
	}
	res, _ = get(t, c, f.srv.URL+"/echo")
	if res.StatusCode != 405 || res.Header.Get("Allow") != "POST" {
		t.Fatalf("GET of a form action: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	req, _ := http.NewRequest(http.MethodDelete, f.srv.URL+"/api/v1/thing", nil)
	req.Header.Set("Authorization", "Bearer x")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e web.APIError
	json.NewDecoder(res.Body).Decode(&e)
	res.Body.Close()
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" || e.Error.Code != "method_not_allowed" {
		t.Fatalf("DELETE on an API route: %d, Allow %q, %+v", res.StatusCode, res.Header.Get("Allow"), e)
	}
	if res, _ := get(t, c, f.srv.URL+"/no-such-page"); res.StatusCode != 404 || res.Header.Get("Allow") != "" {
		t.Fatalf("unknown path: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestCSRFCookieIsHostPrefixedOverHTTPS(t *testing.T) {
	plain := newFixture(t, nil)
	res, _ := get(t, plain.srv.Client(), plain.srv.URL+"/hello")
	if c := res.Cookies(); len(c) != 1 || c[0].Name != "sep_csrf" || c[0].Secure {
		t.Fatalf("over plain HTTP: %v", c)
	}
	secure := newFixture(t, func(o *web.Options) { o.Secure = true })
	if got := secure.site.CookieName("sep_session"); got != "__Host-sep_session" {
		t.Errorf("CookieName over HTTPS = %q", got)
	}
	res, _ = get(t, secure.srv.Client(), secure.srv.URL+"/hello")
	c := res.Cookies()
	if len(c) != 1 || c[0].Name != "__Host-sep_csrf" || !c[0].Secure || c[0].Path != "/" || c[0].Domain != "" {
		t.Fatalf("over HTTPS the cookie must meet the __Host- rules: %v", c)
	}
	// The prefixed cookie is the one that counts; a bare sep_csrf (planted over plain HTTP by a
	// neighbour) does not.
	form := url.Values{"v": {"1"}, "csrf_token": {c[0].Value}}
	if res, body := post(t, http.DefaultClient, secure.srv.URL+"/echo", form, "Cookie", "__Host-sep_csrf="+c[0].Value); res.StatusCode != 200 {
		t.Fatalf("form with the __Host- cookie: %d %s", res.StatusCode, body)
	}
	if res, _ := post(t, http.DefaultClient, secure.srv.URL+"/echo", form, "Cookie", "sep_csrf="+c[0].Value); res.StatusCode != 403 {
		t.Fatalf("form with the bare cookie over HTTPS: %d", res.StatusCode)
	}
}

func TestFormWithoutCookiesExplainsHowToEnableThem(t *testing.T) {
	f := newFixture(t, nil)
	form := url.Values{"v": {"1"}, "csrf_token": {strings.Repeat("a", 43)}}
	res, body := post(t, http.DefaultClient, f.srv.URL+"/echo", form)
	if res.StatusCode != 403 || !strings.Contains(body, "Включите файлы cookie") || !strings.Contains(body, "Блокировать все файлы cookie") ||
		!strings.Contains(body, `<ol class="steps">`) || strings.Contains(body, "Форма устарела") {
		t.Fatalf("form without cookies: %d\n%s", res.StatusCode, body)
	}
	res, body = post(t, http.DefaultClient, f.srv.URL+"/echo", form, "Cookie", web.LangCookie+"=en")
	if res.StatusCode != 403 || !strings.Contains(body, "Please enable cookies") {
		t.Fatalf("form without cookies, in English: %d\n%s", res.StatusCode, body)
	}
	res, body = post(t, http.DefaultClient, f.srv.URL+"/echo", form, "Accept", "application/json")
	var e web.APIError
	if err := json.Unmarshal([]byte(body), &e); err != nil || res.StatusCode != 403 || e.Error.MessageID != "error.cookies" {
		t.Fatalf("JSON form without cookies: %d %s", res.StatusCode, body)
	}
	// The page's language switch leads back to the page that held the form, not to the form's
	// action by GET.
	for referer, want := range map[string]string{f.srv.URL + "/hello?x=1": "/hello?x=1", "https://evil.example/hello": "/", "": "/"} {
		_, body = post(t, http.DefaultClient, f.srv.URL+"/echo", form, "Referer", referer)
		if !strings.Contains(body, `name="return" value="`+want+`"`) {
			t.Errorf("Referer %q: the language switch does not return to %q", referer, want)
		}
	}
	// With the cookie but a wrong token, it is the forgery message as before.
	c, token := csrfToken(t, f)
	res, body = post(t, c, f.srv.URL+"/echo", url.Values{"csrf_token": {token[:42] + "x"}})
	if res.StatusCode != 403 || !strings.Contains(body, "Форма устарела") || strings.Contains(body, "cookie") {
		t.Fatalf("wrong token: %d\n%s", res.StatusCode, body)
	}
}

// User-Agent strings as real browsers send them.
var userAgents = []struct {
	name     string
	ua       string
	outdated bool
}{
	{"Chrome 79", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36", true},
	{"Chrome 80", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36", false},
	{"Chrome 124 on Android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", false},
	{"Firefox 74", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:74.0) Gecko/20100101 Firefox/74.0", true},
	{"Firefox 75", "Mozilla/5.0 (X11; Linux x86_64; rv:75.0) Gecko/20100101 Firefox/75.0", false},
	{"Firefox ESR 115", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0", false},
	{"Edge 84", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/84.0.4147.105 Safari/537.36 Edg/84.0.522.52", true},
	{"Edge 85", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/85.0.4183.83 Safari/537.36 Edg/85.0.564.44", false},
	{"Edge Legacy 18", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19042", true},
	{"Safari 13.1", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1 Safari/605.1.15", true},
	{"Safari 14", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Safari/605.1.15", false},
	{"Safari on iOS 13", "Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.5 Mobile/15E148 Safari/604.1", true},
	{"Safari on iOS 17", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", false},
	// Chrome on iOS runs the system's engine: iOS 14 is new enough whatever CriOS says.
	{"Chrome on iOS 14", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/79.0.3945.73 Mobile/15E148 Safari/604.1", false},
	{"Firefox on iPad iOS 12", "Mozilla/5.0 (iPad; CPU OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/28.0 Mobile/15E148 Safari/605.1.15", true},
	{"Internet Explorer 11", "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", true},
	{"Internet Explorer 9", "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)", true},
	{"Android 4 stock browser", "Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", true},
	{"Yandex Browser on Chromium 122", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36", false},
	{"Opera on Chromium 77", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/77.0.3865.120 Safari/537.36 OPR/64.0.3417.92", true},
	{"headless Chromium", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", false},
	{"curl", "curl/8.5.0", false},
	{"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", false},
	{"no User-Agent", "", false},
}

func TestOutdatedBrowser(t *testing.T) {
	for _, c := range userAgents {
		if got := web.OutdatedBrowser(c.ua); got != c.outdated {
			t.Errorf("%s: outdated = %v, want %v", c.name, got, c.outdated)
		}
	}
}

func TestOldBrowserGetsANoticeNotABarrier(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range userAgents {
		res, body := get(t, f.srv.Client(), f.srv.URL+"/hello", "User-Agent", c.ua)
		notice := strings.Contains(body, `class="notice-banner browser-notice"`)
		if res.StatusCode != 200 || notice != c.outdated {
			t.Errorf("%s: %d, notice %v", c.name, res.StatusCode, notice)
		}
		if c.outdated && !strings.Contains(body, "Chrome 80, Firefox 75, Edge 85, Safari 14") {
			t.Errorf("%s: the notice does not name the supported versions", c.name)
		}
	}
}

func FuzzOutdatedBrowser(f *testing.F) {
	for _, c := range userAgents {
		f.Add(c.ua)
	}
	f.Fuzz(func(t *testing.T, ua string) { web.OutdatedBrowser(ua) })
}

// schedule is a fixed list of maintenance windows.
type schedule []web.MaintenanceWindow

func (s schedule) Windows(ctx context.Context, now time.Time) []web.MaintenanceWindow {
	var out []web.MaintenanceWindow
	for _, w := range s {
		if w.To.After(now) {
			out = append(out, w)
		}
	}
	return out
}

func moscow(lang string, t time.Time) string {
	return i18n.Default().Printer(lang).MoscowTime(t)
}

func TestMaintenanceWindowClosesTheSite(t *testing.T) {
	end := time.Now().Add(90 * time.Minute).Truncate(time.Minute)
	win := web.MaintenanceWindow{From: time.Now().Add(-time.Minute), To: end,
		Notes: map[string]string{"ru": "Обновляем базу данных.", "en": "Upgrading the database."}}
	f := newFixture(t, func(o *web.Options) { o.Maintenance = schedule{win} })
	f.site.Handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) error { return nil })
	f.site.Handle("GET /maintenance", func(w http.ResponseWriter, r *http.Request) error {
		return f.site.Render(w, r, http.StatusOK, "hello", &struct{ web.Page }{})
	})
	f.site.ServeDuringMaintenance("GET /healthz", "GET /maintenance")

	res, body := get(t, f.srv.Client(), f.srv.URL+"/hello")
	retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	left := int(time.Until(end) / time.Second)
	if res.StatusCode != 503 || retry < left-5 || retry > left+1 {
		t.Fatalf("page during a window: %d, Retry-After %q (want about %d)", res.StatusCode, res.Header.Get("Retry-After"), left)
	}
	for _, want := range []string{"технические работы", "до " + moscow("ru", end), "Обновляем базу данных.", `href="/maintenance"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the maintenance page lacks %q:\n%s", want, body)
		}
	}
	_, body = get(t, f.srv.Client(), f.srv.URL+"/hello", "Cookie", web.LangCookie+"=en")
	if !strings.Contains(body, "until "+moscow("en", end)) || !strings.Contains(body, "Upgrading the database.") {
		t.Errorf("English maintenance page:\n%s", body)
	}
	res, body = get(t, f.srv.Client(), f.srv.URL+"/api/v1/thing")
	var e web.APIError
	if err := json.Unmarshal([]byte(body), &e); err != nil || res.StatusCode != 503 || e.Error.MessageID != "error.maintenance" ||
		!strings.Contains(e.Error.Message, moscow("ru", end)) || res.Header.Get("Retry-After") == "" {
		t.Fatalf("API during a window: %d %v %s", res.StatusCode, res.Header, body)
	}
	// Unknown paths and forms are closed too; health checks, static assets and the schedule
	// page are not.
	if res, _ := get(t, f.srv.Client(), f.srv.URL+"/no-such-page"); res.StatusCode != 503 {
		t.Errorf("unknown path during a window: %d", res.StatusCode)
	}
	if res, _ := get(t, f.srv.Client(), f.srv.URL+"/healthz"); res.StatusCode != 200 {
		t.Errorf("/healthz during a window: %d", res.StatusCode)
	}
	_, page := get(t, f.srv.Client(), f.srv.URL+"/maintenance")
	i := strings.Index(page, "/static/app.")
	if i < 0 {
		t.Fatalf("the schedule page is not served during the window:\n%s", page)
	}
	if res, _ := get(t, f.srv.Client(), f.srv.URL+page[i:i+strings.Index(page[i:], `"`)]); res.StatusCode != 200 {
		t.Errorf("stylesheet during a window: %d", res.StatusCode)
	}
	if !strings.Contains(page, "Идут плановые технические работы до "+moscow("ru", end)) {
		t.Errorf("the schedule page does not say the window is under way:\n%s", page)
	}
	// A planned window is not a failure: no error-level log lines.
	time.Sleep(50 * time.Millisecond)
	if strings.Contains(f.log.String(), "level=ERROR") {
		t.Errorf("maintenance refusals were logged as errors:\n%s", f.log.String())
	}
}

func TestUpcomingMaintenanceIsAnnouncedOnEveryPage(t *testing.T) {
	from := time.Now().Add(3 * time.Hour).Truncate(time.Minute)
	soon := web.MaintenanceWindow{From: from, To: from.Add(2 * time.Hour)}
	later := web.MaintenanceWindow{From: from.Add(48 * time.Hour), To: from.Add(50 * time.Hour)}
	f := newFixture(t, func(o *web.Options) { o.Maintenance = schedule{soon} })
	for _, path := range []string{"/hello", "/no-such-page"} {
		res, body := get(t, f.srv.Client(), f.srv.URL+path)
		want := "с " + moscow("ru", soon.From) + " до " + moscow("ru", soon.To) + " сервис будет недоступен"
		if res.StatusCode == 503 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, no banner %q:\n%s", path, res.StatusCode, want, body)
		}
	}
	far := newFixture(t, func(o *web.Options) { o.Maintenance = schedule{later} })
	if _, body := get(t, far.srv.Client(), far.srv.URL+"/hello"); strings.Contains(body, "maintenance-notice") {
		t.Errorf("a window two days away is already announced:\n%s", body)
	}
}
