package app

import (
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/api"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// jsonRoute reports whether a route answers JSON: the API, *.json files, the health checks.
func jsonRoute(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasSuffix(path, ".json") || path == "/healthz" || path == "/readyz"
}

// Every JSON route the site registers is in the one OpenAPI document, with its method.
func TestEveryJSONRouteIsDocumented(t *testing.T) {
	m := open(t, testConfig(t, dbtest.SQLiteURL(t)), nil)
	n := 0
	for _, p := range m.Site.Patterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || !jsonRoute(strings.TrimSuffix(path, "{$}")) {
			continue
		}
		// ServeMux writes "{$}" for an exact trailing slash and "{name...}" for the rest.
		path = strings.ReplaceAll(strings.TrimSuffix(path, "{$}"), "...}", "}")
		n++
		if !m.API.Documents(method, path) {
			t.Errorf("%s %s is registered but not in the OpenAPI document (add it to the domain's openapi.yaml)", method, path)
		}
	}
	if n < 5 {
		t.Fatalf("only %d JSON routes found: the test no longer sees the routes", n)
	}
}

// A part that redefines another's component differently stops start-up.
func TestConflictingPartsAreRefused(t *testing.T) {
	a := []byte("openapi: 3.0.3\ninfo: {title: a, version: v1}\npaths: {}\ncomponents: {schemas: {X: {type: string}}}\n")
	b := []byte("openapi: 3.0.3\ninfo: {title: b, version: v1}\npaths: {}\ncomponents: {schemas: {X: {type: integer}}}\n")
	if _, err := api.Load(a, b); err == nil || !strings.Contains(err.Error(), "X is defined twice") {
		t.Fatalf("conflicting parts: %v", err)
	}
	if _, err := api.Load(a, a); err != nil {
		t.Fatalf("a part given twice, identically: %v", err)
	}
	bad := []byte("openapi: 3.0.3\ninfo: {title: c, version: v1}\npaths: {/x: {get: {responses: {'200': {$ref: '#/components/responses/Nope'}}}}}\n")
	if _, err := api.Load(bad); err == nil {
		t.Fatal("a part with a dangling reference was accepted")
	}
}
