package id

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The pages and API of QR sign-in (qr.go). The desktop's sign-in page shows the code in a
// panel; its script (static/qr-signin.js) asks POST /api/v1/signin/qr/status every two
// seconds, takes the session from /api/v1/signin/qr/finish once the phone approved, and asks
// for a new code when one expires. Without JavaScript the panel's «Проверить» button POSTs
// /id/signin/qr, which does the same. The phone opens /id/qr/<code>.

func (h *Handler) registerQR() {
	h.site.Handle("POST /id/signin/qr", h.qrCheckPost)
	h.site.Handle("GET /id/qr/{code}", h.qrPage)
	h.site.Handle("POST /id/qr/{code}", h.qrDecisionPost)
	h.site.Handle("POST /api/v1/signin/qr", h.apiQRStart)
	h.site.Handle("POST /api/v1/signin/qr/status", h.apiQRStatus)
	h.site.Handle("POST /api/v1/signin/qr/finish", h.apiQRFinish)
	h.site.Handle("GET /api/v1/qr/{code}", h.apiQRRequest)
	h.site.Handle("POST /api/v1/qr/{code}/approve", h.apiQRApprove)
	h.site.Handle("POST /api/v1/qr/{code}/decline", h.apiQRDecline)
}

// qrPanel is the section «Войти по QR-коду» of the sign-in page.
type qrPanel struct {
	Flow   string       // the desktop's secret, in a hidden field
	Code   string       // what the QR code carries, in a hidden field (to show the same code again)
	URL    string       // the address the code encodes, written out for those who cannot scan
	Image  template.URL // the code as a PNG data: URL
	Notice string       // how the last check went
}

// qrImageSize is the side of the QR image in pixels: large enough for a phone's camera at
// arm's length from a desktop screen.
const qrImageSize = 256

// addQRPanel gives the sign-in page its QR panel — except on the way to approve another
// device's code (a phone that must sign in first), where a code of its own would only confuse:
// there the page says why it asks to sign in.
func (h *Handler) addQRPanel(r *http.Request, p *signInPage) error {
	if strings.HasPrefix(p.Return, "/id/qr/") {
		if p.Notice == "" && p.Summary == nil {
			p.Notice = h.site.Printer(r).T("id.qr.signin_first")
		}
		return nil
	}
	var err error
	p.QR, err = h.newQRPanel(r)
	return err
}

// newQRPanel starts a QR sign-in for the desktop's request and draws its code.
func (h *Handler) newQRPanel(r *http.Request) (*qrPanel, error) {
	qr, err := h.svc.StartQR(r.Context(), r)
	if err != nil {
		return nil, err
	}
	return h.qrPanelOf(r, qr)
}

func (h *Handler) qrPanelOf(r *http.Request, qr *QRSignIn) (*qrPanel, error) {
	u := h.qrURL(r, qr.Code)
	png, err := qrcode.Encode(u, qrcode.Medium, qrImageSize)
	if err != nil {
		return nil, err
	}
	return &qrPanel{Flow: qr.Flow.Token, Code: qr.Code, URL: u,
		Image: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}, nil
}

// qrURL is the address of the phone's page for the code: under the configured public address,
// or else the one the request came to.
func (h *Handler) qrURL(r *http.Request, code string) string {
	base := h.svc.public
	if base == "" {
		scheme := "http"
		if h.svc.secure || r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return strings.TrimSuffix(base, "/") + "/id/qr/" + url.PathEscape(code)
}

// qrCheckPost is «Проверить» on the sign-in page: signed in if the phone approved; else the
// page again, with the same code while it waits, a new one after a decline or expiry.
func (h *Handler) qrCheckPost(w http.ResponseWriter, r *http.Request) error {
	token, code, ret := r.PostFormValue("flow"), r.PostFormValue("code"), localPath(r.PostFormValue("return"))
	ss, st, err := h.svc.FinishQR(r.Context(), r, token)
	if err == nil {
		return h.completeSignIn(w, r, ss, st, ret)
	}
	if errs.KindOf(err) == errs.Other {
		return err
	}
	pr := h.site.Printer(r)
	var panel *qrPanel
	if errors.Is(err, ErrQRWaiting) {
		if qr, qerr := h.svc.QRCode(r.Context(), token, code); qerr == nil {
			if panel, err = h.qrPanelOf(r, qr); err != nil {
				return err
			}
			panel.Notice = pr.T("id.qr.not_yet")
		}
	}
	if panel == nil {
		notice := pr.T(messageID(err))
		if errors.Is(err, ErrFlowGone) || errors.Is(err, ErrQRWaiting) {
			notice = pr.T("id.qr.renewed")
		}
		if panel, err = h.newQRPanel(r); err != nil {
			return err
		}
		panel.Notice = notice
	}
	p := &signInPage{Return: ret, QR: panel}
	p.Title = pr.T("id.signin.title")
	return h.site.Render(w, r, http.StatusOK, "id_signin", p)
}

// qrConfirmPage is the phone's page: who asks, and «Подтвердить вход» / «Отклонить».
type qrConfirmPage struct {
	web.Page
	Code    string
	Request *QRRequest
}

// qrResultPage says how a decision went, or why the code cannot be used.
type qrResultPage struct {
	web.Page
	Message string
	Warning bool // a decline: say what to do if it was not the owner
}

func (h *Handler) qrPage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if _, err := principal(r); err != nil {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape("/id/qr/"+url.PathEscape(code)), http.StatusSeeOther)
		return nil
	}
	req, err := h.svc.QRRequestOf(r.Context(), code)
	if err != nil {
		return h.qrResult(w, r, err, "")
	}
	p := &qrConfirmPage{Code: code, Request: req}
	p.Title = h.site.Printer(r).T("id.qr.confirm_title")
	return h.site.Render(w, r, http.StatusOK, "id_qr_confirm", p)
}

