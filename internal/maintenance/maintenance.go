// Package maintenance keeps the schedule of maintenance windows: an administrator plans one
// (`sep admin maintenance schedule -from … -to …`), and during it every instance answers every
// page and API request with 503, Retry-After and the time the work ends, in Moscow time; health
// checks, metrics, static assets and the schedule page stay open, and background jobs go on.
// Pages announce a window a day ahead, and GET /maintenance lists the schedule.
//
// The windows live in the database, so every instance sees the same schedule. Each instance
// reads it at most once per CacheFor (5 seconds) and answers requests from memory in between:
// a window scheduled or cancelled takes effect on every instance within 5 seconds. Scheduling
// and cancelling are journaled (internal/audit) by the window's id.
package maintenance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
)

// Journaled actions; their readable names are the catalog messages "audit.action.<code>".
const (
	ActionScheduled = "maintenance.scheduled"
	ActionCancelled = "maintenance.cancelled"
)

// Limits of a window. A window longer than MaxLength is refused as a likely typo in a date
// (a wrong year would close the site for a year); MaxNote keeps a note to a banner's line.
const (
	MaxLength = 72 * time.Hour
	MaxNote   = 300
)

// Window is a maintenance window.
type Window struct {
	ID             string
	From, To       time.Time
	NoteRU, NoteEN string // optional, but both or neither
	CreatedAt      time.Time
	CancelledAt    time.Time // zero unless cancelled
}

// State is where a window stands at a given time.
type State string

// The states of a window.
const (
	Scheduled State = "scheduled"
	Active    State = "active"
	Ended     State = "ended"
	Cancelled State = "cancelled"
)

// State reports the window's state at now.
func (w Window) State(now time.Time) State {
	switch {
	case !w.CancelledAt.IsZero():
		return Cancelled
	case !w.To.After(now):
		return Ended
	case !w.From.After(now):
		return Active
	}
	return Scheduled
}

// Store reads and changes the schedule.
type Store struct {
	db      *db.DB
	journal *audit.Journal
	jobs    *jobs.Queue
	now     func() time.Time
}

// AnnounceJob is the job that tells people of a scheduled window (by the channels each keeps on
// for maintenance notices: internal/notify's broadcast, registered by the running instance). Its
// payload names the window: {"event": id}.
const AnnounceJob = "maintenance.announce"

// Options tune a Store.
type Options struct {
	// Journal records scheduling and cancelling; they fail without it. Reading needs none.
	Journal *audit.Journal
	// Jobs, if set, receives an AnnounceJob for each window scheduled, in the same transaction.
	Jobs *jobs.Queue
	Now  func() time.Time // the clock; time.Now by default
}

// NewStore returns the schedule on d.
func NewStore(d *db.DB, opt Options) *Store {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Store{db: d, journal: opt.Journal, jobs: opt.Jobs, now: opt.Now}
}

func invalid(id string) error { return errs.E(errs.Invalid, id, nil) }

// check validates a window about to be scheduled.
func check(w Window, now time.Time) error {
	switch {
	case !w.To.After(w.From):
		return invalid("maintenance.error.order")
	case !w.To.After(now):
		return invalid("maintenance.error.past")
	case w.To.Sub(w.From) > MaxLength:
		return invalid("maintenance.error.too_long")
	case (w.NoteRU == "") != (w.NoteEN == ""):
		return invalid("maintenance.error.notes")
	}
	for _, n := range []string{w.NoteRU, w.NoteEN} {
		if !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxNote || strings.IndexFunc(n, unicode.IsControl) >= 0 {
			return invalid("maintenance.error.note")
		}
	}
	return nil
}

