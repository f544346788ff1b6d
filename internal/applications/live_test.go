package applications

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/documents"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/web"
)

// headerAuth makes the principal of a test request from its X-Test-Principal header
// ("kind:id").
type headerAuth struct{}

func (headerAuth) Authenticate(r *http.Request) (*web.Principal, error) {
	kind, who, ok := strings.Cut(r.Header.Get("X-Test-Principal"), ":")
	if !ok {
		return nil, nil
	}
	return &web.Principal{Kind: web.PrincipalKind(kind), ID: who, Session: "s-" + who}, nil
}

// identity is ID for the pages: every account is standard, every session alive but those of
// the accounts ended; codes are not asked here (the tests submit through the store).
type identity struct{ ended sync.Map }

func (*identity) Account(_ context.Context, accountID string) (*id.Account, error) {
	return &id.Account{ID: accountID, Lang: "ru", Level: id.Standard}, nil
}
func (*identity) SendActionCode(context.Context, string, string) error          { return nil }
func (*identity) CheckActionCode(context.Context, string, string, string) error { return nil }
func (i *identity) StatusOf(r *http.Request) (*id.SessionStatus, error) {
	p, _ := web.PrincipalOf(r)
	if _, ended := i.ended.Load(p.ID); ended {
		return nil, errs.E(errs.Unauthenticated, "id.session_ended", nil)
	}
	return &id.SessionStatus{}, nil
}

// noDocuments is a document store that has none of the stand-in ids.
type noDocuments struct{ Documents }

func (noDocuments) Get(context.Context, string) (documents.Document, error) {
	return documents.Document{}, errs.E(errs.NotFound, "", nil)
}

// instance is one sep instance's applications on a database: its store and its site.
type instance struct {
	store *Store
	site  *web.Site
	ids   *identity
}

func newInstance(t *testing.T, d *db.DB) *instance {
	t.Helper()
	s, _ := newTestStore(t, d)
	s.opt.LivePoll, s.opt.LiveHeartbeat = 20*time.Millisecond, 50*time.Millisecond
	s.live.every = s.opt.LivePoll
	t.Cleanup(s.CloseLive)
	site, err := web.NewSite(web.Options{Catalog: i18n.Default(), Templates: []fs.FS{Templates},
		Authenticators: []web.Authenticator{headerAuth{}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := &identity{}
	Register(site, s, ids, noDocuments{}, nil)
	return &instance{store: s, site: site, ids: ids}
}

// submittedApp is a submitted «Электронный паспорт» application of the account, in review.
func submittedApp(t *testing.T, s *Store, acc string) *Application {
	t.Helper()
	ctx := context.Background()
	a, err := s.Create(ctx, nil, acc, "e-passport", "", passportValues())
	if err != nil {
		t.Fatal(err)
	}
	attachAll(t, s, acc, a)
	if a, err = s.Submit(ctx, nil, acc, a.ID, true); err != nil {
		t.Fatal(err)
	}
	return a
}

// sseEvent is one event read from a stream.
type sseEvent struct {
	ID, Event string
	Data      liveStatus
}

// sseClient reads a text/event-stream.
type sseClient struct {
	t      *testing.T
	resp   *http.Response
	events chan sseEvent
	beats  atomic.Int32
	done   chan struct{} // closed at the end of the stream
}

// connect opens the stream of who at srv, with header pairs; it returns once the stream is
// open (its first line read), or the refusal's status with a nil client.
func connect(t *testing.T, srv *httptest.Server, who string, query string, header ...string) (*sseClient, int) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+LivePath+query, nil)
	req.Header.Set("Accept", "text/event-stream")
	if who != "" {
		req.Header.Set("X-Test-Principal", who)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := srv.Client().Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, resp.StatusCode
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	c := &sseClient{t: t, resp: resp, events: make(chan sseEvent, 100), done: make(chan struct{})}
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "retry:") {
		t.Fatalf("the stream begins %q, %v", first, err)
	}
	go c.read(br)
	t.Cleanup(func() { cancel(); resp.Body.Close(); <-c.done })
	return c, resp.StatusCode
}

func (c *sseClient) read(br *bufio.Reader) {
	defer close(c.done)
	var e sseEvent
	var data string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if e.Event != "" {
				if data != "" {
					json.Unmarshal([]byte(data), &e.Data)
				}
				c.events <- e
			}
			e, data = sseEvent{}, ""
		case strings.HasPrefix(line, ":"):
			c.beats.Add(1)
		case strings.HasPrefix(line, "id: "):
			e.ID = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			e.Event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

// next is the next event, failing the test after a few seconds without one.
func (c *sseClient) next() sseEvent {
	c.t.Helper()
	select {
	case e := <-c.events:
		return e
	case <-c.done:
		c.t.Fatal("the stream ended")
	case <-time.After(5 * time.Second):
		c.t.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

// quiet checks that no event comes for a while.
func (c *sseClient) quiet(d time.Duration) {
	c.t.Helper()
	select {
	case e := <-c.events:
		c.t.Fatalf("an unexpected event: %+v", e)
	case <-time.After(d):
	}
}

func (c *sseClient) ended(within time.Duration) bool {
	select {
	case <-c.done:
		return true
	case <-time.After(within):
		return false
	}
}

// A change committed through one instance reaches the stream open on another instance of the
// same database (on PostgreSQL two handles, as two instances have; on SQLite one): only the
// account's own applications, each event numbered; a reconnection with Last-Event-ID tells
// what changed while away, once per application, as it stands now.
func TestLiveStatusAcrossInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		d := dbtest.Open(t, dbtest.SQLiteURL(t))
		a := newInstance(t, d)
		liveJourney(t, a, a)
	})
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.PostgresURL(t)
		liveJourney(t, newInstance(t, dbtest.Open(t, url)), newInstance(t, dbtest.Open(t, url)))
	})
}

