package validate

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/web"
	"github.com/sep-platform/sep/ruid"
)

// today is the endpoint's clock in the tests.
var today = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func server(t *testing.T) *httptest.Server {
	t.Helper()
	site, err := web.NewSite(web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, func() time.Time { return today })
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// get asks the endpoint and decodes the JSON body as a generic map, so that
// the test sees exactly the keys the response has.
func get(t *testing.T, srv *httptest.Server, path, lang string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("GET %s: %d, body %q is not JSON", path, resp.StatusCode, b)
	}
	return resp.StatusCode, body, resp.Header
}

func path(kind, value string, params ...string) string {
	q := url.Values{"value": {value}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return "/api/v1/validate/" + kind + "?" + q.Encode()
}

// cases has, for every kind, values that pass (with what they normalise to)
// and values that fail (with their code). The numbers are the published
// examples that package ruid's own tests use (ruid/cases_numbers_test.go).
var cases = []struct {
	kind, value string
	params      []string
	normalized  string
	code        ruid.Code
}{
	{kind: "snils", value: "11223344595", normalized: "112-233-445 95"},
	{kind: "snils", value: "050-234-316 00", normalized: "050-234-316 00"},
	{kind: "snils", value: "112-233-445 94", code: ruid.SNILSChecksum},
	{kind: "inn", value: " 7707083893 ", normalized: "7707083893"},
	{kind: "inn", value: "5001 0073 2259", normalized: "500100732259"},
	{kind: "inn", value: "7707083894", code: ruid.INNChecksum},
	{kind: "inn", value: "500100732258", code: ruid.INNChecksum},
	{kind: "inn", value: "7707083893", params: []string{"type", "person"}, code: ruid.INNLengthPerson},
	{kind: "ogrn", value: "1027700132195", normalized: "1027700132195"},
	{kind: "ogrn", value: "304500116000157", normalized: "304500116000157"},
	{kind: "ogrn", value: "1027700132194", code: ruid.OGRNChecksum},
	{kind: "ogrnip", value: "3045 0011 6000 157", normalized: "304500116000157"},
	{kind: "ogrnip", value: "304500116000158", code: ruid.OGRNIPChecksum},
	{kind: "kpp", value: "7733 01 001", normalized: "773301001"},
	{kind: "kpp", value: "003301001", code: ruid.KPPTaxOffice},
	{kind: "okved", value: "62,01", normalized: "62.01"},
	{kind: "okved", value: "6", code: ruid.OKVEDFormat},
	{kind: "passport", value: "45 08 №123456", normalized: "4508 123456"},
	{kind: "passport", value: "4508 123456", params: []string{"issue_date", "01.02.2010", "birth_date", "1990-01-31",
		"division_code", "770-001"}, normalized: "4508 123456"},
	{kind: "passport", value: "0008 123456", code: ruid.PassportSeriesRegion},
	{kind: "passport", value: "4508 12345", code: ruid.PassportLength},
	{kind: "passport", value: "4508 123456", params: []string{"issue_date", "01.04.2026"}, code: ruid.PassportIssueDateFuture},
	{kind: "passport", value: "4508 123456", params: []string{"issue_date", "01.02.2008", "birth_date", "1995-01-31"},
		code: ruid.PassportIssueDateBefore14},
	{kind: "division_code", value: "770001", normalized: "770-001"},
	{kind: "division_code", value: "77-001", code: ruid.DivisionCodeLength},
	{kind: "phone", value: "8 (912) 345-67-89", normalized: "+79123456789"},
	{kind: "phone", value: "+7 712 345 67 89", code: ruid.PhoneKazakhstan},
	{kind: "phone", value: "+7 495 123 45 67", params: []string{"mobile", "1"}, code: ruid.PhoneNotMobile},
	{kind: "email", value: " Ivanov@Example.RU ", normalized: "Ivanov@example.ru"},
	{kind: "email", value: "ivanov@@example.ru", code: ruid.EmailAtMany},
	{kind: "email", value: "иванов@example.ru", params: []string{"latin", "1"}, code: ruid.EmailNotLatin},
	{kind: "date", value: "1.2.2000", normalized: "01.02.2000"},
	{kind: "date", value: "30.02.2000", code: ruid.DateDay},
	{kind: "name", value: " Салтыков – Щедрин ", normalized: "Салтыков-Щедрин"},
	{kind: "name", value: "Ivanov", code: ruid.NameLatin},
	{kind: "uin", value: "5260 1815 9083 0166 1312", normalized: "52601815908301661312"},
	{kind: "uin", value: "52601815908301661313", code: ruid.UINChecksum},
	{kind: "bik", value: "049 805 000", normalized: "049805000"},
	{kind: "bik", value: "04980500", code: ruid.BIKLength},
	{kind: "account", value: "30101810800000000746", params: []string{"bik", "049805000"}, normalized: "30101810800000000746"},
	{kind: "account", value: "40602 810 7 0000 0000025", params: []string{"bik", "049805746"}, normalized: "40602810700000000025"},
	{kind: "account", value: "40602810700000000026", params: []string{"bik", "049805746"}, code: ruid.AccountKey},
	{kind: "account", value: "40602810700000000025", code: ruid.AccountBIKMissing},
	// An empty value is a value: checked, and not valid.
	{kind: "snils", value: "", code: ruid.SNILSEmpty},
}

func TestEveryKind(t *testing.T) {
	srv := server(t)
	tested := map[string]bool{}
	for _, c := range cases {
		status, body, h := get(t, srv, path(c.kind, c.value, c.params...), "")
		if status != http.StatusOK {
			t.Errorf("%s %q: status %d, body %v", c.kind, c.value, status, body)
			continue
		}
		if cc := h.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.kind, cc)
		}
		if c.code == "" {
			want := map[string]any{"valid": true, "normalized": c.normalized}
			if !maps.Equal(body, want) {
				t.Errorf("%s %q: %v, want %v", c.kind, c.value, body, want)
			}
			tested[c.kind] = true
			continue
		}
		if !slices.Equal(slices.Sorted(maps.Keys(body)), []string{"code", "message", "valid"}) ||
			body["valid"] != false || body["code"] != string(c.code) {
			t.Errorf("%s %q: %v, want code %s", c.kind, c.value, body, c.code)
			continue
		}
		// The message is ruid's for this very input, arguments filled in.
		k, _ := ruid.LookupKind(c.kind)
		q := url.Values{}
		for i := 0; i+1 < len(c.params); i += 2 {
			q.Set(c.params[i], c.params[i+1])
		}
		_, err := k.Check(c.value, q, today)
		if want := err.(*ruid.Error).Message("ru"); body["message"] != want || strings.Contains(want, "{") {
			t.Errorf("%s %q: message %q, want %q", c.kind, c.value, body["message"], want)
		}
	}
	for _, k := range ruid.Kinds() {
		if !tested[k.Name] {
			t.Errorf("kind %s has no passing case in this test", k.Name)
		}
	}
}

