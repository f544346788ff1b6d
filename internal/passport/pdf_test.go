package passport

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/documents/doctest"
	"github.com/sep-platform/sep/internal/i18n"
)

// Both layouts open in pdftotext, which finds the holder's name in Cyrillic, the number and
// both MRZ lines; the fonts are embedded.
func TestPDF(t *testing.T) {
	c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
	s := newService(t, dbtest.Open(t, dbtest.SQLiteURL(t)), c)
	p, err := s.IssueDemo(context.Background(), 1, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ru", "en"} {
		for _, l := range Layouts {
			b, err := PDF(p, l, i18n.Default().Printer(lang).T)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("/FontFile2")) {
				t.Fatalf("%s %s: not a PDF with embedded TrueType fonts", lang, l)
			}
			text := doctest.PDFText(t, b)
			for _, want := range []string{"Примеров", "Пётр Иванович", p.Number, p.MRZ[0], p.MRZ[1]} {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s: %q not in the text:\n%s", lang, l, want, text)
				}
			}
			if lang == "ru" && !strings.Contains(text, "Электронный паспорт") {
				t.Errorf("%s %s: no title:\n%s", lang, l, text)
			}
			t.Logf("%s %s: %d bytes", lang, l, len(b))
		}
	}
	if _, err := PDF(p, "letter", i18n.Default().Printer("ru").T); err == nil {
		t.Error("an unknown layout was drawn")
	}
}
