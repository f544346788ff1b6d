package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"github.com/sep-platform/sep/internal/notify"
)

type outboxJSON struct {
	Messages []outboxMessage
}

type outboxMessage struct {
	Recipient, Channel, Kind, Subject, Body string
	CreatedAt                               time.Time `json:"created_at"`
}

// lastMessages polls /dev/outbox.json?to=… until it lists want messages, as a test reading
// its SMS code would.
func lastMessages(t *testing.T, base, to string, want int) outboxJSON {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/dev/outbox.json?to=" + strings.ReplaceAll(to, " ", "%20"))
		if err != nil {
			t.Fatal(err)
		}
		var out outboxJSON
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("outbox.json: %d %v", resp.StatusCode, err)
		}
		if len(out.Messages) >= want {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox has %d messages for %s, want %d", len(out.Messages), to, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// latestOfKind waits for a message of kind to to and returns the newest one (alerts and codes
// of other kinds may come between).
func latestOfKind(t *testing.T, base, to, kind string) outboxMessage {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, m := range lastMessages(t, base, to, 0).Messages {
			if m.Kind == kind {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s message to %s", kind, to)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sendCode(t *testing.T, sep *Instance, phone, code, lang string) {
	t.Helper()
	_, err := sep.Notify.Send(context.Background(), nil, notify.Message{Kind: notify.SigninCode,
		To: notify.Recipient{Phone: phone, Lang: lang}, Data: map[string]any{"Code": code, "ValidMinutes": 5}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDevOutbox(t *testing.T) {
	sep := Start(t)
	sendCode(t, sep, "+7 900 555-01-01", "100001", "ru")
	sendCode(t, sep, "8 900 555-01-02", "200002", "en")
	sendCode(t, sep, "+79005550101", "300003", "ru")

	out := lastMessages(t, sep.URL, "8 (900) 555-01-01", 2)
	if len(out.Messages) != 2 || !strings.Contains(out.Messages[0].Body, "300003") || !strings.Contains(out.Messages[1].Body, "100001") {
		t.Fatalf("codes for +79005550101, newest first: %+v", out.Messages)
	}
	if m := out.Messages[0]; m.Recipient != "+79005550101" || m.Channel != "sms" || m.Kind != "signin_code" || m.Subject != "Код для входа в СЭП" {
		t.Fatalf("entry: %+v", m)
	}
	lastMessages(t, sep.URL, "+79005550102", 1)

	b := NewBrowser(t)
	b.Open(sep.URL + "/dev/outbox")
	if h1 := b.Text("h1"); h1 != "Исходящие сообщения" {
		t.Fatalf("h1 = %q", h1)
	}
	if first := b.Text(".outbox-entry .outbox-body"); !strings.Contains(first, "300003") {
		t.Fatalf("the first entry on the page: %q", first)
	}
	b.CheckA11y()

	// The filter is a plain GET form: it works without JavaScript.
	b.DisableJavaScript(true)
	b.Do(chromedp.SendKeys(chromedp.CSS("#outbox-to"), "8 900 555-01-02"))
	b.Submit(".outbox-filter button")
	b.WaitFor(".outbox-filter a")
	if n := Eval[int](b, `document.querySelectorAll('.outbox-entry').length`); n != 1 {
		t.Fatalf("after filtering, %d entries", n)
	}
	if body := b.Text(".outbox-entry .outbox-body"); !strings.HasPrefix(body, "SEP: sign-in code 200002.") {
		t.Fatalf("the filtered entry: %q", body)
	}
	b.DisableJavaScript(false)
	b.CheckA11y()

	b.Do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	b.Open(sep.URL + "/dev/outbox")
	if Eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Fatal("the outbox page scrolls sideways on a 360 px wide phone")
	}
	b.CheckA11y()
}

// mailSink is a plain SMTP relay on 127.0.0.1 that keeps what it accepts.
type mailSink struct {
	mu   sync.Mutex
	msgs []string
}

type sinkSession struct{ s *mailSink }

func (s sinkSession) Reset()                               {}
func (s sinkSession) Logout() error                        { return nil }
func (s sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.s.mu.Lock()
	s.s.msgs = append(s.s.msgs, string(b))
	s.s.mu.Unlock()
	return err
}

func startSink(t *testing.T) (*mailSink, string) {
	sink := &mailSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{sink}, nil }))
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink, ln.Addr().String()
}

func productionSettings(t *testing.T, more ...string) []string {
	settings := append([]string{"SEP_MODE", "production", "SEP_PUBLIC_URL", "http://127.0.0.1:0",
		"SEP_SMTP_FROM", "СЭП <noreply@sep.example.ru>"}, ProductionKeys(t)...)
	return append(settings, more...)
}

func TestProductionSendsMailAndHasNoOutbox(t *testing.T) {
	sink, addr := startSink(t)
	sep := Start(t, productionSettings(t, "SEP_SMTP_URL", "smtp://"+addr+"?tls=none")...)
	for _, path := range []string{"/dev/outbox", "/dev/outbox.json"} {
		resp, err := http.Get(sep.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s in production: %d, want 404", path, resp.StatusCode)
		}
	}
	id, err := sep.Notify.Send(context.Background(), nil, notify.Message{Kind: notify.TestMessage,
		To: notify.Recipient{Email: "anna@example.ru", Lang: "en"}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds, err := sep.Notify.Deliveries(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ds[0].State == notify.Sent {
			break
		}
		if ds[0].State == notify.Failed || time.Now().After(deadline) {
			t.Fatalf("delivery: %+v", ds[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
	sink.mu.Lock()
	got := append([]string(nil), sink.msgs...)
	sink.mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0], "Subject: SEP notification test") {
		t.Fatalf("the relay got %q", got)
	}
	resp, err := http.Get(sep.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `sep_notify_deliveries_total{channel="email",outcome="sent"} 1`) {
		t.Fatal("/metrics does not count the sent e-mail")
	}
}

func TestProductionWithForcedOutbox(t *testing.T) {
	sep := Start(t, productionSettings(t, "SEP_SMTP_URL", "smtp://127.0.0.1:9?tls=none", "SEP_NOTIFY_OUTBOX", "true")...)
	resp, err := http.Get(sep.URL + "/dev/outbox.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/dev/outbox.json in production with the outbox forced: %d, want 404", resp.StatusCode)
	}
	sendCode(t, sep, "+79005550199", "990099", "ru")
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := notify.Outbox(context.Background(), sep.DB, sep.Seal.Box, notify.OutboxFilter{To: "+79005550199"})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 1 && strings.Contains(out[0].Body, "990099") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the forced outbox holds %+v", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