func TestMessageLanguage(t *testing.T) {
	srv := server(t)
	p := path("snils", "112-233-445 94")
	want := map[string]string{
		"":                      (&ruid.Error{Code: ruid.SNILSChecksum}).Message("ru"),
		"ru-RU,ru;q=0.9":        (&ruid.Error{Code: ruid.SNILSChecksum}).Message("ru"),
		"en-US,en;q=0.9":        (&ruid.Error{Code: ruid.SNILSChecksum}).Message("en"),
		"de-DE, en;q=0.5":       (&ruid.Error{Code: ruid.SNILSChecksum}).Message("en"),
		"fr-FR":                 (&ruid.Error{Code: ruid.SNILSChecksum}).Message("ru"),
		"en;q=0.4, ru-RU;q=0.8": (&ruid.Error{Code: ruid.SNILSChecksum}).Message("ru"),
	}
	if want[""] == want["en-US,en;q=0.9"] {
		t.Fatal("the catalog's Russian and English messages are the same")
	}
	for lang, msg := range want {
		_, body, _ := get(t, srv, p, lang)
		if body["message"] != msg {
			t.Errorf("Accept-Language %q: %q, want %q", lang, body["message"], msg)
		}
	}
	// A message with arguments is filled in.
	_, body, _ := get(t, srv, path("snils", "1122334459"), "en")
	if m, _ := body["message"].(string); !strings.Contains(m, "10") || strings.Contains(m, "{") {
		t.Errorf("length message %q", m)
	}
}

