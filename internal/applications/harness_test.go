package applications

import (
	"bytes"
	"context"
	"crypto/rand"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/services"
	"github.com/sep-platform/sep/internal/web"
)

// harness is the package's pages on a real database and document store, with a signing key
// and its self-signed certificate.
type harness struct {
	t     *testing.T
	store *Store
	docs  *documents.Store
	h     http.Handler
	cert  *gostx509.Certificate
	csrf  string
}

// smallScanService is «Электронный паспорт» under another code whose passport scan may be
// at most 2 MB: a stricter rule for a kind the library may hold.
func smallScanService(t *testing.T) services.Source {
	t.Helper()
	b, err := fs.ReadFile(services.Builtin().FS, "e-passport.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "code: e-passport", "code: small-scan", 1)
	s = strings.Replace(s, "max_size: 5 MB", "max_size: 2 MB", 1) // the first rule: the passport scan
	return services.Source{Name: "test", FS: fstest.MapFS{"small-scan.yaml": {Data: []byte(s)}}}
}

func newHarness(t *testing.T, d *db.DB) *harness {
	t.Helper()
	cat, err := services.Load(services.Builtin(), smallScanService(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	docs, err := documents.New(documents.Options{DB: d, Box: testBox, Storage: documents.Disk{Dir: dir},
		SpoolDir: filepath.Join(dir, ".spool")})
	if err != nil {
		t.Fatal(err)
	}
	curve, _ := gost3410.CurveByName("tc26-256-A")
	key, err := gost3410.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name, _ := gostx509.ParseName("CN=SEP test root,O=SEP")
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	der, err := gostx509.CreateCertificate(rand.Reader, &gostx509.Template{Subject: name, NotBefore: now.AddDate(0, 0, -1),
		NotAfter: now.AddDate(30, 0, 0), IsCA: true}, nil, key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := gostx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(Options{DB: d, Box: testBox, Accounts: accounts{}, Services: cat, Now: func() time.Time { return now },
		Signing: key, SigningCertificate: func(context.Context) ([]byte, error) { return cert.EncodePEM(), nil }})
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates},
		Authenticators: []web.Authenticator{headerAuth{}}})
	if err != nil {
		t.Fatal(err)
	}
	Register(site, st, &identity{}, docs, nil)
	return &harness{t: t, store: st, docs: docs, h: site.Handler(), cert: cert, csrf: strings.Repeat("c", 43)}
}

// do sends a request as who ("" for nobody) and returns the answer; a POST carries the CSRF
// token a form would.
func (x *harness) do(who, method, path, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if who != "" {
		req.Header.Set("X-Test-Principal", "citizen:"+who)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.AddCookie(&http.Cookie{Name: web.CSRFCookie, Value: x.csrf})
	rec := httptest.NewRecorder()
	x.h.ServeHTTP(rec, req)
	return rec
}

// post sends a form.
func (x *harness) post(who, path string, fields map[string]string) *httptest.ResponseRecorder {
	form := "csrf_token=" + x.csrf
	for k, v := range fields {
		form += "&" + k + "=" + v
	}
	return x.do(who, "POST", path, "application/x-www-form-urlencoded", []byte(form))
}

// upload sends a file into an application's documents page.
func (x *harness) upload(who, appID, kind, name string, file []byte) *httptest.ResponseRecorder {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf_token", x.csrf)
	part, _ := w.CreateFormFile("file", name)
	part.Write(file)
	w.Close()
	return x.do(who, "POST", "/applications/"+appID+"/documents/"+kind, w.FormDataContentType(), b.Bytes())
}

// draft starts a draft of service with a complete form.
func (x *harness) draft(acc, service string) *Application {
	x.t.Helper()
	a, err := x.store.Create(context.Background(), nil, acc, service, "", passportValues())
	if err != nil {
		x.t.Fatal(err)
	}
	return a
}

// app reads the account's application again.
func (x *harness) app(acc, appID string) *Application {
	x.t.Helper()
	a, err := x.store.Own(context.Background(), acc, appID)
	if err != nil {
		x.t.Fatal(err)
	}
	return a
}
