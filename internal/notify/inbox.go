package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

// inboxTransport delivers into the in-cabinet inbox. The item's id is the delivery's, so a
// repeated delivery inserts nothing: exactly once.
type inboxTransport struct {
	db  *db.DB
	box *seal.Box
}

func (t *inboxTransport) Deliver(ctx context.Context, d *Delivery) (string, error) {
	_, err := t.db.Writer().ExecContext(ctx, `INSERT INTO notify_inbox (id, account_id, message_id, kind, subject, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.Address, d.MessageID, string(d.Kind), t.box.SealString(inboxSubject, d.ID, d.Subject),
		t.box.SealString(inboxBody, d.ID, d.Text), d.CreatedAt.UTC())
	if err != nil {
		return "", fmt.Errorf("inbox: %w", err)
	}
	return "", nil
}

// InboxItem is a message in a person's in-cabinet inbox.
type InboxItem struct {
	ID        string
	MessageID string
	Kind      KindName
	Subject   string
	Body      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// Unread reports whether the item has not been read yet.
func (i InboxItem) Unread() bool { return i.ReadAt.IsZero() }

// InboxStore reads and updates the in-cabinet inboxes. Every call names the account, and
// touches only that account's items.
type InboxStore struct {
	db  *db.DB
	box *seal.Box
}

// NewInboxStore returns the inbox store on d; box opens the sealed subjects and bodies.
func NewInboxStore(d *db.DB, box *seal.Box) *InboxStore { return &InboxStore{db: d, box: box} }

const inboxColumns = `id, message_id, kind, subject, body, created_at, read_at`

// scanItem reads one row of inboxColumns and opens its texts.
func (s *InboxStore) scanItem(row interface{ Scan(...any) error }) (InboxItem, error) {
	var it InboxItem
	var read sql.NullTime
	var subject, body seal.Sealed
	if err := row.Scan(&it.ID, &it.MessageID, &it.Kind, &subject, &body, &it.CreatedAt, &read); err != nil {
		return it, err
	}
	it.ReadAt = read.Time
	var err error
	if it.Subject, err = s.box.OpenString(inboxSubject, it.ID, subject); err != nil {
		return it, err
	}
	it.Body, err = s.box.OpenString(inboxBody, it.ID, body)
	return it, err
}

// List returns up to limit items of the account, newest first, older than the item before
// (empty: from the newest) — pass the last ID of a page to get the next.
func (s *InboxStore) List(ctx context.Context, accountID string, before string, limit int) ([]InboxItem, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := `SELECT ` + inboxColumns + ` FROM notify_inbox WHERE account_id = $1`
	args := []any{accountID}
	if before != "" {
		q += ` AND id < $3`
		args = append(args, limit, before)
	} else {
		args = append(args, limit)
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+` ORDER BY id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InboxItem
	for rows.Next() {
		it, err := s.scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Get returns one item of the account; errs.NotFound if the account has no such item.
func (s *InboxStore) Get(ctx context.Context, accountID, id string) (InboxItem, error) {
	it, err := s.scanItem(s.db.Reader().QueryRowContext(ctx, `SELECT `+inboxColumns+`
		FROM notify_inbox WHERE account_id = $1 AND id = $2`, accountID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, errs.E(errs.NotFound, "", fmt.Errorf("no inbox item %s for this account", id))
	}
	return it, err
}

// Unread counts the account's unread items.
func (s *InboxStore) Unread(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_inbox WHERE account_id = $1 AND read_at IS NULL`,
		accountID).Scan(&n)
	return n, err
}

// MarkRead marks one item of the account read (again is a no-op); errs.NotFound if the
// account has no such item.
func (s *InboxStore) MarkRead(ctx context.Context, accountID, id string, at time.Time) error {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE notify_inbox SET read_at = COALESCE(read_at, $3)
		WHERE account_id = $1 AND id = $2`, accountID, id, at.UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "", fmt.Errorf("no inbox item %s for this account", id))
	}
	return nil
}

// MarkAllRead marks every unread item of the account read and returns how many it marked.
func (s *InboxStore) MarkAllRead(ctx context.Context, accountID string, at time.Time) (int, error) {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE notify_inbox SET read_at = $2
		WHERE account_id = $1 AND read_at IS NULL`, accountID, at.UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
