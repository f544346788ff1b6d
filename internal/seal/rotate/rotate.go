// Package rotate re-seals personal data after a data-key rotation: a durable background job
// (internal/jobs) goes through every table the seal.Schema declares, in batches by primary key,
// seals each value again with the current key and recomputes each blind index, and keeps its
// cursor in the database (table seal_rotations), so it resumes where it stopped after a crash,
// a restart or a lost lease. The job queue lets one instance run it at a time; instances
// serving requests meanwhile write with the current key already, and rows they change are
// locked against the batch (FOR UPDATE on PostgreSQL, the single writer on SQLite).
//
// A pass over every table ends with a count of what is still sealed with another key — a
// value written by an instance that had not yet reloaded the key file. The rotation finishes
// only when that count is zero and every instance has had the time to reload the file (the
// settling time); until then the job comes back later, as a new job, rather than wait.
//
//	Start ──▶ seal_rotations row + job ──▶ pass: table by table, batch by batch (cursor saved)
//	                                          │
//	         count values on other keys ─ 0 and settled ──▶ finished (journaled)
//	                    │ 0, not settled           │ > 0
//	                    ▼                          ▼
//	          check at the settling time    another pass after a pause (doubling)
package rotate

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
)

// JobKind is the kind of the re-sealing job.
const JobKind = "seal.reseal"

// Options configure a Rotator.
type Options struct {
	DB     *db.DB
	Jobs   *jobs.Queue
	Schema *seal.Schema
	Batch  int           // rows per transaction; default 1000
	Pause  time.Duration // between passes; default 5s (longer than instances take to reload the key file)
	// Settle is how long after the rotation started the job waits before it may finish: time
	// for every instance to reload the key file and stop sealing with the old key. Default 10s
	// (instances look at the file every 2 seconds).
	Settle time.Duration
	Logger *slog.Logger
	// Finished, if set, runs in the transaction that marks a rotation finished (to journal it).
	Finished func(ctx context.Context, tx *sql.Tx, r Rotation) error
}

// Rotator starts rotations and runs their job.
type Rotator struct {
	db       *db.DB
	schema   *seal.Schema
	jobs     *jobs.Queue
	batch    int
	pause    time.Duration
	settle   time.Duration
	log      *slog.Logger
	finished func(ctx context.Context, tx *sql.Tx, r Rotation) error
}

