package documents

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
)

func TestPutOpenRemove(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, dir := testStore(t, d, nil, nil)
		// A distinctive text, so that the stored bytes can be searched for it.
		text := "Ivanova Mariya Petrovna passport 4510 123456 fictitious"
		file := testPDF(text, "", "", "")
		doc, err := s.Put(ctx, bytes.NewReader(file), Upload{Name: "Иванова паспорт.pdf", Rule: Rule{Kind: "passport_scan"}})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Verdict.State != Accepted || doc.Type != PDF || doc.Size != int64(len(file)) {
			t.Fatalf("put: %+v", doc)
		}
		if got := doc.Verdict.Message(i18n.Default().Printer("ru")); got != "Принят" {
			t.Errorf("the verdict in Russian is %q", got)
		}
		if got := doc.Verdict.Message(i18n.Default().Printer("en")); got != "Accepted" {
			t.Errorf("the verdict in English is %q", got)
		}
		got, err := s.Get(ctx, doc.ID)
		if err != nil || got.Name != "Иванова паспорт.pdf" || got.Kind != "passport_scan" || got.Verdict.State != Accepted {
			t.Fatalf("get: %+v, %v", got, err)
		}
		if b := readAll(t, s, doc.ID); !bytes.Equal(b, file) {
			t.Fatal("the document read back differs from the one stored")
		}

		// What is on disk is sealed: neither the text nor the PDF header is there, and the
		// database holds the name sealed.
		files := filesUnder(t, dir)
		if len(files) != 1 {
			t.Fatalf("stored files: %v (want one object and no spool left)", files)
		}
		raw, _ := os.ReadFile(files[0])
		for _, plain := range []string{"Ivanova", "4510 123456", "%PDF", "Catalog"} {
			if bytes.Contains(raw, []byte(plain)) {
				t.Errorf("the stored file holds %q in clear", plain)
			}
		}
		var name []byte
		if err := d.Reader().QueryRowContext(ctx, `SELECT name FROM documents WHERE id = $1`, doc.ID).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(name, []byte("Иванова")) {
			t.Error("the file name is stored in clear")
		}

		// A stored file altered on disk does not open.
		raw[len(raw)-30] ^= 1
		os.WriteFile(files[0], raw, 0o600)
		_, rc, err := s.Open(ctx, doc.ID)
		if err == nil {
			_, err = bytes.NewBuffer(nil).ReadFrom(rc)
			rc.Close()
		}
		if !errors.Is(err, ErrTampered) {
			t.Errorf("an altered file: %v, want ErrTampered", err)
		}

		if err := s.Remove(ctx, nil, doc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, doc.ID); errs.KindOf(err) != errs.NotFound {
			t.Errorf("get after remove: %v", err)
		}
		if files := filesUnder(t, dir); len(files) != 0 {
			t.Errorf("files left after remove: %v", files)
		}
		if err := s.Remove(ctx, nil, doc.ID); errs.KindOf(err) != errs.NotFound {
			t.Errorf("a second remove: %v", err)
		}
	})
}

