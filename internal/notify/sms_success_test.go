package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// A gateway that answers like SMS.ru: HTTP 200 whatever happened, the outcome in the body —
// here first an error (no money on the account), then the message accepted.
func smsRuGateway(t *testing.T, bodies ...string) (*httptest.Server, *int) {
	var mu sync.Mutex
	calls := 0
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		body := bodies[min(calls, len(bodies)-1)]
		calls++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s, &calls
}

const (
	smsRuError = `{"status":"OK","status_code":100,"sms":{"79001234567":{"status":"ERROR","status_code":201,"status_text":"Не хватает средств на лицевом счету"}},"balance":0}`
	smsRuSent  = `{"status":"OK","status_code":100,"sms":{"79001234567":{"status":"OK","status_code":100,"sms_id":"000000-10000000"}},"balance":4122.56}`
)

// With a success pattern, a 200 whose body says the message was not sent is a failed attempt,
// retried; without one, any 200 counts as sent (the gateway's own rule).
func TestSMSSuccessPattern(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		t.Run("pattern", func(t *testing.T) {
			g, calls := smsRuGateway(t, smsRuError, smsRuSent)
			n := newTestNotifier(t, d, Options{MaxAttempts: 3, Transports: map[Channel]Transport{
				SMS: newSMSTransport(t, SMSOptions{URL: g.URL, Success: regexp.MustCompile(`"sms_id"\s*:`)})}})
			runWorkers(t, n)
			ds := waitFinal(t, n, send(t, n, codeMessage(SigninCode, "+79001234567", "123450")))
			if s := ds[0]; s.State != Sent || s.Attempts != 2 || *calls != 2 {
				t.Fatalf("delivery %+v after %d calls; want sent on the second attempt", s, *calls)
			}
		})
		t.Run("always an error", func(t *testing.T) {
			g, _ := smsRuGateway(t, smsRuError)
			n := newTestNotifier(t, d, Options{MaxAttempts: 2, Transports: map[Channel]Transport{
				SMS: newSMSTransport(t, SMSOptions{URL: g.URL, Success: regexp.MustCompile(`"sms_id"\s*:`)})}})
			runWorkers(t, n)
			s := waitFinal(t, n, send(t, n, codeMessage(SigninCode, "+79001234567", "123451")))[0]
			if s.State != Failed || !strings.Contains(s.Reason, "success pattern") {
				t.Fatalf("delivery %+v; want failed, the reason naming the pattern", s)
			}
			if strings.Contains(s.Reason, "7900") || strings.Contains(s.Reason, "средств") {
				t.Fatalf("the reason holds the gateway's answer: %q", s.Reason)
			}
		})
		t.Run("no pattern", func(t *testing.T) {
			g, _ := smsRuGateway(t, smsRuError)
			n := newTestNotifier(t, d, Options{Transports: map[Channel]Transport{SMS: newSMSTransport(t, SMSOptions{URL: g.URL})}})
			runWorkers(t, n)
			if s := waitFinal(t, n, send(t, n, codeMessage(SigninCode, "+79001234567", "123452")))[0]; s.State != Sent {
				t.Fatalf("delivery %+v", s)
			}
		})
	})
}
