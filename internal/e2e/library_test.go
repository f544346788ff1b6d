package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/documents/doctest"
)

// plainPDF writes a well-formed one-page PDF that claims no PDF/A conformance.
func plainPDF(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "passport.pdf")
	if err := os.WriteFile(p, doctest.PDF("passport scan", 0), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// «Документы» in a real browser without JavaScript, every page axe-clean: a passport scan
// uploaded into one application is listed in the library and offered to the next
// application; «Регистрация в СЭП», whose rule asks PDF/A-1b, refuses the plain PDF with
// its rule's message in the error summary; «Изменение персональных данных» takes it without
// an upload; removing it from the library leaves it in the application.
func TestDocumentLibraryInTheBrowser(t *testing.T) {
	sep := Start(t)
	users := demoUsers(t, sep)
	citizen := users["citizen/standard"]
	ctx := context.Background()
	acc, err := sep.ID.AccountByLogin(ctx, nil, citizen.Email)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	b.Open(sep.URL + "/id/signin")
	browserSignIn(t, sep, b, citizen)

	first, err := sep.Applications.Create(ctx, nil, acc.ID, "e-passport", "", passportForm(citizen))
	if err != nil {
		t.Fatal(err)
	}
	b.Open(sep.URL + "/applications/" + first.ID + "/documents")
	upload(b, "passport_scan", plainPDF(t))
	if v := b.Text(`.verdict[data-kind="passport_scan"]`); !strings.Contains(v, "Принят") {
		t.Fatalf("the scan: %q", v)
	}
	b.Open(sep.URL + "/applications")
	b.Submit("#to-library")
	if h1 := b.Text("h1"); h1 != "Документы" {
		t.Fatalf("the library's heading: %q", h1)
	}
	if row := b.Text("#library tbody tr"); !strings.Contains(row, "passport.pdf") || !strings.Contains(row, "Принят") {
		t.Fatalf("the library lists %q", row)
	}
	b.CheckA11y()

	// A stricter rule refuses it, in its own words.
	reg, err := sep.Applications.Create(ctx, nil, acc.ID, "sep-registration", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Open(sep.URL + "/applications/" + reg.ID + "/documents")
	b.Submit("#reuse-passport_scan")
	if msg := b.Text("#file-passport_scan-error"); !strings.Contains(msg, "PDF/A") {
		t.Fatalf("a plain PDF for a PDF/A-1b rule: %q", msg)
	}
	if n := Eval[int](b, `document.querySelectorAll(".form-errors li").length`); n != 1 {
		t.Fatalf("the error summary lists %d mistakes", n)
	}
	if v := b.Text(`.verdict[data-kind="passport_scan"]`); strings.Contains(v, "passport.pdf") {
		t.Fatal("the refused document was attached")
	}
	b.CheckA11y()

	// A rule that takes it: attached without an upload.
	change, err := sep.Applications.Create(ctx, nil, acc.ID, "personal-data-change", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Open(sep.URL + "/applications/" + change.ID + "/documents")
	b.CheckA11y()
	b.Submit("#reuse-passport_scan")
	if v := b.Text(`.verdict[data-kind="passport_scan"]`); !strings.Contains(v, "passport.pdf") || !strings.Contains(v, "Принят") {
		t.Fatalf("after taking it from the library: %q", v)
	}
	a, err := sep.Applications.Own(ctx, acc.ID, change.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first, err = sep.Applications.Own(ctx, acc.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := a.Documents["passport_scan"], first.Documents["passport_scan"]; got == "" || got != want {
		t.Fatalf("the application's scan is %q, want the library's %q (the one uploaded)", got, want)
	}
	b.CheckA11y()

	// Removed from the library: the application keeps it.
	b.Open(sep.URL + "/documents")
	b.Submit(`#library form button`)
	if b.Text("#removed") == "" || Eval[int](b, `document.querySelectorAll("#library").length`) != 0 {
		t.Fatal("the document is still listed after its removal")
	}
	b.CheckA11y()
	b.Open(sep.URL + "/applications/" + change.ID + "/documents")
	if v := b.Text(`.verdict[data-kind="passport_scan"]`); !strings.Contains(v, "passport.pdf") {
		t.Fatalf("removing from the library took it from the application: %q", v)
	}
}
