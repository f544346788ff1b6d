package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
)

// State is where a delivery is in its life (see the package doc for the diagram).
type State string

// The states of a delivery.
const (
	Queued  State = "queued"  // waiting for its job (first try or a retry)
	Sending State = "sending" // handed to the transport; the outcome is not recorded yet
	Sent    State = "sent"    // the transport accepted it
	Failed  State = "failed"  // refused for good, out of attempts or expired; Reason says why
)

type deliverPayload struct {
	Delivery string `json:"delivery"`
}

// deliver is the job handler of DeliverJob: it makes one delivery and records the outcome.
func (n *Notifier) deliver(ctx context.Context, job *jobs.Job) error {
	var p deliverPayload
	if err := job.Decode(&p); err != nil {
		return err
	}
	d, state, attempts, err := n.loadDelivery(ctx, p.Delivery)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the message was deleted meanwhile: nothing to deliver
	}
	if err != nil {
		return err
	}
	if state == Sent || state == Failed {
		return nil // an earlier run finished it; the job is merely repeated
	}
	k, kerr := KindOf(d.Kind)
	now := n.now().UTC()
	switch {
	case kerr != nil:
		return n.end(ctx, d, state, attempts, "unknown message kind (removed from this version)", "failed")
	case k.TTL > 0 && now.Sub(d.CreatedAt) > k.TTL:
		return n.end(ctx, d, state, attempts, "expired: not delivered within "+k.TTL.String(), "expired")
	case n.transports[d.Channel] == nil:
		return n.end(ctx, d, state, attempts, "no transport is configured for this channel", "failed")
	}

	attempt := db.NewID()
	res, err := n.db.Writer().ExecContext(ctx, `UPDATE notify_deliveries
		SET state = 'sending', attempt_id = $4, attempts = attempts + 1, updated_at = $5
		WHERE id = $1 AND state = $2 AND attempts = $3`, d.ID, string(state), attempts, attempt, now)
	if err != nil {
		return fmt.Errorf("notify: delivery %s: %w", d.ID, err)
	}
	if cnt, _ := res.RowsAffected(); cnt == 0 {
		return nil // another worker took this delivery on since we read it
	}
	d.Attempt, d.Resumed = attempts+1, state == Sending

	receipt, derr := n.transports[d.Channel].Deliver(ctx, d)
	if n.afterDeliver != nil {
		n.afterDeliver(d.ID)
	}
	// Record the outcome even if the job's context ended meanwhile (shutdown).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	log := n.log.With("delivery", d.ID, "kind", d.Kind, "channel", d.Channel, "attempt", d.Attempt)
	switch {
	case derr == nil:
		if err := n.record(rctx, d, attempt, Sent, receipt, ""); err != nil {
			return err
		}
		n.metrics.deliveries.WithLabelValues(string(d.Channel), "sent").Inc()
		log.Debug("notify: delivered")
		return nil
	case IsPermanent(derr):
		log.Warn("notify: delivery refused", "reason", derr.Error())
		n.metrics.deliveries.WithLabelValues(string(d.Channel), "failed").Inc()
		return n.record(rctx, d, attempt, Failed, "", derr.Error())
	case job.Attempt >= job.MaxAttempts:
		log.Warn("notify: delivery failed for good", "reason", derr.Error())
		n.metrics.deliveries.WithLabelValues(string(d.Channel), "failed").Inc()
		return n.record(rctx, d, attempt, Failed, "", fmt.Sprintf("gave up after %d attempts: %s", job.Attempt, derr))
	}
	log.Info("notify: delivery attempt failed, will retry", "reason", derr.Error())
	n.metrics.deliveries.WithLabelValues(string(d.Channel), "retry").Inc()
	if err := n.record(rctx, d, attempt, Queued, "", derr.Error()); err != nil {
		return err
	}
	return fmt.Errorf("delivery %s: %w", d.ID, derr)
}

