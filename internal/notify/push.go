package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify/webpush"
	"github.com/sep-platform/sep/internal/seal"
)

// Web push: a browser subscribes through its PushManager with sep's VAPID public key and
// hands the subscription (an endpoint of its push service and two keys) to
// /api/v1/notifications/push; a message by push is then one delivery per subscription of the
// account, each a job that encrypts the message for that browser (RFC 8291) and POSTs it to
// the endpoint signed with sep's VAPID key (RFC 8292). The push service answers 201; 404 or
// 410 mean the subscription is gone, and it is dropped; 429 and 5xx are retried like any
// temporary failure.

// Subscription is a browser's push subscription as the browser gives it (PushSubscription's
// toJSON: the keys in base64url).
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// maxEndpoint bounds an endpoint URL (the push services' are well under 1 KB).
const maxEndpoint = 2048

// check validates a subscription: an https endpoint (http only on a loopback host, for tests
// and development, when allowed) and keys that are a P-256 point and a 16-byte secret.
func (s Subscription) check(allowLoopback bool) (p256dh, auth []byte, err error) {
	bad := func(why string) error { return errs.E(errs.Invalid, "notify.push.bad_subscription", errors.New(why)) }
	u, perr := url.Parse(s.Endpoint)
	switch {
	case len(s.Endpoint) > maxEndpoint || perr != nil || u.Host == "" || u.User != nil:
		return nil, nil, bad("the endpoint is not a URL")
	case u.Scheme == "https":
	case u.Scheme == "http" && allowLoopback && loopbackHost(u.Hostname()):
	default:
		return nil, nil, bad("the endpoint is not https")
	}
	if p256dh, err = base64.RawURLEncoding.DecodeString(trimPad(s.Keys.P256dh)); err != nil || len(p256dh) != webpush.PublicSize {
		return nil, nil, bad("p256dh is not a P-256 public key")
	}
	if auth, err = base64.RawURLEncoding.DecodeString(trimPad(s.Keys.Auth)); err != nil || len(auth) != webpush.AuthSize {
		return nil, nil, bad("auth is not a 16-byte secret")
	}
	// A test encryption proves the point is on the curve.
	if _, err := webpush.Encrypt(nil, p256dh, auth); err != nil {
		return nil, nil, bad("p256dh is not a P-256 public key")
	}
	return p256dh, auth, nil
}

func trimPad(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// Subscribe keeps a browser's subscription for the account and returns its id. A subscription
// registered again (the same endpoint) is given to this account with the new keys: a browser
// has one subscription, and it belongs to whoever signed in last.
func (n *Notifier) Subscribe(ctx context.Context, accountID string, s Subscription) (string, error) {
	p256dh, auth, err := s.check(n.opt.PushLoopback)
	if err != nil {
		return "", err
	}
	cands, err := n.box.Candidates(pushEndpointIdx, s.Endpoint)
	if err != nil {
		return "", err
	}
	idx, err := n.box.Index(pushEndpointIdx, s.Endpoint)
	if err != nil {
		return "", err
	}
	id := db.NewID()
	err = n.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, c := range cands {
			if _, err := tx.ExecContext(ctx, `DELETE FROM notify_push_subscriptions WHERE endpoint_idx = $1`, c); err != nil {
				return err
			}
		}
		b := n.box
		_, err := tx.ExecContext(ctx, `INSERT INTO notify_push_subscriptions (id, account_id, endpoint, endpoint_idx, p256dh, auth, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, accountID, b.SealString(pushEndpoint, id, s.Endpoint), idx,
			b.Seal(pushP256dh, id, p256dh), b.Seal(pushAuth, id, auth), n.now().UTC())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("notify: subscribe: %w", err)
	}
	return id, nil
}

// Unsubscribe forgets the account's subscription with the endpoint (the browser unsubscribed);
// errs.NotFound if the account has none with it.
func (n *Notifier) Unsubscribe(ctx context.Context, accountID, endpoint string) error {
	cands, err := n.box.Candidates(pushEndpointIdx, endpoint)
	if err != nil {
		return err
	}
	removed := int64(0)
	for _, c := range cands {
		res, err := n.db.Writer().ExecContext(ctx, `DELETE FROM notify_push_subscriptions WHERE endpoint_idx = $1 AND account_id = $2`,
			c, accountID)
		if err != nil {
			return fmt.Errorf("notify: unsubscribe: %w", err)
		}
		k, _ := res.RowsAffected()
		removed += k
	}
	if removed == 0 {
		return errs.E(errs.NotFound, "notify.push.no_subscription", nil)
	}
	return nil
}

// Subscriptions counts the account's browser subscriptions.
func (n *Notifier) Subscriptions(ctx context.Context, accountID string) (int, error) {
	var c int
	err := n.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_push_subscriptions WHERE account_id = $1`,
		accountID).Scan(&c)
	return c, err
}

func subscriptionIDs(ctx context.Context, q db.Querier, accountID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM notify_push_subscriptions WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("notify: push subscriptions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PushOptions configure the web-push transport.
type PushOptions struct {
	DB  *db.DB
	Box *seal.Box
	// Key is the VAPID key (P-256); Subject a contact for the push services' operators, a
	// mailto: or https: URL (the site's address).
	Key     *ecdsa.PrivateKey
	Subject string
	// Client makes the requests; by default one that refuses to connect to loopback, private
	// and link-local addresses (the endpoint is the browser's word), with a 30 s timeout.
	Client *http.Client
}

// WebPush is the web-push transport.
type WebPush struct {
	db     *db.DB
	box    *seal.Box
	vapid  *webpush.VAPID
	client *http.Client
}

// NewPush returns the web-push transport.
func NewPush(opt PushOptions) (*WebPush, error) {
	if opt.DB == nil || opt.Box == nil || opt.Key == nil {
		return nil, errors.New("notify: web push needs a database, a seal box and a VAPID key")
	}
	if opt.Client == nil {
		d := &net.Dialer{Timeout: 10 * time.Second, Control: publicOnly}
		opt.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext,
			TLSHandshakeTimeout: 10 * time.Second, ForceAttemptHTTP2: true}}
	}
	return &WebPush{db: opt.DB, box: opt.Box, vapid: &webpush.VAPID{Key: opt.Key, Subject: opt.Subject}, client: opt.Client}, nil
}

// PublicKey is the VAPID public key, for the browser's PushManager.subscribe.
func (p *WebPush) PublicKey() string {
	k, _ := p.vapid.PublicKey()
	return k
}

// publicOnly refuses connections to addresses a push service never has: a subscription's
// endpoint must not make sep POST into its own network.
func publicOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	a := ap.Addr().Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast() {
		return errors.New("push: the endpoint is not a public address")
	}
	return nil
}