func (h *Handler) qrDecisionPost(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	var err error
	switch decision := r.PostFormValue("decision"); decision {
	case "approve":
		err = h.svc.ApproveQR(r.Context(), r, code)
	case "decline":
		err = h.svc.DeclineQR(r.Context(), r, code)
	default:
		return errs.E(errs.Invalid, "id.qr_decision", errors.New("id: no decision"))
	}
	if errs.KindOf(err) == errs.Unauthenticated {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape("/id/qr/"+url.PathEscape(code)), http.StatusSeeOther)
		return nil
	}
	return h.qrResult(w, r, err, r.PostFormValue("decision"))
}

// qrResult renders the outcome: err's message, or the decision's.
func (h *Handler) qrResult(w http.ResponseWriter, r *http.Request, err error, decision string) error {
	pr := h.site.Printer(r)
	p := &qrResultPage{}
	status := http.StatusOK
	switch {
	case err == nil && decision == "approve":
		p.Title, p.Message = pr.T("id.qr.approved_title"), pr.T("id.qr.approved")
	case err == nil:
		p.Title, p.Message, p.Warning = pr.T("id.qr.declined_title"), pr.T("id.qr.declined"), true
	case errs.KindOf(err) == errs.Other:
		return err
	default:
		id := messageID(err)
		p.Title, p.Message = pr.T(id+".title"), pr.T(id)
		if status = qrStatus[errs.KindOf(err)]; status == 0 {
			status = http.StatusBadRequest
		}
	}
	return h.site.Render(w, r, status, "id_qr_result", p)
}

// qrStatus is the status of a page that refuses a code (an expired one is gone for good).
var qrStatus = map[errs.Kind]int{errs.NotFound: http.StatusGone, errs.Conflict: http.StatusConflict,
	errs.Forbidden: http.StatusForbidden, errs.Invalid: http.StatusBadRequest}

// The JSON API of QR sign-in (openapi_qr.yaml).

type apiQRCode struct {
	Flow      string    `json:"flow"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	Image     string    `json:"image"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *Handler) apiQRStart(w http.ResponseWriter, r *http.Request) error {
	var req struct{}
	if err := decode(r, &req); err != nil {
		return err
	}
	qr, err := h.svc.StartQR(r.Context(), r)
	if err != nil {
		return err
	}
	panel, err := h.qrPanelOf(r, qr)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, apiQRCode{Flow: panel.Flow, Code: panel.Code, URL: panel.URL, Image: string(panel.Image),
		ExpiresAt: qr.Flow.ExpiresAt})
	return nil
}

func (h *Handler) apiQRStatus(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow string `json:"flow"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	state, until, err := h.svc.QRStatus(r.Context(), req.Flow)
	if err != nil {
		return err
	}
	body := struct {
		State     QRState    `json:"state"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}{State: state}
	if !until.IsZero() {
		body.ExpiresAt = &until
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, body)
	return nil
}

func (h *Handler) apiQRFinish(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Flow string `json:"flow"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ss, st, err := h.svc.FinishQR(r.Context(), r, req.Flow)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.apiSignedIn(w, ss, st)
	return nil
}

type apiQRRequestBody struct {
	Browser     string    `json:"browser,omitempty"`
	OS          string    `json:"os,omitempty"`
	IP          string    `json:"ip,omitempty"`
	Place       string    `json:"place,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func (h *Handler) apiQRRequest(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r); err != nil {
		return err
	}
	req, err := h.svc.QRRequestOf(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, apiQRRequestBody{Browser: req.Agent.Browser, OS: req.Agent.OS, IP: req.IP, Place: req.Place,
		RequestedAt: req.RequestedAt, ExpiresAt: req.ExpiresAt})
	return nil
}

func (h *Handler) apiQRApprove(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.ApproveQR(r.Context(), r, r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiQRDecline(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeclineQR(r.Context(), r, r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
