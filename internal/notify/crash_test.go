package notify

import (
	"bytes"
	"context"
	"net/mail"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
)

// resumeWatch records, per attempt, whether the delivery was marked as resumed.
type resumeWatch struct {
	Transport
	mu      sync.Mutex
	resumed []bool
}

func (w *resumeWatch) Deliver(ctx context.Context, d *Delivery) (string, error) {
	w.mu.Lock()
	w.resumed = append(w.resumed, d.Resumed)
	w.mu.Unlock()
	return w.Transport.Deliver(ctx, d)
}

// crashAfterSend runs a message through two instances on one database: the first one's worker
// dies right after the transport succeeded, before it records that; the second takes the job
// over when the lease expires. It returns the delivery's final status.
func crashAfterSend(t *testing.T, url string, tr Transport, m Message) (DeliveryStatus, []bool) {
	t.Helper()
	watch := &resumeWatch{Transport: tr}
	da := dbtest.Open(t, url)
	a := newTestNotifier(t, da, Options{Transports: map[Channel]Transport{Email: watch, SMS: watch}})
	died := make(chan struct{})
	var once atomic.Bool
	a.afterDeliver = func(string) {
		if once.CompareAndSwap(false, true) {
			close(died)
			runtime.Goexit() // the worker goroutine ends here, as if the process had been killed
		}
	}
	ctx, stopA := context.WithCancel(context.Background())
	doneA := make(chan struct{})
	go func() {
		a.jobs.Run(ctx, jobs.RunOptions{PollInterval: 10 * time.Millisecond, Lease: 600 * time.Millisecond, Grace: time.Second})
		close(doneA)
	}()
	id := send(t, a, m)
	select {
	case <-died:
	case <-time.After(20 * time.Second):
		t.Fatal("the first instance never delivered")
	}
	stopA()
	<-doneA
	ds, err := a.Deliveries(context.Background(), id)
	if err != nil || ds[0].State != Sending {
		t.Fatalf("after the crash the delivery is %+v (%v), want sending", ds, err)
	}

	db2 := dbtest.Open(t, url)
	b := newTestNotifier(t, db2, Options{Transports: map[Channel]Transport{Email: watch, SMS: watch}})
	runWorkers(t, b)
	final := waitFinal(t, b, id)[0]
	watch.mu.Lock()
	defer watch.mu.Unlock()
	return final, watch.resumed
}

func TestCrashBetweenSendAndRecord(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { crashTests(t, engine) })
	}
}

func crashTests(t *testing.T, engine string) {
	url := func() string {
		if engine == "postgres" {
			return dbtest.PostgresURL(t)
		}
		return dbtest.SQLiteURL(t)
	}()
	t.Run("SMS gateway with client ids: delivered once", func(t *testing.T) {
		g := startGateway(t)
		s, resumed := crashAfterSend(t, url, newSMSTransport(t, SMSOptions{URL: g.URL}),
			codeMessage(SigninCode, "+79001230000", "555000"))
		if s.State != Sent || s.Attempts != 2 {
			t.Fatalf("delivery: %+v", s)
		}
		if len(resumed) != 2 || resumed[0] || !resumed[1] {
			t.Fatalf("Resumed per attempt: %v, want [false true]", resumed)
		}
		reqs, delivered := g.snapshot()
		if len(reqs) != 2 || reqs[0].JSON["client_id"] != s.ID || reqs[1].JSON["client_id"] != s.ID {
			t.Fatalf("requests: %+v", reqs)
		}
		if len(delivered) != 1 {
			t.Fatalf("the phone got %d SMS, want 1", len(delivered))
		}
	})
	t.Run("SMTP: sent again with the same Message-ID", func(t *testing.T) {
		srv, clientTLS := startMailServer(t, false, nil)
		s, _ := crashAfterSend(t, url, newSMTPTransport(t, "smtp://sep:p%40ss%3Aword@"+srv.Addr, clientTLS),
			statusMessage("anna@example.ru"))
		if s.State != Sent || s.Attempts != 2 {
			t.Fatalf("delivery: %+v", s)
		}
		got := srv.received()
		if len(got) != 2 {
			t.Fatalf("the server got %d messages, want the message and its repeat", len(got))
		}
		var ids []string
		for _, r := range got {
			msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, msg.Header.Get("Message-ID"))
		}
		if ids[0] != ids[1] || ids[0] != "<"+s.ID+"@sep.example.ru>" {
			t.Fatalf("Message-IDs %q, want both <%s@sep.example.ru>", ids, s.ID)
		}
	})
}
