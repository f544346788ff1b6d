package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	iofs "io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type fixture struct {
	site *web.Site
	srv  *httptest.Server
	log  *syncBuffer
	reg  *prometheus.Registry
}

var pageFS = fstest.MapFS{
	"templates/hello.html": {Data: []byte(`{{define "title"}}{{t "error.title"}}{{end}}{{define "content"}}<form method="post" action="/echo"><input type="hidden" name="csrf_token" value="{{.CSRFToken}}"><button>{{t "error.back_home"}}</button></form>{{end}}`)},
}

func newFixture(t *testing.T, mutate func(*web.Options)) *fixture {
	t.Helper()
	f := &fixture{log: &syncBuffer{}, reg: prometheus.NewRegistry()}
	opt := web.Options{
		Logger:       slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Templates:    []iofs.FS{pageFS},
		Demo:         true,
		MaxBodyBytes: 1024,
		Version:      "test",
		Registerer:   f.reg,
	}
	if mutate != nil {
		mutate(&opt)
	}
	s, err := web.NewSite(opt)
	if err != nil {
		t.Fatal(err)
	}
	s.Handle("GET /hello", func(w http.ResponseWriter, r *http.Request) error {
		return s.Render(w, r, http.StatusOK, "hello", &struct{ web.Page }{})
	})
	s.Handle("POST /echo", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "posted "+r.PostFormValue("v"))
		return nil
	})
	s.Handle("POST /api/v1/echo", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, "api")
		return nil
	})
	s.Handle("GET /boom", func(w http.ResponseWriter, r *http.Request) error { panic("nil pointer in handler") })
	s.Handle("GET /gone/{id}", func(w http.ResponseWriter, r *http.Request) error {
		return errs.E(errs.NotFound, "", errors.New("application "+r.PathValue("id")+" not found"))
	})
	s.Handle("GET /api/v1/thing", func(w http.ResponseWriter, r *http.Request) error {
		return errs.E(errs.Unavailable, "", errors.New("registry down"))
	})
	s.Handle("GET /down", func(w http.ResponseWriter, r *http.Request) error {
		return errs.E(errs.Unavailable, "", errors.New("database unreachable"))
	})
	s.Handle("GET /client", func(w http.ResponseWriter, r *http.Request) error {
		io.WriteString(w, web.ClientIP(r).String())
		return nil
	})
	f.site = s
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}

func requestCount(t *testing.T, g prometheus.Gatherer, route, code string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "sep_http_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["code"] == code {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

func get(t *testing.T, c *http.Client, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(t, nil)
	for _, path := range []string{"/hello", "/no-such-page", "/boom"} {
		res, _ := get(t, f.srv.Client(), f.srv.URL+path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
	}
	secure := newFixture(t, func(o *web.Options) { o.Secure = true })
	res, _ := get(t, secure.srv.Client(), secure.srv.URL+"/hello")
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS behind TLS")
	}
	if c := res.Cookies(); len(c) == 0 || !c[0].Secure {
		t.Errorf("cookies behind TLS must be Secure: %v", c)
	}
}

func TestErrorPagesInTheVisitorsLanguage(t *testing.T) {
	f := newFixture(t, nil)
	res, body := get(t, f.srv.Client(), f.srv.URL+"/gone/42")
	if res.StatusCode != 404 || !strings.Contains(body, "Страница не найдена") || !strings.Contains(body, `lang="ru"`) {
		t.Fatalf("404 in Russian: %d %s", res.StatusCode, body)
	}
	if strings.Contains(body, "application 42") {
		t.Fatal("the internal error detail leaked onto the page")
	}
	res, body = get(t, f.srv.Client(), f.srv.URL+"/gone/42", "Cookie", web.LangCookie+"=en")
	if res.StatusCode != 404 || !strings.Contains(body, "Page not found") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("404 in English: %d %s", res.StatusCode, body)
	}
	res, body = get(t, f.srv.Client(), f.srv.URL+"/down")
	if res.StatusCode != 503 || !strings.Contains(body, "Сервис временно недоступен") || strings.Contains(body, "database") {
		t.Fatalf("503 in Russian: %d %s", res.StatusCode, body)
	}
	res, body = get(t, f.srv.Client(), f.srv.URL+"/down", "Cookie", web.LangCookie+"=en")
	if res.StatusCode != 503 || !strings.Contains(body, "Service temporarily unavailable") {
		t.Fatalf("503 in English: %d %s", res.StatusCode, body)
	}
	res, body = get(t, f.srv.Client(), f.srv.URL+"/boom")
	if res.StatusCode != 500 || !strings.Contains(body, "Внутренняя ошибка") {
		t.Fatalf("panic: %d %s", res.StatusCode, body)
	}
	if !strings.Contains(f.log.String(), "nil pointer in handler") || !strings.Contains(f.log.String(), "web_test.go") {
		t.Error("the panic and its stack were not logged")
	}
}

