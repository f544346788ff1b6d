package passport

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/passport/qr"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/web"
)

// The holder's pages and API.
const CabinetPath = "/cabinet/passport"

// checksShown bounds the verification requests a holder's page lists.
const checksShown = 50

func (h *Handler) registerCabinet() {
	h.site.Handle("GET "+CabinetPath, h.cabinetPage)
	h.site.Handle("GET "+CabinetPath+"/{number}/pdf", h.cabinetPDF)
	h.site.Handle("GET "+CabinetPath+"/{number}/qr.png", h.cabinetPNG)
	h.site.Handle("GET "+CabinetPath+"/{number}/qr.svg", h.cabinetSVG)
	h.site.Handle("GET "+CabinetPath+"/{number}/report", h.reportPage)
	h.site.Handle("POST "+CabinetPath+"/{number}/report", h.reportPost)
	h.site.Handle("GET "+CabinetPath+"/{number}/reissue", h.reissuePage)
	h.site.Handle("POST "+CabinetPath+"/{number}/reissue", h.reissuePost)
	h.site.Handle("GET /api/v1/passport", h.apiMine)
	h.site.Handle("POST /api/v1/passport/{number}/report", h.apiReport)
	h.site.Handle("POST /api/v1/passport/{number}/reissue", h.apiReissue)
}

var errSignIn = errs.E(errs.Unauthenticated, "passport.signin_needed", errors.New("passport: not signed in"))

// holderOf returns the signed-in person's account id (citizens; staff hold passports too,
// as people).
func holderOf(r *http.Request) (string, error) {
	p, ok := web.PrincipalOf(r)
	if !ok || p.Session == "" || !slices.Contains([]web.PrincipalKind{web.Citizen, web.Operator, web.Admin, web.Auditor}, p.Kind) {
		return "", errSignIn
	}
	return p.ID, nil
}

// signIn sends a visitor who is not signed in to the sign-in page and back.
func signIn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
}

// FieldMessage is one field's mistake on a page.
type FieldMessage struct{ Field, Message string }

// formPage shows a form's mistakes: a summary at the top, each message next to its field.
type formPage struct {
	web.Page
	Errors  map[string]string
	Summary []FieldMessage
	Notice  string
}

// fail puts err on the page; false for an error no page can show (ours).
func (h *Handler) fail(r *http.Request, f *formPage, err error, order ...string) bool {
	p := h.site.Printer(r)
	var fe FieldErrors
	if errors.As(err, &fe) {
		f.Errors = map[string]string{}
		for k, e := range fe {
			f.Errors[k] = p.T(msgID(e))
		}
		for _, k := range order {
			if m, ok := f.Errors[k]; ok {
				f.Summary = append(f.Summary, FieldMessage{k, m})
			}
		}
		return true
	}
	if errs.KindOf(err) == errs.Other {
		return false
	}
	f.Notice = p.T(msgID(err))
	return true
}

func msgID(err error) string {
	if id := errs.IDOf(err); id != "" {
		return id
	}
	return "error." + errs.KindOf(err).String()
}

// shownPassport is a passport as the cabinet shows it.
type shownPassport struct {
	*Passport
	StatusLabel string
	ReasonLabel string
	Born        string
	Issued      string
	Expires     string
	Expired     bool
	Current     bool // the newest: the one the actions are for
	QR          qrInfo
}

type qrInfo struct{ Version, Modules int }

type shownCheck struct {
	At      time.Time
	Who     string
	Outcome string
}

type shownRequest struct {
	Request
	Label  string
	Status string
}

type cabinetPage struct {
	web.Page
	Done      string
	Passports []shownPassport
	Current   *shownPassport
	Checks    []shownCheck
	Requests  []shownRequest
}

func (h *Handler) shownPassport(r *http.Request, p *Passport) shownPassport {
	t := h.site.Printer(r).T
	s := shownPassport{Passport: p, StatusLabel: t("passport.status." + string(p.Status)),
		Born: p.Holder.BirthDate.Format("02.01.2006"), Issued: p.Issued.Format("02.01.2006"),
		Expires: p.Expires.Format("02.01.2006"), Expired: vds.Day(h.svc.now()).After(p.Expires)}
	if p.Reason != "" && p.Status != Valid {
		s.ReasonLabel = t("passport.reason." + p.Reason)
	}
	if c, err := qr.Encode(p.Payload); err == nil {
		s.QR = qrInfo{c.Version, c.Modules}
	}
	return s
}

