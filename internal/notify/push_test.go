package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify/webpush"
)

// pushService is a push service on 127.0.0.1, as a browser vendor runs one: it checks the
// VAPID token (signature, audience, expiry, the key the subscription was made with) and the
// content coding, decrypts each message with the private key of the browser it is for, and
// answers each subscription as the test says.
type pushService struct {
	t        *testing.T
	srv      *httptest.Server
	vapidKey string // the applicationServerKey the browsers subscribed with

	mu       sync.Mutex
	browsers map[string]*browser // by path
	answers  map[string][]int    // by path: statuses to give, in turn (then 201)
	got      map[string][]pushPayload
	problems []string
}

func newPushService(t *testing.T, vapidKey string) *pushService {
	ps := &pushService{t: t, vapidKey: vapidKey, browsers: map[string]*browser{}, answers: map[string][]int{},
		got: map[string][]pushPayload{}}
	ps.srv = httptest.NewServer(http.HandlerFunc(ps.serve))
	t.Cleanup(ps.srv.Close)
	return ps
}

func (ps *pushService) browser(path string, answers ...int) *browser {
	b := newBrowser(ps.t, ps.srv.URL+path)
	ps.mu.Lock()
	ps.browsers[path], ps.answers[path] = b, answers
	ps.mu.Unlock()
	return b
}

func (ps *pushService) fail(format string) {
	ps.problems = append(ps.problems, format)
}

func (ps *pushService) serve(w http.ResponseWriter, r *http.Request) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	b := ps.browsers[r.URL.Path]
	if b == nil || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	claims, key, err := webpush.Verify(r.Header.Get("Authorization"))
	switch {
	case err != nil:
		ps.fail("VAPID: " + err.Error())
	case key != ps.vapidKey:
		ps.fail("VAPID key is not the one the browser subscribed with")
	case claims.Audience != ps.srv.URL:
		ps.fail("VAPID audience " + claims.Audience)
	case time.Unix(claims.Expires, 0).Before(time.Now()) || time.Unix(claims.Expires, 0).After(time.Now().Add(24*time.Hour)):
		ps.fail("VAPID expiry out of range")
	case !strings.HasPrefix(claims.Subject, "https://") && !strings.HasPrefix(claims.Subject, "mailto:"):
		ps.fail("VAPID subject " + claims.Subject)
	case r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "":
		ps.fail("headers: " + r.Header.Get("Content-Encoding") + " TTL " + r.Header.Get("TTL"))
	}
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	plain, err := webpush.Decrypt(body, b.key, b.auth)
	if err != nil {
		ps.fail("decrypt: " + err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	status := http.StatusCreated
	if a := ps.answers[r.URL.Path]; len(a) > 0 {
		status, ps.answers[r.URL.Path] = a[0], a[1:]
	}
	if status == http.StatusCreated {
		var p pushPayload
		if err := json.Unmarshal(plain, &p); err != nil {
			ps.fail("payload: " + err.Error())
		}
		ps.got[r.URL.Path] = append(ps.got[r.URL.Path], p)
	}
	w.WriteHeader(status)
}

func (ps *pushService) received(path string) []pushPayload {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, p := range ps.problems {
		ps.t.Error("push service: " + p)
	}
	ps.problems = nil
	return ps.got[path]
}

func TestWebPushDelivery(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		push, err := NewPush(PushOptions{DB: d, Box: testBox, Key: key, Subject: "https://sep.example.ru",
			Client: &http.Client{Timeout: 5 * time.Second}}) // the default client refuses loopback
		if err != nil {
			t.Fatal(err)
		}
		n := newTestNotifier(t, d, Options{Push: push, PushLoopback: true})
		runWorkers(t, n)
		ps := newPushService(t, n.PushKey())

		// Three browsers of one account: one that works, one whose subscription expired (410),
		// one whose push service is overloaded once (503, then it takes the message).
		for _, b := range []*browser{ps.browser("/ok"), ps.browser("/gone", http.StatusGone), ps.browser("/busy", http.StatusServiceUnavailable)} {
			if _, err := n.Subscribe(ctx, "anna", b.sub); err != nil {
				t.Fatal(err)
			}
		}
		if c, _ := n.Subscriptions(ctx, "anna"); c != 3 {
			t.Fatalf("subscriptions = %d", c)
		}
		id := send(t, n, statusTo(Recipient{AccountID: "anna", Lang: "ru"}, Push))
		ds := waitFinal(t, n, id)
		var sent, failed int
		for _, s := range ds {
			switch {
			case s.State == Sent:
				sent++
			case s.State == Failed && strings.Contains(s.Reason, "410"):
				failed++
			default:
				t.Errorf("delivery %+v", s)
			}
			if strings.Contains(s.Reason, ps.srv.URL) || strings.Contains(s.Receipt, ps.srv.URL) {
				t.Errorf("a delivery record names the endpoint: %+v", s)
			}
		}
		if sent != 2 || failed != 1 {
			t.Fatalf("deliveries: %+v", ds)
		}
		for _, path := range []string{"/ok", "/busy"} {
			got := ps.received(path)
			if len(got) != 1 || got[0].Title != "Заявление 2026-000001: approved" || !strings.Contains(got[0].Body, "2026-000001") ||
				got[0].Tag != id {
				t.Errorf("%s received %+v", path, got)
			}
		}
		if len(ps.received("/gone")) != 0 {
			t.Error("the expired subscription got a message")
		}
		if c, _ := n.Subscriptions(ctx, "anna"); c != 2 {
			t.Fatalf("after a 410: %d subscriptions, want the expired one dropped", c)
		}

		// The same browser subscribing again (another account signed in on it) moves it.
		okB := ps.browsers["/ok"]
		if _, err := n.Subscribe(ctx, "boris", okB.sub); err != nil {
			t.Fatal(err)
		}
		if a, b := countSubs(t, n, "anna"), countSubs(t, n, "boris"); a != 1 || b != 1 {
			t.Fatalf("after re-subscribing: anna %d, boris %d", a, b)
		}
		// Unsubscribing another account's browser is not found; one's own works.
		if err := n.Unsubscribe(ctx, "anna", okB.sub.Endpoint); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("anna unsubscribing boris's browser: %v", err)
		}
		if err := n.Unsubscribe(ctx, "boris", okB.sub.Endpoint); err != nil {
			t.Fatal(err)
		}
		if countSubs(t, n, "boris") != 0 {
			t.Fatal("unsubscribe left the subscription")
		}
		// The endpoint and keys are sealed at rest.
		var raw []byte
		if err := d.Reader().QueryRow(`SELECT endpoint FROM notify_push_subscriptions LIMIT 1`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "127.0.0.1") {
			t.Fatal("the endpoint is stored in clear")
		}
	})
}

