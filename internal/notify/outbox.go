package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/seal"
)

// outboxTransport keeps what would have left the machine in the outbox table (shared by all
// instances on one database). The row's id is the delivery's: exactly once. Its time is the
// message's, so the outbox lists messages in the order they were sent, whichever worker
// delivered first.
type outboxTransport struct {
	db  *db.DB
	box *seal.Box
}

func (t *outboxTransport) Deliver(ctx context.Context, d *Delivery) (string, error) {
	body, html := d.Short, ""
	if d.Channel == Email {
		body, html = d.Text, d.HTML
	}
	to := d.Address
	if d.Channel == Push {
		to = d.AccountID // the address is a subscription's id; the account says more to a reader
	}
	idx, err := t.box.Index(outboxRecipientIdx, to)
	if err != nil {
		return "", Permanent(fmt.Errorf("outbox: %w", err))
	}
	b := t.box
	_, err = t.db.Writer().ExecContext(ctx, `INSERT INTO notify_outbox
		(id, message_id, channel, kind, recipient, recipient_idx, subject, body, body_html, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.MessageID, string(d.Channel), string(d.Kind), b.SealString(outboxRecipient, d.ID, to), idx,
		b.SealString(outboxSubject, d.ID, d.Subject), b.SealString(outboxBody, d.ID, body),
		b.SealString(outboxHTML, d.ID, html), d.CreatedAt.UTC())
	if err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	return "outbox", nil
}

// OutboxEntry is a message kept in the development outbox.
type OutboxEntry struct {
	ID        string    `json:"id"`
	MessageID string    `json:"message_id"`
	Recipient string    `json:"recipient"`
	Channel   Channel   `json:"channel"`
	Kind      KindName  `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	HTML      string    `json:"html,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// OutboxFilter narrows an outbox listing.
type OutboxFilter struct {
	To    string // a recipient, in any usual spelling of the phone or address
	Kind  KindName
	Limit int // default 50, at most 500
}

// Outbox lists the development outbox, newest first. The recipient filter finds the blind
// index of the address (under every key of the ring, so a rotation in progress misses nothing).
func Outbox(ctx context.Context, d *db.DB, box *seal.Box, f OutboxFilter) ([]OutboxEntry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := `SELECT id, message_id, recipient, channel, kind, subject, body, body_html, created_at FROM notify_outbox WHERE 1 = 1`
	args := []any{f.Limit}
	if f.To != "" {
		cands, err := box.Candidates(outboxRecipientIdx, f.To)
		if err != nil {
			return nil, err
		}
		marks := make([]string, len(cands))
		for i, c := range cands {
			args = append(args, c)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		q += ` AND recipient_idx IN (` + strings.Join(marks, ", ") + `)`
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		q += fmt.Sprintf(` AND kind = $%d`, len(args))
	}
	rows, err := d.Reader().QueryContext(ctx, q+` ORDER BY created_at DESC, message_id DESC, id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OutboxEntry{}
	for rows.Next() {
		var e OutboxEntry
		var recipient, subject, body, html seal.Sealed
		if err := rows.Scan(&e.ID, &e.MessageID, &recipient, &e.Channel, &e.Kind, &subject, &body, &html, &e.CreatedAt); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			dst *string
			col seal.Column
			v   seal.Sealed
		}{{&e.Recipient, outboxRecipient, recipient}, {&e.Subject, outboxSubject, subject}, {&e.Body, outboxBody, body},
			{&e.HTML, outboxHTML, html}} {
			if *f.dst, err = box.OpenString(f.col, e.ID, f.v); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
