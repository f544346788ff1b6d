package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
)

// Recipient is who a message is for, and where to reach them. Give what is known: a channel
// is used only if the recipient has an address on it.
type Recipient struct {
	AccountID string // for the in-cabinet inbox (and, later, web push)
	Email     string
	Phone     string // any usual spelling: +7 (900) 123-45-67, 89001234567…
	Lang      string // ru or en; anything else falls back to ru
}

// Message is what a domain asks to tell someone.
type Message struct {
	Kind KindName
	To   Recipient
	// Channels, if set, narrows the kind's channels (say, the one the person chose for their
	// codes). Each must be one the kind allows.
	Channels []Channel
	// Data fills the kind's templates; it must hold every name in Kind.Params.
	Data map[string]any
}

// Options configure a Notifier.
type Options struct {
	DB      *db.DB
	Jobs    *jobs.Queue
	Box     *seal.Box     // seals addresses and texts at rest
	Catalog *i18n.Catalog // default i18n.Default()
	SiteURL string        // for links in messages, e.g. https://sep.example.ru
	// Transports carry the channels that leave the machine (Email, SMS, Push). A channel
	// without one is skipped. The inbox is built in.
	Transports map[Channel]Transport
	// Push is the web-push transport (NewPush); its key is what browsers subscribe with, so
	// it is given in demo mode too, where the outbox keeps the pushes. Nil: no web push, and
	// preferences pages offer none.
	Push *WebPush
	// PushLoopback accepts subscriptions with an http endpoint on a loopback host (tests,
	// development); otherwise an endpoint must be https.
	PushLoopback bool
	// Outbox keeps every message that would leave the machine in the development outbox
	// instead, whatever Transports says: demo mode, tests.
	Outbox bool
	// Limits per class; a class not named here is unlimited.
	Limits     map[Class][]Limit
	Logger     *slog.Logger
	Registerer prometheus.Registerer // default: a private registry
	Texts      fs.FS                 // default Texts; tests use broken sets
	// MaxAttempts bounds how often one delivery is tried; default 12 (with the default
	// backoff the 11 waits add up to about 1 h 45 min, ±20% jitter; a kind's TTL may end it
	// sooner).
	MaxAttempts int
	Backoff     func(attempt int) time.Duration // default jobs.Exponential(5s, 30m)
}

// Notifier sends messages: it stores them and their deliveries, and its job handler makes
// the deliveries.
type Notifier struct {
	db         *db.DB
	jobs       *jobs.Queue
	box        *seal.Box
	texts      *templateSet
	transports map[Channel]Transport
	limits     map[Class][]Limit
	log        *slog.Logger
	metrics    *metrics
	now        func() time.Time
	opt        Options

	// afterDeliver, if set, runs between a transport's success and the record of it: tests
	// use it to kill the worker in that window.
	afterDeliver func(deliveryID string)
}

// DeliverJob is the job kind that makes one delivery.
const DeliverJob = "notify.deliver"

