package notify

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// smsGateway is a test SMS gateway. It answers with the statuses queued in replies (then 200),
// and, like gateways that honour a client message id, delivers each id once.
type smsGateway struct {
	*httptest.Server
	mu        sync.Mutex
	requests  []gatewayRequest
	delivered map[string]string // client id → text
	replies   []int
}

type gatewayRequest struct {
	Header http.Header
	Body   string
	Form   url.Values
	JSON   map[string]string
}

func startGateway(t *testing.T, replies ...int) *smsGateway {
	g := &smsGateway{delivered: map[string]string{}, replies: replies}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		req := gatewayRequest{Header: r.Header.Clone(), Body: string(b)}
		id, text := "", ""
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			req.Form, _ = url.ParseQuery(string(b))
			id, text = req.Form.Get("msgid"), req.Form.Get("msg")
		} else if err := json.Unmarshal(b, &req.JSON); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		} else {
			id, text = req.JSON["client_id"], req.JSON["text"]
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.requests = append(g.requests, req)
		status := http.StatusOK
		if len(g.replies) > 0 {
			status, g.replies = g.replies[0], g.replies[1:]
		}
		if status == http.StatusOK {
			if _, dup := g.delivered[id]; !dup {
				g.delivered[id] = text
			}
		}
		w.WriteHeader(status)
		io.WriteString(w, `{"status":"ok","to":"+79000000000"}`)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) snapshot() ([]gatewayRequest, map[string]string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := map[string]string{}
	for k, v := range g.delivered {
		d[k] = v
	}
	return append([]gatewayRequest(nil), g.requests...), d
}

func newSMSTransport(t *testing.T, opt SMSOptions) *SMSTransport {
	t.Helper()
	tr, err := NewSMS(opt)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestSMSGatewayBodyTemplateAndAuth(t *testing.T) {
	g := startGateway(t)
	u, _ := url.Parse(g.URL)
	u.User, u.Path = url.UserPassword("sep", "key"), "/send"
	tr := newSMSTransport(t, SMSOptions{URL: u.String(), Auth: "X-Api-Key: s3cret",
		ContentType: "application/x-www-form-urlencoded", Sender: "SEP",
		Body: `to={{query .PhoneDigits}}&msg={{query .Text}}&msgid={{query .ID}}&from={{query .Sender}}`})
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	n := newTestNotifier(t, d, Options{Transports: map[Channel]Transport{SMS: tr}})
	runWorkers(t, n)
	ds := waitFinal(t, n, send(t, n, codeMessage(SigninCode, "8 900 123-45-67", "905113")))
	if ds[0].State != Sent || ds[0].Receipt != "HTTP 200 OK" {
		t.Fatalf("delivery: %+v", ds[0])
	}
	reqs, _ := g.snapshot()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth(); !ok || user != "sep" || pass != "key" {
		t.Errorf("basic auth %q %q %v", user, pass, ok)
	}
	if r.Header.Get("X-Api-Key") != "s3cret" || r.Header.Get("Idempotency-Key") != ds[0].ID {
		t.Errorf("headers: %v", r.Header)
	}
	want := url.Values{"to": {"79001234567"}, "msg": {"СЭП: код для входа 905113. Действует 5 минут. Никому не сообщайте."},
		"msgid": {ds[0].ID}, "from": {"SEP"}}
	for k := range want {
		if r.Form.Get(k) != want.Get(k) {
			t.Errorf("form %s = %q, want %q (body %q)", k, r.Form.Get(k), want.Get(k), r.Body)
		}
	}
}

func TestSMSGatewayFailures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		cases := []struct {
			name     string
			replies  []int
			state    State
			attempts int
			reason   string
		}{
			{"500 then 200", []int{500}, Sent, 2, "HTTP 500"},
			{"429 then 503 then 200", []int{429, 503}, Sent, 3, "HTTP 503"},
			{"400 refuses", []int{400}, Failed, 1, "refused with HTTP 400"},
			{"401 refuses", []int{401}, Failed, 1, "refused with HTTP 401"},
			{"always 502", []int{502, 502, 502, 502}, Failed, 3, "gave up after 3 attempts: sms gateway: HTTP 502"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				g := startGateway(t, c.replies...)
				n := newTestNotifier(t, d, Options{MaxAttempts: 3, Transports: map[Channel]Transport{
					SMS: newSMSTransport(t, SMSOptions{URL: g.URL})}})
				runWorkers(t, n)
				ds := waitFinal(t, n, send(t, n, codeMessage(ConfirmCode, "+79001234567", "111222")))
				s := ds[0]
				if s.State != c.state || s.Attempts != c.attempts || !strings.Contains(s.Reason, c.reason) {
					t.Fatalf("delivery: %+v; want %s after %d attempts, reason with %q", s, c.state, c.attempts, c.reason)
				}
				if strings.Contains(s.Reason, "7900") || strings.Contains(s.Receipt, "7900") {
					t.Fatalf("the record holds the phone: %+v", s)
				}
				reqs, delivered := g.snapshot()
				if len(reqs) != c.attempts {
					t.Fatalf("the gateway got %d requests, want %d", len(reqs), c.attempts)
				}
				for _, r := range reqs {
					if r.JSON["client_id"] != s.ID || r.JSON["to"] != "+79001234567" {
						t.Fatalf("request body %q", r.Body)
					}
				}
				if want := map[State]int{Sent: 1, Failed: 0}[c.state]; len(delivered) != want {
					t.Fatalf("the gateway delivered %d SMS, want %d", len(delivered), want)
				}
			})
		}
	})
}

func TestNewSMSRefusesBadSettings(t *testing.T) {
	for _, opt := range []SMSOptions{
		{URL: "ftp://sms.example.ru"},
		{URL: "https://"},
		{URL: "https://sms.example.ru", Auth: "no colon"},
		{URL: "https://sms.example.ru", Auth: "X-Key: a\nb"},
		{URL: "https://sms.example.ru", Body: "{{.Phone"},
		{URL: "https://sms.example.ru", Body: "{{.Nope}}"},
	} {
		if _, err := NewSMS(opt); err == nil {
			t.Errorf("NewSMS(%+v) accepted", opt)
		}
	}
}
