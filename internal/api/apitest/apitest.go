// Package apitest checks real requests and responses against sep's OpenAPI document: a test
// sends its API calls through a Client, which fails the test when the route is not in the
// document, or the request or the response (status, headers, body) does not match it.
package apitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/sep-platform/sep/internal/api"
)

// Client sends requests to an instance at a base URL and validates each exchange.
type Client struct {
	t      testing.TB
	base   string
	router routers.Router
	HTTP   *http.Client // with a cookie jar, so that a session carries over between calls
	// bad: requests are meant not to match the document (a hostile or mistaken client);
	// only the answer is checked.
	bad bool
}

// Bad returns a client for requests that break the document on purpose — an unknown enum
// value, a missing parameter, a malformed body: they are sent unchecked, and the answer, which
// must be a documented refusal, is checked as ever.
func (c *Client) Bad() *Client {
	b := *c
	b.bad = true
	return &b
}

// New returns a client of the instance at base (http://127.0.0.1:port), checking against spec.
func New(t testing.TB, spec *api.Spec, base string) *Client {
	t.Helper()
	// A copy of the document whose one server is the instance under test.
	js, err := spec.Document().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(js)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: strings.TrimRight(base, "/")}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: strings.TrimRight(base, "/"), router: router, HTTP: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Do sends req (a path relative to the base is fine) and returns the response and its body,
// after checking both against the document. Any mismatch fails the test.
func (c *Client) Do(req *http.Request) (*http.Response, []byte) {
	c.t.Helper()
	if req.URL.Host == "" {
		u := *req.URL
		full, err := http.NewRequest(req.Method, c.base+u.RequestURI(), req.Body)
		if err != nil {
			c.t.Fatal(err)
		}
		full.Header = req.Header
		req = full
	}
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && !c.bad {
		c.t.Fatalf("%s %s: the request does not match the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Fatalf("%s %s → %d: the response does not match the OpenAPI document: %v\n%s", req.Method, req.URL.Path,
			resp.StatusCode, err, clip(body))
	}
	if c.bad && resp.StatusCode < 400 {
		c.t.Fatalf("%s %s: a request that breaks the document was answered %d, not refused", req.Method, req.URL.Path,
			resp.StatusCode)
	}
	return resp, body
}

// Get is Do of a GET with optional header pairs ("Accept-Language", "en").
func (c *Client) Get(path string, headers ...string) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Do(req)
}

// Send is Do of a request with a JSON body (nil for none) and optional header pairs.
func (c *Client) Send(method, path string, body []byte, headers ...string) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Do(req)
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