// New checks the templates (failing on any missing or broken one) and registers the delivery
// job on opt.Jobs.
func New(opt Options) (*Notifier, error) {
	if opt.DB == nil || opt.Jobs == nil || opt.Box == nil {
		return nil, errors.New("notify: a database, a job queue and a seal box are required")
	}
	if opt.Catalog == nil {
		opt.Catalog = i18n.Default()
	}
	if opt.Texts == nil {
		opt.Texts = Texts
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Registerer == nil {
		opt.Registerer = prometheus.NewRegistry()
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 12
	}
	if opt.Backoff == nil {
		opt.Backoff = jobs.Exponential(5*time.Second, 30*time.Minute)
	}
	ts, err := loadTemplates(opt.Texts, opt.Catalog, opt.SiteURL)
	if err != nil {
		return nil, err
	}
	for class, ls := range opt.Limits {
		for _, l := range ls {
			if l.N < 1 || l.Per <= 0 {
				return nil, fmt.Errorf("notify: bad limit %v for class %q", l, class)
			}
		}
	}
	m, err := newMetrics(opt.Registerer)
	if err != nil {
		return nil, err
	}
	n := &Notifier{db: opt.DB, jobs: opt.Jobs, box: opt.Box, texts: ts, limits: opt.Limits, log: opt.Logger, metrics: m,
		now: time.Now, opt: opt, transports: map[Channel]Transport{Inbox: &inboxTransport{db: opt.DB, box: opt.Box}}}
	if opt.Outbox {
		ob := &outboxTransport{db: opt.DB, box: opt.Box}
		for _, c := range []Channel{Email, SMS, Push} {
			n.transports[c] = ob
		}
	} else {
		if opt.Push != nil {
			n.transports[Push] = opt.Push
		}
		for c, t := range opt.Transports {
			if c == Inbox || !slices.Contains(channels[:], c) {
				return nil, fmt.Errorf("notify: cannot take a transport for channel %q", c)
			}
			if t != nil {
				n.transports[c] = t
			}
		}
	}
	opt.Jobs.Register(DeliverJob, n.deliver, jobs.KindOptions{
		MaxAttempts: opt.MaxAttempts,
		Timeout:     time.Minute,
		Backoff:     opt.Backoff,
	})
	return n, nil
}

// PushKey is the VAPID public key browsers subscribe with, or "" when sep has no web push.
func (n *Notifier) PushKey() string {
	if n.opt.Push == nil {
		return ""
	}
	return n.opt.Push.PublicKey()
}

// CanSend reports whether the channel has a way out (a configured transport, or the outbox).
func (n *Notifier) CanSend(c Channel) bool { return n.transports[c] != nil }

// Send stores a message and one delivery per channel and enqueues their delivery jobs, all
// in x if it is a transaction (so that the message exists if and only if the caller's change
// commits), else in a transaction of its own. It returns the message id.
//
// It fails with errs.TooMany ("notify.rate_limited", wrapping a *RateLimitError that says
// when to retry) when a recipient's address is over its class's limit, errs.Invalid when
// an address is malformed ("notify.bad_phone", "notify.bad_email") or no channel is left
// ("notify.no_channel"). A message of an Optional kind to an account goes only by the channels
// the account keeps on (prefs.go); when it keeps none, Send stores nothing and returns "" and
// no error: the person chose not to hear of it. A message the caller built wrongly (unknown kind, a channel the
// kind does not allow, missing data) is a plain error: a bug, not the user's fault.
func (n *Notifier) Send(ctx context.Context, x db.Querier, m Message) (string, error) {
	k, err := KindOf(m.Kind)
	if err != nil {
		return "", err
	}
	lang := m.To.Lang
	if !i18n.Supported(lang) {
		lang = i18n.RU
	}
	for _, p := range k.Params {
		if _, ok := m.Data[p]; !ok {
			return "", fmt.Errorf("notify: %s needs the data %q", k.Name, p)
		}
	}
	c, err := n.texts.render(k, lang, m.Data)
	if err != nil {
		return "", fmt.Errorf("notify: render %s: %w", k.Name, err)
	}
	id := db.NewID()
	muted := false
	store := func(tx db.Querier) error {
		targets, err := n.targets(ctx, tx, k, m)
		if err != nil {
			return err
		}
		if len(targets) == 0 {
			muted = true // the person turned every channel of this kind off
			return nil
		}
		now := n.now().UTC()
		if err := n.checkLimits(ctx, tx, k, m, targets, now); err != nil {
			return err
		}
		return n.store(ctx, tx, id, k, lang, m, targets, c, now)
	}
	if tx, ok := x.(*sql.Tx); ok {
		err = store(tx)
	} else {
		err = n.db.Tx(ctx, func(tx *sql.Tx) error { return store(tx) })
	}
	if err != nil {
		var rl *RateLimitError
		if errors.As(err, &rl) {
			n.metrics.limited.WithLabelValues(string(rl.Class)).Inc()
		}
		return "", err
	}
	if muted {
		return "", nil
	}
	n.metrics.messages.WithLabelValues(string(k.Name)).Inc()
	return id, nil
}

// store writes a message and its deliveries, and enqueues the delivery jobs, in tx.
func (n *Notifier) store(ctx context.Context, tx db.Querier, id string, k Kind, lang string, m Message, targets []target,
	c content, now time.Time) error {
	b := n.box
	if _, err := tx.ExecContext(ctx, `INSERT INTO notify_messages
		(id, kind, lang, account_id, subject, body_text, body_html, body_short, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, string(k.Name), lang, nullString(m.To.AccountID), b.SealString(msgSubject, id, c.Subject),
		b.SealString(msgText, id, c.Text), b.SealString(msgHTML, id, c.HTML), b.SealString(msgShort, id, c.Short),
		now); err != nil {
		return fmt.Errorf("notify: store message: %w", err)
	}
	for _, t := range targets {
		did := db.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_deliveries
			(id, message_id, channel, address, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'queued', $5, $5)`, did, id, string(t.channel),
			b.SealString(deliveryAddress, did, t.address), now); err != nil {
			return fmt.Errorf("notify: store delivery: %w", err)
		}
		if _, err := n.jobs.Enqueue(ctx, tx, jobs.Spec{Kind: DeliverJob, Key: did,
			Payload: deliverPayload{Delivery: did}}); err != nil {
			return err
		}
	}
	return nil
}

