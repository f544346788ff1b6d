package notify

import (
	"context"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// Codes, other messages, inbox items, outbox entries and rate rows each go when their period
// is over, and only they: deliveries go with their message.
func TestPurges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{Outbox: true, Limits: map[Class][]Limit{Codes: {{N: 10, Per: time.Hour}}}})
		runWorkers(t, n)
		to := Recipient{Phone: "+79000000031", AccountID: "acc-p", Email: "p@example.ru"}
		subscribeBrowser(t, n, to.AccountID, "https://push.example.net/p")
		oldCode := send(t, n, Message{Kind: SigninCode, To: to, Data: map[string]any{"Code": "1", "ValidMinutes": 5}})
		oldTest := send(t, n, Message{Kind: TestMessage, To: to})
		newCode := send(t, n, Message{Kind: SigninCode, To: to, Data: map[string]any{"Code": "2", "ValidMinutes": 5}})
		newTest := send(t, n, Message{Kind: TestMessage, To: to})
		for _, id := range []string{oldCode, oldTest, newCode, newTest} {
			waitFinal(t, n, id)
		}
		// Two days pass for the first two messages and what they left.
		old := time.Now().Add(-48 * time.Hour).UTC()
		for _, q := range []string{`UPDATE notify_messages SET created_at = $1 WHERE id IN ($2, $3)`,
			`UPDATE notify_inbox SET created_at = $1 WHERE message_id IN ($2, $3)`,
			`UPDATE notify_outbox SET created_at = $1 WHERE message_id IN ($2, $3)`} {
			if _, err := d.Writer().Exec(q, old, oldCode, oldTest); err != nil {
				t.Fatal(err)
			}
		}
		count := func(q string, args ...any) int {
			var c int
			if err := d.Reader().QueryRow(q, args...).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		day := time.Now().Add(-24 * time.Hour)
		if c, err := n.PurgeCodes(ctx, day, 100); err != nil || c != 1 {
			t.Fatalf("PurgeCodes = %d, %v; want the old code only", c, err)
		}
		if count(`SELECT count(*) FROM notify_deliveries WHERE message_id = $1`, oldCode) != 0 {
			t.Fatal("the purged code's deliveries stayed")
		}
		if c, err := n.PurgeMessages(ctx, day, 100); err != nil || c != 1 {
			t.Fatalf("PurgeMessages = %d, %v; want the old test message only", c, err)
		}
		if count(`SELECT count(*) FROM notify_messages`) != 2 {
			t.Fatal("a message within its period was purged")
		}
		if c, err := n.PurgeInbox(ctx, day, 100); err != nil || c != 1 {
			t.Fatalf("PurgeInbox = %d, %v; want the old inbox item", c, err)
		}
		if c, err := n.PurgeOutbox(ctx, day, 100); err != nil || c != 5 {
			t.Fatalf("PurgeOutbox = %d, %v; want the 5 old outbox entries (the code by SMS and e-mail, the test message by SMS, e-mail and push)", c, err)
		}
		if w := n.RateWindow(); w != time.Hour {
			t.Fatalf("RateWindow = %v, want the longest limit's", w)
		}
		rates := count(`SELECT count(*) FROM notify_rate`)
		if c, err := n.PurgeRate(ctx, time.Now().Add(-time.Hour), 100); err != nil || c != 0 {
			t.Fatalf("PurgeRate of rows touched just now = %d, %v", c, err)
		}
		if c, err := n.PurgeRate(ctx, time.Now().Add(time.Minute), 100); err != nil || c != rates || rates == 0 {
			t.Fatalf("PurgeRate of every row = %d of %d, %v", c, rates, err)
		}
		if c, _ := n.PurgeCodes(ctx, day, 100); c != 0 {
			t.Fatalf("a second purge deleted %d more", c)
		}
	})
}
