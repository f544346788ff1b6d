package passport

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/sep-platform/sep/internal/passport/qr"
)

// Layout is a PDF layout of a passport.
type Layout string

// The layouts.
const (
	// A4 is a page to print or keep: the data, the photo, the QR code and the MRZ.
	A4 Layout = "a4"
	// Card is the ID-1 card size (85.6 × 54 mm), two pages: the front with the photo, the
	// data and the MRZ; the back with the QR code.
	Card Layout = "card"
)

// Layouts are the layouts PDF accepts.
var Layouts = []Layout{A4, Card}

// ValidLayout reports whether l is a known layout.
func ValidLayout(l Layout) bool { return l == A4 || l == Card }

// The fonts, embedded (as subsets) in every PDF: the Go fonts have Cyrillic, and Go Mono
// stands in for OCR-B in the MRZ (monospaced, clear 0/O and 1/I).
const (
	fontText = "GoRegular"
	fontBold = "GoBold"
	fontMono = "GoMono"
)

// PDF draws a passport in a layout. t gives the labels in the reader's language (an
// i18n.Printer's T). The document is not signed: what proves it is the seal in its QR code.
func PDF(p *Passport, layout Layout, t func(string, ...any) string) ([]byte, error) {
	if !ValidLayout(layout) {
		return nil, fmt.Errorf("passport: unknown layout %q", layout)
	}
	code, err := qr.Encode(p.Payload)
	if err != nil {
		return nil, err
	}
	qrPNG, err := code.PNG()
	if err != nil {
		return nil, err
	}
	var f *fpdf.Fpdf
	if layout == Card {
		f = fpdf.NewCustom(&fpdf.InitType{OrientationStr: "L", UnitStr: "mm", Size: fpdf.SizeType{Wd: 54, Ht: 85.6}})
	} else {
		f = fpdf.New("P", "mm", "A4", "")
	}
	f.SetCreationDate(p.Issued)
	f.SetModificationDate(p.Issued)
	f.SetTitle(t("passport.pdf.title")+" "+p.Number, true)
	f.SetCreator("СЭП", true)
	f.SetAutoPageBreak(false, 0)
	f.AddUTF8FontFromBytes(fontText, "", goregular.TTF)
	f.AddUTF8FontFromBytes(fontBold, "", gobold.TTF)
	f.AddUTF8FontFromBytes(fontMono, "", gomono.TTF)
	photoType := "PNG"
	if http.DetectContentType(p.Holder.Photo) == "image/jpeg" {
		photoType = "JPG"
	}
	f.RegisterImageOptionsReader("photo", fpdf.ImageOptions{ImageType: photoType}, bytes.NewReader(p.Holder.Photo))
	f.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qrPNG))
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("passport: pdf: %w", err)
	}
	rows := pdfRows(p, t)
	if layout == Card {
		drawCard(f, p, rows, t)
	} else {
		drawA4(f, p, rows, t)
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("passport: pdf: %w", err)
	}
	return b.Bytes(), nil
}

type pdfRow struct{ label, value string }

func pdfRows(p *Passport, t func(string, ...any) string) []pdfRow {
	h := p.Holder
	rows := []pdfRow{
		{t("passport.field.surname"), h.Surname},
		{t("passport.field.given_names"), h.GivenNames},
		{t("passport.field.birth_date"), h.BirthDate.Format("02.01.2006")},
	}
	if h.Sex != "" {
		rows = append(rows, pdfRow{t("passport.field.sex"), t("passport.sex." + h.Sex)})
	}
	if h.BirthPlace != "" {
		rows = append(rows, pdfRow{t("passport.field.birth_place"), h.BirthPlace})
	}
	rows = append(rows, pdfRow{t("passport.field.citizenship"), h.Citizenship},
		pdfRow{t("passport.field.number"), p.Number},
		pdfRow{t("passport.field.issued"), p.Issued.Format("02.01.2006")},
		pdfRow{t("passport.field.expires"), p.Expires.Format("02.01.2006")})
	return rows
}

func drawA4(f *fpdf.Fpdf, p *Passport, rows []pdfRow, t func(string, ...any) string) {
	f.AddPage()
	f.SetFont(fontBold, "", 16)
	f.Text(20, 25, t("passport.pdf.state"))
	f.SetFont(fontBold, "", 13)
	f.Text(20, 33, t("passport.pdf.title"))
	f.SetFont(fontText, "", 9)
	if p.Agency != "" {
		f.Text(20, 39, p.Agency)
	}
	f.Line(20, 43, 190, 43)
	f.ImageOptions("photo", 20, 50, 35, 45, false, fpdf.ImageOptions{}, 0, "")
	y := 53.0
	for _, r := range rows {
		f.SetFont(fontText, "", 8)
		f.SetTextColor(90, 90, 90)
		f.Text(65, y, r.label)
		f.SetFont(fontBold, "", 11)
		f.SetTextColor(0, 0, 0)
		f.Text(65, y+5, r.value)
		y += 11
	}
	f.SetFont(fontText, "", 8)
	f.SetTextColor(90, 90, 90)
	f.Text(20, y+3, t("passport.pdf.qr_hint"))
	f.SetTextColor(0, 0, 0)
	f.ImageOptions("qr", 20, y+6, 60, 60, false, fpdf.ImageOptions{}, 0, "")
	f.SetFont(fontText, "", 9)
	f.SetXY(90, y+8)
	f.MultiCell(100, 5, t("passport.pdf.verify_hint"), "", "L", false)
	drawMRZ(f, p, 20, 262, 11)
}

func drawCard(f *fpdf.Fpdf, p *Passport, rows []pdfRow, t func(string, ...any) string) {
	f.AddPage()
	f.SetFont(fontBold, "", 7)
	f.Text(3, 5, t("passport.pdf.state"))
	f.SetFont(fontText, "", 5.5)
	f.Text(3, 8, t("passport.pdf.title"))
	f.ImageOptions("photo", 3, 10, 20, 26, false, fpdf.ImageOptions{}, 0, "")
	y := 12.0
	for _, r := range rows {
		if r.label == t("passport.field.birth_place") || r.label == t("passport.field.citizenship") {
			continue // the front has room for what a check compares
		}
		f.SetFont(fontText, "", 4)
		f.SetTextColor(90, 90, 90)
		f.Text(26, y, r.label)
		f.SetFont(fontBold, "", 6)
		f.SetTextColor(0, 0, 0)
		f.Text(26, y+2.3, r.value)
		y += 4.6
	}
	drawMRZ(f, p, 2.2, 46, 7.4)
	f.AddPage()
	f.SetFont(fontText, "", 5)
	f.Text(3, 5, t("passport.pdf.qr_hint"))
	f.ImageOptions("qr", 3, 7, 44, 44, false, fpdf.ImageOptions{}, 0, "")
	f.SetXY(49, 9)
	f.MultiCell(34, 2.6, t("passport.pdf.verify_hint"), "", "L", false)
}

// drawMRZ writes the two MRZ lines in the monospaced font from (x, y), size in points.
func drawMRZ(f *fpdf.Fpdf, p *Passport, x, y, size float64) {
	f.SetFont(fontMono, "", size)
	lh := size * 0.3528 * 1.25 // points to millimetres, with some leading
	for i, line := range p.MRZ {
		f.Text(x, y+float64(i)*lh, strings.TrimSpace(line))
	}
}
