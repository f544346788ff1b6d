package notify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The purges of the retention job (internal/retention): each deletes up to limit rows older
// than before, in one statement, and reports how many.

// PurgeCodes deletes messages of secret kinds (one-time codes) created before before, with
// their deliveries. A code is useless minutes after it is sent; its record is kept a little
// longer only to answer "did my code go out?".
func (n *Notifier) PurgeCodes(ctx context.Context, before time.Time, limit int) (int, error) {
	return n.purgeMessages(ctx, true, before, limit)
}

// PurgeMessages deletes the other messages created before before, with their deliveries.
func (n *Notifier) PurgeMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	return n.purgeMessages(ctx, false, before, limit)
}

func (n *Notifier) purgeMessages(ctx context.Context, secret bool, before time.Time, limit int) (int, error) {
	var names []any
	for _, k := range kinds {
		if k.Secret {
			names = append(names, string(k.Name))
		}
	}
	marks := make([]string, len(names))
	for i := range names {
		marks[i] = fmt.Sprintf("$%d", i+3)
	}
	in := "kind IN (" + strings.Join(marks, ", ") + ")"
	if !secret {
		in = "kind NOT IN (" + strings.Join(marks, ", ") + ")"
	}
	// Deliveries go with their message (ON DELETE CASCADE); a delivery job that comes later
	// finds no row and ends.
	return n.purge(ctx, `DELETE FROM notify_messages WHERE id IN (SELECT id FROM notify_messages
		WHERE `+in+` AND created_at < $1 LIMIT $2)`, append([]any{before.UTC(), limit}, names...)...)
}

// PurgeInbox deletes in-cabinet inbox items created before before.
func (n *Notifier) PurgeInbox(ctx context.Context, before time.Time, limit int) (int, error) {
	return n.purge(ctx, `DELETE FROM notify_inbox WHERE id IN (SELECT id FROM notify_inbox
		WHERE created_at < $1 LIMIT $2)`, before.UTC(), limit)
}

// PurgeOutbox deletes development-outbox entries created before before.
func (n *Notifier) PurgeOutbox(ctx context.Context, before time.Time, limit int) (int, error) {
	return n.purge(ctx, `DELETE FROM notify_outbox WHERE id IN (SELECT id FROM notify_outbox
		WHERE created_at < $1 LIMIT $2)`, before.UTC(), limit)
}

// PurgeRate deletes rate-limit rows not touched since before: their counts are out of every
// window (RateWindow is the longest).
func (n *Notifier) PurgeRate(ctx context.Context, before time.Time, limit int) (int, error) {
	return n.purge(ctx, `DELETE FROM notify_rate WHERE (class, addr_hash) IN (SELECT class, addr_hash FROM notify_rate
		WHERE updated_at < $1 LIMIT $2)`, before.UTC(), limit)
}

// RateWindow is the longest window of the rate limits: a rate row older than that counts
// nothing.
func (n *Notifier) RateWindow() time.Duration {
	w := time.Hour
	for _, ls := range n.limits {
		for _, l := range ls {
			w = max(w, l.Per)
		}
	}
	return w
}

func (n *Notifier) purge(ctx context.Context, query string, args ...any) (int, error) {
	res, err := n.db.Writer().ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	c, err := res.RowsAffected()
	return int(c), err
}