func countSubs(t *testing.T, n *Notifier, account string) int {
	c, err := n.Subscriptions(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSubscriptionChecks(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	n := newTestNotifier(t, d, Options{Outbox: true})
	good := newBrowser(t, "https://push.example.net/x").sub
	for name, s := range map[string]Subscription{
		"http":        func() Subscription { s := good; s.Endpoint = "http://push.example.net/x"; return s }(),
		"loopback":    func() Subscription { s := good; s.Endpoint = "http://127.0.0.1:9/x"; return s }(),
		"not a url":   func() Subscription { s := good; s.Endpoint = "push"; return s }(),
		"short auth":  func() Subscription { s := good; s.Keys.Auth = "AAAA"; return s }(),
		"bad p256dh":  func() Subscription { s := good; s.Keys.P256dh = strings.Repeat("A", 87); return s }(),
		"no p256dh":   func() Subscription { s := good; s.Keys.P256dh = ""; return s }(),
		"with a user": func() Subscription { s := good; s.Endpoint = "https://u:p@push.example.net/x"; return s }(),
	} {
		if _, err := n.Subscribe(context.Background(), "anna", s); errs.IDOf(err) != "notify.push.bad_subscription" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := n.Subscribe(context.Background(), "anna", good); err != nil {
		t.Fatal(err)
	}
}

// The default client of the push transport will not POST into sep's own network, whatever a
// subscription says.
func TestPushRefusesPrivateAddresses(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	push, err := NewPush(PushOptions{DB: d, Box: testBox, Key: key, Subject: "https://sep.example.ru"})
	if err != nil {
		t.Fatal(err)
	}
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	n := newTestNotifier(t, d, Options{Push: push, PushLoopback: true})
	b := newBrowser(t, srv.URL+"/x")
	sid, err := n.Subscribe(context.Background(), "anna", b.sub)
	if err != nil {
		t.Fatal(err)
	}
	_, err = push.Deliver(context.Background(), &Delivery{ID: "d", MessageID: "m", Kind: TestMessage, Channel: Push,
		Address: sid, AccountID: "anna", CreatedAt: time.Now()})
	if err == nil || hit || strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("delivery to a loopback endpoint: %v (reached: %v)", err, hit)
	}
}
