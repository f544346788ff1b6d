package notify

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"github.com/sep-platform/sep/internal/hits"
	"strconv"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/seal"
)

// Limit allows at most N messages of a class to one recipient address within Per.
type Limit struct {
	N   int
	Per time.Duration
}

func (l Limit) String() string { return strconv.Itoa(l.N) + "/" + l.Per.String() }

// RateLimitError says that a recipient's address has had as many messages of a class as its
// limit allows, and when the next one will be allowed. Send wraps it in
// errs.E(errs.TooMany, "notify.rate_limited", …); a caller that shows the person a precise
// message finds it with errors.As and uses Message.
type RateLimitError struct {
	Class   Class
	Channel Channel       // the kind of address that is over its limit: Email or SMS
	Wait    time.Duration // until the next message of the class is allowed
}

// RetryAfter is the wait, which the web layer sends as the Retry-After header
// (web.RetryLater).
func (e *RateLimitError) RetryAfter() time.Duration { return e.Wait }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limit of %s messages by %s reached; next allowed in %s", e.Class, e.Channel,
		e.Wait.Round(time.Second))
}

// Minutes is the wait rounded up to whole minutes (at least 1), as people are told it.
func (e *RateLimitError) Minutes() int {
	return max(1, int((e.Wait+time.Minute-1)/time.Minute))
}

// MessageID is the catalog key of the precise message, a plural form taking {n} minutes:
// «Слишком много кодов на этот номер. Повторите через 7 минут.»
func (e *RateLimitError) MessageID() string {
	return "notify.rate_limited." + string(e.Class) + "." + string(e.Channel)
}

// Message is the precise message in p's language.
func (e *RateLimitError) Message(p *i18n.Printer) string { return p.N(e.MessageID(), e.Minutes()) }

// checkLimits counts this message against each limited address of its targets, or refuses it
// if an address is over a limit of the kind's class. It runs in the transaction that stores
// the message, and locks each address's row first, so that senders on several instances
// count together and a refused (rolled back) message counts nothing.
//
// The in-cabinet inbox and push count against the recipient's account, once per message: they
// cost nothing to send, but a person's own browser should not be flooded either (a test
// message sent by push again and again).
func (n *Notifier) checkLimits(ctx context.Context, tx db.Querier, k Kind, m Message, targets []target, now time.Time) error {
	limits := n.limits[k.Limit]
	if k.Limit == Unlimited || len(limits) == 0 {
		return nil
	}
	var longest time.Duration
	for _, l := range limits {
		longest = max(longest, l.Per)
	}
	lock := ""
	if n.db.Dialect() == db.Postgres {
		lock = " FOR UPDATE"
	}
	counted := map[string]bool{}
	for _, t := range targets {
		if t.channel != Email && t.channel != SMS {
			if m.To.AccountID == "" {
				continue
			}
			// One budget for the account's inbox and browsers, reported as the inbox's.
			t = target{channel: Inbox, address: "account:" + m.To.AccountID}
		}
		key := n.addressKey(t.channel, t.address)
		if counted[key] {
			continue
		}
		counted[key] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_rate (class, addr_hash, hits, updated_at)
			VALUES ($1, $2, '', $3) ON CONFLICT (class, addr_hash) DO NOTHING`, string(k.Limit), key, now); err != nil {
			return fmt.Errorf("notify: rate limit: %w", err)
		}
		var raw string
		if err := tx.QueryRowContext(ctx, `SELECT hits FROM notify_rate WHERE class = $1 AND addr_hash = $2`+lock,
			string(k.Limit), key).Scan(&raw); err != nil {
			return fmt.Errorf("notify: rate limit: %w", err)
		}
		recent := hits.Parse(raw, now.Add(-longest))
		var wait time.Duration
		for _, l := range limits {
			since := now.Add(-l.Per)
			var in []time.Time
			for _, h := range recent {
				if h.After(since) {
					in = append(in, h)
				}
			}
			if len(in) >= l.N {
				// The window frees a place when its oldest counted hit leaves it.
				wait = max(wait, in[len(in)-l.N].Add(l.Per).Sub(now))
			}
		}
		if wait > 0 {
			return errs.E(errs.TooMany, "notify.rate_limited", &RateLimitError{Class: k.Limit, Channel: t.channel, Wait: wait})
		}
		recent = append(recent, now)
		if _, err := tx.ExecContext(ctx, `UPDATE notify_rate SET hits = $3, updated_at = $4 WHERE class = $1 AND addr_hash = $2`,
			string(k.Limit), key, hits.Format(recent), now); err != nil {
			return fmt.Errorf("notify: rate limit: %w", err)
		}
	}
	return nil
}

// addressKey keys the rate table, so that it holds no address in clear: HMAC-Streebog-256
// under a key derived from the data key for this purpose only. An unkeyed hash of a phone
// number could be reversed by trying every number; this one cannot be computed without the
// key. (After a data-key rotation the keys change, so the counts start afresh: at most one
// window's worth of messages more.) Addresses arrive normalised by ruid.
func (n *Notifier) addressKey(c Channel, address string) string {
	m := hmac.New(streebog.New256, n.box.Ring().Derive(seal.PurposeRateLimit))
	m.Write([]byte(string(c) + ":" + address))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
