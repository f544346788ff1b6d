package id

import (
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// The pages and API of devices and sessions (openapi_devices.yaml describes the API):
//
//	GET  /id/security                          sessions, devices, factors link, sign-in history
//	POST /id/security/sessions/{id}/end        «Завершить» one session
//	POST /id/security/sessions/end-others      end every session but this one
//	POST /id/security/devices/{id}/forget      «Забыть» a device (its sessions end)
//	GET  /id/disavow/{token}                   «Это был не я»: what happened, and a button
//	POST /id/disavow/{token}                   the confirmation (see disavow.go)
//	GET  /api/v1/session                       the idle clock (not counted as activity)
//	POST /api/v1/session/extend, /id/session/extend   «Продлить»
//	GET  /api/v1/security, DELETE /api/v1/security/sessions/{id}, DELETE /api/v1/security/devices/{id}
func (h *Handler) registerDevices() {
	h.site.Handle("GET /id/security", h.securityPage)
	h.site.Handle("POST /id/security/sessions/{id}/end", h.endSessionPost)
	h.site.Handle("POST /id/security/sessions/end-others", h.endOthersPost)
	h.site.Handle("POST /id/security/devices/{id}/forget", h.forgetDevicePost)
	h.site.Handle("GET /id/disavow/{token}", h.disavowPage)
	h.site.Handle("POST /id/disavow/{token}", h.disavowPost)
	h.site.Handle("GET "+SessionStatusPath, h.apiSessionStatus)
	h.site.Handle("POST /api/v1/session/extend", h.apiExtend)
	h.site.Handle("POST /id/session/extend", h.apiExtend)
	h.site.Handle("GET /api/v1/security", h.apiSecurity)
	h.site.Handle("DELETE /api/v1/security/sessions/{id}", h.apiEndSession)
	h.site.Handle("DELETE /api/v1/security/devices/{id}", h.apiForgetDevice)
}

// completeSignIn finishes a sign-in in the browser: the session and device cookies, then the page
// the person came for.
func (h *Handler) completeSignIn(w http.ResponseWriter, r *http.Request, ss *Session, token, to string) error {
	h.svc.SetSessionCookie(w, token)
	h.svc.SetDeviceCookie(w, ss)
	if to == "" {
		to = "/id/account"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// rotateCookie gives the browser's session a new token after a change of privilege (a new
// password, a higher level), so that a token seen before it stops working. An app's bearer
// token is left as it is (the app would lose its session); a failure only keeps the old token.
func (h *Handler) rotateCookie(w http.ResponseWriter, r *http.Request, sessionID string) {
	if r.Header.Get("Authorization") != "" || sessionID == "" {
		return
	}
	token, err := h.svc.RotateSession(r.Context(), nil, sessionID)
	if err != nil {
		h.svc.log.Warn("id: cannot rotate a session's token", "session", sessionID, "err", err)
		return
	}
	h.svc.SetSessionCookie(w, token)
}

// apiSignedIn answers a finished sign-in in the API.
func (h *Handler) apiSignedIn(w http.ResponseWriter, ss *Session, token string) {
	h.svc.SetSessionCookie(w, token)
	h.svc.SetDeviceCookie(w, ss)
	web.JSON(w, http.StatusOK, apiSession{Token: token, AccountID: ss.AccountID, ExpiresAt: ss.ExpiresAt,
		IdleFor: int(h.svc.IdleTimeout() / time.Second)})
}

// rememberIfAsked remembers the device of a new session if its owner ticked the box. The
// sign-in has succeeded whatever happens here: a refusal (staff) is only logged.
func (h *Handler) rememberIfAsked(r *http.Request, ss *Session, asked bool) {
	if !asked || ss == nil {
		return
	}
	if err := h.svc.RememberDevice(r.Context(), r, ss); err != nil {
		h.svc.log.Info("id: device not remembered", "account", ss.AccountID, "err", err)
	}
}

// sessionEndedNotice is what the sign-in page says to a browser whose session has ended (it
// forgets the dead cookie): the person signs in again and comes back to the page (return).
func (h *Handler) sessionEndedNotice(w http.ResponseWriter, r *http.Request) string {
	if !h.svc.SessionEnded(r) {
		return ""
	}
	h.svc.ClearSessionCookie(w)
	return h.site.Printer(r).T("id.devices.session_ended")
}

// agentLabel names a browser and system in the page's language: «Яндекс Браузер 24, Windows».
func agentLabel(p *i18n.Printer, u UserAgent) string {
	if u.Browser == "other" && u.OS == "other" {
		return p.T("id.devices.browser.other")
	}
	b := p.T("id.devices.browser." + u.Browser)
	if u.BrowserVersion != "" && u.Browser != "other" {
		b += " " + u.BrowserVersion
	}
	if u.OS == "other" {
		return b
	}
	o := osNames[u.OS]
	if u.OSVersion != "" {
		o += " " + u.OSVersion
	}
	return b + ", " + o
}

// known is the catalog's message key, or fallback if the catalog has none (a method or a
// reason code added later).
func known(p *i18n.Printer, key, fallback string) string {
	if m := p.T(key); m != key {
		return m
	}
	return fallback
}

type sessionView struct {
	ID, Device, IP, Place, Method string
	Started, LastSeen             time.Time
	Current                       bool
}

type deviceView struct {
	ID, Device, IP, Place string
	FirstSeen, LastSeen   time.Time
	RememberedUntil       time.Time // zero: not remembered
	Current               bool
}

type historyView struct {
	At                  time.Time
	OK                  bool
	Method, Reason, Dev string
	IP                  string
}

type securityPage struct {
	web.Page
	Sessions []sessionView
	Devices  []deviceView
	History  []historyView
	Notice   string
	Others   bool // there are sessions besides the current one
}

// historyLength is how many sign-in attempts the security page shows.
const historyLength = 20

// securityOf gathers the security page's data of the signed-in principal.
func (h *Handler) securityOf(r *http.Request, p *web.Principal) (*securityPage, error) {
	ctx, pr, lang := r.Context(), h.site.Printer(r), web.Lang(r)
	unknown := pr.T("id.devices.place_unknown")
	orUnknown := func(s string) string {
		if s == "" {
			return unknown
		}
		return s
	}
	page := &securityPage{}
	sessions, err := h.svc.Sessions(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		page.Sessions = append(page.Sessions, sessionView{ID: ss.ID, Device: agentLabel(pr, ParseUserAgent(ss.UserAgent)),
			IP: orUnknown(ss.IP), Place: orUnknown(h.svc.place(ctx, ss.IP, lang)), Method: ss.Method, Started: ss.CreatedAt,
			LastSeen: ss.SeenAt, Current: ss.ID == p.Session})
		page.Others = page.Others || ss.ID != p.Session
	}
	devices, err := h.svc.Devices(ctx, p.ID, h.svc.deviceToken(r), lang)
	if err != nil {
		return nil, err
	}
	now := h.svc.now()
	for _, d := range devices {
		v := deviceView{ID: d.ID, Device: agentLabel(pr, d.Agent), IP: orUnknown(d.IP), Place: orUnknown(d.Place),
			FirstSeen: d.FirstSeen, LastSeen: d.LastSeen, Current: d.Current}
		if d.Remembered(now) {
			v.RememberedUntil = d.RememberedUntil
		}
		page.Devices = append(page.Devices, v)
	}
	history, err := h.svc.SignInHistory(ctx, p.ID, historyLength)
	if err != nil {
		return nil, err
	}
	for _, e := range history {
		v := historyView{At: e.At, OK: e.OK, Dev: agentLabel(pr, e.UserAgent), IP: orUnknown(e.IP)}
		if e.Method != "" {
			v.Method = known(pr, "id.devices.method."+e.Method, e.Method)
		}
		if e.Reason != "" {
			v.Reason = known(pr, "id.devices.reason."+e.Reason, pr.T("id.devices.reason.other"))
		}
		page.History = append(page.History, v)
	}
	return page, nil
}

// doneNotices are the notices a security action leaves for the page it returns to.
var doneNotices = map[string]string{"session": "id.devices.done.session", "others": "id.devices.done.others",
	"device": "id.devices.done.device"}

func (h *Handler) securityPage(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		http.Redirect(w, r, "/id/signin?return=/id/security", http.StatusSeeOther)
		return nil
	}
	page, err := h.securityOf(r, p)
	if err != nil {
		return err
	}
	pr := h.site.Printer(r)
	page.Title = pr.T("id.devices.security.title")
	if id, ok := doneNotices[r.URL.Query().Get("done")]; ok {
		page.Notice = pr.T(id)
	}
	return h.site.Render(w, r, http.StatusOK, "id_devices_security", page)
}

// securityAction runs a form's action for the signed-in owner and returns to the page.
func (h *Handler) securityAction(w http.ResponseWriter, r *http.Request, done string, act func(p *web.Principal) error) error {
	p, err := principal(r)
	if err != nil {
		http.Redirect(w, r, "/id/signin?return=/id/security", http.StatusSeeOther)
		return nil
	}
	if err := act(p); err != nil {
		return err
	}
	to := "/id/security?done=" + done
	if done == "session" && r.PathValue("id") == p.Session {
		to = "/" // the person ended the session they use: they are signed out
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (h *Handler) endSessionPost(w http.ResponseWriter, r *http.Request) error {
	return h.securityAction(w, r, "session", func(p *web.Principal) error {
		return h.svc.EndSession(r.Context(), r, p.ID, r.PathValue("id"))
	})
}

func (h *Handler) endOthersPost(w http.ResponseWriter, r *http.Request) error {
	return h.securityAction(w, r, "others", func(p *web.Principal) error {
		_, err := h.svc.EndOtherSessions(r.Context(), r, p.ID, p.Session)
		return err
	})
}

func (h *Handler) forgetDevicePost(w http.ResponseWriter, r *http.Request) error {
	return h.securityAction(w, r, "device", func(p *web.Principal) error {
		return h.svc.ForgetDevice(r.Context(), r, p.ID, r.PathValue("id"))
	})
}

type disavowPage struct {
	web.Page
	Token  string
	Device string
	IP     string
	Place  string
	At     time.Time
	Gone   bool // the link is used, expired or wrong
}

func (h *Handler) disavowPage(w http.ResponseWriter, r *http.Request) error {
	pr := h.site.Printer(r)
	page := &disavowPage{Token: r.PathValue("token")}
	page.Title = pr.T("id.devices.disavow.title")
	w.Header().Set("Referrer-Policy", "no-referrer")
	dv, err := h.svc.DisavowalOf(r.Context(), page.Token, web.Lang(r))
	if errors.Is(err, ErrDisavowGone) {
		page.Gone, page.Token = true, ""
		return h.site.Render(w, r, http.StatusNotFound, "id_devices_disavow", page)
	}
	if err != nil {
		return err
	}
	page.Device, page.IP, page.Place, page.At = agentLabel(pr, dv.Agent), dv.IP, dv.Place, dv.At
	if page.Place == "" {
		page.Place = pr.T("id.devices.place_unknown")
	}
	return h.site.Render(w, r, http.StatusOK, "id_devices_disavow", page)
}

func (h *Handler) disavowPost(w http.ResponseWriter, r *http.Request) error {
	_, err := h.svc.Disavow(r.Context(), r, r.PathValue("token"))
	if errors.Is(err, ErrDisavowGone) {
		return h.disavowPage(w, r)
	}
	if err != nil {
		return err
	}
	h.svc.ClearSessionCookie(w)
	http.Redirect(w, r, "/id/recover", http.StatusSeeOther)
	return nil
}

// The JSON API.

// apiClock is GET /api/v1/session: the idle clock, with the idle dialog's words in the
// request's language (the script has none of its own).
type apiClock struct {
	SessionID   string    `json:"session_id"`
	IdleEndsAt  time.Time `json:"idle_ends_at"`
	IdleLeft    int       `json:"idle_seconds_left"`
	WarnSeconds int       `json:"warn_seconds"`
	ExpiresAt   time.Time `json:"expires_at"`
	Dialog      apiDialog `json:"dialog"`
}

type apiDialog struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	Left    string `json:"left"`
	Extend  string `json:"extend"`
	SignOut string `json:"signout"`
	Ended   string `json:"ended"`
	SignIn  string `json:"signin"`
}

func (h *Handler) clock(w http.ResponseWriter, r *http.Request, st *SessionStatus) {
	pr := h.site.Printer(r)
	w.Header().Set("Cache-Control", "no-store")
	left := max(0, int((st.IdleEnd.Sub(h.svc.now())+time.Second-1)/time.Second)) // rounded up: 0 only at the end
	web.JSON(w, http.StatusOK, apiClock{SessionID: st.Session.ID, IdleEndsAt: st.IdleEnd.UTC(), IdleLeft: left,
		WarnSeconds: int(st.Warn / time.Second), ExpiresAt: st.Session.ExpiresAt.UTC(),
		Dialog: apiDialog{Title: pr.T("id.devices.idle.title"), Body: pr.T("id.devices.idle.body"), Left: pr.T("id.devices.idle.left"),
			Extend: pr.T("id.devices.idle.extend"), SignOut: pr.T("id.devices.idle.signout"),
			Ended: pr.T("id.devices.idle.ended"), SignIn: pr.T("id.devices.idle.signin")}})
}

func (h *Handler) apiSessionStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.StatusOf(r)
	if err != nil {
		return err
	}
	h.clock(w, r, st)
	return nil
}

func (h *Handler) apiExtend(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.ExtendSession(r.Context(), r)
	if err != nil {
		return err
	}
	h.clock(w, r, st)
	return nil
}

type apiSessionItem struct {
	ID        string    `json:"id"`
	Device    string    `json:"device"`
	IP        string    `json:"ip,omitempty"`
	Place     string    `json:"place,omitempty"`
	Method    string    `json:"method"`
	StartedAt time.Time `json:"started_at"`
	SeenAt    time.Time `json:"last_seen_at"`
	Current   bool      `json:"current"`
}

type apiDeviceItem struct {
	ID              string     `json:"id"`
	Device          string     `json:"device"`
	IP              string     `json:"ip,omitempty"`
	Place           string     `json:"place,omitempty"`
	FirstSeen       time.Time  `json:"first_seen_at"`
	LastSeen        time.Time  `json:"last_seen_at"`
	RememberedUntil *time.Time `json:"remembered_until,omitempty"`
	Current         bool       `json:"current"`
}

type apiSignInItem struct {
	At     time.Time `json:"at"`
	OK     bool      `json:"ok"`
	Method string    `json:"method,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Device string    `json:"device"`
	IP     string    `json:"ip,omitempty"`
}

type apiSecurityBody struct {
	Sessions []apiSessionItem `json:"sessions"`
	Devices  []apiDeviceItem  `json:"devices"`
	SignIns  []apiSignInItem  `json:"signins"`
}

func (h *Handler) apiSecurity(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ctx, pr, lang := r.Context(), h.site.Printer(r), web.Lang(r)
	body := apiSecurityBody{Sessions: []apiSessionItem{}, Devices: []apiDeviceItem{}, SignIns: []apiSignInItem{}}
	sessions, err := h.svc.Sessions(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, ss := range sessions {
		body.Sessions = append(body.Sessions, apiSessionItem{ID: ss.ID, Device: agentLabel(pr, ParseUserAgent(ss.UserAgent)),
			IP: ss.IP, Place: h.svc.place(ctx, ss.IP, lang), Method: ss.Method, StartedAt: ss.CreatedAt.UTC(),
			SeenAt: ss.SeenAt.UTC(), Current: ss.ID == p.Session})
	}
	devices, err := h.svc.Devices(ctx, p.ID, h.svc.deviceToken(r), lang)
	if err != nil {
		return err
	}
	for _, d := range devices {
		item := apiDeviceItem{ID: d.ID, Device: agentLabel(pr, d.Agent), IP: d.IP, Place: d.Place, FirstSeen: d.FirstSeen,
			LastSeen: d.LastSeen, Current: d.Current}
		if d.Remembered(h.svc.now()) {
			item.RememberedUntil = &d.RememberedUntil
		}
		body.Devices = append(body.Devices, item)
	}
	history, err := h.svc.SignInHistory(ctx, p.ID, historyLength)
	if err != nil {
		return err
	}
	for _, e := range history {
		body.SignIns = append(body.SignIns, apiSignInItem{At: e.At.UTC(), OK: e.OK, Method: e.Method, Reason: e.Reason,
			Device: agentLabel(pr, e.UserAgent), IP: e.IP})
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, body)
	return nil
}

func (h *Handler) apiEndSession(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := h.svc.EndSession(r.Context(), r, p.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiForgetDevice(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := h.svc.ForgetDevice(r.Context(), r, p.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
