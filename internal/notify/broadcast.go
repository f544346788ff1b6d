package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
)

// A broadcast tells every account of one event — an administrator's maintenance window — by
// the channels each keeps on for the kind. The event's own package enqueues a job (Job) with
// the event's id in the transaction that records the event, so that nothing here is imported
// by it; the job pages through the accounts, a batch per transaction, each batch enqueueing
// the next. Preferences apply as for any message of an Optional kind: an account that keeps
// the kind off everywhere is sent nothing.
//
// Delivery is at least once per account: a worker that dies after a batch committed and
// before its job was marked done sends that batch again.

// Broadcast says what a broadcast job sends and to whom.
type Broadcast struct {
	Job  string   // the job kind the event's package enqueues, with BroadcastPayload
	Kind KindName // an Optional kind
	// Data returns the message data for the event in a language; ok false: the event no
	// longer needs telling (a window cancelled or over), and the broadcast stops.
	Data func(ctx context.Context, event, lang string) (data map[string]any, ok bool, err error)
	// Audience returns up to limit accounts after the cursor (an account id; "" from the
	// start), in the order of their ids, with their addresses.
	Audience func(ctx context.Context, after string, limit int) ([]Recipient, error)
	Batch    int // accounts per transaction; default 200
}

// BroadcastPayload is the payload of a broadcast's jobs.
type BroadcastPayload struct {
	Event string `json:"event"`
	After string `json:"after,omitempty"` // the last account of the batch before
}

// RegisterBroadcast registers the handler of b.Job on the notifier's queue.
func (n *Notifier) RegisterBroadcast(b Broadcast) error {
	k, err := KindOf(b.Kind)
	if err != nil {
		return err
	}
	if !k.Optional || b.Data == nil || b.Audience == nil || b.Job == "" {
		return errors.New("notify: a broadcast needs an optional kind, a job, data and an audience")
	}
	if b.Batch <= 0 {
		b.Batch = 200
	}
	n.jobs.Register(b.Job, func(ctx context.Context, job *jobs.Job) error { return n.broadcast(ctx, b, job) },
		jobs.KindOptions{MaxAttempts: 12, Timeout: 5 * time.Minute, Backoff: jobs.Exponential(10*time.Second, 30*time.Minute)})
	return nil
}

func (n *Notifier) broadcast(ctx context.Context, b Broadcast, job *jobs.Job) error {
	var p BroadcastPayload
	if err := job.Decode(&p); err != nil {
		return err
	}
	data := map[string]map[string]any{}
	for _, lang := range i18n.Languages() {
		d, ok, err := b.Data(ctx, p.Event, lang)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		data[lang] = d
	}
	batch, err := b.Audience(ctx, p.After, b.Batch)
	if err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil
	}
	return n.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range batch {
			d, ok := data[r.Lang]
			if !ok {
				d = data[i18n.RU]
			}
			_, err := n.Send(ctx, tx, Message{Kind: b.Kind, To: r, Data: d})
			if errs.KindOf(err) == errs.Invalid {
				// An address sep cannot use (and no other channel): this account is skipped,
				// the others are told.
				n.log.Info("notify: broadcast skipped an account", "account", r.AccountID, "kind", b.Kind, "reason", errs.IDOf(err))
				continue
			}
			if err != nil {
				return fmt.Errorf("notify: broadcast %s: %w", b.Kind, err)
			}
		}
		if len(batch) < b.Batch {
			return nil // the last batch
		}
		last := batch[len(batch)-1].AccountID
		_, err := n.jobs.Enqueue(ctx, tx, jobs.Spec{Kind: b.Job, Key: p.Event + ":" + last,
			Payload: BroadcastPayload{Event: p.Event, After: last}})
		return err
	})
}
