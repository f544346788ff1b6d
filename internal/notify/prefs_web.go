package notify

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// The preferences page and its API (openapi_prefs.yaml describes the API):
//
//	GET  /id/notifications                        the table of kinds × channels, the test, push
//	POST /id/notifications                        «Применить»: the checked boxes
//	POST /id/notifications/test                   «Отправить тестовое сообщение» by the chosen channels
//	GET  /push-sw.js                              the service worker that shows pushes (scope /)
//	GET  /api/v1/notifications/preferences, PUT the same
//	POST /api/v1/notifications/test
//	POST /api/v1/notifications/push, POST /api/v1/notifications/push/remove
//
// Every route acts on the signed-in account only: nothing names another account.

// PrefsPath is the preferences page.
const PrefsPath = "/id/notifications"

// OpenAPIPrefs is this package's part of the API document for the preferences API.
//
//go:embed openapi_prefs.yaml
var OpenAPIPrefs []byte

//go:embed push-sw.js
var serviceWorker []byte

// PrefsOptions are what the preferences routes need besides the notifier.
type PrefsOptions struct {
	// Recipient returns where the account is reached (its e-mail, phone and language), for
	// the test message.
	Recipient func(ctx context.Context, accountID string) (Recipient, error)
	// Journal records changes of preferences (ids and codes only); nil records nothing.
	Journal *audit.Journal
}

// RegisterPreferences adds the preferences page, its API and the push service worker.
func RegisterPreferences(s *web.Site, n *Notifier, opt PrefsOptions) {
	h := &prefsHandler{site: s, n: n, opt: opt}
	s.Handle("GET "+PrefsPath, h.page)
	s.Handle("POST "+PrefsPath, h.save)
	s.Handle("POST "+PrefsPath+"/test", h.testPost)
	s.HandleHTTP("GET /push-sw.js", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(serviceWorker)
	}))
	s.Handle("GET /api/v1/notifications/preferences", h.apiGet)
	s.Handle("PUT /api/v1/notifications/preferences", h.apiPut)
	s.Handle("POST /api/v1/notifications/test", h.apiTest)
	s.Handle("POST /api/v1/notifications/push", h.apiSubscribe)
	s.Handle("POST /api/v1/notifications/push/remove", h.apiUnsubscribe)
}

type prefsHandler struct {
	site *web.Site
	n    *Notifier
	opt  PrefsOptions
}

// account is the signed-in person's account id; a page asked for by nobody signed in
// redirects to the sign-in, which comes back.
func account(w http.ResponseWriter, r *http.Request) (string, bool, error) {
	p, ok := web.PrincipalOf(r)
	if ok && p.Kind != web.APIClient && p.ID != "" {
		return p.ID, true, nil
	}
	if !ok && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") {
		http.Redirect(w, r, "/id/signin?return="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return "", false, nil
	}
	if !ok {
		return "", false, errs.E(errs.Unauthenticated, "id.signin_needed", nil)
	}
	return "", false, errs.E(errs.NotFound, "", nil)
}

// offered reports whether the page offers the channel: those with a way out (web push only
// with a VAPID key).
func (h *prefsHandler) offered(c Channel) bool {
	if c == Push && h.n.PushKey() == "" {
		return false
	}
	return h.n.CanSend(c)
}

type prefCell struct {
	Channel  Channel
	Name     string // the checkbox's value: kind.channel
	Possible bool   // the kind can go by this channel (else the cell is empty)
	On       bool
}

type prefRow struct {
	Kind     KindName
	Critical bool
	Cells    []prefCell
}

type fieldMessage struct{ Field, Message string }

type prefsPage struct {
	web.Page
	Channels  []Channel
	Rows      []prefRow
	Summary   []fieldMessage
	Notice    string
	TestOn    map[Channel]bool
	PushKey   string
	PushCount int
}

func (h *prefsHandler) render(w http.ResponseWriter, r *http.Request, accountID string, p *prefsPage, status int) error {
	ctx := r.Context()
	prefs, err := h.n.Preferences(ctx, accountID)
	if err != nil {
		return err
	}
	p.Title = h.site.Printer(r).T("notify_prefs.title")
	p.Channels = nil
	for _, c := range channels {
		if h.offered(c) {
			p.Channels = append(p.Channels, c)
		}
	}
	for _, k := range PreferenceKinds() {
		row := prefRow{Kind: k.Name, Critical: k.AlwaysOn}
		for _, c := range p.Channels {
			row.Cells = append(row.Cells, prefCell{Channel: c, Name: string(k.Name) + "." + string(c), Possible: k.allows(c),
				On: prefs.On(k.Name, c)})
		}
		p.Rows = append(p.Rows, row)
	}
	if p.TestOn == nil {
		p.TestOn = map[Channel]bool{Inbox: true}
	}
	p.PushKey = h.n.PushKey()
	if p.PushCount, err = h.n.Subscriptions(ctx, accountID); err != nil {
		return err
	}
	return h.site.Render(w, r, status, "notify_prefs", p)
}

