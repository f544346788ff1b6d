package notify

import (
	"context"
	"errors"
	"time"
)

// Transport carries deliveries of one channel out of sep: SMTP, an SMS gateway, web push.
//
// Deliver returns a receipt (the provider's id or answer, kept with the delivery; may be
// empty) or an error. Errors are temporary (retried with backoff) unless wrapped with
// Permanent. Error texts are stored with the delivery and the job: they must not contain
// the address or the message — say what failed ("smtp: 451 at RCPT"), not to whom.
//
// Deliver must be safe to call again for the same delivery (d.ID), because a worker can die
// after the provider accepted a delivery and before sep recorded it: pass d.ID as the
// provider's idempotency key where it has one.
type Transport interface {
	Deliver(ctx context.Context, d *Delivery) (receipt string, err error)
}

// Delivery is one message on one channel, as a transport sees it.
type Delivery struct {
	ID        string // unique; the idempotency key towards providers
	MessageID string
	Kind      KindName
	Channel   Channel
	Address   string // e-mail address, phone (+digits) or account id
	AccountID string
	Lang      string
	Subject   string
	Text      string // plain text (e-mail, inbox)
	HTML      string // e-mail HTML part; empty for kinds that never go by e-mail
	Short     string // SMS and push text
	Attempt   int    // 1 on the first try
	// Resumed is set when an earlier attempt started and its worker died before recording the
	// outcome: the provider may already have the message.
	Resumed   bool
	CreatedAt time.Time
}

type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent marks a delivery error that retrying cannot fix (a refused address, a rejected
// request): the delivery fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
