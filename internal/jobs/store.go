package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
)

// dbNow reads the database's clock through x. It is the queue's one clock: every lease, due
// time and retention is set and compared by it, so that instances whose own clocks disagree
// still agree on when a lease ends and a job is due. PostgreSQL: the server's clock; SQLite:
// the host's, which every process on the file shares.
func (q *Queue) dbNow(ctx context.Context, x db.Querier) (time.Time, error) {
	if q.db.Dialect() != db.Postgres {
		return q.now().UTC(), nil
	}
	var t time.Time
	if err := x.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("jobs: read the database clock: %w", err)
	}
	return t.UTC(), nil
}

// claim leases up to n due jobs of the registered kinds to worker. A due job is a queued one
// whose time has come, or a running one whose lease has expired (its worker died). Each claim
// counts as an attempt, so a job that kills its worker every time still ends in dead-letter.
func (q *Queue) claim(ctx context.Context, worker string, n int, lease time.Duration) ([]*Job, error) {
	// The worker's own deadline for a lease is counted on its monotonic clock from before the
	// database read the lease's start, so that it always ends before the lease does.
	sent := time.Now()
	kinds := make([]any, 0, len(q.kinds))
	for _, k := range slices.Sorted(maps.Keys(q.kinds)) {
		kinds = append(kinds, k)
	}
	// Look before taking the write lock: most polls find nothing, and on SQLite every write
	// transaction serialises with all other writers.
	now, err := q.dbNow(ctx, q.db.Reader())
	if err != nil {
		return nil, err
	}
	var one int
	err = q.db.Reader().QueryRowContext(ctx, `SELECT 1 FROM jobs WHERE `+dueCondition(len(kinds), 2)+` LIMIT 1`,
		append([]any{now}, kinds...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lock := ""
	if q.db.Dialect() == db.Postgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	var jobs []*Job
	err = q.db.Tx(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		now, err := q.dbNow(ctx, tx)
		if err != nil {
			return err
		}
		// A job whose worker died on its last attempt cannot be claimed again: bury it.
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'dead', lease_until = NULL, locked_by = NULL, updated_at = $1,
			last_error = 'the worker stopped during the last attempt (lease expired)'
			WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts`, now); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1,
				lease_until = $2, locked_by = $3, updated_at = $1
			WHERE id IN (
				SELECT id FROM jobs
				WHERE `+dueCondition(len(kinds), 5)+` AND attempts < max_attempts
				ORDER BY run_at
				LIMIT $4 `+lock+`)
			RETURNING id, kind, payload, attempts, max_attempts, run_at, created_at`,
			append([]any{now, now.Add(lease), worker, n}, kinds...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j := &Job{leased: sent}
			var payload string
			if err := rows.Scan(&j.ID, &j.Kind, &payload, &j.Attempt, &j.MaxAttempts, &j.RunAt, &j.CreatedAt); err != nil {
				return err
			}
			j.Payload = []byte(payload)
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	return jobs, err
}

// dueCondition selects jobs of the registered kinds (placeholders from $first on) that are due
// at $1: queued ones whose time has come and running ones whose lease has expired.
func dueCondition(kinds, first int) string {
	marks := make([]string, kinds)
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", first+i)
	}
	return `kind IN (` + strings.Join(marks, ", ") + `)
		AND ((state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_until < $1))`
}

// The updates below are fenced by (locked_by, attempts): a worker whose lease expired and whose
// job was claimed again cannot overwrite the newer attempt's state.
const fence = `id = $1 AND locked_by = $2 AND attempts = $3 AND state = 'running'`

func (q *Queue) extend(ctx context.Context, j *Job, worker string, lease time.Duration) (bool, error) {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return false, err
	}
	res, err := w.ExecContext(ctx, `UPDATE jobs SET lease_until = $4, updated_at = $5 WHERE `+fence,
		j.ID, worker, j.Attempt, now.Add(lease), now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (q *Queue) finish(ctx context.Context, j *Job, worker string) error {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return err
	}
	_, err = w.ExecContext(ctx, `UPDATE jobs SET state = 'done', lease_until = NULL, locked_by = NULL,
		last_error = NULL, updated_at = $4 WHERE `+fence, j.ID, worker, j.Attempt, now)
	return err
}

// bury records a failed attempt after which the job is not tried again: dead-letter.
func (q *Queue) bury(ctx context.Context, j *Job, worker string, cause error) error {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return err
	}
	_, err = w.ExecContext(ctx, `UPDATE jobs SET state = 'dead', lease_until = NULL, locked_by = NULL,
		last_error = $4, updated_at = $5 WHERE `+fence, j.ID, worker, j.Attempt, errorText(cause), now)
	return err
}

// requeue records a failed attempt to be retried after backoff, counted on the database's
// clock like every due time. It returns when the job is due again.
func (q *Queue) requeue(ctx context.Context, j *Job, worker string, cause error, backoff time.Duration) (time.Time, error) {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return time.Time{}, err
	}
	next := now.Add(backoff)
	_, err = w.ExecContext(ctx, `UPDATE jobs SET state = 'queued', lease_until = NULL, locked_by = NULL,
		last_error = $4, run_at = $5, updated_at = $6 WHERE `+fence, j.ID, worker, j.Attempt, errorText(cause), next, now)
	return next, err
}

// errorText is a handler's error as it is stored with the job, cut to a sane length.
func errorText(cause error) string {
	msg := cause.Error()
	if len(msg) > 4000 {
		msg = msg[:4000] + "…"
	}
	return msg
}

// release gives back an attempt that shutdown interrupted.
func (q *Queue) release(ctx context.Context, j *Job, worker string) error {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return err
	}
	_, err = w.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = attempts - 1,
		lease_until = NULL, locked_by = NULL, run_at = $4, updated_at = $4 WHERE `+fence, j.ID, worker, j.Attempt, now)
	return err
}

func (q *Queue) purgeDone(ctx context.Context, retention time.Duration) (int64, error) {
	w := q.db.Writer()
	now, err := q.dbNow(ctx, w)
	if err != nil {
		return 0, err
	}
	res, err := w.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND updated_at < $1`, now.Add(-retention))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
