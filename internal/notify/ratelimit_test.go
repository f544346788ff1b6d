package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

func TestRateLimitPerRecipient(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{Outbox: true,
			Limits: map[Class][]Limit{Codes: {{3, 10 * time.Minute}, {5, 24 * time.Hour}}}})
		clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		n.now = func() time.Time { return clock }
		try := func(phone string) error {
			_, err := n.Send(ctx, nil, codeMessage(SigninCode, phone, "123456"))
			return err
		}
		// Three codes a minute apart, the same phone spelt three ways.
		for i, phone := range []string{"+79001112233", "8 900 111-22-33", "+7 (900) 111 22 33"} {
			if err := try(phone); err != nil {
				t.Fatalf("code %d: %v", i+1, err)
			}
			clock = clock.Add(time.Minute)
		}
		err := try("89001112233")
		if errs.KindOf(err) != errs.TooMany || errs.IDOf(err) != "notify.rate_limited" {
			t.Fatalf("the fourth code in 10 minutes: %v", err)
		}
		var rl *RateLimitError
		if !errors.As(err, &rl) || rl.Wait != 7*time.Minute || rl.Channel != SMS || rl.Class != Codes {
			t.Fatalf("rate limit error: %+v", rl)
		}
		// The web layer finds the wait for Retry-After through the error chain.
		var later web.RetryLater
		if !errors.As(err, &later) || later.RetryAfter() != 7*time.Minute {
			t.Fatalf("the refusal does not tell the web layer when to retry: %v", err)
		}
		if msg := rl.Message(i18n.Default().Printer("ru")); msg != "Слишком много кодов на этот номер. Повторите через 7 минут." {
			t.Errorf("ru message: %q", msg)
		}
		if msg := rl.Message(i18n.Default().Printer("en")); msg != "Too many codes to this number. Try again in 7 minutes." {
			t.Errorf("en message: %q", msg)
		}
		// Another phone has its own budget; so does another class (test messages).
		if err := try("+79001112234"); err != nil {
			t.Fatalf("another phone: %v", err)
		}
		if _, err := n.Send(ctx, nil, Message{Kind: TestMessage, To: Recipient{Phone: "+79001112233"}}); err != nil {
			t.Fatalf("a test message (class without limits here): %v", err)
		}
		// When the first code leaves the 10-minute window, one more is allowed, and the
		// daily limit (5) comes next.
		clock = clock.Add(7 * time.Minute)
		if err := try("+79001112233"); err != nil {
			t.Fatalf("after 10 minutes: %v", err)
		}
		clock = clock.Add(10 * time.Minute)
		if err := try("+79001112233"); err != nil {
			t.Fatalf("the fifth code of the day: %v", err)
		}
		clock = clock.Add(10 * time.Minute)
		err = try("+79001112233")
		if !errors.As(err, &rl) || rl.Wait < 23*time.Hour {
			t.Fatalf("the sixth code of the day: %v (%+v)", err, rl)
		}
		// Refusals stored nothing: 5 + 1 + 1 messages.
		var count int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM notify_messages`).Scan(&count); err != nil || count != 7 {
			t.Fatalf("messages stored: %d (%v), want 7", count, err)
		}
		// The table keys addresses by a digest keyed with the data key: neither the number nor
		// its plain hash (which anyone could compute for every number) is there.
		plainHash := sha256.Sum256([]byte("sms:+79001112233"))
		var clear int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM notify_rate WHERE addr_hash LIKE '%9001112233%' OR addr_hash = $1`,
			hex.EncodeToString(plainHash[:16])).Scan(&clear); err != nil || clear != 0 {
			t.Fatalf("rate rows with the number in clear or under a plain hash: %d (%v)", clear, err)
		}
		other := newTestNotifier(t, d, Options{Box: seal.NewBox(seal.GenerateRing(), nil)})
		if n.addressKey(SMS, "+79001112233") == other.addressKey(SMS, "+79001112233") {
			t.Fatal("two data keys give one rate key: the digest is not keyed")
		}
	})
}

// Two instances on one database share each recipient's budget, even sending at once.
func TestRateLimitAcrossInstances(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			url := dbtest.SQLiteURL(t)
			if engine == "postgres" {
				url = dbtest.PostgresURL(t)
			}
			limits := map[Class][]Limit{Codes: {{4, time.Hour}}}
			var ns []*Notifier
			for range 2 {
				d := dbtest.Open(t, url)
				ns = append(ns, newTestNotifier(t, d, Options{Outbox: true, Limits: limits, Jobs: jobs.New(d)}))
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok, limited := 0, 0
			for i := range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := ns[i%2].Send(context.Background(), nil, codeMessage(SigninCode, "+79005550000", "1"))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case errs.KindOf(err) == errs.TooMany:
						limited++
					default:
						t.Errorf("send: %v", err)
					}
				}()
			}
			wg.Wait()
			if ok != 4 || limited != 8 {
				t.Fatalf("12 concurrent codes from two instances: %d sent, %d limited; want 4 and 8", ok, limited)
			}
		})
	}
}