// target is one channel of a message with the address it goes to.
type target struct {
	channel Channel
	address string
}

// targets picks the channels of a message: those asked for (or all the kind allows), narrowed
// by the account's preferences for an optional kind, less those the recipient has no address
// on or sep has no transport for. Push makes one target per browser subscription of the
// account. No targets and no error: the preferences left no channel.
func (n *Notifier) targets(ctx context.Context, q db.Querier, k Kind, m Message) ([]target, error) {
	want := k.Channels
	if m.Channels != nil {
		for _, c := range m.Channels {
			if !k.allows(c) {
				return nil, fmt.Errorf("notify: %s cannot go by %q", k.Name, c)
			}
		}
		want = m.Channels
	}
	want, err := chosen(ctx, q, k, m, want)
	if err != nil || len(want) == 0 {
		return nil, err
	}
	var out []target
	for _, c := range channels { // a fixed order, whatever the caller's; each channel once
		if !slices.Contains(want, c) || n.transports[c] == nil {
			continue
		}
		switch c {
		case Email:
			if m.To.Email == "" {
				continue
			}
			a, err := emailAddress(m.To.Email)
			if err != nil {
				return nil, err
			}
			out = append(out, target{channel: c, address: a})
		case SMS:
			if m.To.Phone == "" {
				continue
			}
			a, err := phoneAddress(m.To.Phone)
			if err != nil {
				return nil, err
			}
			out = append(out, target{channel: c, address: a})
		case Inbox:
			if m.To.AccountID != "" {
				out = append(out, target{channel: c, address: m.To.AccountID})
			}
		case Push:
			if m.To.AccountID == "" {
				continue
			}
			subs, err := subscriptionIDs(ctx, q, m.To.AccountID)
			if err != nil {
				return nil, err
			}
			for _, s := range subs {
				out = append(out, target{channel: c, address: s})
			}
		}
	}
	if len(out) == 0 && k.Optional && m.To.AccountID != "" {
		// The channels the person kept on reach nowhere (say, push with no browser
		// subscribed): as if they were off, which must not fail the sender's change.
		return nil, nil
	}
	if len(out) == 0 {
		return nil, errs.E(errs.Invalid, "notify.no_channel",
			fmt.Errorf("%s: none of the channels asked for has both an address and a transport", k.Name))
	}
	return out, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
