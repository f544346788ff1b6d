package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sep-platform/sep/internal/web"
)

// uploadFixture is a site with an upload route that streams the file as the documents store
// does: read at most limit+1 bytes, refuse a file over the limit.
type uploadFixture struct {
	*fixture
	calls atomic.Int32 // handler runs (a refused form must never reach it)
}

const uploadFileLimit = 1 << 20

func newUploadFixture(t *testing.T) *uploadFixture {
	t.Helper()
	u := &uploadFixture{}
	u.fixture = newFixture(t, func(o *web.Options) {})
	u.site.HandleLimit("POST /upload", 64<<20, func(w http.ResponseWriter, r *http.Request) error {
		u.calls.Add(1)
		f, err := web.Multipart(r)
		if err != nil {
			return err
		}
		if f.File == nil {
			io.WriteString(w, "no file, note="+f.Values.Get("note"))
			return nil
		}
		n, err := io.Copy(io.Discard, io.LimitReader(f.File, uploadFileLimit+1))
		if err != nil {
			return err
		}
		if n > uploadFileLimit {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, "too large")
			return nil
		}
		fmt.Fprintf(w, "%s: %d bytes, note=%s", f.FileName(), n, r.PostFormValue("note"))
		return nil
	})
	return u
}

// part is one part of a multipart body: a field, or a file when file is true.
type part struct {
	name, value string
	file        bool
}

// multipartBody writes the parts in order; a file part's content is fileBytes bytes of 'x'
// after its value.
func multipartBody(parts []part, fileBytes int) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.file {
			w, _ := mw.CreateFormFile(p.name, "scan.pdf")
			io.WriteString(w, p.value)
			w.Write(bytes.Repeat([]byte("x"), fileBytes))
			continue
		}
		mw.WriteField(p.name, p.value)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func (u *uploadFixture) send(t *testing.T, c *http.Client, ct string, body io.Reader, size int64) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u.srv.URL+"/upload", body)
	req.Header.Set("Content-Type", ct)
	req.ContentLength = size
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(b)
}

func TestMultipartStreamsAfterTheToken(t *testing.T) {
	u := newUploadFixture(t)
	c, token := csrfToken(t, u.fixture)

	ct, body := multipartBody([]part{{name: "csrf_token", value: token}, {name: "note", value: "примечание"},
		{name: "file", value: "%PDF-1.7\n", file: true}}, 300<<10)
	code, got := u.send(t, c, ct, bytes.NewReader(body), int64(len(body)))
	if code != 200 || got != fmt.Sprintf("scan.pdf: %d bytes, note=примечание", 9+300<<10) {
		t.Fatalf("a form with the token first: %d %s", code, got)
	}
	// An empty file input is no file.
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf_token", token)
	mw.WriteField("note", "n")
	mw.CreateFormFile("file", "")
	mw.Close()
	if code, got := u.send(t, c, mw.FormDataContentType(), &b, int64(b.Len())); code != 200 || got != "no file, note=n" {
		t.Fatalf("an empty file input: %d %s", code, got)
	}

	// Refused before the handler: no token, a wrong one, the file before the token.
	calls := u.calls.Load()
	for _, c2 := range []struct {
		name  string
		parts []part
		code  int
		says  string
	}{
		{"no token", []part{{name: "note", value: "n"}, {name: "file", value: "%PDF-1.7\n", file: true}}, 400, "неверном порядке"},
		{"no token, no file", []part{{name: "note", value: "n"}}, 403, "Форма устарела"},
		{"wrong token", []part{{name: "csrf_token", value: token + "x"}, {name: "file", value: "%PDF", file: true}}, 403, "Форма устарела"},
		{"file first", []part{{name: "file", value: "%PDF-1.7\n", file: true}, {name: "csrf_token", value: token}}, 400, "csrf_token должно идти до файла"},
	} {
		ct, body := multipartBody(c2.parts, 10<<10)
		code, got := u.send(t, c, ct, bytes.NewReader(body), int64(len(body)))
		if code != c2.code || !strings.Contains(got, c2.says) {
			t.Errorf("%s: %d, want %d saying %q:\n%.300s", c2.name, code, c2.code, c2.says, got)
		}
	}
	if n := u.calls.Load(); n != calls {
		t.Fatalf("the handler ran %d times for refused forms", n-calls)
	}
	// The token in the header instead: the file may come first then.
	ct, body = multipartBody([]part{{name: "file", value: "%PDF", file: true}}, 10)
	req, _ := http.NewRequest("POST", u.srv.URL+"/upload", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set(web.CSRFHeader, token)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("the token in the header: %d", res.StatusCode)
	}

	// Fields before the file are bounded: they are held in memory.
	ct, body = multipartBody([]part{{name: "csrf_token", value: token}, {name: "note", value: strings.Repeat("я", web.MaxMultipartFields)},
		{name: "file", value: "%PDF", file: true}}, 10)
	if code, _ := u.send(t, c, ct, bytes.NewReader(body), int64(len(body))); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("64 KB of fields and more: %d", code)
	}
}

// countingReader counts what the client has read of a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// zeros is an endless run of 'x'.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestOversizedUploadIsRefusedWithoutReadingItWhole(t *testing.T) {
	u := newUploadFixture(t)
	c, token := csrfToken(t, u.fixture)
	const size = 60 << 20
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("csrf_token", token)
	mw.CreateFormFile("file", "big.pdf")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	total := int64(head.Len()) + size + int64(len(tail))
	body := &countingReader{r: io.MultiReader(&head, io.LimitReader(zeros{}, size), strings.NewReader(tail))}
	code, got := u.send(t, c, mw.FormDataContentType(), body, total)
	if code != http.StatusUnprocessableEntity || got != "too large" {
		t.Fatalf("a 60 MB file over a 1 MB limit: %d %s", code, got)
	}
	if n := body.n.Load(); n > 20<<20 {
		t.Fatalf("the client sent %d MB of a 60 MB file that was refused after 1 MB", n>>20)
	}
}
