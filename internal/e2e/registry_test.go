package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/registry/passlist"
	"github.com/sep-platform/sep/internal/registry/sim"
)

// getJSON fetches a URL with an Accept-Language and decodes the JSON body.
func getJSON(t *testing.T, url, lang string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %v", url, resp.StatusCode, err)
	}
	return resp, body
}

func TestValidateEndpoint(t *testing.T) {
	sep := Start(t)
	resp, body := getJSON(t, sep.URL+"/api/v1/validate/snils?value=11223344595", "ru")
	if resp.StatusCode != http.StatusOK || len(body) != 2 || body["valid"] != true || body["normalized"] != "112-233-445 95" {
		t.Fatalf("valid СНИЛС: %d %v", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("headers: %v", resp.Header)
	}
	_, ru := getJSON(t, sep.URL+"/api/v1/validate/inn?value=7707083894", "ru-RU")
	_, en := getJSON(t, sep.URL+"/api/v1/validate/inn?value=7707083894", "en-GB,en;q=0.8")
	if ru["valid"] != false || ru["code"] != "inn.checksum" || en["code"] != "inn.checksum" || ru["message"] == en["message"] {
		t.Fatalf("invalid ИНН: ru %v, en %v", ru, en)
	}
	resp, body = getJSON(t, sep.URL+"/api/v1/validate/iban?value=1", "en")
	if kinds, _ := body["kinds"].([]any); resp.StatusCode != http.StatusNotFound || len(kinds) < 14 {
		t.Fatalf("unknown kind: %d %v", resp.StatusCode, body)
	}
	resp, body = getJSON(t, sep.URL+"/api/v1/validate/account?bik=049805000", "en")
	if resp.StatusCode != http.StatusBadRequest || body["error"].(map[string]any)["message_id"] != "validate.value_missing" {
		t.Fatalf("no value: %d %v", resp.StatusCode, body)
	}
}

// waitCheck polls a check until it has an outcome.
func waitCheck(t *testing.T, sep *Instance, id string, within time.Duration) registry.Check {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := sep.Registry.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status.Final() {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("check still pending after %v (%d attempts)", within, c.Attempts)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func basicPassport(t *testing.T) registry.PassportQuery {
	t.Helper()
	p := sim.Default().Tagged("basic")[0]
	pp := p.Passport()
	return registry.PassportQuery{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time,
		DivisionCode: pp.DivisionCode, Person: registry.Person{LastName: p.LastName, FirstName: p.FirstName,
			MiddleName: p.MiddleName, BirthDate: p.BirthDate.Time}}
}

// In demo mode the simulator answers, through the program's own job workers.
func TestRegistryCheckInDemoMode(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			settings := []string{"SEP_REGISTRY_SIM_LATENCY", "10ms-50ms"}
			if engine == "postgres" {
				settings = append(settings, "SEP_DATABASE_URL", dbtest.PostgresURL(t))
			}
			sep := Start(t, settings...)
			id, err := sep.Registry.Request(context.Background(), nil,
				registry.CheckRequest{Subject: "account:e2e", Query: basicPassport(t)})
			if err != nil {
				t.Fatal(err)
			}
			c := waitCheck(t, sep, id, 20*time.Second)
			if c.Status != registry.Confirmed || c.Source != sim.Source || c.CheckedAt.IsZero() {
				t.Fatalf("%s from %q at %v", c.Status, c.Source, c.CheckedAt)
			}
		})
	}
}

// The unavailability settings reach the simulator, and the retry settings the
// job: two failing attempts, then the check is stored unavailable.
func TestRegistryUnavailableBySettings(t *testing.T) {
	sep := Start(t, "SEP_REGISTRY_SIM_LATENCY", "0", "SEP_REGISTRY_SIM_FAILURE_RATE", "1",
		"SEP_REGISTRY_ATTEMPTS", "2", "SEP_REGISTRY_BACKOFF", "50ms")
	id, err := sep.Registry.Request(context.Background(), nil,
		registry.CheckRequest{Subject: "account:e2e", Query: basicPassport(t)})
	if err != nil {
		t.Fatal(err)
	}
	c := waitCheck(t, sep, id, 20*time.Second)
	if c.Status != registry.Unavailable || c.Reason != registry.ReasonDown || c.Attempts != 2 {
		t.Fatalf("%s (%s) after %d attempts, want unavailable after 2", c.Status, c.Reason, c.Attempts)
	}
	if sep.RegistrySim.Calls() != 2 {
		t.Fatalf("%d simulator calls", sep.RegistrySim.Calls())
	}
}

// Without a registry (production's default), checks end at once, saying so.
func TestRegistryNotConfigured(t *testing.T) {
	sep := Start(t, "SEP_REGISTRY_SOURCE", "none")
	if sep.RegistrySim != nil {
		t.Fatal("the simulator runs with SEP_REGISTRY_SOURCE=none")
	}
	id, err := sep.Registry.Request(context.Background(), nil,
		registry.CheckRequest{Subject: "account:e2e", Query: basicPassport(t)})
	if err != nil {
		t.Fatal(err)
	}
	c := waitCheck(t, sep, id, 20*time.Second)
	if c.Status != registry.Unavailable || c.Reason != registry.ReasonNotConfigured || c.Attempts != 1 {
		t.Fatalf("%s (%s) after %d attempts", c.Status, c.Reason, c.Attempts)
	}
}

// A passport on the imported МВД list is invalid before the registry is asked.
func TestImportedInvalidPassportList(t *testing.T) {
	sep := Start(t, "SEP_REGISTRY_SIM_LATENCY", "0")
	q := basicPassport(t)
	csv := "PASSP_SERIES,PASSP_NUMBER\n" + q.Series + "," + q.Number + "\n"
	if _, err := sep.InvalidPassports.Import(context.Background(), strings.NewReader(csv), passlist.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	id, err := sep.Registry.Request(context.Background(), nil, registry.CheckRequest{Subject: "account:e2e", Query: q})
	if err != nil {
		t.Fatal(err)
	}
	c := waitCheck(t, sep, id, 20*time.Second)
	if c.Status != registry.Invalid || c.Reason != registry.ReasonInvalidList || c.Source != registry.SourceInvalidList {
		t.Fatalf("%s (%s) from %q", c.Status, c.Reason, c.Source)
	}
	if sep.RegistrySim.Calls() != 0 {
		t.Fatalf("the registry was asked %d times about a listed passport", sep.RegistrySim.Calls())
	}
}
