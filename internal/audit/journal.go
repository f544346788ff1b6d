package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/web"
)

// Journal is the audit journal on a database.
type Journal struct {
	db    *db.DB
	now   func() time.Time
	key   *gost3410.PrivateKey
	keyID string
	jobs  *jobs.Queue // where anchor jobs are enqueued
}

// Options tune a Journal.
type Options struct {
	// SigningKey signs checkpoints (the instance key). Without it the journal can append,
	// read and verify, but not make checkpoints.
	SigningKey *gost3410.PrivateKey
	// Now is the clock; time.Now by default (tests set their own).
	Now func() time.Time
	// Jobs is the queue the anchor job of each checkpoint goes to (see AnchorJob); a queue on
	// the same database by default. ServeAnchors sets it too.
	Jobs *jobs.Queue
}

// New returns the journal on d.
func New(d *db.DB, opt Options) (*Journal, error) {
	j := &Journal{db: d, now: opt.Now, key: opt.SigningKey, jobs: opt.Jobs}
	if j.now == nil {
		j.now = time.Now
	}
	if j.jobs == nil {
		j.jobs = jobs.New(d)
	}
	if j.key != nil {
		id, err := keys.ID(j.key.PublicKey())
		if err != nil {
			return nil, err
		}
		j.keyID = id
	}
	return j, nil
}

// Append adds e to the journal inside the caller's transaction q, so that the entry is
// committed if and only if the action it records is. It returns the entry's sequence number.
//
// Append locks the head of the chain until the transaction ends, which serialises appends
// from every instance: append as the last statement of a transaction, so the lock is held
// only for the commit. If q is not a *sql.Tx (nil, or a pool) Append runs its own
// transaction. On SQLite, never call it with nil while a transaction of your own is open:
// the single writer connection is taken.
func (j *Journal) Append(ctx context.Context, q db.Querier, e Entry) (int64, error) {
	if err := e.normalise(); err != nil {
		return 0, err
	}
	if tx, ok := q.(*sql.Tx); ok {
		return j.append(ctx, tx, &e)
	}
	var seq int64
	err := j.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		seq, err = j.append(ctx, tx, &e)
		return err
	})
	return seq, err
}

// FromRequest fills the actor (the signed-in principal; without one, the actor e names, else
// anonymous), the client address and the user agent of e from the request r.
func FromRequest(r *http.Request, e Entry) Entry {
	if p, ok := web.PrincipalOf(r); ok {
		e.ActorKind, e.ActorID = ActorKind(p.Kind), p.ID
		if e.OrgID == "" {
			e.OrgID = p.OrgID
		}
	} else if e.ActorKind == "" || e.ActorID == "" {
		// No principal: anonymous, unless the caller names the actor itself (a sign-in that
		// has just succeeded is its account's act, though the request has no session yet).
		e.ActorKind, e.ActorID = ActorAnonymous, ""
	}
	if ip := web.ClientIP(r); ip.IsValid() {
		e.IP = ip.String()
	}
	e.UserAgent = r.UserAgent()
	return e
}

// AppendRequest appends e with the actor, address and user agent of the request r (see
// FromRequest), inside the caller's transaction q as Append does.
func (j *Journal) AppendRequest(ctx context.Context, q db.Querier, r *http.Request, e Entry) (int64, error) {
	return j.Append(ctx, q, FromRequest(r, e))
}

// Record appends an entry of the system itself in its own transaction.
func (j *Journal) Record(ctx context.Context, action, objectType, objectID string, details map[string]string) (int64, error) {
	return j.Append(ctx, nil, Entry{ActorKind: ActorSystem, Action: action, ObjectType: objectType,
		ObjectID: objectID, Details: details})
}

// headQuery reads the head and locks it for the rest of the transaction: PostgreSQL takes the
// row lock; SQLite needs nothing, as its write transaction (BEGIN IMMEDIATE) holds the whole
// database.
func (j *Journal) headQuery() string {
	if j.db.Dialect() == db.Postgres {
		return `SELECT seq, hash, at FROM audit_head WHERE id = 1 FOR UPDATE`
	}
	return `SELECT seq, hash, at FROM audit_head WHERE id = 1`
}

func (j *Journal) lockHead(ctx context.Context, tx *sql.Tx) (int64, Hash, time.Time, error) {
	var (
		seq  int64
		hash string
		at   sql.NullTime
	)
	if err := j.db.TxRow(ctx, tx, j.headQuery()).Scan(&seq, &hash, &at); err != nil {
		return 0, Hash{}, time.Time{}, fmt.Errorf("audit: read the head: %w", err)
	}
	h, err := ParseHash(hash)
	if err != nil {
		return 0, Hash{}, time.Time{}, fmt.Errorf("audit: the head is damaged: %w", err)
	}
	return seq, h, at.Time.UTC(), nil
}

func (j *Journal) append(ctx context.Context, tx *sql.Tx, e *Entry) (int64, error) {
	seq, prev, last, err := j.lockHead(ctx, tx)
	if err != nil {
		return 0, err
	}
	e.Seq, e.PrevHash = seq+1, prev
	// Time never goes backwards along the chain, even when instances' clocks differ a little,
	// so that a time range and a sequence range select the same entries.
	e.At = j.now().UTC().Truncate(time.Microsecond)
	if e.At.Before(last) {
		e.At = last
	}
	e.Hash = e.ComputeHash()
	details := []byte("{}")
	if len(e.Details) > 0 {
		if details, err = json.Marshal(e.Details); err != nil {
			return 0, err
		}
	}
	args := []any{e.Seq, e.At, string(e.ActorKind), e.ActorID, e.OrgID, e.Action, e.ObjectType, e.ObjectID, e.IP,
		e.UserAgent, string(e.Outcome), string(details), e.PrevHash.String(), e.Hash.String()}
	if j.db.Dialect() == db.Postgres {
		// One round trip fewer while the head is locked: the head moves in the same statement.
		_, err = j.db.TxExec(ctx, tx, `WITH moved AS (UPDATE audit_head SET seq = $1, hash = $14, at = $2 WHERE id = 1)
			`+insertEntry, args...)
	} else if _, err = j.db.TxExec(ctx, tx, insertEntry, args...); err == nil {
		_, err = j.db.TxExec(ctx, tx, `UPDATE audit_head SET seq = $1, hash = $2, at = $3 WHERE id = 1`, e.Seq, e.Hash.String(), e.At)
	}
	if err != nil {
		return 0, fmt.Errorf("audit: append %s: %w", e.Action, err)
	}
	return e.Seq, nil
}

const insertEntry = `INSERT INTO audit_entries (seq, at, actor_kind, actor_id, org_id, action, object_type, object_id,
	ip, user_agent, outcome, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`

// Head returns the last sequence number and its hash (0 and the zero hash for an empty
// journal).
func (j *Journal) Head(ctx context.Context) (int64, Hash, error) {
	var (
		seq  int64
		hash string
	)
	if err := j.db.Reader().QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, Hash{}, errors.New("audit: the head row is missing")
		}
		return 0, Hash{}, err
	}
	h, err := ParseHash(hash)
	return seq, h, err
}