func (h *Handler) checkWho(r *http.Request, c Check) string {
	t := h.site.Printer(r).T
	switch c.CheckerKind {
	case string(web.APIClient):
		return t("passport.checks.api_client")
	case string(web.Operator):
		return t("passport.checks.operator")
	case string(web.Citizen), string(web.Admin), string(web.Auditor):
		return t("passport.checks.signed_in")
	}
	return t("passport.checks.anonymous")
}

func (h *Handler) cabinetPage(w http.ResponseWriter, r *http.Request) error {
	account, err := holderOf(r)
	if err != nil {
		signIn(w, r)
		return nil
	}
	ps, err := h.svc.OfAccount(r.Context(), account)
	if err != nil {
		return err
	}
	t := h.site.Printer(r).T
	page := &cabinetPage{}
	page.Title = t("passport.cabinet.title")
	if d := r.URL.Query().Get("done"); d == "reported" || d == "reissue" {
		page.Done = t("passport.cabinet.done." + d)
	}
	for i, p := range ps {
		sp := h.shownPassport(r, p)
		sp.Current = i == 0
		page.Passports = append(page.Passports, sp)
	}
	if len(page.Passports) > 0 {
		page.Current = &page.Passports[0]
		cur := page.Current.Passport
		checks, err := h.svc.Checks(r.Context(), cur.ID, checksShown)
		if err != nil {
			return err
		}
		for _, c := range checks {
			page.Checks = append(page.Checks, shownCheck{At: c.At, Who: h.checkWho(r, c), Outcome: t("passport.outcome." + string(c.Outcome))})
		}
		reqs, err := h.svc.Requests(r.Context(), cur.ID)
		if err != nil {
			return err
		}
		for _, q := range reqs {
			if q.Kind != RequestReissue {
				continue // operators' decisions are told through the status and the notice
			}
			st := "done"
			if q.Open {
				st = "open"
			}
			page.Requests = append(page.Requests, shownRequest{Request: q, Label: t("passport.change." + q.What),
				Status: t("passport.request." + st)})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, http.StatusOK, "passport_cabinet", page)
}

// own is the signed-in holder's passport named in the path (404 for anyone else's).
func (h *Handler) own(r *http.Request) (*Passport, error) {
	account, err := holderOf(r)
	if err != nil {
		return nil, err
	}
	return h.svc.Own(r.Context(), account, r.PathValue("number"))
}

func (h *Handler) download(w http.ResponseWriter, name, ctype string, b []byte) error {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write(b)
	return err
}

func (h *Handler) cabinetPDF(w http.ResponseWriter, r *http.Request) error {
	p, err := h.own(r)
	if err != nil {
		return err
	}
	layout := Layout(r.URL.Query().Get("layout"))
	if layout == "" {
		layout = A4
	}
	if !ValidLayout(layout) {
		return errs.E(errs.Invalid, "passport.pdf.layout", errors.New("passport: unknown layout"))
	}
	b, err := PDF(p, layout, h.site.Printer(r).T)
	if err != nil {
		return err
	}
	return h.download(w, p.Number+"-"+string(layout)+".pdf", "application/pdf", b)
}

func (h *Handler) cabinetPNG(w http.ResponseWriter, r *http.Request) error {
	p, err := h.own(r)
	if err != nil {
		return err
	}
	c, err := qr.Encode(p.Payload)
	if err != nil {
		return err
	}
	b, err := c.PNG()
	if err != nil {
		return err
	}
	return h.download(w, p.Number+".png", "image/png", b)
}

func (h *Handler) cabinetSVG(w http.ResponseWriter, r *http.Request) error {
	p, err := h.own(r)
	if err != nil {
		return err
	}
	c, err := qr.Encode(p.Payload)
	if err != nil {
		return err
	}
	return h.download(w, p.Number+".svg", "image/svg+xml", c.SVG(h.site.Printer(r).T("passport.qr.title", "number", p.Number)))
}

type reportPage struct {
	formPage
	Passport shownPassport
	Reason   string
	Reasons  []string
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, status int, page *reportPage) error {
	page.Title = h.site.Printer(r).T("passport.report.title")
	page.Reasons = []string{ReasonLost, ReasonCompromised}
	return h.site.Render(w, r, status, "passport_report", page)
}

func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request) error {
	p, err := h.own(r)
	if errors.Is(err, errSignIn) {
		signIn(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	return h.renderReport(w, r, http.StatusOK, &reportPage{Passport: h.shownPassport(r, p)})
}

func (h *Handler) reportPost(w http.ResponseWriter, r *http.Request) error {
	account, err := holderOf(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	p, err := h.svc.Own(r.Context(), account, r.PathValue("number"))
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	if reason != ReasonLost && reason != ReasonCompromised {
		err = errs.E(errs.Invalid, "passport.report.invalid", FieldErrors{"reason": errs.E(errs.Invalid, "passport.report.reason_required", nil)})
	} else {
		err = h.svc.Report(r.Context(), r, account, p.Number, reason)
	}
	if err != nil {
		page := &reportPage{Passport: h.shownPassport(r, p), Reason: reason}
		if !h.fail(r, &page.formPage, err, "reason") {
			return err
		}
		return h.renderReport(w, r, http.StatusUnprocessableEntity, page)
	}
	http.Redirect(w, r, CabinetPath+"?done=reported", http.StatusSeeOther)
	return nil
}

type reissuePage struct {
	formPage
	Passport shownPassport
	What     string
	Note     string
	Changes  []string
	NoteMax  int
}

func (h *Handler) renderReissue(w http.ResponseWriter, r *http.Request, status int, page *reissuePage) error {
	page.Title = h.site.Printer(r).T("passport.reissue.title")
	page.Changes, page.NoteMax = Changes, MaxNote
	return h.site.Render(w, r, status, "passport_reissue", page)
}

func (h *Handler) reissuePage(w http.ResponseWriter, r *http.Request) error {
	p, err := h.own(r)
	if errors.Is(err, errSignIn) {
		signIn(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	return h.renderReissue(w, r, http.StatusOK, &reissuePage{Passport: h.shownPassport(r, p)})
}

func (h *Handler) reissuePost(w http.ResponseWriter, r *http.Request) error {
	account, err := holderOf(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	p, err := h.svc.Own(r.Context(), account, r.PathValue("number"))
	if err != nil {
		return err
	}
	page := &reissuePage{Passport: h.shownPassport(r, p), What: r.PostFormValue("what"), Note: r.PostFormValue("note")}
	if _, err := h.svc.RequestReissue(r.Context(), r, account, p.Number, page.What, page.Note); err != nil {
		if !h.fail(r, &page.formPage, err, "what", "note") {
			return err
		}
		return h.renderReissue(w, r, http.StatusUnprocessableEntity, page)
	}
	http.Redirect(w, r, CabinetPath+"?done=reissue", http.StatusSeeOther)
	return nil
}

// The API.

// PassportJSON is a passport as its holder reads it through the API.
type PassportJSON struct {
	Number      string         `json:"number"`
	Status      Status         `json:"status"`
	StatusLabel string         `json:"status_label"`
	Reason      string         `json:"reason,omitempty"`
	StatusAt    time.Time      `json:"status_at"`
	Issued      string         `json:"issued"`
	Expires     string         `json:"expires"`
	Expired     bool           `json:"expired"`
	Agency      string         `json:"agency,omitempty"`
	Holder      Holder         `json:"holder"`
	MRZ         [2]string      `json:"mrz"`
	Payload     string         `json:"payload"`
	Links       map[string]any `json:"links"`
	Checks      []CheckJSON    `json:"checks"`
	Requests    []RequestJSON  `json:"reissue_requests"`
}

// CheckJSON is one online verification, as the holder sees it.
type CheckJSON struct {
	At      time.Time `json:"at"`
	Checker string    `json:"checker"` // anonymous, signed_in, operator, api_client
	Who     string    `json:"who"`
	Result  Outcome   `json:"result"`
}

// RequestJSON is a holder's re-issue request.
type RequestJSON struct {
	ID   string    `json:"id"`
	What string    `json:"what"`
	Note string    `json:"note,omitempty"`
	Open bool      `json:"open"`
	At   time.Time `json:"at"`
}

func checkerCode(kind string) string {
	switch kind {
	case string(web.APIClient):
		return "api_client"
	case string(web.Operator):
		return "operator"
	case string(web.Citizen), string(web.Admin), string(web.Auditor):
		return "signed_in"
	}
	return "anonymous"
}

func (h *Handler) apiMine(w http.ResponseWriter, r *http.Request) error {
	account, err := holderOf(r)
	if err != nil {
		return err
	}
	ps, err := h.svc.OfAccount(r.Context(), account)
	if err != nil {
		return err
	}
	t := h.site.Printer(r).T
	out := struct {
		Passports []PassportJSON `json:"passports"`
	}{Passports: []PassportJSON{}}
	for _, p := range ps {
		j := PassportJSON{Number: p.Number, Status: p.Status, StatusLabel: t("passport.status." + string(p.Status)),
			StatusAt: p.StatusAt, Issued: p.Issued.Format(time.DateOnly), Expires: p.Expires.Format(time.DateOnly),
			Expired: vds.Day(h.svc.now()).After(p.Expires), Agency: p.Agency, Holder: p.Holder, MRZ: p.MRZ, Payload: p.Payload,
			Checks: []CheckJSON{}, Requests: []RequestJSON{}}
		if p.Status != Valid {
			j.Reason = p.Reason
		}
		base := CabinetPath + "/" + p.Number
		j.Links = map[string]any{"pdf_a4": base + "/pdf?layout=a4", "pdf_card": base + "/pdf?layout=card",
			"qr_png": base + "/qr.png", "qr_svg": base + "/qr.svg"}
		checks, err := h.svc.Checks(r.Context(), p.ID, checksShown)
		if err != nil {
			return err
		}
		for _, c := range checks {
			j.Checks = append(j.Checks, CheckJSON{At: c.At, Checker: checkerCode(c.CheckerKind), Who: h.checkWho(r, c), Result: c.Outcome})
		}
		reqs, err := h.svc.Requests(r.Context(), p.ID)
		if err != nil {
			return err
		}
		for _, q := range reqs {
			if q.Kind == RequestReissue {
				j.Requests = append(j.Requests, RequestJSON{ID: q.ID, What: q.What, Note: q.Note, Open: q.Open, At: q.At})
			}
		}
		out.Passports = append(out.Passports, j)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, out)
	return nil
}

// apiFields answers field errors with their messages in "fields" beside the usual error body.
func (h *Handler) apiFields(w http.ResponseWriter, r *http.Request, err error) error {
	var fe FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	p := h.site.Printer(r)
	var body struct {
		web.APIError
		Fields map[string]string `json:"fields"`
	}
	id := msgID(err)
	body.Error.Code, body.Error.MessageID, body.Error.Message = errs.KindOf(err).String(), id, p.T(id)
	body.RequestID, body.Fields = web.RequestID(r), map[string]string{}
	for k, e := range fe {
		body.Fields[k] = p.T(msgID(e))
	}
	web.JSON(w, http.StatusBadRequest, body)
	return nil
}

func decodeJSON(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(v); err != nil {
		return errs.E(errs.Invalid, "passport.bad_json", err)
	}
	return nil
}

func (h *Handler) apiReport(w http.ResponseWriter, r *http.Request) error {
	account, err := holderOf(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Reason != ReasonLost && req.Reason != ReasonCompromised {
		return h.apiFields(w, r, errs.E(errs.Invalid, "passport.report.invalid",
			FieldErrors{"reason": errs.E(errs.Invalid, "passport.report.reason_required", nil)}))
	}
	if err := h.svc.Report(r.Context(), r, account, r.PathValue("number"), req.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiReissue(w http.ResponseWriter, r *http.Request) error {
	account, err := holderOf(r)
	if err != nil {
		return err
	}
	var req struct {
		What string `json:"what"`
		Note string `json:"note"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	q, err := h.svc.RequestReissue(r.Context(), r, account, r.PathValue("number"), req.What, req.Note)
	if err != nil {
		return h.apiFields(w, r, err)
	}
	web.JSON(w, http.StatusCreated, RequestJSON{ID: q.ID, What: q.What, Note: q.Note, Open: q.Open, At: q.At})
	return nil
}