func liveJourney(t *testing.T, a, b *instance) {
	ctx := context.Background()
	const acc, other, op = "acc-1", "acc-2", "op-1"
	mine := submittedApp(t, a.store, acc)
	theirs := submittedApp(t, a.store, other)
	srv := httptest.NewServer(b.site.Handler())
	t.Cleanup(srv.Close)

	c, _ := connect(t, srv, "citizen:"+acc, "")
	if _, err := a.store.AskCorrection(ctx, nil, op, mine.ID, Correction{Documents: []string{"photo"}, Remark: "Фото тёмное"}); err != nil {
		t.Fatal(err)
	}
	e := c.next()
	if e.Event != "status" || e.Data.Application != mine.ID || e.Data.State != NeedsCorrection || e.Data.Status != "Ожидает ответа" ||
		e.Data.Number != mine.Number || !strings.Contains(e.Data.Announce, "Ожидает ответа") || e.Data.Deadline == "" {
		t.Fatalf("after the correction request: %+v", e)
	}
	first, err := strconv.ParseInt(e.ID, 10, 64)
	if err != nil || first <= 0 {
		t.Fatalf("event id %q", e.ID)
	}
	// Another account's change, then one of ours: only ours comes, and after the first.
	if _, err := a.store.Approve(ctx, nil, op, theirs.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.Corrected(ctx, nil, acc, mine.ID, ""); err != nil {
		t.Fatal(err)
	}
	e = c.next()
	second, _ := strconv.ParseInt(e.ID, 10, 64)
	if e.Data.Application != mine.ID || e.Data.State != InReview || second <= first+1 {
		t.Fatalf("after the correction: %+v (ids %d, %d: the other account's change lies between)", e, first, second)
	}
	c.quiet(200 * time.Millisecond)

	// Away: the approval is committed while no stream is open; the reconnection tells it.
	c.resp.Body.Close()
	<-c.done
	if _, err := a.store.Approve(ctx, nil, op, mine.ID, ""); err != nil {
		t.Fatal(err)
	}
	c, _ = connect(t, srv, "citizen:"+acc, "", "Last-Event-ID", e.ID)
	e = c.next()
	if e.Data.Application != mine.ID || e.Data.State != Approved || e.Data.Status != "Одобрено" || e.Data.Deadline != "" {
		t.Fatalf("after the reconnection: %+v", e)
	}
	c.quiet(200 * time.Millisecond)

	// From the start of the page (?after=): the changes since, once per application, as now.
	c, _ = connect(t, srv, "citizen:"+acc, "?after="+strconv.FormatInt(first-1, 10))
	if e = c.next(); e.Data.Application != mine.ID || e.Data.State != Approved {
		t.Fatalf("from the page's cursor: %+v", e)
	}
	c.quiet(200 * time.Millisecond)
	// And the other account sees its own approval only.
	c, _ = connect(t, srv, "citizen:"+other, "?after=0")
	if e = c.next(); e.Data.Application != theirs.ID || e.Data.State != Approved {
		t.Fatalf("the other account: %+v", e)
	}
	c.quiet(200 * time.Millisecond)
}

// Who may follow: nobody signed in is refused (401, no redirect an EventSource cannot use),
// staff have no citizen's stream (404), and one account opens a bounded number of streams.
// The card and the list say where their stream starts.
func TestLiveStatusAccess(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	a := newInstance(t, d)
	mine := submittedApp(t, a.store, "acc-1")
	srv := httptest.NewServer(a.site.Handler())
	t.Cleanup(srv.Close)
	if _, code := connect(t, srv, "", ""); code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", code)
	}
	if _, code := connect(t, srv, "operator:op-1", ""); code != http.StatusNotFound {
		t.Fatalf("an operator: %d", code)
	}
	// An id this database never gave (a backup restored) resumes from now, not never.
	c, _ := connect(t, srv, "citizen:acc-1", "", "Last-Event-ID", "999999")
	if _, err := a.store.Withdraw(context.Background(), nil, "acc-1", mine.ID); err != nil {
		t.Fatal(err)
	}
	if e := c.next(); e.Data.State != Withdrawn {
		t.Fatalf("after a stale Last-Event-ID: %+v", e)
	}
	for range livePerAccount - 1 {
		connect(t, srv, "citizen:acc-1", "")
	}
	if _, code := connect(t, srv, "citizen:acc-1", ""); code != http.StatusTooManyRequests {
		t.Fatalf("one stream too many: %d", code)
	}
	if _, code := connect(t, srv, "citizen:acc-2", ""); code != http.StatusOK {
		t.Fatalf("another account is refused with the first one's streams: %d", code)
	}

	last, _ := a.store.lastChange(context.Background())
	for _, path := range []string{"/applications/" + mine.ID, "/applications"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-Test-Principal", "citizen:acc-1")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `data-live-after="`+strconv.FormatInt(last, 10)+`"`) ||
			!strings.Contains(string(body), `role="status"`) || !strings.Contains(string(body), "applications-live.") {
			t.Fatalf("%s: %d, the live cursor %d not on the page:\n%s", path, resp.StatusCode, last, body)
		}
	}
}

