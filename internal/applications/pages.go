package applications

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/errs"
)

// Lists a page at a time. The operator's queue and the citizen's «Мои обращения» are read by
// keyset: a page ends with a cursor naming its last row's sort key, and the next page starts
// after it — one range scan of an index of migration 0133 whatever the table's size, no row
// twice and none lost when rows share a deadline or a creation time. A row of a list reads
// no sealed column: nothing is unsealed to show a page.

// PageSize is how many rows a page of the queue or of the citizen's list shows.
const PageSize = 30

// Summary is an application as a row of a list shows it: no form values, no remarks.
type Summary struct {
	ID, AccountID, Service, Number, Assignee string
	State                                    State
	Deadline                                 time.Time // zero for none
	CreatedAt, SubmittedAt, DecidedAt        time.Time
}

// Overdue reports whether an open application's deadline has passed at now.
func (a Summary) Overdue(now time.Time) bool {
	return a.State.Open() && !a.Deadline.IsZero() && now.After(a.Deadline)
}

// Page is one page of a list; Next is the cursor of the following page, "" on the last.
type Page struct {
	Items []Summary
	Next  string
}

// QueueFilter narrows the operator's queue of open applications.
type QueueFilter struct {
	// Services are the services the operator may see (their agency's); nil for all.
	Services []string
	Service  string // one service's only; "" for any
	State    State  // one status only (an open one); "" for any
	// Assignee keeps the applications taken by this operator; Unassigned those nobody took.
	Assignee   string
	Unassigned bool
}

// ErrBadCursor refuses a cursor that is not one of ours (a page link edited by hand).
var ErrBadCursor = errs.E(errs.Invalid, "applications.desk.bad_cursor", nil)

const summaryColumns = `id, account_id, service, state, number, assignee, deadline_at, created_at, submitted_at, decided_at`

// openStates is the SQL of the queue's states, the same words as the partial indexes' WHERE.
const openStates = `state IN ('submitted', 'registry_checks', 'in_review', 'needs_correction')`

// QueuePage returns a page of the open applications f keeps, the nearest deadline first and
// those with none last, after the cursor (or from the start for "").
func (s *Store) QueuePage(ctx context.Context, f QueueFilter, cursor string, n int) (Page, error) {
	if n <= 0 {
		n = PageSize
	}
	if f.Services != nil && len(f.Services) == 0 {
		return Page{}, nil
	}
	if f.State != "" && !f.State.Open() {
		return Page{}, nil
	}
	key, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	where, args := f.where()
	where, args = slices.Clip(where), slices.Clip(args)
	var items []Summary
	// First the applications with a deadline, by (deadline, id); then those without, by id.
	if !key.none {
		w, a := where, args
		if !key.at.IsZero() {
			w, a = append(w, fmt.Sprintf("(deadline_at, id) > ($%d, $%d)", len(a)+1, len(a)+2)), append(a, key.at, key.id)
		} else {
			w = append(w, "deadline_at IS NOT NULL")
		}
		if items, err = s.summaries(ctx, `SELECT `+summaryColumns+` FROM applications WHERE `+strings.Join(w, " AND ")+
			fmt.Sprintf(` ORDER BY deadline_at, id LIMIT %d`, n+1), a...); err != nil {
			return Page{}, err
		}
	}
	if len(items) <= n {
		w, a := append(where, "deadline_at IS NULL"), args
		if key.none {
			w, a = append(w, fmt.Sprintf("id > $%d", len(a)+1)), append(a, key.id)
		}
		more, err := s.summaries(ctx, `SELECT `+summaryColumns+` FROM applications WHERE `+strings.Join(w, " AND ")+
			fmt.Sprintf(` ORDER BY id LIMIT %d`, n+1-len(items)), a...)
		if err != nil {
			return Page{}, err
		}
		items = append(items, more...)
	}
	return s.page(items, n, func(a Summary) pageKey { return pageKey{at: a.Deadline, id: a.ID, none: a.Deadline.IsZero()} }), nil
}

