package applications

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/sep-platform/sep/gost/cms"
	"github.com/sep-platform/sep/gost/gostx509"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/applications/pdfsign"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/services"
)

// The copy of a submitted application (the seeds: «Сохраняйте копии всех отправленных
// документов в личном архиве») is a PDF drawn from what is stored — the number, the time of
// submission in Moscow time, the service, every answer as the check page shows it, the
// attached documents with their sizes and Streebog-256 digests, the consents — and signed
// with the instance signing key (GOST R 34.10-2012, Streebog) as an embedded PDF signature
// (package pdfsign: /adbe.pkcs7.detached, a CMS SignedData of gost/cms over the byte
// ranges). Its certificate is the root certificate of the instance key, the one that
// /.well-known/sep/passport-certs publishes and `sep passport verify -trust` takes. The copy
// is drawn at each download and says the same each time for one application and language
// (its dates are the submission's); the bytes differ, in the signature made at the download
// and in the font subsets, which fpdf does not lay out the same way twice.

// copyContent is what the copy says.
type copyContent struct {
	Number, Submitted, Service string
	Fields                     []answer
	Documents                  []copyDocument
	Consents                   []string
	SubmittedAt                time.Time
}

// copyDocument is one attached document as the copy lists it.
type copyDocument struct {
	Kind, Name, Size, Digest string
}

func (h *Handler) copyPDF(w http.ResponseWriter, r *http.Request) error {
	a, svc, ok, err := h.own(w, r)
	if !ok {
		return err
	}
	if !h.copyOffered(a) {
		return ErrNotFound
	}
	p := h.site.Printer(r)
	c, err := h.copyContent(r, p, svc, a)
	if err != nil {
		return err
	}
	doc, err := drawCopy(c, p.T)
	if err != nil {
		return err
	}
	if doc, err = h.store.signCopy(r.Context(), doc, p.T("applications.copy.reason", "number", a.Number)); err != nil {
		return err
	}
	if err := h.store.journalCopy(r.Context(), r, a); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Number + ".pdf"}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(doc)
	return err
}

// copyOffered reports whether a's copy can be had: once submitted, when sep can sign.
func (h *Handler) copyOffered(a *Application) bool {
	return a.State != Draft && h.store.opt.Signing != nil && h.store.opt.SigningCertificate != nil
}

