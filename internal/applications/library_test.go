package applications

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/documents/doctest"
	"github.com/sep-platform/sep/internal/errs"
)

// countDocuments is how many stored documents there are.
func countDocuments(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM documents`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A passport scan uploaded into one application is kept in «Документы» and offered to the
// next: taking it attaches the same stored document without an upload, once THIS service's
// rule accepts it — a 4 MB scan is refused, in the rule's words, where the rule says 2 MB.
// Another citizen cannot take, open or remove it (404).
func TestLibraryReuse(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		x := newHarness(t, d)
		const me, other = "acc-1", "acc-2"
		first := x.draft(me, "e-passport")
		scan := doctest.PDF("Ivanova passport scan", 4<<20)
		if rec := x.upload(me, first.ID, "passport_scan", "паспорт.pdf", scan); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		docID := x.app(me, first.ID).Documents["passport_scan"]
		lib, err := x.store.Library(context.Background(), me)
		if err != nil || len(lib) != 1 || lib[0].DocumentID != docID || lib[0].Kind != "passport_scan" {
			t.Fatalf("the library after an upload: %+v %v", lib, err)
		}
		rec := x.do(me, "GET", "/documents", "", nil)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "паспорт.pdf") || !strings.Contains(rec.Body.String(), "Принят") ||
			!strings.Contains(rec.Body.String(), "4,0 МБ") {
			t.Fatalf("«Документы»: %d %s", rec.Code, rec.Body)
		}
		if rec := x.do(other, "GET", "/documents", "", nil); strings.Contains(rec.Body.String(), "паспорт.pdf") {
			t.Fatal("another citizen sees the document in their «Документы»")
		}
		stored := countDocuments(t, d)

		// A service whose rule for the passport scan is 2 MB refuses the 4 MB scan.
		small := x.draft(me, "small-scan")
		page := x.do(me, "GET", "/applications/"+small.ID+"/documents", "", nil).Body.String()
		if !strings.Contains(page, "Использовать из моих документов") || !strings.Contains(page, `value="`+docID+`"`) {
			t.Fatalf("the documents page offers nothing from the library:\n%s", page)
		}
		rec = x.post(me, "/applications/"+small.ID+"/documents/passport_scan/reuse", map[string]string{"document": docID})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Файл больше 2 МБ") {
			t.Fatalf("a 4 MB scan for a 2 MB rule: %d %s", rec.Code, rec.Body)
		}
		if got := x.app(me, small.ID).Documents["passport_scan"]; got != "" {
			t.Fatalf("a refused document was attached: %s", got)
		}

		// A service whose rule takes it: attached, the same document, nothing uploaded.
		second := x.draft(me, "e-passport")
		rec = x.post(me, "/applications/"+second.ID+"/documents/passport_scan/reuse", map[string]string{"document": docID})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("reuse: %d %s", rec.Code, rec.Body)
		}
		if got := x.app(me, second.ID).Documents["passport_scan"]; got != docID {
			t.Fatalf("reuse attached %q, want the library's %q", got, docID)
		}
		if n := countDocuments(t, d); n != stored {
			t.Fatalf("reuse stored %d documents more", n-stored)
		}
		if rec := x.do(me, "GET", "/applications/"+second.ID+"/documents/passport_scan/file", "", nil); rec.Code != 200 || rec.Body.Len() != len(scan) {
			t.Fatalf("the reused document reads back: %d, %d bytes", rec.Code, rec.Body.Len())
		}
		// Already attached: not offered again.
		if page := x.do(me, "GET", "/applications/"+second.ID+"/documents", "", nil).Body.String(); strings.Contains(page, "reuse-passport_scan") {
			t.Fatal("the document attached is offered again")
		}

		// Another citizen: their own draft cannot take it, nor can they open or remove it.
		theirs := x.draft(other, "e-passport")
		for _, c := range []struct{ method, path string }{
			{"POST", "/applications/" + theirs.ID + "/documents/passport_scan/reuse"},
			{"POST", "/applications/" + second.ID + "/documents/passport_scan/reuse"},
			{"GET", "/documents/" + docID + "/file"},
			{"POST", "/documents/" + docID + "/remove"},
		} {
			var rec = x.post(other, c.path, map[string]string{"document": docID})
			if c.method == "GET" {
				rec = x.do(other, "GET", c.path, "", nil)
			}
			if rec.Code != http.StatusNotFound {
				t.Errorf("another citizen: %s %s → %d, want 404", c.method, c.path, rec.Code)
			}
		}
		if got := x.app(other, theirs.ID).Documents["passport_scan"]; got != "" {
			t.Fatal("another citizen's draft got the document")
		}
		// The wrong kind: the library's passport scan is no СНИЛС.
		if rec := x.post(me, "/applications/"+second.ID+"/documents/snils/reuse", map[string]string{"document": docID}); rec.Code != http.StatusNotFound {
			t.Errorf("a passport scan taken as an СНИЛС: %d", rec.Code)
		}
		if rec := x.do(me, "GET", "/documents/"+docID+"/file", "", nil); rec.Code != 200 {
			t.Errorf("the owner opens the library's document: %d", rec.Code)
		}
	})
}

// What keeps a stored file: removing it from «Документы» never removes it from an
// application (a submitted one keeps it); detaching it from a draft never removes it from
// the library; it goes when nothing refers to it. A newer upload of a kind replaces the
// library's document of that kind. Photos are never kept.
func TestLibraryLifetime(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		x := newHarness(t, d)
		const me = "acc-1"
		exists := func(docID string) bool {
			_, err := x.docs.Get(ctx, docID)
			if err != nil && errs.KindOf(err) != errs.NotFound {
				t.Fatal(err)
			}
			return err == nil
		}
		a := x.draft(me, "e-passport")
		x.upload(me, a.ID, "passport_scan", "скан-1.pdf", doctest.PDF("scan one", 2000))
		one := x.app(me, a.ID).Documents["passport_scan"]
		// Detached from the draft: the library keeps it.
		if rec := x.post(me, "/applications/"+a.ID+"/documents/passport_scan/remove", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("detach: %d %s", rec.Code, rec.Body)
		}
		if !exists(one) {
			t.Fatal("detaching from a draft removed the library's document")
		}
		// Removed from the library, nothing refers to it: it goes.
		if rec := x.post(me, "/documents/"+one+"/remove", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("remove from the library: %d %s", rec.Code, rec.Body)
		}
		if exists(one) {
			t.Fatal("a document nothing refers to is left stored")
		}
		if rec := x.post(me, "/documents/"+one+"/remove", nil); rec.Code != http.StatusNotFound {
			t.Fatalf("removed twice: %d", rec.Code)
		}

		// Submitted with a scan; then the scan is removed from the library: the application keeps it.
		x.upload(me, a.ID, "passport_scan", "скан-2.pdf", doctest.PDF("scan two", 2000))
		two := x.app(me, a.ID).Documents["passport_scan"]
		for _, k := range []string{"snils", "photo", "fingerprints"} {
			if _, err := x.store.Attach(ctx, nil, me, a.ID, k, db.NewID()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := x.store.Submit(ctx, nil, me, a.ID, true); err != nil {
			t.Fatal(err)
		}
		if rec := x.post(me, "/documents/"+two+"/remove", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("remove from the library: %d", rec.Code)
		}
		if !exists(two) || x.app(me, a.ID).Documents["passport_scan"] != two {
			t.Fatal("removing from the library took the document from a submitted application")
		}
		if rec := x.do(me, "GET", "/applications/"+a.ID+"/documents/passport_scan/file", "", nil); rec.Code != 200 {
			t.Fatalf("the submitted application's document: %d", rec.Code)
		}
		if page := x.do(me, "GET", "/documents?removed=1", "", nil).Body.String(); strings.Contains(page, "скан-2.pdf") ||
			!strings.Contains(page, "В заявлениях, к которым он приложен, он остаётся") {
			t.Fatalf("«Документы» after the removal:\n%s", page)
		}

		// A newer upload replaces the library's scan; the older one, in no application, goes.
		b := x.draft(me, "e-passport")
		x.upload(me, b.ID, "passport_scan", "скан-3.pdf", doctest.PDF("scan three", 2000))
		three := x.app(me, b.ID).Documents["passport_scan"]
		c := x.draft(me, "e-passport")
		x.upload(me, c.ID, "passport_scan", "скан-4.pdf", doctest.PDF("scan four", 2000))
		four := x.app(me, c.ID).Documents["passport_scan"]
		lib, _ := x.store.Library(ctx, me)
		var kinds []string
		for _, e := range lib {
			kinds = append(kinds, e.Kind)
			if e.Kind == "passport_scan" && e.DocumentID != four {
				t.Fatalf("the library's passport scan is %s, want the latest %s", e.DocumentID, four)
			}
		}
		if !exists(three) {
			t.Fatal("a document still attached to a draft was removed when the library took a newer one")
		}
		for _, k := range kinds {
			if k == "photo" || k == "fingerprints" {
				t.Fatalf("the library keeps a biometric document: %v", kinds)
			}
		}
		// Replacing the scan of draft b: the old one is in no application and not the
		// library's: it goes.
		x.upload(me, b.ID, "passport_scan", "скан-5.pdf", doctest.PDF("scan five", 2000))
		if exists(three) {
			t.Fatal("a replaced document nothing refers to is left stored")
		}
	})
}