func TestAPIErrorsAreJSONInAcceptLanguage(t *testing.T) {
	f := newFixture(t, nil)
	for lang, want := range map[string]string{"en-US,en;q=0.9": "temporarily unavailable", "": "временно недоступен"} {
		res, body := get(t, f.srv.Client(), f.srv.URL+"/api/v1/thing", "Accept-Language", lang)
		var e web.APIError
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("%q: %v: %s", lang, err, body)
		}
		if res.StatusCode != 503 || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, want) || e.RequestID == "" {
			t.Errorf("%q: %d %+v", lang, res.StatusCode, e)
		}
		if strings.Contains(body, "registry down") {
			t.Error("internal detail in the API error")
		}
	}
}

// csrfClient fetches a page to get the visitor's CSRF cookie and returns the token.
func csrfToken(t *testing.T, f *fixture) (*http.Client, string) {
	t.Helper()
	jar := newJar()
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get(t, c, f.srv.URL+"/hello")
	u, _ := url.Parse(f.srv.URL)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == web.CSRFCookie {
			return c, ck.Value
		}
	}
	t.Fatal("no CSRF cookie after a page view")
	return nil, ""
}

func post(t *testing.T, c *http.Client, u string, form url.Values, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

func TestCSRF(t *testing.T) {
	f := newFixture(t, nil)
	c, token := csrfToken(t, f)
	res, body := post(t, c, f.srv.URL+"/echo", url.Values{"v": {"1"}, "csrf_token": {token}})
	if res.StatusCode != 200 || body != "posted 1" {
		t.Fatalf("same-origin form with token: %d %s", res.StatusCode, body)
	}
	res, body = post(t, c, f.srv.URL+"/echo", url.Values{"v": {"2"}})
	if res.StatusCode != 403 || !strings.Contains(body, "Форма устарела") {
		t.Fatalf("form without token: %d %s", res.StatusCode, body)
	}
	res, _ = post(t, c, f.srv.URL+"/echo", url.Values{"v": {"3"}, "csrf_token": {token + "x"}})
	if res.StatusCode != 403 {
		t.Fatalf("form with a wrong token: %d", res.StatusCode)
	}
	// A cross-site page cannot post even if it somehow knew the token.
	res, _ = post(t, c, f.srv.URL+"/echo", url.Values{"v": {"4"}, "csrf_token": {token}}, "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != 403 {
		t.Fatalf("cross-site post: %d", res.StatusCode)
	}
	res, _ = post(t, c, f.srv.URL+"/echo", url.Values{"v": {"5"}}, web.CSRFHeader, token)
	if res.StatusCode != 200 {
		t.Fatalf("token in the header: %d", res.StatusCode)
	}
	// API clients authenticate with a header that browsers never add on their own.
	res, _ = post(t, http.DefaultClient, f.srv.URL+"/echo", url.Values{"v": {"6"}}, "Authorization", "Bearer x")
	if res.StatusCode != 200 {
		t.Fatalf("bearer request: %d", res.StatusCode)
	}
	// A JSON call of the API (an app signing in) needs no token: a cross-site page cannot send
	// JSON without CORS, and a browser's cross-origin call is refused all the same.
	call := func(ct string, headers ...string) int {
		req, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/echo", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", ct)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := call("application/json; charset=utf-8"); code != 200 {
		t.Fatalf("a JSON API call: %d", code)
	}
	if code := call("application/json", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); code != 403 {
		t.Fatalf("a cross-site JSON call: %d", code)
	}
	if code := call("application/x-www-form-urlencoded"); code != 403 {
		t.Fatalf("a form posted to the API without a token: %d", code)
	}
	// Basic credentials, which browsers resend on their own, exempt nothing.
	res, _ = post(t, http.DefaultClient, f.srv.URL+"/echo", url.Values{"v": {"7"}}, "Authorization", "Basic dXNlcjpwYXNz")
	if res.StatusCode != 403 {
		t.Fatalf("basic-auth form without a token: %d", res.StatusCode)
	}
	// A visitor whose cookie expired is refused, but gets a fresh token so that the forms of
	// the error page work.
	res, body = post(t, http.DefaultClient, f.srv.URL+"/echo", url.Values{"v": {"8"}})
	var fresh string
	for _, ck := range res.Cookies() {
		if ck.Name == web.CSRFCookie {
			fresh = ck.Value
		}
	}
	if res.StatusCode != 403 || fresh == "" || !strings.Contains(body, `value="`+fresh+`"`) {
		t.Fatalf("form without a cookie: %d, new cookie %q, page carries it: %v", res.StatusCode, fresh, strings.Contains(body, fresh))
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, nil)
	c, token := csrfToken(t, f)
	big := strings.Repeat("я", 2000)
	res, body := post(t, c, f.srv.URL+"/echo", url.Values{"v": {big}, "csrf_token": {token}})
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "слишком велики") {
		t.Fatalf("oversized form: %d %s", res.StatusCode, body)
	}
	// Without a Content-Length the limit still holds while reading.
	req, _ := http.NewRequest("POST", f.srv.URL+"/echo", io.MultiReader(strings.NewReader("csrf_token="+token+"&v="), strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = -1
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversized form: %d", res.StatusCode)
	}
}

func TestStaticAssetsAreFingerprinted(t *testing.T) {
	f := newFixture(t, nil)
	_, page := get(t, f.srv.Client(), f.srv.URL+"/hello")
	i := strings.Index(page, "/static/app.")
	if i < 0 {
		t.Fatalf("no fingerprinted stylesheet link in %s", page)
	}
	href := page[i : i+strings.Index(page[i:], `"`)]
	res, css := get(t, f.srv.Client(), f.srv.URL+href)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ":root") {
		t.Fatalf("%s: %d %v", href, res.StatusCode, res.Header)
	}
	res, _ = get(t, f.srv.Client(), f.srv.URL+"/static/app.00000000.css")
	if res.StatusCode != 404 {
		t.Fatalf("unknown asset: %d", res.StatusCode)
	}
}