func (h *Handler) copyContent(r *http.Request, p *i18n.Printer, svc *services.Service, a *Application) (*copyContent, error) {
	lang := p.Lang()
	c := &copyContent{Number: a.Number, Submitted: p.MoscowTime(a.SubmittedAt), Service: svc.Name.In(lang), SubmittedAt: a.SubmittedAt}
	fields, _, err := h.answers(r, p, svc, a)
	if err != nil {
		return nil, err
	}
	c.Fields = fields
	for _, d := range svc.Documents {
		docID := a.Documents[d.Kind]
		if docID == "" {
			continue
		}
		doc, rc, err := h.docs.Open(r.Context(), docID)
		switch {
		case errs.KindOf(err) == errs.NotFound:
			continue
		case errs.KindOf(err) == errs.Conflict: // in quarantine: no digest yet
			c.Documents = append(c.Documents, copyDocument{Kind: d.Name.In(lang), Name: doc.Name, Size: sizeText(p, doc.Size)})
			continue
		case err != nil:
			return nil, err
		}
		sum := streebog.New256()
		_, err = io.Copy(sum, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		c.Documents = append(c.Documents, copyDocument{Kind: d.Name.In(lang), Name: doc.Name, Size: sizeText(p, doc.Size),
			Digest: hex.EncodeToString(sum.Sum(nil))})
	}
	c.Consents = append(c.Consents, p.T("applications.submit.consent", "service", c.Service))
	if svc.Biometric() {
		c.Consents = append(c.Consents, p.T("applications.submit.biometric"))
	}
	return c, nil
}

// The fonts of the copy, embedded as subsets: the Go fonts have Cyrillic.
const (
	copyText = "GoRegular"
	copyBold = "GoBold"
	copyMono = "GoMono"
)

// drawCopy draws the copy on A4 pages; t gives the words in the reader's language.
func drawCopy(c *copyContent, t func(string, ...any) string) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(c.SubmittedAt)
	f.SetModificationDate(c.SubmittedAt)
	f.SetTitle(t("applications.copy.title")+" "+c.Number, true)
	f.SetCreator("СЭП", true)
	f.SetMargins(20, 20, 20)
	f.SetAutoPageBreak(true, 20)
	f.AddUTF8FontFromBytes(copyText, "", goregular.TTF)
	f.AddUTF8FontFromBytes(copyBold, "", gobold.TTF)
	f.AddUTF8FontFromBytes(copyMono, "", gomono.TTF)
	f.SetFooterFunc(func() {
		f.SetY(-15)
		f.SetFont(copyText, "", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, t("applications.copy.footer", "number", c.Number, "page", fmt.Sprint(f.PageNo())), "", 0, "L", false, 0, "")
	})
	f.AddPage()
	f.SetFont(copyBold, "", 16)
	f.MultiCell(0, 8, t("applications.copy.title"), "", "L", false)
	f.SetFont(copyBold, "", 13)
	f.MultiCell(0, 7, t("applications.done.number", "number", c.Number), "", "L", false)
	f.Ln(2)
	row := func(label, value string) {
		f.SetFont(copyText, "", 8)
		f.SetTextColor(90, 90, 90)
		f.MultiCell(0, 4, label, "", "L", false)
		f.SetFont(copyText, "", 11)
		f.SetTextColor(0, 0, 0)
		if value == "" {
			value = "—"
		}
		f.MultiCell(0, 5.5, value, "", "L", false)
		f.Ln(1.5)
	}
	heading := func(s string) {
		f.Ln(3)
		f.SetFont(copyBold, "", 12)
		f.MultiCell(0, 7, s, "", "L", false)
		f.Ln(1)
	}
	row(t("applications.card.service"), c.Service)
	row(t("applications.card.submitted"), c.Submitted)
	heading(t("applications.card.data"))
	for _, a := range c.Fields {
		row(a.Label, a.Value)
	}
	heading(t("applications.card.documents"))
	if len(c.Documents) == 0 {
		row("", t("applications.copy.no_documents"))
	}
	for _, d := range c.Documents {
		row(d.Kind, t("applications.copy.file", "name", d.Name, "size", d.Size))
		if d.Digest != "" {
			f.SetFont(copyText, "", 8)
			f.SetTextColor(90, 90, 90)
			f.MultiCell(0, 4, t("applications.copy.digest"), "", "L", false)
			f.SetFont(copyMono, "", 8)
			f.SetTextColor(0, 0, 0)
			f.MultiCell(0, 4, d.Digest, "", "L", false)
			f.Ln(1.5)
		}
	}
	heading(t("applications.copy.consents"))
	for _, s := range c.Consents {
		row(t("applications.copy.consent_given", "time", c.Submitted), s)
	}
	f.Ln(3)
	f.SetFont(copyText, "", 9)
	f.MultiCell(0, 5, t("applications.copy.signed"), "", "L", false)
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("applications: copy: %w", err)
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("applications: copy: %w", err)
	}
	return b.Bytes(), nil
}

// signCopy embeds the instance key's signature into the copy.
func (s *Store) signCopy(ctx context.Context, doc []byte, reason string) ([]byte, error) {
	pemCert, err := s.opt.SigningCertificate(ctx)
	if err != nil {
		return nil, fmt.Errorf("applications: copy: the certificate: %w", err)
	}
	certs, err := gostx509.ParseCertificatesPEM(pemCert)
	if err != nil || len(certs) == 0 {
		return nil, errors.Join(errors.New("applications: copy: no certificate of the signing key"), err)
	}
	when := s.now()
	return pdfsign.Sign(doc, when, reason, func(signed []byte) ([]byte, error) {
		return cms.Sign(signed, certs[0], s.opt.Signing, cms.SignOptions{Detached: true, SigningTime: when})
	})
}

func (s *Store) journalCopy(ctx context.Context, r *http.Request, a *Application) error {
	if s.opt.Journal == nil {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.journal(ctx, tx, r, Actor{Applicant, a.AccountID}, "application.copy", a, nil)
	})
}
