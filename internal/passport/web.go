package passport

import (
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/passport/qr"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the pages of this package (for web.Options.Templates).
var Templates fs.FS = templates

// OpenAPI is this package's part of the API document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Routes.
const (
	CertsPath  = "/.well-known/sep/passport-certs"
	RootPath   = "/.well-known/sep/passport-root"
	StatusPath = "/.well-known/sep/passport-status"
)

// MaxUpload bounds an uploaded photo or screenshot of a QR code.
const MaxUpload = 10 << 20

// Handler serves verification and the published certificates and status list.
type Handler struct {
	site *web.Site
	svc  *Service
}

// Register adds the routes to the site.
func Register(site *web.Site, svc *Service) *Handler {
	h := &Handler{site: site, svc: svc}
	site.Handle("GET /verify", h.verifyPage)
	site.HandleLimit("POST /verify", MaxUpload+64<<10, h.verifyForm)
	site.Handle("POST /api/v1/passports/verify", h.verifyAPI)
	site.Handle("GET "+CertsPath, h.certs)
	site.Handle("GET "+RootPath, h.root)
	site.Handle("GET "+StatusPath, h.status)
	h.registerCabinet()
	h.registerOperator()
	return h
}

// verifyPageData is the /verify page.
type verifyPageData struct {
	web.Page
	Payload string
	Error   string // a mistake in what was sent
	Result  *shownResult
}

// shownResult is a Result as the page shows it.
type shownResult struct {
	Outcome  Outcome
	Label    string
	Detail   string
	Good     bool
	Passport *Shown
	Born     string
	Issued   string
	Expires  string
	Sex      string
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, d *verifyPageData) error {
	d.Title = h.site.Printer(r).T("passport.verify.title")
	return h.site.Render(w, r, status, "passport_verify", d)
}

func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, &verifyPageData{})
}

func (h *Handler) verifyForm(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	d := &verifyPageData{Payload: strings.TrimSpace(r.PostFormValue("payload"))}
	p := h.site.Printer(r)
	payload := d.Payload
	// The image streams from the request (web.Multipart: never spooled to a temporary file).
	if mf, err := web.Multipart(r); err == nil && mf.File != nil && mf.File.FormName() == "image" {
		text, err := qr.Read(io.LimitReader(mf.File, MaxUpload))
		switch {
		case errors.Is(err, qr.ErrNotImage):
			d.Error = p.T("passport.verify.not_image")
		case errors.Is(err, qr.ErrTooLarge):
			d.Error = p.T("passport.verify.image_too_large")
		case err != nil:
			d.Error = p.T("passport.verify.no_code")
		default:
			payload = text
		}
	} else if payload == "" {
		d.Error = p.T("passport.verify.empty")
	}
	if d.Error != "" {
		return h.render(w, r, http.StatusUnprocessableEntity, d)
	}
	res, err := h.svc.Verify(r.Context(), r, payload)
	if err != nil {
		return err
	}
	d.Result = h.show(r, res)
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, http.StatusOK, d)
}

func (h *Handler) show(r *http.Request, res Result) *shownResult {
	p := h.site.Printer(r)
	s := &shownResult{Outcome: res.Outcome, Label: p.T("passport.outcome." + string(res.Outcome)),
		Good: res.Outcome == OutcomeValid, Passport: res.Passport}
	if res.Reason != "" {
		s.Detail = p.T("passport.why." + res.Reason)
	}
	if ps := res.Passport; ps != nil {
		s.Born, s.Issued, s.Expires = ps.BirthDate.Format("02.01.2006"), ps.Issued.Format("02.01.2006"), ps.Expires.Format("02.01.2006")
		if ps.Sex != "" {
			s.Sex = p.T("passport.sex." + ps.Sex)
		}
	}
	return s
}

// verifyRequest is the body of POST /api/v1/passports/verify.
type verifyRequest struct {
	Payload *string `json:"payload"`
}

// VerifyAnswer is the JSON answer.
type VerifyAnswer struct {
	Result   Outcome     `json:"result"`
	Label    string      `json:"label"`
	Reason   string      `json:"reason,omitempty"`
	Detail   string      `json:"detail,omitempty"`
	Passport *ShownJSON  `json:"passport,omitempty"`
	Checked  time.Time   `json:"checked_at"`
	Online   bool        `json:"online"`
	List     *ListAnswer `json:"status_list,omitempty"`
}

// ShownJSON is Shown in the API.
type ShownJSON struct {
	Number     string `json:"number"`
	Surname    string `json:"surname"`
	GivenNames string `json:"given_names"`
	BirthDate  string `json:"birth_date"`
	Sex        string `json:"sex,omitempty"`
	Issued     string `json:"issued"`
	Expires    string `json:"expires"`
	Signer     string `json:"signer"`
}

// ListAnswer tells the age of the status list an offline answer used.
type ListAnswer struct {
	Issued     time.Time `json:"issued_at"`
	AgeSeconds int64     `json:"age_seconds"`
}

// Answer turns a result into the API's answer in a language's messages (CLI and API share it).
func Answer(res Result, t func(string, ...any) string, now time.Time) VerifyAnswer {
	a := VerifyAnswer{Result: res.Outcome, Label: t("passport.outcome." + string(res.Outcome)), Reason: res.Reason,
		Checked: now.UTC().Truncate(time.Second), Online: res.Online}
	if res.Reason != "" {
		a.Detail = t("passport.why." + res.Reason)
	}
	if p := res.Passport; p != nil {
		a.Passport = &ShownJSON{Number: p.Number, Surname: p.Surname, GivenNames: p.GivenNames,
			BirthDate: p.BirthDate.Format(time.DateOnly), Sex: p.Sex, Issued: p.Issued.Format(time.DateOnly),
			Expires: p.Expires.Format(time.DateOnly), Signer: p.Signer}
	}
	if !res.ListIssued.IsZero() {
		a.List = &ListAnswer{Issued: res.ListIssued.UTC(), AgeSeconds: int64(res.ListAge / time.Second)}
	}
	return a
}

func (h *Handler) verifyAPI(w http.ResponseWriter, r *http.Request) error {
	var req verifyRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	if err := dec.Decode(&req); err != nil || req.Payload == nil {
		return errs.E(errs.Invalid, "passport.verify.bad_request", err)
	}
	res, err := h.svc.Verify(r.Context(), r, *req.Payload)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, Answer(res, h.site.Printer(r).T, h.svc.now()))
	return nil
}

func (h *Handler) certs(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.Certificates(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pem-certificate-chain")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

func (h *Handler) root(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.RootCertificate(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pem-certificate-chain")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.StatusList(r.Context())
	if err != nil {
		return err
	}
	l, err := vds.ParseStatusList(b)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Last-Modified", l.Issued.UTC().Format(http.TimeFormat))
	_, err = w.Write(b)
	return err
}