// TestBadFiles: each file a citizen might upload by mistake or on purpose gets its own
// refusal, and nothing of a refused file is kept.
func TestBadFiles(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	s, dir := testStore(t, d, nil, nil)
	good := testPDF("fictitious", "", "", "")
	flate := testPNG(t, testImage(64, 64, true), 300)
	cases := []struct {
		name string
		file []byte
		rule Rule
		want string
	}{
		{"a PNG named .pdf where only PDF is taken", flate, Rule{Types: []Type{PDF}}, "documents.refused.type"},
		{"a text file named .pdf", []byte("Это не PDF, а текст с расширением .pdf"), Rule{}, "documents.refused.type"},
		{"a GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), Rule{}, "documents.refused.type"},
		{"an empty file", nil, Rule{}, "documents.refused.empty"},
		{"a truncated PDF", good[:len(good)*2/3], Rule{}, "documents.refused.pdf_damaged"},
		{"a PDF cut just before %%EOF", good[:len(good)-6], Rule{}, "documents.refused.pdf_damaged"},
		{"a PDF whose startxref points nowhere", bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n1"), 1), Rule{}, "documents.refused.pdf_damaged"},
		{"an encrypted PDF", testPDF("x", "", "/Encrypt 9 0 R /ID [<01> <01>]", ""), Rule{}, "documents.refused.pdf_encrypted"},
		{"a PDF with JavaScript", testPDF("x", "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>", "", ""), Rule{}, "documents.refused.pdf_javascript"},
		{"a PDF with JavaScript in an escaped name", testPDF("x", "/OpenAction << /S /J#61vaScript /J#53 (x) >>", "", ""), Rule{}, "documents.refused.pdf_javascript"},
		{"a plain PDF where PDF/A-1b is required", good, Rule{PDFA: true}, "documents.refused.pdf_not_pdfa"},
		{"a zip bomb", zipBomb(t, 64<<20), Rule{}, "documents.refused.archive"},
		{"a DOCX", append([]byte("PK\x03\x04"), "[Content_Types].xml"...), Rule{}, "documents.refused.archive"},
		{"an image bomb", pngBomb(100_000, 100_000), Rule{}, "documents.refused.image_dimensions"},
		{"a long thin image bomb", pngBomb(1, 50_000_000), Rule{}, "documents.refused.image_dimensions"},
		{"a scan at 150 dpi where 300 are needed", testPNG(t, testImage(64, 64, true), 150), Rule{MinDPI: 300}, "documents.refused.dpi_low"},
		{"a photo without a resolution where 300 dpi are needed", testJPEG(t, testImage(64, 64, true), 0, ""), Rule{MinDPI: 300}, "documents.refused.dpi_unknown"},
		{"a grey scan where colour is needed", testJPEG(t, testImage(64, 64, false), 300, ""), Rule{Colour: true}, "documents.refused.not_colour"},
		{"a truncated JPEG", testJPEG(t, testImage(256, 256, true), 300, "")[:400], Rule{}, "documents.refused.image_damaged"},
		{"a file over 2 MB", append(bytes.Clone(good), make([]byte, 2<<20)...), Rule{MaxBytes: 2 << 20}, "documents.refused.too_large"},
	}
	for _, c := range cases {
		doc, err := s.Put(ctx, bytes.NewReader(c.file), Upload{Name: "passport.pdf", Rule: c.rule})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if doc.Verdict.State != Refused || doc.Verdict.Reason != c.want {
			t.Errorf("%s: %v, want refused with %s", c.name, doc.Verdict, c.want)
			continue
		}
		for _, lang := range []string{"ru", "en"} {
			if m := doc.Verdict.Message(i18n.Default().Printer(lang)); strings.Contains(m, "{") || m == c.want {
				t.Errorf("%s: the %s message is %q", c.name, lang, m)
			}
		}
		if got, err := s.Get(ctx, doc.ID); err != nil || got.Verdict.Reason != c.want {
			t.Errorf("%s: the verdict is not kept: %+v, %v", c.name, got.Verdict, err)
		}
		if _, _, err := s.Open(ctx, doc.ID); errs.KindOf(err) != errs.Conflict {
			t.Errorf("%s: a refused document opens: %v", c.name, err)
		}
	}
	if files := filesUnder(t, dir); len(files) != 0 {
		t.Errorf("refused files left behind: %v", files)
	}
	ru := i18n.Default().Printer("ru")
	doc, _ := s.Put(ctx, bytes.NewReader(append(bytes.Clone(good), make([]byte, 2<<20)...)), Upload{Rule: Rule{MaxBytes: 2 << 20}})
	if m := doc.Verdict.Message(ru); !strings.Contains(m, "2 МБ") {
		t.Errorf("the size refusal says %q", m)
	}
	doc, _ = s.Put(ctx, bytes.NewReader(flate), Upload{Rule: Rule{Types: []Type{PDF}}})
	if m := doc.Verdict.Message(ru); !strings.Contains(m, "принимаются только PDF") {
		t.Errorf("the type refusal says %q", m)
	}
}

// TestOversizedFileIsNotReadWhole: the limit stops the read at limit + 1 bytes, so an endless
// upload is refused after 5 MB and one byte.
func TestOversizedFileIsNotReadWhole(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	s, _ := testStore(t, d, nil, nil)
	r := &countingReader{r: &endless{}}
	doc, err := s.Put(context.Background(), r, Upload{Rule: Rule{MaxBytes: 5 << 20}})
	if err != nil || doc.Verdict.Reason != "documents.refused.too_large" {
		t.Fatalf("%+v, %v", doc, err)
	}
	if r.n > 5<<20+1 {
		t.Errorf("read %d bytes of an endless upload; the limit is %d", r.n, 5<<20)
	}
}

func TestAcceptedPDFAAndImages(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	s, _ := testStore(t, d, nil, nil)

	pdfa := testPDF("fictitious", "", "", pdfA1bXMP)
	doc, err := s.Put(ctx, bytes.NewReader(pdfa), Upload{Rule: Rule{PDFA: true, Types: []Type{PDF}}})
	if err != nil || doc.Verdict.State != Accepted {
		t.Fatalf("a PDF/A-1b: %+v, %v", doc, err)
	}

	// A colour JPEG at 300 dpi with a camera's Exif block: accepted, stored re-encoded
	// without the Exif (and its GPS position) but with its resolution.
	gps := "GPSLatitude 55.7558 N GPSLongitude 37.6173 E fictitious"
	photo := testJPEG(t, testImage(300, 200, true), 300, gps)
	doc, err = s.Put(ctx, bytes.NewReader(photo), Upload{Rule: Rule{MinDPI: 300, Colour: true}})
	if err != nil || doc.Verdict.State != Accepted || doc.Type != JPEG {
		t.Fatalf("a colour JPEG: %+v, %v", doc, err)
	}
	stored := readAll(t, s, doc.ID)
	if bytes.Contains(stored, []byte("GPSLatitude")) || bytes.Contains(stored, []byte("Exif")) {
		t.Error("the stored image keeps its Exif block")
	}
	if doc.Size != int64(len(stored)) {
		t.Errorf("size %d, stored %d bytes", doc.Size, len(stored))
	}
	if dpi := jpegDPI(stored); dpi != 300 {
		t.Errorf("the stored image says %v dpi", dpi)
	}
	img, err := jpeg.Decode(bytes.NewReader(stored))
	if err != nil || img.Bounds() != image.Rect(0, 0, 300, 200) {
		t.Fatalf("the stored image: %v, %v", img.Bounds(), err)
	}

	png := testPNG(t, testImage(120, 80, true), 600)
	doc, err = s.Put(ctx, bytes.NewReader(png), Upload{Rule: Rule{MinDPI: 300, Colour: true, Types: []Type{PNG}}})
	if err != nil || doc.Verdict.State != Accepted || doc.Type != PNG {
		t.Fatalf("a PNG: %+v, %v", doc, err)
	}
	if dpi := pngDPI(readAll(t, s, doc.ID)); dpi < 599 || dpi > 601 {
		t.Errorf("the stored PNG says %v dpi", dpi)
	}

	// The key that sealed them must stay while they are kept (sep keys remove-data-key asks).
	if n, err := KeyUses(ctx, d, s.box.Ring().Current()); err != nil || n != 3 {
		t.Errorf("files of the current key: %d, %v", n, err)
	}
	if n, err := KeyUses(ctx, d, s.box.Ring().Rotate().Current()); err != nil || n != 0 {
		t.Errorf("files of another key: %d, %v", n, err)
	}
}
