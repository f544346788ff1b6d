// Package jobs is sep's durable background work: a database table as the queue, so that work
// survives restarts and any instance can do it.
//
// A job's life:
//
//	Enqueue ──▶ queued ──claim──▶ running ──ok──▶ done (deleted after a retention period)
//	              ▲                 │  │
//	              └──── error ──────┘  └── error on the last attempt, or Permanent ──▶ dead
//	                 (backoff)
//
// A claim is a lease: the worker extends it while the handler runs; if the worker dies the
// lease expires and another worker claims the job again. PostgreSQL claims with
// FOR UPDATE SKIP LOCKED, SQLite under its single-writer lock. Because a worker can die after a
// handler has done its work but before the job is marked done, handlers must be idempotent:
// use Job.ID as the idempotency key of any external effect.
//
// Every lease, due time and retention is taken from one clock, the database's: PostgreSQL's
// server clock, or the host's clock that every process on one SQLite file shares. Instances
// whose own clocks disagree therefore still agree on when a lease ends and when a job is due.
// Only the worker's deadline for giving a job up is its own: it is counted on the process's
// monotonic clock from before the worker asked for the lease, and falls a quarter lease before
// the lease ends, so a job that is taken over has already been cancelled where it ran.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/internal/db"
)

// Job is one unit of background work as a handler sees it.
type Job struct {
	ID          string
	Kind        string
	Payload     []byte // JSON
	Attempt     int    // 1 on the first run
	MaxAttempts int
	RunAt       time.Time
	CreatedAt   time.Time

	leased time.Time // when this worker asked for the lease, on its monotonic clock
}

// Decode unmarshals the payload into v.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("job %s: bad payload: %w", j.Kind, err))
	}
	return nil
}

// Handler does the work of one kind of job. It must be idempotent (see the package doc) and
// return promptly when ctx is cancelled. Its error text is stored with the job: never put
// personal data in it.
type Handler func(ctx context.Context, job *Job) error

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks an error that retrying cannot fix (a malformed payload, a refused request):
// the job goes to dead-letter at once.
func Permanent(err error) error { return permanent{err} }

// Spec describes a job to enqueue.
type Spec struct {
	Kind    string
	Payload any       // marshalled to JSON; []byte and json.RawMessage are taken as they are
	RunAt   time.Time // zero: now by the database's clock
	// Key, if set, makes the job unique per kind: enqueueing the same kind and key again is a
	// no-op that returns the existing job's ID.
	Key         string
	MaxAttempts int // zero: the kind's default
}

// KindOptions tune how jobs of one kind run.
type KindOptions struct {
	MaxAttempts int                             // default 10
	Timeout     time.Duration                   // one attempt's time limit; default 1 minute
	Backoff     func(attempt int) time.Duration // delay before the next attempt; default Exponential(10s, 1h)
}

type kind struct {
	handler Handler
	opt     KindOptions
}

// Queue is the job table with the handlers this process knows.
type Queue struct {
	db    *db.DB
	now   func() time.Time
	kinds map[string]kind
	wake  chan struct{}
}

// New returns a queue on d. Register handlers before calling Run.
func New(d *db.DB) *Queue {
	return &Queue{db: d, now: time.Now, kinds: map[string]kind{}, wake: make(chan struct{}, 1)}
}

// Register sets the handler of a kind. Only registered kinds are claimed by this process's Run.
func (q *Queue) Register(name string, h Handler, opt KindOptions) {
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	if opt.Timeout <= 0 {
		opt.Timeout = time.Minute
	}
	if opt.Backoff == nil {
		opt.Backoff = Exponential(10*time.Second, time.Hour)
	}
	q.kinds[name] = kind{handler: h, opt: opt}
}

// Enqueue adds a job. x is the transaction (or pool) to write with: enqueue inside the caller's
// transaction so that the job exists if and only if the caller's change commits. nil means the
// writer pool.
func (q *Queue) Enqueue(ctx context.Context, x db.Querier, s Spec) (string, error) {
	if s.Kind == "" {
		return "", errors.New("jobs: empty kind")
	}
	var payload []byte
	switch p := s.Payload.(type) {
	case nil:
		payload = []byte("{}")
	case []byte:
		payload = p
	case json.RawMessage:
		payload = p
	default:
		var err error
		if payload, err = json.Marshal(p); err != nil {
			return "", fmt.Errorf("jobs: payload of %s: %w", s.Kind, err)
		}
	}
	maxAttempts := s.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 10
		if k, ok := q.kinds[s.Kind]; ok {
			maxAttempts = k.opt.MaxAttempts
		}
	}
	if x == nil {
		x = q.db.Writer()
	}
	now, err := q.dbNow(ctx, x)
	if err != nil {
		return "", fmt.Errorf("jobs: enqueue %s: %w", s.Kind, err)
	}
	runAt := s.RunAt.UTC()
	if s.RunAt.IsZero() {
		runAt = now
	}
	var key any
	if s.Key != "" {
		key = s.Key
	}
	id := db.NewID()
	// ON CONFLICT DO NOTHING is portable between the two engines; a conflict can only come
	// from the (kind, dedup_key) index.
	res, err := x.ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, dedup_key, state, run_at, max_attempts, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7) ON CONFLICT DO NOTHING`,
		id, s.Kind, string(payload), key, runAt, maxAttempts, now)
	if err != nil {
		return "", fmt.Errorf("jobs: enqueue %s: %w", s.Kind, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		err := x.QueryRowContext(ctx, `SELECT id FROM jobs WHERE kind = $1 AND dedup_key = $2`, s.Kind, s.Key).Scan(&id)
		if err != nil {
			return "", fmt.Errorf("jobs: enqueue %s: existing job: %w", s.Kind, err)
		}
		return id, nil
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return id, nil
}

// Exponential returns a backoff that doubles from base up to limit, with ±20% jitter so that
// jobs failing together do not retry in lockstep.
func Exponential(base, limit time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < limit; i++ {
			d *= 2
		}
		d = min(d, limit)
		return jitter(d)
	}
}

// State is where a job is in its life.
type State string

// The states of a job.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Dead    State = "dead"
)

// Info is a job as operators see it.
type Info struct {
	ID, Kind    string
	State       State
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
	UpdatedAt   time.Time
}

const infoColumns = `SELECT id, kind, state, attempts, max_attempts, run_at, last_error, updated_at FROM jobs`

// scanInfo reads one row of infoColumns.
func scanInfo(row interface{ Scan(...any) error }) (Info, error) {
	var in Info
	var lastErr sql.NullString
	err := row.Scan(&in.ID, &in.Kind, &in.State, &in.Attempts, &in.MaxAttempts, &in.RunAt, &lastErr, &in.UpdatedAt)
	in.LastError = lastErr.String
	return in, err
}

// Get returns a job's current state.
func (q *Queue) Get(ctx context.Context, id string) (Info, error) {
	return scanInfo(q.db.Reader().QueryRowContext(ctx, infoColumns+` WHERE id = $1`, id))
}

// List returns up to limit jobs in a state, most recently updated first.
func (q *Queue) List(ctx context.Context, state State, limit int) ([]Info, error) {
	rows, err := q.db.Reader().QueryContext(ctx, infoColumns+` WHERE state = $1 ORDER BY updated_at DESC LIMIT $2`, string(state), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Info
	for rows.Next() {
		in, err := scanInfo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Retry puts a dead job back in the queue with a fresh set of attempts.
func (q *Queue) Retry(ctx context.Context, id string) error {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return err
	}
	res, err := w.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2
		WHERE id = $1 AND state = 'dead'`, id, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("jobs: no dead job %s", id)
	}
	return nil
}