// where is the SQL condition of the filter, the queue's states first.
func (f QueueFilter) where() ([]string, []any) {
	w, args := []string{openStates}, []any{}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Services != nil {
		ph := make([]string, len(f.Services))
		for i, svc := range f.Services {
			ph[i] = arg(svc)
		}
		w = append(w, "service IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Service != "" {
		w = append(w, "service = "+arg(f.Service))
	}
	if f.State != "" {
		w = append(w, "state = "+arg(string(f.State)))
	}
	switch {
	case f.Unassigned:
		w = append(w, "assignee IS NULL")
	case f.Assignee != "":
		w = append(w, "assignee = "+arg(f.Assignee))
	}
	return w, args
}

// OverdueCap bounds the desk's overdue count: counting reads one index entry per overdue
// application, so past the cap the page says «more than» and stays as quick as a page.
const OverdueCap = 1000

// CountOverdue counts the open applications f keeps whose deadline has passed, up to
// OverdueCap; more reports that there are more than that.
func (s *Store) CountOverdue(ctx context.Context, f QueueFilter) (n int, more bool, err error) {
	if f.Services != nil && len(f.Services) == 0 {
		return 0, false, nil
	}
	w, args := f.where()
	w, args = append(w, fmt.Sprintf("deadline_at < $%d", len(args)+1)), append(args, s.now())
	err = s.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM applications WHERE `+strings.Join(w, " AND ")+
		fmt.Sprintf(` LIMIT %d) AS overdue`, OverdueCap+1), args...).Scan(&n)
	if n > OverdueCap {
		return OverdueCap, true, err
	}
	return n, false, err
}

// ListPage returns a page of the account's applications, newest first, after the cursor.
func (s *Store) ListPage(ctx context.Context, accountID, cursor string, n int) (Page, error) {
	if n <= 0 {
		n = PageSize
	}
	key, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	q, args := `SELECT `+summaryColumns+` FROM applications WHERE account_id = $1`, []any{accountID}
	if !key.at.IsZero() {
		q, args = q+` AND (created_at, id) < ($2, $3)`, append(args, key.at, key.id)
	}
	items, err := s.summaries(ctx, q+fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, n+1), args...)
	if err != nil {
		return Page{}, err
	}
	return s.page(items, n, func(a Summary) pageKey { return pageKey{at: a.CreatedAt, id: a.ID} }), nil
}

func (s *Store) page(items []Summary, n int, key func(Summary) pageKey) Page {
	if len(items) <= n {
		return Page{Items: items}
	}
	items = items[:n]
	return Page{Items: items, Next: key(items[n-1]).encode()}
}

func (s *Store) summaries(ctx context.Context, q string, args ...any) ([]Summary, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("applications: list: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var a Summary
		var st string
		var number, assignee sql.NullString
		var deadline, submitted, decided sql.NullTime
		if err := rows.Scan(&a.ID, &a.AccountID, &a.Service, &st, &number, &assignee, &deadline, &a.CreatedAt,
			&submitted, &decided); err != nil {
			return nil, err
		}
		a.State, a.Number, a.Assignee = State(st), number.String, assignee.String
		a.Deadline, a.SubmittedAt, a.DecidedAt, a.CreatedAt = deadline.Time.UTC(), submitted.Time.UTC(), decided.Time.UTC(), a.CreatedAt.UTC()
		if !deadline.Valid {
			a.Deadline = time.Time{}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// pageKey is the sort key of a page's last row: a time and the id; none marks the queue's
// rows without a deadline.
type pageKey struct {
	at   time.Time
	id   string
	none bool
}

// encode writes the key as a cursor for a URL: "t<unix nanoseconds>.<id>" or "n.<id>".
func (k pageKey) encode() string {
	head := fmt.Sprintf("t%d", k.at.UnixNano())
	if k.none {
		head = "n"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(head + "." + k.id))
}

func decodeCursor(c string) (pageKey, error) {
	if c == "" {
		return pageKey{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return pageKey{}, ErrBadCursor
	}
	head, id, ok := strings.Cut(string(raw), ".")
	if !ok || id == "" {
		return pageKey{}, ErrBadCursor
	}
	if head == "n" {
		return pageKey{id: id, none: true}, nil
	}
	ns, err := strconv.ParseInt(strings.TrimPrefix(head, "t"), 10, 64)
	if err != nil || !strings.HasPrefix(head, "t") || ns == 0 {
		return pageKey{}, ErrBadCursor
	}
	return pageKey{at: time.Unix(0, ns).UTC(), id: id}, nil
}
