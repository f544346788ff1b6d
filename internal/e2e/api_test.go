package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/audit"
)

// The JSON routes that exist answer as the OpenAPI document says: real requests, real
// responses, each checked by apitest (an undocumented status, field or shape fails).
func TestAPIAnswersMatchTheDocument(t *testing.T) {
	sep := Start(t)
	c := apitest.New(t, sep.API, sep.URL)

	resp, body := c.Get("/api/v1/validate/snils?value=112-233-445%2095")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"valid":true`) {
		t.Fatalf("a valid СНИЛС: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Get("/api/v1/validate/inn?value=7707083894&type=legal", "Accept-Language", "en")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"code":"inn.checksum"`) {
		t.Fatalf("an invalid ИНН: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/api/v1/validate/iban?value=1", "/api/v1/validate", "/api/v1/validate/"} {
		if resp, _ := c.Bad().Get(path); resp.StatusCode != 404 {
			t.Fatalf("%s: %d, want 404 with the kinds", path, resp.StatusCode)
		}
	}
	if resp, _ := c.Bad().Get("/api/v1/validate/phone"); resp.StatusCode != 400 {
		t.Fatalf("no value: %d", resp.StatusCode)
	}
	for _, path := range []string{"/healthz", "/readyz", "/dev/outbox.json?limit=3", "/api/v1/openapi.json"} {
		if resp, _ := c.Get(path); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := c.Bad().Get("/dev/outbox.json?limit=9999"); resp.StatusCode != 400 {
		t.Fatalf("an outbox limit out of range: %d", resp.StatusCode)
	}

	// The auditors' JSON export, through the test front that signs a principal in.
	url := signedIn(t, sep)
	journal(t, sep, audit.ActorCitizen, "0190b7c2-0000-7000-8000-00000000a001", "", "application.submit",
		"0190b7c2-0000-7000-8000-00000000b001")
	ac := apitest.New(t, sep.API, url)
	req, _ := http.NewRequest("GET", url+"/audit/export.json?actor=0190b7c2-0000-7000-8000-00000000a001", nil)
	req.AddCookie(&http.Cookie{Name: "test_principal", Value: "auditor,0190b7c2-0000-7000-8000-00000000c001"})
	resp, body = ac.Do(req)
	var entries []map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(body, &entries) != nil || len(entries) != 1 {
		t.Fatalf("the export: %d %s", resp.StatusCode, body)
	}
}
