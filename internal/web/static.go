package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// Assets serves the embedded static files under /static/, each also under a fingerprinted
// name (app.3f2a91c0.css) that can be cached forever: a changed file gets a new name.
type Assets struct {
	byName map[string]*asset // both the plain and the fingerprinted name
	urls   map[string]string // plain name → /static/fingerprinted name
}

type asset struct {
	body        []byte
	contentType string
	etag        string
	immutable   bool
}

func newAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{byName: map[string]*asset{}, urls: map[string]string{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		fp := hex.EncodeToString(sum[:4])
		ext := path.Ext(name)
		fpName := strings.TrimSuffix(name, ext) + "." + fp + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byName[name] = &asset{body: body, contentType: ct, etag: `"` + fp + `"`}
		a.byName[fpName] = &asset{body: body, contentType: ct, etag: `"` + fp + `"`, immutable: true}
		a.urls[name] = "/static/" + fpName
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of a static file, for templates: {{asset "app.css"}}.
func (a *Assets) URL(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return u, nil
}

func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byName[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	if f.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}
