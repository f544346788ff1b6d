package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/documents/doctest"
)

// draftWithDocumentsFlow leaves a draft of its own through the pages, as the bearer of token:
// its form's values, and a PDF uploaded for the passport scan whose content and file name
// carry a name — 2 MB of it, more than Go's multipart parser ever kept in memory. It returns
// the personal values it stored, for the database, the storage and the temporary directory.
func draftWithDocumentsFlow(t *testing.T, sep *Instance, token string) []string {
	t.Helper()
	form := url.Values{"service": {"e-passport"}, "key": {"scan-draft"}, "reason": {"first"},
		"last_name": {"Черновикова"}, "first_name": {"Документа"}, "middle_name": {"Файловна"},
		"birth_date": {"03.04.1987"}, "birth_place": {"посёлок Вложенский"}, "passport": {"4509765432"},
		"passport_issue_date": {"05.06.2007"}, "passport_issuer": {"Отделом Заявочного района"},
		"passport_division_code": {"770-002"}, "snils": {"112-233-445 95"},
		"address": {"город Скановск, проезд Спулинговый, 4"}}
	resp := bearerPost(t, sep, token, "/applications/new", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/documents") {
		t.Fatalf("the draft: %d %s", resp.StatusCode, loc)
	}
	appID := strings.TrimSuffix(strings.TrimPrefix(loc, "/applications/"), "/documents")

	const inside = "Вложенная Маркерова Спулинговна"
	ct, head, tail := uploadForm{name: "скан Файловны.pdf"}.parts()
	pdf := doctest.PDF(inside, 2<<20)
	body := io.MultiReader(bytes.NewReader(head), bytes.NewReader(pdf), bytes.NewReader(tail))
	resp = bearerPost(t, sep, token, "/applications/"+appID+"/documents/passport_scan", ct, body)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the upload: %d", resp.StatusCode)
	}
	a, err := sep.Applications.Get(t.Context(), appID)
	if err != nil || a.Documents["passport_scan"] == "" {
		t.Fatalf("the document is not attached: %v", err)
	}
	return []string{"Черновикова", "Файловна", "Вложенский", "Скановск", "Спулинговый", inside, "Маркерова",
		"скан Файловны", "Файловны.pdf"}
}

func bearerPost(t *testing.T, sep *Instance, token, path, contentType string, body io.Reader) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", sep.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	c := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// plainTempDir points TMPDIR at a new empty directory for the rest of the test (before the
// instance starts) and returns it.
func plainTempDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", dir)
	return dir
}

// checkFilesClean fails the test if any of the values is in clear in a file under the
// directories (the data directory: the stored documents and their spool; the temporary
// directory), naming the value's line and the file, never the value. It then proves it
// finds what is there: a value written plain into the last directory is found.
func checkFilesClean(t *testing.T, values []string, dirs ...string) {
	t.Helper()
	if found := filesWith(values, dirs...); len(found) > 0 {
		t.Fatalf("personal data in clear in files:\n%s", strings.Join(found, "\n"))
	}
	canary := filepath.Join(dirs[len(dirs)-1], "scan-canary")
	if err := os.WriteFile(canary, []byte("…"+values[len(values)-1]+"…"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(canary)
	if found := filesWith(values, dirs...); len(found) != 1 {
		t.Fatalf("the file scan missed a value written in clear: %v", found)
	}
}

func filesWith(values []string, dirs ...string) []string {
	var found []string
	for _, dir := range dirs {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || !info.Mode().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				found = append(found, "cannot read "+p+": "+err.Error())
				return nil
			}
			for i, v := range values {
				if v != "" && bytes.Contains(b, []byte(v)) {
					found = append(found, "value on line "+strconv.Itoa(i+1)+" is in clear in "+p)
				}
			}
			return nil
		})
	}
	return found
}