func TestAccessLogHasNoPersonalData(t *testing.T) {
	f := newFixture(t, nil)
	get(t, f.srv.Client(), f.srv.URL+"/hello?snils=112-233-445+95&name=Иванов")
	get(t, f.srv.Client(), f.srv.URL+"/gone/ivanov-ivan")
	// A request is counted and logged just after its response is sent: wait for the last one.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(f.log.String(), `route="GET /gone/{id}"`) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	log := f.log.String()
	for _, secret := range []string{"112-233-445", "Иванов", "ivanov", "127.0.0.1"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains %q:\n%s", secret, log)
		}
	}
	if !strings.Contains(log, `route="GET /hello"`) || !strings.Contains(log, "request_id=") {
		t.Errorf("the access log lacks the route or request id:\n%s", log)
	}
	if got := requestCount(t, f.reg, "GET /hello", "200"); got != 1 {
		t.Errorf("requests{route=GET /hello,code=200} = %v, want 1", got)
	}
}

func TestClientIPBehindTrustedProxy(t *testing.T) {
	f := newFixture(t, func(o *web.Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	_, ip := get(t, f.srv.Client(), f.srv.URL+"/client", "X-Forwarded-For", "203.0.113.9, 10.1.1.1")
	if ip != "10.1.1.1" {
		t.Errorf("client behind one trusted proxy = %s, want 10.1.1.1 (the address the proxy saw)", ip)
	}
	untrusted := newFixture(t, nil)
	_, ip = get(t, untrusted.srv.Client(), untrusted.srv.URL+"/client", "X-Forwarded-For", "203.0.113.9")
	if ip != "127.0.0.1" {
		t.Errorf("X-Forwarded-For from an untrusted peer was believed: %s", ip)
	}
}
