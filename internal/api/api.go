// Package api holds the one OpenAPI document of sep's JSON routes — the integration API under
// /api/v1/, the operations endpoints, the development outbox — and serves it at
// GET /api/v1/openapi.json.
//
// Each domain writes the part of the document for its own routes in an openapi.yaml of its
// own (paths, and the schemas only it uses) and hands it to Load beside the others; the base
// document here holds what all share: the error body every JSON error has, with its stable
// code and message id (internal/web turns errors into it), and the common error responses.
// Load merges them into one document and checks it with kin-openapi, so a broken or
// conflicting part stops start-up. Tests validate real requests and responses against the
// merged document (package apitest), and TestEveryJSONRouteIsDocumented (internal/app) fails
// when a route under /api/ is registered without being documented.
package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/sep-platform/sep/internal/web"
)

//go:embed openapi.yaml
var base []byte

// Path is where the document is served.
const Path = "/api/v1/openapi.json"

// Spec is the merged document.
type Spec struct {
	doc  *openapi3.T
	json []byte
}

// Load merges the parts (each an OpenAPI document in YAML with paths and components) into the
// base document and validates the result.
func Load(parts ...[]byte) (*Spec, error) {
	var merged map[string]any
	if err := yaml.Unmarshal(base, &merged); err != nil {
		return nil, fmt.Errorf("api: the base document: %w", err)
	}
	for i, p := range parts {
		var part map[string]any
		if err := yaml.Unmarshal(p, &part); err != nil {
			return nil, fmt.Errorf("api: part %d: %w", i+1, err)
		}
		if err := merge(merged, part); err != nil {
			return nil, fmt.Errorf("api: part %d (%s): %w", i+1, title(part), err)
		}
	}
	js, err := json.Marshal(merged)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(js)
	if err != nil {
		return nil, fmt.Errorf("api: the merged document does not load: %w", err)
	}
	if err := doc.Validate(openapi3.NewLoader().Context); err != nil {
		return nil, fmt.Errorf("api: the merged document is not valid OpenAPI: %w", err)
	}
	return &Spec{doc: doc, json: js}, nil
}

func title(part map[string]any) string {
	if info, ok := part["info"].(map[string]any); ok {
		if t, ok := info["title"].(string); ok {
			return t
		}
	}
	return "untitled"
}

// merge adds a part's paths and components to the document. A path may come from several
// parts that define different methods of it; a component may be defined twice only identically.
func merge(doc, part map[string]any) error {
	if paths, _ := part["paths"].(map[string]any); paths != nil {
		dst := section(doc, "paths")
		for path, item := range paths {
			methods, _ := item.(map[string]any)
			have := section(dst, path)
			for m, op := range methods {
				if old, dup := have[m]; dup && !reflect.DeepEqual(old, op) {
					return fmt.Errorf("%s %s is defined twice, differently", m, path)
				}
				have[m] = op
			}
		}
	}
	comps, _ := part["components"].(map[string]any)
	for _, kind := range slices.Sorted(maps.Keys(comps)) {
		named, _ := comps[kind].(map[string]any)
		dst := section(section(doc, "components"), kind)
		for name, v := range named {
			if old, dup := dst[name]; dup && !reflect.DeepEqual(old, v) {
				return fmt.Errorf("components %s %s is defined twice, differently", kind, name)
			}
			dst[name] = v
		}
	}
	return nil
}

// section returns m[key] as a map, making it if missing.
func section(m map[string]any, key string) map[string]any {
	s, _ := m[key].(map[string]any)
	if s == nil {
		s = map[string]any{}
		m[key] = s
	}
	return s
}

// Document is the merged document, for tests that validate against it.
func (s *Spec) Document() *openapi3.T { return s.doc }

// Documents reports whether the document has an operation for the method and path template
// (as ServeMux writes it, "/api/v1/validate/{kind}").
func (s *Spec) Documents(method, path string) bool {
	item := s.doc.Paths.Find(path)
	return item != nil && item.GetOperation(method) != nil
}

// Register serves the document.
func (s *Spec) Register(site *web.Site) {
	site.HandleHTTP("GET "+Path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(s.json)
	}))
}
