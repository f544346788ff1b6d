package notify

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// A rehearsed message stores nothing, sends nothing, and counts against the address's limit
// exactly as a sent one: after as many rehearsals as sends, the same refusal. The caller's
// transaction goes on after it.
func TestRehearseCountsButStoresNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{Outbox: true, Limits: map[Class][]Limit{Codes: {{2, 10 * time.Minute}}}})
		clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		n.now = func() time.Time { return clock }
		sent, rehearsed := "+79001112241", "+79001112242"
		var sendErr, rehearseErr error
		rehearse := func(m Message) error {
			return d.Tx(ctx, func(tx *sql.Tx) error { return n.Rehearse(ctx, tx, m) })
		}
		for range 3 {
			_, sendErr = n.Send(ctx, nil, codeMessage(RecoveryCode, sent, "123456"))
			rehearseErr = rehearse(codeMessage(RecoveryCode, rehearsed, "123456"))
			clock = clock.Add(time.Minute)
		}
		var a, b *RateLimitError
		if !errors.As(sendErr, &a) || !errors.As(rehearseErr, &b) || a.Wait != b.Wait {
			t.Fatalf("the third message: sent %v, rehearsed %v; want the same refusal", sendErr, rehearseErr)
		}
		var messages, deliveries, queued int
		if err := d.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM notify_messages), (SELECT COUNT(*) FROM notify_deliveries),
			(SELECT COUNT(*) FROM jobs)`).Scan(&messages, &deliveries, &queued); err != nil {
			t.Fatal(err)
		}
		if messages != 2 || deliveries != 2 || queued != 2 {
			t.Fatalf("%d messages, %d deliveries, %d jobs stored; want the 2 sent ones only", messages, deliveries, queued)
		}
		// A message built wrongly is refused as Send refuses it.
		if err := rehearse(Message{Kind: RecoveryCode, To: Recipient{Phone: rehearsed}}); err == nil {
			t.Fatal("a code message without its code was rehearsed")
		}
	})
}
