package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/documents/doctest"
)

// filesIn lists every file and directory under dir.
func filesIn(dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && p != dir {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// jarToken is the CSRF token in c's cookie jar (after a page view).
func jarToken(t *testing.T, sep *Instance, c *apitest.Client) string {
	t.Helper()
	req, _ := http.NewRequest("GET", sep.URL+"/applications", nil)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range c.HTTP.Jar.Cookies(req.URL) {
		if strings.HasSuffix(ck.Name, "sep_csrf") {
			return ck.Value
		}
	}
	t.Fatal("no CSRF cookie")
	return ""
}

// uploadForm is the documents page's form as a browser sends it: the token, then the file.
type uploadForm struct {
	token    string // "" for none
	fileLast bool   // the token after the file
	name     string
}

// head and tail of the multipart body around the file's bytes.
func (f uploadForm) parts() (contentType string, head, tail []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if f.token != "" && !f.fileLast {
		mw.WriteField("csrf_token", f.token)
	}
	mw.CreateFormFile("file", f.name)
	head = append([]byte{}, b.Bytes()...)
	b.Reset()
	if f.token != "" && f.fileLast {
		mw.WriteField("csrf_token", f.token)
	}
	mw.Close()
	return mw.FormDataContentType(), head, b.Bytes()
}

// countingReader counts what has been read of a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// postUpload sends body as the upload of kind and returns the status and the page.
func postUpload(t *testing.T, sep *Instance, c *apitest.Client, appID, kind, contentType string, body io.Reader, size int64) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", sep.URL+"/applications/"+appID+"/documents/"+kind, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", sep.URL)
	req.ContentLength = size
	hc := *c.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// getPage asks for a page (not an API route) with c's session.
func getPage(t *testing.T, sep *Instance, c *apitest.Client, path string) (int, []byte) {
	t.Helper()
	resp, err := c.HTTP.Get(sep.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func documentRows(t *testing.T, sep *Instance) int {
	t.Helper()
	var n int
	if err := sep.DB.Reader().QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An upload of several megabytes streams from the request into the sealed store: while it is
// being sent and after, not a file appears in the temporary directory (Go's multipart parser
// used to spool every part over 1 MB there in clear), and the document is stored whole. A form
// without the CSRF token, with a wrong one or with the file before it stores nothing; a file
// over the rule's limit is refused with the rule's words before it has been read whole.
func TestUploadStreamsWithoutPlaintextTempFiles(t *testing.T) {
	watched := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(watched, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", watched)
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen := users["citizen/standard"]
	c := apitest.New(t, sep.API, sep.URL)
	apiSignIn(t, sep, c, citizen)
	body, _ := json.Marshal(map[string]any{"service": "e-passport", "values": passportForm(citizen)})
	resp, b := c.Send("POST", "/api/v1/applications", body)
	var a struct{ ID string }
	if json.Unmarshal(b, &a); resp.StatusCode != http.StatusCreated {
		t.Fatalf("a draft: %d %s", resp.StatusCode, b)
	}
	token := jarToken(t, sep, c)

	// 4.5 MB sent through a pipe, paused at 4 MB while the directory is watched.
	const marker = "Стрим Маркерович Загрузкин"
	pdf := doctest.PDF(marker, 4<<20+512<<10)
	ct, head, tail := uploadForm{token: token, name: "паспорт.pdf"}.parts()
	pr, pw := io.Pipe()
	seen := make(chan []string, 1)
	go func() {
		pw.Write(head)
		pw.Write(pdf[:4<<20])
		var found []string
		for deadline := time.Now().Add(700 * time.Millisecond); time.Now().Before(deadline) && len(found) == 0; time.Sleep(50 * time.Millisecond) {
			found = filesIn(watched)
		}
		seen <- found
		pw.Write(pdf[4<<20:])
		pw.Write(tail)
		pw.Close()
	}()
	code, page := postUpload(t, sep, c, a.ID, "passport_scan", ct, pr, int64(len(head)+len(pdf)+len(tail)))
	if during := <-seen; len(during) > 0 {
		t.Fatalf("files in the temporary directory during the upload: %v", during)
	}
	if code != http.StatusSeeOther {
		t.Fatalf("the upload: %d %.500s", code, page)
	}
	if after := filesIn(watched); len(after) > 0 {
		t.Fatalf("files in the temporary directory after the upload: %v", after)
	}
	status, got := getPage(t, sep, c, "/applications/"+a.ID+"/documents/passport_scan/file")
	if status != 200 || !bytes.Equal(got, pdf) {
		t.Fatalf("the stored document: %d, %d bytes, want the %d uploaded", status, len(got), len(pdf))
	}

	// Refused before anything is read of the file: stored nothing.
	rows := documentRows(t, sep)
	small := doctest.PDF(marker, 10<<10)
	for _, c2 := range []struct {
		name string
		form uploadForm
		code int
		says string
	}{
		{"no token", uploadForm{name: "a.pdf"}, http.StatusBadRequest, "csrf_token должно идти до файла"},
		{"wrong token", uploadForm{token: token[1:] + "A", name: "a.pdf"}, http.StatusForbidden, "Форма устарела"},
		{"the file before the token", uploadForm{token: token, fileLast: true, name: "a.pdf"}, http.StatusBadRequest, "csrf_token должно идти до файла"},
	} {
		ct, head, tail := c2.form.parts()
		body := append(append(append([]byte{}, head...), small...), tail...)
		code, page := postUpload(t, sep, c, a.ID, "passport_scan", ct, bytes.NewReader(body), int64(len(body)))
		if code != c2.code || !strings.Contains(page, c2.says) {
			t.Errorf("%s: %d, want %d saying %q", c2.name, code, c2.code, c2.says)
		}
	}
	if n := documentRows(t, sep); n != rows {
		t.Fatalf("refused forms stored %d documents", n-rows)
	}

	// 40 MB for a 5 MB rule: refused with the rule's words, long before the end.
	ct, head, tail = uploadForm{token: token, name: "huge.pdf"}.parts()
	const huge = 40 << 20
	counted := &countingReader{r: io.MultiReader(bytes.NewReader(head), bytes.NewReader(pdf[:9]),
		io.LimitReader(spaces{}, huge), bytes.NewReader(tail))}
	code, page = postUpload(t, sep, c, a.ID, "passport_scan", ct, counted, int64(len(head)+9+huge+len(tail)))
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "Файл больше 5 МБ") {
		t.Fatalf("a 40 MB file: %d %.500s", code, page)
	}
	if n := counted.n.Load(); n > 20<<20 {
		t.Fatalf("%d MB of a 40 MB file were sent before its refusal at 5 MB", n>>20)
	}
	if after := filesIn(watched); len(after) > 0 {
		t.Fatalf("files in the temporary directory after the refusal: %v", after)
	}
	// The document before it stays.
	if status, got := getPage(t, sep, c, "/applications/"+a.ID+"/documents/passport_scan/file"); status != 200 || !bytes.Equal(got, pdf) {
		t.Fatalf("the document after a refused replacement: %d, %d bytes", status, len(got))
	}
}

// spaces is an endless run of spaces.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