func TestUnknownKindListsTheKinds(t *testing.T) {
	srv := server(t)
	for _, p := range []string{"/api/v1/validate", "/api/v1/validate/", "/api/v1/validate/SNILS?value=1"} {
		if status, body, _ := get(t, srv, p, "en"); status != http.StatusNotFound || body["kinds"] == nil {
			t.Errorf("%s: %d %v", p, status, body)
		}
	}
	status, body, _ := get(t, srv, "/api/v1/validate/passport_number?value=1", "en")
	if status != http.StatusNotFound {
		t.Fatalf("status %d", status)
	}
	e, _ := body["error"].(map[string]any)
	if e["code"] != "not_found" || e["message_id"] != "validate.unknown_kind" || e["message"] == "" || body["request_id"] == "" {
		t.Fatalf("body %v", body)
	}
	var kinds []string
	for _, k := range body["kinds"].([]any) {
		kinds = append(kinds, k.(string))
	}
	var want []string
	for _, k := range ruid.Kinds() {
		want = append(want, k.Name)
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	for _, k := range []string{"snils", "inn", "ogrn", "kpp", "okved", "passport", "division_code", "phone", "email",
		"date", "name", "uin", "bik", "account"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("the issue's kind %s is missing", k)
		}
	}
}

func TestBadRequests(t *testing.T) {
	srv := server(t)
	long := strings.Repeat("1", MaxValueLen+1)
	for _, c := range []struct{ path, id string }{
		{"/api/v1/validate/snils", "validate.value_missing"},
		{"/api/v1/validate/snils?values=1", "validate.value_missing"},
		{"/api/v1/validate/snils?value=1&value=2", "validate.value_repeated"},
		{"/api/v1/validate/snils?value=" + long, "validate.value_too_long"},
		{"/api/v1/validate/account?value=1&bik=" + long, "validate.value_too_long"},
		{"/api/v1/validate/snils?value=%zz", "error.invalid"},
	} {
		status, body, _ := get(t, srv, c.path, "")
		e, _ := body["error"].(map[string]any)
		if status != http.StatusBadRequest || e["code"] != "invalid" || e["message_id"] != c.id || e["message"] == "" {
			t.Errorf("%s: %d %v, want 400 %s", c.path[:min(len(c.path), 60)], status, body, c.id)
		}
	}
	// A value of exactly the limit is checked.
	status, body, _ := get(t, srv, path("snils", strings.Repeat("1", MaxValueLen)), "")
	if status != http.StatusOK || body["code"] != string(ruid.SNILSLength) {
		t.Fatalf("a value at the limit: %d %v", status, body)
	}
	// Other methods are not served.
	resp, err := srv.Client().Post(srv.URL+path("snils", "11223344595"), "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

// Values may be personal data: nothing of them reaches the log, at any level,
// whatever the answer.
func TestValuesAreNeverLogged(t *testing.T) {
	var log syncBuffer
	site, err := web.NewSite(web.Options{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, func() time.Time { return today })
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	for _, p := range []string{
		path("snils", "98765432101"),                                         // invalid
		path("name", "Секретова"),                                            // valid
		path("passport", "4508 123456", "birth_date", "13.13.1313"),          // invalid parameter
		"/api/v1/validate/snils?value=" + strings.Repeat("7", MaxValueLen+1), // too long
		"/api/v1/validate/snils?value=55555&value=66666",                     // repeated
		"/api/v1/validate/nosuchkind?value=44444",                            // unknown kind
	} {
		get(t, srv, p, "")
	}
	out := log.String()
	if !strings.Contains(out, "http request") {
		t.Fatalf("no access log at all: %q", out)
	}
	for _, secret := range []string{"98765432101", "987-654-321", "Секретова", "%D0%A1", "123456", "1313", "7777777", "55555", "66666", "44444", "nosuchkind"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log has %q:\n%s", secret, out)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
