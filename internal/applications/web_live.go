package applications

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/web"
)

// LivePath is the stream of the signed-in citizen's changes (server-sent events), which the
// card and «Мои обращения» follow with static/applications-live.js. Each event is
//
//	id: <the change's number>
//	event: status
//	data: {"application": …, "number": …, "state": …, "status": …, "deadline": …, "announce": …}
//
// with the words in the page's language; "event: end" says the session ended and the page
// stops following. A reconnection resumes after its Last-Event-ID (or, the first time, after
// the page's data-live-after), so nothing is missed: what came meanwhile is read back from
// the database.
const LivePath = "/applications/events"

// liveWriteWait bounds one write to a stream: the server's WriteTimeout would otherwise end
// every stream two minutes after it opened.
const liveWriteWait = 30 * time.Second

// liveSessionBeats is how many heartbeats apart an open stream checks that its session is
// still alive (every minute at 20 s): a stream ends soon after its session does.
const liveSessionBeats = 3

// liveStatus is the data of a status event.
type liveStatus struct {
	Application string `json:"application"`
	Number      string `json:"number,omitempty"`
	State       State  `json:"state"`
	Status      string `json:"status"`             // the applicant's word for the state
	Deadline    string `json:"deadline,omitempty"` // the list's date of the deadline, while open
	Announce    string `json:"announce"`           // what the page's live region says
}

// liveAfter is where a page rendered now has its data: its streams start after it. Read it
// before the page's data, so that a change committed in between is told again, not missed.
func (h *Handler) liveAfter(r *http.Request) (int64, error) {
	return h.store.lastChange(r.Context())
}

// resumeAfter is the change a stream starts after: the reconnection's Last-Event-ID, the
// page's ?after=, or (-1) none: from now.
func resumeAfter(r *http.Request) int64 {
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return n
		}
	}
	return -1
}

func (h *Handler) events(w http.ResponseWriter, r *http.Request) error {
	p, ok := web.PrincipalOf(r)
	if !ok {
		return errs.E(errs.Unauthenticated, "id.signin_needed", nil) // no redirect: EventSource cannot follow one to a page
	}
	if p.Kind != web.Citizen {
		return ErrNotFound
	}
	ctx := r.Context()
	f, err := h.store.live.follow(ctx, p.ID)
	if err != nil {
		return err
	}
	defer h.store.live.unfollow(f)
	last, err := h.store.lastChange(ctx)
	if err != nil {
		return err
	}
	after := resumeAfter(r)
	if after < 0 || after > last {
		after = last // from now; or an id this database never gave (restored from a backup)
	}
	// Whatever commits from here on reaches f; what came before, and after `after`, is
	// read back now. An event both ways is told once.
	missed, err := h.store.ownChangesAfter(ctx, p.ID, after)
	if err != nil {
		return err
	}

	// The server's ReadTimeout does not end it (net/http clears the read deadline once the
	// request is read); its WriteTimeout would, so that each write sets its own (stream.put).
	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // a reverse proxy must pass events on at once
	w.WriteHeader(http.StatusOK)

	pr := h.site.Printer(r)
	s := &stream{w: w, rc: rc}
	s.put([]byte("retry: 5000\n\n"))
	for _, e := range missed {
		h.tellLive(r, pr, s, p.ID, e)
	}
	if !s.flush() {
		return nil
	}
	sent := after
	for _, e := range missed {
		sent = max(sent, e.Seq)
	}
	beat := time.NewTicker(h.store.opt.LiveHeartbeat)
	defer beat.Stop()
	beats := 0
	for {
		select {
		case <-ctx.Done(): // the browser went away
			return nil
		case <-f.gone: // too slow, or the instance stops: the browser reconnects
			return nil
		case e := <-f.events:
			if e.Seq <= sent {
				continue
			}
			sent = e.Seq
			h.tellLive(r, pr, s, p.ID, e)
		case <-beat.C:
			if beats++; beats%liveSessionBeats == 0 && p.Session != "" {
				if _, err := h.ids.StatusOf(r); errs.KindOf(err) == errs.Unauthenticated {
					s.put([]byte("event: end\ndata: \n\n"))
					s.flush()
					return nil
				}
			}
			s.put([]byte(": ping\n\n"))
		}
		if !s.flush() {
			return nil
		}
	}
}

// tellLive writes the status event of e: the account's application as it stands now (the
// account is the stream's own, checked again here whatever the query that found e).
func (h *Handler) tellLive(r *http.Request, p *i18n.Printer, s *stream, accountID string, e liveEvent) {
	a, err := h.store.Own(r.Context(), accountID, e.Application)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			h.site.Logger().Warn("applications: live status: cannot read an application", "request_id", web.RequestID(r), "err", err)
		}
		return
	}
	st := liveStatus{Application: a.ID, Number: a.Number, State: a.State, Status: h.status(p, a)}
	if a.State.Open() {
		st.Deadline = h.date(p, a.Deadline)
	}
	st.Announce = p.T("applications.live.announce", "number", a.Number, "status", st.Status)
	data, err := json.Marshal(st)
	if err != nil {
		return
	}
	var b bytes.Buffer
	b.WriteString("id: " + strconv.FormatInt(e.Seq, 10) + "\nevent: status\ndata: ")
	b.Write(data) // JSON has no raw newlines
	b.WriteString("\n\n")
	s.put(b.Bytes())
}

// stream writes a text/event-stream, each write under its own deadline.
type stream struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	failed bool
}

func (s *stream) put(b []byte) {
	if s.failed {
		return
	}
	if err := s.rc.SetWriteDeadline(time.Now().Add(liveWriteWait)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.failed = true
		return
	}
	if _, err := s.w.Write(b); err != nil {
		s.failed = true
	}
}

// flush sends what was written; false when the stream is broken.
func (s *stream) flush() bool {
	if !s.failed {
		if err := s.rc.Flush(); err != nil {
			s.failed = true
		}
	}
	return !s.failed
}