// record ends an attempt: the new state, fenced by the attempt id so that an attempt another
// worker has since taken over cannot be overwritten. A sent delivery keeps the reason its
// last failed attempt gave, as history.
func (n *Notifier) record(ctx context.Context, d *Delivery, attempt string, s State, receipt, reason string) error {
	now := n.now().UTC()
	var sentAt any
	if s == Sent {
		sentAt = now
	}
	return n.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_deliveries
			SET state = $3, receipt = $4, reason = COALESCE($5, reason), sent_at = $6, updated_at = $7, attempt_id = NULL
			WHERE id = $1 AND attempt_id = $2 AND state = 'sending'`,
			d.ID, attempt, string(s), nullString(clip(receipt)), nullString(clip(reason)), sentAt, now)
		if err != nil {
			return fmt.Errorf("notify: record delivery %s: %w", d.ID, err)
		}
		if cnt, _ := res.RowsAffected(); cnt == 0 {
			return nil // taken over by a newer attempt, which records its own outcome
		}
		if s == Sent || s == Failed {
			return n.eraseSecrets(ctx, tx, d)
		}
		return nil
	})
}

// end fails a delivery without trying it (expired, no transport).
func (n *Notifier) end(ctx context.Context, d *Delivery, from State, attempts int, reason, outcome string) error {
	err := n.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_deliveries
			SET state = 'failed', reason = $4, updated_at = $5, attempt_id = NULL
			WHERE id = $1 AND state = $2 AND attempts = $3`, d.ID, string(from), attempts, reason, n.now().UTC())
		if err != nil {
			return fmt.Errorf("notify: end delivery %s: %w", d.ID, err)
		}
		if cnt, _ := res.RowsAffected(); cnt == 0 {
			return nil
		}
		return n.eraseSecrets(ctx, tx, d)
	})
	if err == nil {
		n.metrics.deliveries.WithLabelValues(string(d.Channel), outcome).Inc()
		n.log.Warn("notify: delivery not made", "delivery", d.ID, "kind", d.Kind, "channel", d.Channel, "reason", reason)
	}
	return err
}

// eraseSecrets blanks the bodies of a secret kind's message (a one-time code) once none of
// its deliveries can still need them.
func (n *Notifier) eraseSecrets(ctx context.Context, tx *sql.Tx, d *Delivery) error {
	if k, err := KindOf(d.Kind); err != nil || !k.Secret {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE notify_messages SET body_text = NULL, body_html = NULL, body_short = NULL
		WHERE id = $1 AND NOT EXISTS (
			SELECT 1 FROM notify_deliveries WHERE message_id = $1 AND state IN ('queued', 'sending'))`, d.MessageID)
	return err
}

func (n *Notifier) loadDelivery(ctx context.Context, id string) (*Delivery, State, int, error) {
	d := &Delivery{}
	var state string
	var attempts int
	var account sql.NullString
	var address, subject, text, html, short seal.Sealed
	err := n.db.Reader().QueryRowContext(ctx, `SELECT d.id, d.message_id, m.kind, d.channel, d.address,
			m.account_id, m.lang, m.subject, m.body_text, m.body_html, m.body_short, d.state, d.attempts, m.created_at
		FROM notify_deliveries d JOIN notify_messages m ON m.id = d.message_id WHERE d.id = $1`, id).Scan(
		&d.ID, &d.MessageID, &d.Kind, &d.Channel, &address, &account, &d.Lang, &subject, &text, &html,
		&short, &state, &attempts, &d.CreatedAt)
	if err != nil {
		return nil, "", 0, err
	}
	d.AccountID = account.String
	b := n.box
	for _, f := range []struct {
		dst *string
		col seal.Column
		row string
		v   seal.Sealed
	}{
		{&d.Address, deliveryAddress, d.ID, address}, {&d.Subject, msgSubject, d.MessageID, subject},
		{&d.Text, msgText, d.MessageID, text}, {&d.HTML, msgHTML, d.MessageID, html}, {&d.Short, msgShort, d.MessageID, short},
	} {
		if *f.dst, err = b.OpenString(f.col, f.row, f.v); err != nil {
			return nil, "", 0, err
		}
	}
	return d, State(state), attempts, nil
}

// DeliveryStatus is a delivery as operators and callers see it: no address, no content.
type DeliveryStatus struct {
	ID        string
	Channel   Channel
	State     State
	Attempts  int
	Reason    string // why it failed, or why the last attempt failed
	Receipt   string // what the provider answered
	UpdatedAt time.Time
	SentAt    time.Time // zero unless sent
}

// Deliveries returns the deliveries of a message.
func (n *Notifier) Deliveries(ctx context.Context, messageID string) ([]DeliveryStatus, error) {
	return Deliveries(ctx, n.db, messageID)
}

// Deliveries returns the deliveries of a message from the database alone, so that reading them
// needs no Notifier and no transports (whose settings may be wrong: that is often why one
// looks).
func Deliveries(ctx context.Context, d *db.DB, messageID string) ([]DeliveryStatus, error) {
	rows, err := d.Reader().QueryContext(ctx, `SELECT id, channel, state, attempts, reason, receipt, updated_at, sent_at
		FROM notify_deliveries WHERE message_id = $1 ORDER BY id`, messageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DeliveryStatus
	for rows.Next() {
		var s DeliveryStatus
		var reason, receipt sql.NullString
		var sent sql.NullTime
		if err := rows.Scan(&s.ID, &s.Channel, &s.State, &s.Attempts, &reason, &receipt, &s.UpdatedAt, &sent); err != nil {
			return nil, err
		}
		s.Reason, s.Receipt, s.SentAt = reason.String, receipt.String, sent.Time
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "", fmt.Errorf("no message %s", messageID))
	}
	return out, nil
}

// clip bounds a stored text, cutting between characters.
func clip(s string) string {
	const most = 1000
	if len(s) <= most {
		return s
	}
	i := most
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