func (h *prefsHandler) page(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	p := &prefsPage{}
	pr := h.site.Printer(r)
	switch r.URL.Query().Get("done") {
	case "saved":
		p.Notice = pr.T("notify_prefs.saved")
	case "test":
		p.Notice = pr.T("notify_prefs.test.sent")
	}
	return h.render(w, r, acc, p, http.StatusOK)
}

// save stores the form: for each optional kind, the boxes checked. Critical kinds are not the
// form's to change: their boxes are disabled, and whatever a forged form says of them is
// ignored.
func (h *prefsHandler) save(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	checked := r.PostForm["pref"]
	prev, err := h.n.Preferences(r.Context(), acc)
	if err != nil {
		return err
	}
	p := Preferences{}
	for _, k := range PreferenceKinds() {
		if k.AlwaysOn {
			continue
		}
		on := []Channel{}
		for _, c := range k.Channels {
			// A channel the page did not offer keeps its state.
			if !h.offered(c) {
				if prev.On(k.Name, c) {
					on = append(on, c)
				}
				continue
			}
			if slices.Contains(checked, string(k.Name)+"."+string(c)) {
				on = append(on, c)
			}
		}
		p[k.Name] = on
	}
	if err := h.store(r, acc, p); err != nil {
		return err
	}
	http.Redirect(w, r, PrefsPath+"?done=saved", http.StatusSeeOther)
	return nil
}

// store saves p and journals the change, in one transaction.
func (h *prefsHandler) store(r *http.Request, acc string, p Preferences) error {
	ctx := r.Context()
	return h.n.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := h.n.SetPreferences(ctx, tx, acc, p); err != nil {
			return err
		}
		if h.opt.Journal == nil {
			return nil
		}
		_, err := h.opt.Journal.AppendRequest(ctx, tx, r, audit.Entry{Action: PreferencesChanged, ObjectType: "account",
			ObjectID: acc, Outcome: audit.Success})
		return err
	})
}

// sendTest sends the account a test message by the channels asked for.
func (h *prefsHandler) sendTest(ctx context.Context, acc string, chans []Channel) (string, error) {
	if len(chans) == 0 {
		return "", errs.E(errs.Invalid, "notify_prefs.test.none", nil)
	}
	for _, c := range chans {
		if !h.offered(c) {
			return "", errs.E(errs.Invalid, "notify_prefs.test.none", nil)
		}
	}
	to, err := h.opt.Recipient(ctx, acc)
	if err != nil {
		return "", err
	}
	to.AccountID = acc
	return h.n.Send(ctx, nil, Message{Kind: TestMessage, To: to, Channels: chans, Data: map[string]any{}})
}

func (h *prefsHandler) testPost(w http.ResponseWriter, r *http.Request) error {
	acc, ok, err := account(w, r)
	if !ok {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	var chans []Channel
	on := map[Channel]bool{}
	for _, v := range r.PostForm["channel"] {
		c := Channel(v)
		if !slices.Contains(channels[:], c) {
			return errs.E(errs.Invalid, "notify_prefs.test.none", nil)
		}
		chans, on[c] = append(chans, c), true
	}
	_, err = h.sendTest(r.Context(), acc, chans)
	if err == nil {
		http.Redirect(w, r, PrefsPath+"?done=test", http.StatusSeeOther)
		return nil
	}
	pr := h.site.Printer(r)
	var msg string
	var rl *RateLimitError
	switch {
	case errors.As(err, &rl):
		msg = rl.Message(pr)
		if rl.Channel == Inbox {
			msg = pr.N("notify_prefs.test.rate_limited", rl.Minutes())
		}
	case errs.KindOf(err) == errs.Invalid:
		msg = pr.T(errs.IDOf(err))
		if id := errs.IDOf(err); id == "notify.no_channel" {
			msg = pr.T("notify_prefs.test.unreachable")
		}
	default:
		return err
	}
	p := &prefsPage{TestOn: on, Summary: []fieldMessage{{Field: "test-" + string(firstOr(chans, Inbox)), Message: msg}}}
	status := http.StatusUnprocessableEntity
	if rl != nil {
		status = http.StatusTooManyRequests
	}
	return h.render(w, r, acc, p, status)
}

func firstOr(cs []Channel, def Channel) Channel {
	if len(cs) == 0 {
		return def
	}
	return cs[0]
}
