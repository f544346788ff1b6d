package documents

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
)

// A document accepted under one rule is judged again under another: a 4 MB PDF accepted by a
// 5 MB rule is refused by a 2 MB one with that rule's own message, a plain PDF by a rule that
// asks PDF/A-1b, a 150 dpi scan by a 300 dpi rule; the stored document is unchanged, and an
// unknown id is not found.
func TestRecheck(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := testStore(t, d, nil, nil)
		big := testPDF("scan "+strings.Repeat("x", 4<<20), "", "", "")
		doc, err := s.Put(ctx, bytes.NewReader(big), Upload{Name: "скан.pdf", Rule: Rule{Kind: "passport_scan", MaxBytes: 5 << 20}})
		if err != nil || doc.Verdict.State != Accepted {
			t.Fatalf("put: %+v %v", doc, err)
		}
		v, err := s.Recheck(ctx, doc.ID, Rule{Kind: "passport_scan", MaxBytes: 5 << 20})
		if err != nil || v.State != Accepted {
			t.Fatalf("the same rule: %v %v", v, err)
		}
		v, err = s.Recheck(ctx, doc.ID, Rule{Kind: "passport_scan", MaxBytes: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if msg := v.Message(i18n.Default().Printer("ru")); v.State != Refused || !strings.Contains(msg, "2 МБ") {
			t.Fatalf("a 4 MB file under a 2 MB rule: %v %q", v, msg)
		}
		if v, _ := s.Recheck(ctx, doc.ID, Rule{Kind: "passport_scan", PDFA: true}); v.State != Refused {
			t.Fatalf("a plain PDF under a PDF/A-1b rule: %v", v)
		}
		if v, _ := s.Recheck(ctx, doc.ID, Rule{Kind: "passport_scan", Types: []Type{JPEG, PNG}}); v.State != Refused {
			t.Fatalf("a PDF under an images-only rule: %v", v)
		}
		if got, _ := s.Get(ctx, doc.ID); got.Verdict.State != Accepted {
			t.Fatalf("a recheck changed the stored verdict: %v", got.Verdict)
		}
		if b := readAll(t, s, doc.ID); !bytes.Equal(b, big) {
			t.Fatal("a recheck changed the stored file")
		}

		scan, err := s.Put(ctx, bytes.NewReader(testJPEG(t, testImage(300, 200, true), 150, "")), Upload{Name: "снилс.jpg", Rule: Rule{Kind: "snils"}})
		if err != nil || scan.Verdict.State != Accepted {
			t.Fatalf("put: %+v %v", scan, err)
		}
		if v, _ := s.Recheck(ctx, scan.ID, Rule{Kind: "snils", MinDPI: 300}); v.State != Refused || v.Reason != "documents.refused.dpi_low" {
			t.Fatalf("a 150 dpi scan under a 300 dpi rule: %v", v)
		}
		if _, err := s.Recheck(ctx, db.NewID(), Rule{}); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("an unknown document: %v", err)
		}
	})
}