// New returns a rotator and registers its job kind on o.Jobs.
func New(o Options) *Rotator {
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Pause <= 0 {
		o.Pause = 5 * time.Second
	}
	if o.Settle <= 0 {
		o.Settle = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Rotator{db: o.DB, schema: o.Schema, jobs: o.Jobs, batch: o.Batch, pause: o.Pause, settle: o.Settle, log: o.Logger,
		finished: o.Finished}
	// A job attempt runs as long as it needs (its lease is kept alive); a crash costs one
	// attempt and the next resumes from the cursor.
	o.Jobs.Register(JobKind, r.run, jobs.KindOptions{MaxAttempts: 1000, Timeout: 24 * time.Hour,
		Backoff: jobs.Exponential(10*time.Second, 10*time.Minute)})
	return r
}

// Rotation is the state of the re-sealing to one key.
type Rotation struct {
	Key        seal.KeyID
	Previous   seal.KeyID // the key that was current before
	Table      string     // where the job is (the table it works on or will start with)
	After      string     // the last row done in Table
	Passes     int        // passes completed
	Resealed   int64      // rows sealed again so far
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time // zero while running
}

// Finished reports whether the rotation is done.
func (r Rotation) Finished() bool { return !r.FinishedAt.IsZero() }

type payload struct {
	Key   string `json:"key"`
	Check bool   `json:"check,omitempty"` // a later look: count first, pass only if needed
}

// Start records that key has become current, replacing previous, and enqueues the job that
// re-seals everything to it, both through x (the caller's transaction; otherwise one of its
// own). It reports false, and does nothing, if the rotation to key was recorded before.
func (r *Rotator) Start(ctx context.Context, x db.Querier, key, previous seal.KeyID) (bool, error) {
	started := false
	start := func(x db.Querier) error {
		now := time.Now().UTC()
		res, err := x.ExecContext(ctx, `INSERT INTO seal_rotations (key_id, previous, table_name, after_id, started_at, updated_at)
			VALUES ($1, $2, '', '', $3, $3) ON CONFLICT (key_id) DO NOTHING`, key.String(), previous.String(), now)
		if err != nil {
			return fmt.Errorf("rotate: record rotation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		started = true
		_, err = r.jobs.Enqueue(ctx, x, jobs.Spec{Kind: JobKind, Key: key.String(), Payload: payload{Key: key.String()}})
		return err
	}
	var err error
	if tx, ok := x.(*sql.Tx); ok {
		err = start(tx)
	} else {
		err = r.db.Tx(ctx, func(tx *sql.Tx) error { return start(tx) })
	}
	return started, err
}

const rotationColumns = `key_id, previous, table_name, after_id, passes, resealed, started_at, updated_at, finished_at`

func scanRotation(row interface{ Scan(...any) error }) (Rotation, error) {
	var rt Rotation
	var key, prev string
	var finished sql.NullTime
	if err := row.Scan(&key, &prev, &rt.Table, &rt.After, &rt.Passes, &rt.Resealed, &rt.StartedAt, &rt.UpdatedAt, &finished); err != nil {
		return rt, err
	}
	var err error
	if rt.Key, err = seal.ParseKeyID(key); err != nil {
		return rt, err
	}
	if rt.Previous, err = seal.ParseKeyID(prev); err != nil {
		return rt, err
	}
	rt.StartedAt, rt.UpdatedAt, rt.FinishedAt = rt.StartedAt.UTC(), rt.UpdatedAt.UTC(), finished.Time.UTC()
	if !finished.Valid {
		rt.FinishedAt = time.Time{}
	}
	return rt, nil
}

// Rotations lists every rotation recorded, newest first.
func (r *Rotator) Rotations(ctx context.Context) ([]Rotation, error) {
	rows, err := r.db.Reader().QueryContext(ctx, `SELECT `+rotationColumns+` FROM seal_rotations ORDER BY started_at DESC, key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rotation
	for rows.Next() {
		rt, err := scanRotation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rt)
	}
	return out, rows.Err()
}

// run is the job: it re-seals from the recorded cursor to the end, pass after pass, until
// nothing is sealed with another key.
func (r *Rotator) run(ctx context.Context, job *jobs.Job) error {
	var p payload
	if err := job.Decode(&p); err != nil {
		return err
	}
	target, err := seal.ParseKeyID(p.Key)
	if err != nil {
		return jobs.Permanent(err)
	}
	box := r.schema.Box
	if !box.Ring().Has(target) {
		if _, err := box.Reload(); err != nil {
			return fmt.Errorf("rotate: reload the key file: %w", err)
		}
		if !box.Ring().Has(target) {
			return fmt.Errorf("rotate: this instance's key file does not hold key %s yet (is SEP_DATA_KEY_FILE the same on every instance?)", target)
		}
	}
	rt, err := scanRotation(r.db.Reader().QueryRowContext(ctx, `SELECT `+rotationColumns+` FROM seal_rotations WHERE key_id = $1`, p.Key))
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.Permanent(fmt.Errorf("rotate: no rotation to %s is recorded", target))
	}
	if err != nil || rt.Finished() {
		return err
	}
	current := box.Ring().Current()
	left := int64(-1)
	if p.Check {
		// A check after the settling time or a pause: finish if nothing is left on another key.
		if left, err = r.left(ctx, current); err != nil {
			return err
		}
	}
	if left != 0 {
		if err := r.pass(ctx, &rt); err != nil {
			return err
		}
		if left, err = r.left(ctx, current); err != nil {
			return err
		}
	}
	settled := time.Until(rt.StartedAt.Add(r.settle))
	if left == 0 && (p.Check || settled <= 0) {
		return r.finish(ctx, &rt)
	}
	// Come back later rather than sleep here (a sleeping job would hold up a shutdown): after
	// the settling time, when every instance has reloaded the key file; or, if an instance
	// wrote with an old key meanwhile, after a pause that doubles with each pass.
	wait := settled
	if left > 0 {
		wait = min(r.pause<<min(rt.Passes, 8), 10*time.Minute)
		r.log.Warn("re-sealing: values were written with an old key meanwhile (an instance that has not reloaded "+
			"SEP_DATA_KEY_FILE?); another pass follows", "key", current.String(), "left", left, "passes", rt.Passes, "in", wait.String())
	}
	_, err = r.jobs.Enqueue(ctx, nil, jobs.Spec{Kind: JobKind, Key: fmt.Sprintf("%s/%d", target, rt.Passes),
		RunAt: time.Now().Add(wait), Payload: payload{Key: target.String(), Check: true}})
	return err
}

// pass re-seals every table from the cursor on, then sets the cursor to the start again.
func (r *Rotator) pass(ctx context.Context, rt *Rotation) error {
	tables := r.schema.Tables
	i := 0
	for i < len(tables) && rt.Table != "" && tables[i].Name != rt.Table {
		i++
	}
	if i == len(tables) { // a table no longer declared: start over
		i, rt.After = 0, ""
	}
	for ; i < len(tables); i++ {
		rt.Table = tables[i].Name
		for {
			n, more, err := r.batch1(ctx, tables[i], rt)
			if err != nil {
				return err
			}
			if n > 0 {
				r.log.Debug("re-sealed a batch", "table", rt.Table, "rows", n)
			}
			if !more {
				break
			}
		}
		rt.After = ""
	}
	rt.Table, rt.After = tables[0].Name, ""
	rt.Passes++
	_, err := r.db.Writer().ExecContext(ctx, `UPDATE seal_rotations SET table_name = $2, after_id = '', passes = $3, updated_at = $4
		WHERE key_id = $1`, rt.Key.String(), rt.Table, rt.Passes, time.Now().UTC())
	return err
}

// batch1 re-seals one batch of t after the cursor, and moves the cursor, in one transaction.
// It reports how many rows it changed and whether the table may have more.
func (r *Rotator) batch1(ctx context.Context, t seal.Table, rt *Rotation) (int, bool, error) {
	box := r.schema.Box
	cols := append(append([]string{t.Key}, t.Sealed...), indexColumns(t)...)
	lock := ""
	if r.db.Dialect() == db.Postgres {
		lock = " FOR UPDATE"
	}
	sel := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + t.Name + ` WHERE ` + t.Key + ` > $1 ORDER BY ` + t.Key +
		` LIMIT $2` + lock
	var sets []string
	for i, c := range cols[1:] {
		sets = append(sets, fmt.Sprintf("%s = $%d", c, i+2))
	}
	update := `UPDATE ` + t.Name + ` SET ` + strings.Join(sets, ", ") + ` WHERE ` + t.Key + ` = $1`
	changed, seen := 0, 0
	after := rt.After
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		changed, seen, after = 0, 0, rt.After
		rows, err := tx.QueryContext(ctx, sel, rt.After, r.batch)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			rw := row{sealed: make([]seal.Sealed, len(t.Sealed)), index: make([]seal.Blind, len(t.Indexes))}
			dest := []any{&rw.id}
			for i := range rw.sealed {
				dest = append(dest, &rw.sealed[i])
			}
			for i := range rw.index {
				dest = append(dest, &rw.index[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, rw)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		seen = len(batch)
		stmt, err := tx.PrepareContext(ctx, update)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, rw := range batch {
			after = rw.id
			did, err := rw.reseal(box, t)
			if err != nil {
				// A value that does not open cannot be sealed again; it stays on its key (and is
				// counted as left), the rest of the table goes on.
				r.log.Warn("re-sealing: a value does not open", "err", err)
				continue
			}
			if !did {
				continue
			}
			args := []any{rw.id}
			for _, s := range rw.sealed {
				args = append(args, s)
			}
			for _, x := range rw.index {
				args = append(args, x)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
			changed++
		}
		_, err = tx.ExecContext(ctx, `UPDATE seal_rotations SET table_name = $2, after_id = $3, resealed = resealed + $4,
			updated_at = $5 WHERE key_id = $1`, rt.Key.String(), t.Name, after, changed, time.Now().UTC())
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("rotate: %s: %w", t.Name, err)
	}
	rt.After = after
	rt.Resealed += int64(changed)
	return changed, seen == r.batch, nil
}

func indexColumns(t seal.Table) []string {
	out := make([]string, len(t.Indexes))
	for i, ix := range t.Indexes {
		out[i] = ix.Column
	}
	return out
}

type row struct {
	id     string
	sealed []seal.Sealed
	index  []seal.Blind
}

// reseal seals the row's values again with the current key and recomputes its indexes where
// they were made with another key; it reports whether anything changed.
func (rw *row) reseal(box *seal.Box, t seal.Table) (bool, error) {
	current := box.Ring().Current()
	cols := t.Columns()
	plain := make([][]byte, len(cols))
	open := func(i int) ([]byte, error) { // each value is opened at most once
		if plain[i] == nil {
			p, err := box.Open(cols[i], rw.id, rw.sealed[i])
			if err != nil {
				return nil, err
			}
			plain[i] = p
		}
		return plain[i], nil
	}
	changed := false
	for i, c := range cols {
		if id, ok := rw.sealed[i].Key(); !rw.sealed[i].Valid() || ok && id == current {
			continue
		}
		p, err := open(i)
		if err != nil {
			return false, err
		}
		rw.sealed[i], changed = box.Seal(c, rw.id, p), true
	}
	for i, ix := range t.Indexes {
		if rw.index[i] == nil || box.Current(rw.index[i]) {
			continue
		}
		p, err := open(indexOf(t.Sealed, ix.Of))
		if err != nil {
			return false, err
		}
		if rw.index[i], err = box.Index(ix, string(p)); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

func (r *Rotator) finish(ctx context.Context, rt *Rotation) error {
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		now := time.Now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE seal_rotations SET finished_at = $2, updated_at = $2, passes = $3, resealed = $4
			WHERE key_id = $1 AND finished_at IS NULL`, rt.Key.String(), now, rt.Passes, rt.Resealed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		rt.FinishedAt, rt.UpdatedAt = now, now
		r.log.Info("re-sealing finished", "key", rt.Key.String(), "rows", rt.Resealed, "passes", rt.Passes)
		if r.finished != nil {
			return r.finished(ctx, tx, *rt)
		}
		return nil
	})
}

// keyBytes is how a key id appears in a sealed value's header and a blind index.
func keyBytes(id seal.KeyID) []byte { return binary.BigEndian.AppendUint32(nil, uint32(id)) }