// Schedule adds a window and journals it as done by the actor of by (its actor, address and
// user agent; e.g. audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli"}). A window that
// overlaps another one not cancelled is refused.
func (s *Store) Schedule(ctx context.Context, w Window, by audit.Entry) (Window, error) {
	if s.journal == nil {
		return Window{}, errors.New("maintenance: scheduling needs the audit journal")
	}
	now := s.now()
	w.From, w.To = w.From.UTC().Truncate(time.Second), w.To.UTC().Truncate(time.Second)
	w.NoteRU, w.NoteEN = strings.TrimSpace(w.NoteRU), strings.TrimSpace(w.NoteEN)
	if err := check(w, now); err != nil {
		return Window{}, err
	}
	w.ID, w.CreatedAt, w.CancelledAt = db.NewID(), now.UTC(), time.Time{}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT id FROM maintenance_windows
			WHERE cancelled_at IS NULL AND starts_at < $1 AND ends_at > $2 LIMIT 1`, w.To, w.From).Scan(&other)
		switch {
		case err == nil:
			return errs.E(errs.Conflict, "maintenance.error.overlap", fmt.Errorf("overlaps window %s", other))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("maintenance: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO maintenance_windows (id, starts_at, ends_at, note_ru, note_en, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, w.ID, w.From, w.To, w.NoteRU, w.NoteEN, w.CreatedAt); err != nil {
			return fmt.Errorf("maintenance: %w", err)
		}
		if s.jobs != nil {
			if _, err := s.jobs.Enqueue(ctx, tx, jobs.Spec{Kind: AnnounceJob, Key: w.ID,
				Payload: map[string]string{"event": w.ID}}); err != nil {
				return err
			}
		}
		return s.journalIn(ctx, tx, by, ActionScheduled, w.ID)
	})
	if err != nil {
		return Window{}, err
	}
	return w, nil
}

// Cancel cancels a window that has not ended; cancelling one in progress ends it now.
func (s *Store) Cancel(ctx context.Context, id string, by audit.Entry) (Window, error) {
	if s.journal == nil {
		return Window{}, errors.New("maintenance: cancelling needs the audit journal")
	}
	now := s.now().UTC()
	var w Window
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// One conditional update, so that two cancellations at once journal one.
		res, err := tx.ExecContext(ctx, `UPDATE maintenance_windows SET cancelled_at = $2
			WHERE id = $1 AND cancelled_at IS NULL AND ends_at > $2`, id, now)
		if err != nil {
			return fmt.Errorf("maintenance: %w", err)
		}
		if w, err = get(ctx, tx, id); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "maintenance.error.over", nil)
		}
		return s.journalIn(ctx, tx, by, ActionCancelled, id)
	})
	return w, err
}

// journalIn appends the entry last in the transaction, as audit.Append asks; the window's id
// is all it records.
func (s *Store) journalIn(ctx context.Context, tx *sql.Tx, by audit.Entry, action, id string) error {
	by.Action, by.ObjectType, by.ObjectID, by.Details = action, "maintenance_window", id, nil
	if by.ActorKind == "" {
		by.ActorKind = audit.ActorSystem
	}
	_, err := s.journal.Append(ctx, tx, by)
	return err
}

const columns = `id, starts_at, ends_at, note_ru, note_en, created_at, cancelled_at`

func scan(row interface{ Scan(...any) error }) (Window, error) {
	var (
		w         Window
		cancelled sql.NullTime
	)
	err := row.Scan(&w.ID, &w.From, &w.To, &w.NoteRU, &w.NoteEN, &w.CreatedAt, &cancelled)
	w.From, w.To, w.CreatedAt = w.From.UTC(), w.To.UTC(), w.CreatedAt.UTC()
	if cancelled.Valid {
		w.CancelledAt = cancelled.Time.UTC()
	}
	return w, err
}

func get(ctx context.Context, q db.Querier, id string) (Window, error) {
	w, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM maintenance_windows WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Window{}, errs.E(errs.NotFound, "maintenance.error.not_found", nil)
	}
	if err != nil {
		return Window{}, fmt.Errorf("maintenance: %w", err)
	}
	return w, nil
}

// Get returns the window with the id.
func (s *Store) Get(ctx context.Context, id string) (Window, error) {
	return get(ctx, s.db.Reader(), id)
}

// List returns the windows that have not ended (cancelled ones too), or with all every window
// ever scheduled, by start time.
func (s *Store) List(ctx context.Context, all bool) ([]Window, error) {
	q, args := `SELECT `+columns+` FROM maintenance_windows WHERE ends_at > $1 ORDER BY starts_at, id`, []any{s.now().UTC()}
	if all {
		q, args = `SELECT `+columns+` FROM maintenance_windows ORDER BY starts_at, id`, nil
	}
	return s.query(ctx, q, args...)
}

// Upcoming returns the windows not cancelled that have not ended at now, by start time (at most
// 100: the schedule of months).
func (s *Store) Upcoming(ctx context.Context, now time.Time) ([]Window, error) {
	return s.query(ctx, `SELECT `+columns+` FROM maintenance_windows WHERE cancelled_at IS NULL AND ends_at > $1
		ORDER BY starts_at, id LIMIT 100`, now.UTC())
}

func (s *Store) query(ctx context.Context, q string, args ...any) ([]Window, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	defer rows.Close()
	var out []Window
	for rows.Next() {
		w, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("maintenance: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	return out, nil
}