// A stream outlives the server's read and write timeouts (heartbeats meanwhile), ends when
// its session does, and ends at once when the server shuts down, so that the drain does
// not wait for it.
func TestLiveStatusTimeoutsSessionAndShutdown(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	a := newInstance(t, d)
	mine := submittedApp(t, a.store, "acc-1")
	srv := httptest.NewUnstartedServer(a.site.Handler())
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Config.RegisterOnShutdown(a.store.CloseLive)
	srv.Start()
	t.Cleanup(srv.Close)

	c, _ := connect(t, srv, "citizen:acc-1", "")
	time.Sleep(time.Second)
	if _, err := a.store.AskCorrection(context.Background(), nil, "op-1", mine.ID, Correction{Documents: []string{"photo"}, Remark: "Фото"}); err != nil {
		t.Fatal(err)
	}
	if e := c.next(); e.Data.State != NeedsCorrection {
		t.Fatalf("after the timeouts: %+v", e)
	}
	if c.beats.Load() < 3 {
		t.Fatalf("%d heartbeats in a second, at 50 ms", c.beats.Load())
	}

	// The session ends: the stream says so and ends; another stream of a live session stays.
	other, _ := connect(t, srv, "citizen:acc-2", "")
	a.ids.ended.Store("acc-1", true)
	if e := c.next(); e.Event != "end" || !c.ended(time.Second) {
		t.Fatalf("the session ended, the stream goes on: %+v", e)
	}
	if other.ended(300 * time.Millisecond) {
		t.Fatal("a stream of a live session ended")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a stream open: %v", err)
	}
	if !other.ended(time.Second) || time.Since(start) > 2*time.Second {
		t.Fatalf("the stream did not end at shutdown (%s)", time.Since(start))
	}
}

// A follower that does not take its events is dropped (its browser reconnects and catches
// up), never waited for: the others of the account still get theirs.
func TestLiveStatusDropsSlowFollowers(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	a := newInstance(t, d)
	mine := submittedApp(t, a.store, "acc-1")
	ctx := context.Background()
	slow, err := a.store.live.follow(ctx, "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	fast, _ := a.store.live.follow(ctx, "acc-1")
	for range liveBuffer {
		slow.events <- liveEvent{}
	}
	if _, err := a.store.AskCorrection(ctx, nil, "op-1", mine.ID, Correction{Documents: []string{"photo"}, Remark: "Фото"}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-fast.events:
		if e.Application != mine.ID {
			t.Fatalf("the other follower got %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other follower got nothing")
	}
	select {
	case <-slow.gone:
	case <-time.After(time.Second):
		t.Fatal("the slow follower was not dropped")
	}
	a.store.live.unfollow(slow) // a dropped follower's stream still unfollows: harmless
	a.store.live.unfollow(fast)
	a.store.live.mu.Lock()
	n := a.store.live.n
	a.store.live.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d followers left", n)
	}
}
