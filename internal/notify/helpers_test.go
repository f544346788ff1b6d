package notify

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
)

// testBox seals the personal data of every test in the package.
var testBox = seal.NewBox(seal.GenerateRing(), nil)

// newTestNotifier builds a notifier on d with fast retries; opt's DB and Jobs are filled in.
func newTestNotifier(t testing.TB, d *db.DB, opt Options) *Notifier {
	t.Helper()
	opt.DB = d
	if opt.Box == nil {
		opt.Box = testBox
	}
	if opt.Jobs == nil {
		opt.Jobs = jobs.New(d)
	}
	if opt.Backoff == nil {
		opt.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	}
	if opt.SiteURL == "" {
		opt.SiteURL = "https://sep.example.ru"
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// runWorkers runs n's job queue until the test ends.
func runWorkers(t testing.TB, n *Notifier) {
	t.Helper()
	runQueue(t, n.jobs, time.Minute)
}

func runQueue(t testing.TB, q *jobs.Queue, lease time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		q.Run(ctx, jobs.RunOptions{Concurrency: 2, PollInterval: 10 * time.Millisecond, Lease: lease, Grace: time.Second})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFinal waits until every delivery of the message has ended (sent or failed).
func waitFinal(t testing.TB, n *Notifier, msgID string) []DeliveryStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds, err := n.Deliveries(context.Background(), msgID)
		if err != nil {
			t.Fatal(err)
		}
		final := true
		for _, d := range ds {
			if d.State != Sent && d.State != Failed {
				final = false
			}
		}
		if final {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries of %s did not end: %+v", msgID, ds)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func send(t testing.TB, n *Notifier, m Message) string {
	t.Helper()
	id, err := n.Send(context.Background(), nil, m)
	if err != nil {
		t.Fatalf("Send %s: %v", m.Kind, err)
	}
	return id
}

func codeMessage(kind KindName, phone, code string) Message {
	return Message{Kind: kind, To: Recipient{Phone: phone, Lang: "ru"},
		Data: map[string]any{"Code": code, "ValidMinutes": int(CodeTTL / time.Minute)}}
}

// browser is a browser's side of a push subscription: the keys only it holds.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
	sub  Subscription
}

func newBrowser(t testing.TB, endpoint string) *browser {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{key: k, auth: make([]byte, 16)}
	rand.Read(b.auth)
	b.sub.Endpoint = endpoint
	b.sub.Keys.P256dh = base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())
	b.sub.Keys.Auth = base64.RawURLEncoding.EncodeToString(b.auth)
	return b
}

// subscribeBrowser registers a new browser's subscription for the account.
func subscribeBrowser(t testing.TB, n *Notifier, accountID, endpoint string) *browser {
	t.Helper()
	b := newBrowser(t, endpoint)
	if _, err := n.Subscribe(context.Background(), accountID, b.sub); err != nil {
		t.Fatal(err)
	}
	return b
}