// pushPayload is what the service worker (push-sw.js) shows.
type pushPayload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Tag   string `json:"tag"`
}

// Deliver sends one delivery to its subscription (d.Address is the subscription's id).
func (p *WebPush) Deliver(ctx context.Context, d *Delivery) (string, error) {
	var endpoint, p256dh, auth seal.Sealed
	err := p.db.Reader().QueryRowContext(ctx, `SELECT endpoint, p256dh, auth FROM notify_push_subscriptions
		WHERE id = $1 AND account_id = $2`, d.Address, d.AccountID).Scan(&endpoint, &p256dh, &auth)
	if errors.Is(err, sql.ErrNoRows) {
		return "", Permanent(errors.New("push: the subscription was removed"))
	}
	if err != nil {
		return "", fmt.Errorf("push: %w", err)
	}
	ep, err := p.box.OpenString(pushEndpoint, d.Address, endpoint)
	if err != nil {
		return "", err
	}
	key, err := p.box.Open(pushP256dh, d.Address, p256dh)
	if err != nil {
		return "", err
	}
	secret, err := p.box.Open(pushAuth, d.Address, auth)
	if err != nil {
		return "", err
	}
	payload, _ := json.Marshal(pushPayload{Title: d.Subject, Body: d.Short, Tag: d.MessageID})
	body, err := webpush.Encrypt(payload, key, secret)
	if err != nil {
		return "", Permanent(fmt.Errorf("push: %w", err))
	}
	ttl := 24 * time.Hour
	if k, err := KindOf(d.Kind); err == nil && k.TTL > 0 {
		ttl = max(time.Minute, k.TTL-time.Since(d.CreatedAt))
	}
	authz, err := p.vapid.Authorization(ep, time.Now().Add(12*time.Hour))
	if err != nil {
		return "", Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep, bytes.NewReader(body))
	if err != nil {
		return "", Permanent(errors.New("push: the endpoint is not a URL"))
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("TTL", strconv.Itoa(int(ttl/time.Second)))
	req.Header.Set("Authorization", authz)
	urgency := "normal"
	if k, err := KindOf(d.Kind); err == nil && k.AlwaysOn {
		urgency = "high"
	}
	req.Header.Set("Urgency", urgency)
	resp, err := p.client.Do(req)
	if err != nil {
		// The URL error names the endpoint, which is personal data: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("push: request failed: %v", err)
	}
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return "push " + strconv.Itoa(code), nil
	case code == http.StatusNotFound || code == http.StatusGone:
		if _, err := p.db.Writer().ExecContext(ctx, `DELETE FROM notify_push_subscriptions WHERE id = $1`, d.Address); err != nil {
			return "", fmt.Errorf("push: %d, and the subscription could not be removed: %w", code, err)
		}
		return "", Permanent(fmt.Errorf("push: %d: the subscription has expired and was removed", code))
	case code == http.StatusTooManyRequests || code >= 500:
		return "", fmt.Errorf("push: %d", code)
	default:
		return "", Permanent(fmt.Errorf("push: %d", code))
	}
}
