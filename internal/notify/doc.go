// Package notify sends sep's outbound messages — one-time codes, new-device alerts,
// application status changes, deadline reminders, test messages — by e-mail (SMTP), SMS (an
// HTTP gateway), the in-cabinet inbox and web push (push.go, package webpush); or, in demo
// mode, keeps them in a development outbox that nothing leaves.
//
// # Preferences
//
// A person chooses, per Optional kind and channel, what reaches them (prefs.go; the page and
// API in prefs_web.go). Send applies the choice to every message of such a kind to an account;
// critical kinds (AlwaysOn) ignore it. A broadcast (broadcast.go) sends one event to every
// account by the same rule.
//
// # Sending
//
// A domain calls Send inside the transaction that makes the change the message tells of:
//
//	id, err := notifier.Send(ctx, tx, notify.Message{
//		Kind: notify.SigninCode,
//		To:   notify.Recipient{Phone: acc.Phone, Lang: acc.Lang},
//		Data: map[string]any{"Code": code, "ValidMinutes": int(notify.CodeTTL / time.Minute)},
//	})
//
// Send renders the kind's templates in the recipient's language (texts/KIND.LANG.txt and
// .html; a missing or broken template stops start-up), stores the message, one delivery per
// channel, and a delivery job each — all in the caller's transaction, so the message exists
// if and only if the change commits. The kinds and their channels, data, limits and lifetimes
// are the table in kinds.go.
//
// # Delivery
//
// A job (DeliverJob) makes each delivery; the delivery row is the record of what happened:
//
//	queued ──job──▶ sending ──transport ok──▶ sent
//	  ▲               │ │
//	  └─ temporary ───┘ └── refused (Permanent), out of attempts, or expired ──▶ failed (reason)
//	     (backoff)
//
// The job re-reads the row and stops if it is already sent or failed; it marks it sending
// with a fresh attempt id (fenced on the previous state and attempt count, so two workers
// cannot both take it), calls the transport, and records the outcome fenced on that attempt
// id. Temporary failures go back to queued and the job retries with backoff; a kind's TTL
// ends retries that would come too late (a sign-in code after 5 minutes, CodeTTL).
//
// # What "once" means here
//
// A worker can die after a transport succeeded and before the outcome was recorded. The row
// then still says sending; when the job's lease expires another worker runs it again with
// Delivery.Resumed set, and sends again with the same identity. So:
//
//   - inbox and outbox: exactly once (the item's primary key is the delivery id);
//   - SMS: exactly once with gateways that deduplicate on the client message id (.ID in the
//     body template, and the Idempotency-Key header); at least once with those that do not;
//   - web push: at least once (push services keep no idempotency key);
//   - e-mail: at least once; a repeat carries the same Message-ID (<delivery-id@sender-domain>),
//     so mail systems and readers that deduplicate on it show one message;
//   - never lost: a stored delivery is retried until sent, refused, expired or out of
//     attempts (12 by default), and every such end is recorded with its reason. (If a worker
//     dies during the job's very last attempt, the queue dead-letters the job and the row
//     stays sending; `sep jobs retry` resumes it.)
//
// # Rate limits
//
// Kinds of a limited class (one-time codes, test messages) count against each recipient
// address (phone, e-mail) in the database, so instances sharing it count together: Send locks
// the address's row in the caller's transaction, and over a limit refuses with
// errs.E(errs.TooMany, "notify.rate_limited", *RateLimitError) — RateLimitError.Message says
// «Слишком много кодов на этот номер. Повторите через N минут». Critical alerts, status
// changes and reminders are not limited: their volume follows events, not requests, and a
// suppressed alert costs more than one more message.
//
// # Development outbox
//
// With Options.Outbox (demo mode, or forced by a setting) every channel that would leave the
// machine delivers into the outbox table instead; /dev/outbox (a page) and /dev/outbox.json
// (newest first, ?to= filters by recipient in any spelling) show it. The in-cabinet inbox
// stays the inbox. The routes exist only in demo mode (see RegisterOutbox).
//
// # Personal data
//
// Addresses and texts are personal data: logs name delivery ids, kinds and channels only;
// transports keep addresses and server replies out of error texts (which the job queue
// stores). Addresses and texts are sealed at rest (internal/seal: sealed.go declares the
// columns), the outbox is searched through a blind index of the recipient, and the rate table
// keys addresses by an HMAC under a key derived from the data key. Bodies of secret kinds
// (one-time codes) are erased once every delivery has ended, and every kind is deleted after
// its retention period (PurgeCodes, PurgeMessages…, run by internal/retention).
package notify
