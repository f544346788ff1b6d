package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/jobs"
)

// Checkpoint is a signed statement of the instance: "at time At the journal's entry Seq had
// hash Hash". Checkpoints are numbered 1, 2, 3… and each names the digest of the one before,
// so that removing one from the middle shows.
type Checkpoint struct {
	N          int64
	Seq        int64
	Hash       Hash
	At         time.Time
	KeyID      string
	PrevDigest Hash   // Digest of checkpoint N-1; zero for the first
	Signature  []byte // GOST R 34.10-2012 over the message's Streebog digest, s||r
}

// Message returns the bytes the signature covers (see the package documentation).
func (c *Checkpoint) Message() []byte {
	b := []byte{encodingVersion}
	b = appendString(b, "sep-audit-checkpoint")
	b = binary.BigEndian.AppendUint64(b, uint64(c.N))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Seq))
	b = append(b, c.Hash[:]...)
	b = appendString(b, c.At.UTC().Format(TimeLayout))
	b = appendString(b, c.KeyID)
	return append(b, c.PrevDigest[:]...)
}

// Digest is Streebog-256 of the message; the next checkpoint names it as PrevDigest.
func (c *Checkpoint) Digest() Hash { return streebog.Sum256(c.Message()) }

// ErrNoSigningKey is returned by MakeCheckpoint on a journal opened without a signing key.
var ErrNoSigningKey = errors.New("audit: no signing key to make checkpoints with")

// MakeCheckpoint signs the current head of the chain, and queues its anchoring (AnchorJob) in
// the same transaction. If the head has not moved since the last checkpoint it makes none and
// returns the last one with made == false (nil if the journal is empty).
func (j *Journal) MakeCheckpoint(ctx context.Context) (c *Checkpoint, made bool, err error) {
	if j.key == nil {
		return nil, false, ErrNoSigningKey
	}
	err = j.db.Tx(ctx, func(tx *sql.Tx) error {
		c, made = nil, false
		// The head lock orders the checkpoint among the appends and among the checkpoints of
		// other instances.
		seq, hash, _, err := j.lockHead(ctx, tx)
		if err != nil {
			return err
		}
		last, err := lastCheckpoint(ctx, tx)
		if err != nil {
			return err
		}
		if (last == nil && seq == 0) || (last != nil && last.Seq == seq) {
			c = last
			return nil
		}
		next := &Checkpoint{N: 1, Seq: seq, Hash: hash, At: j.now().UTC().Truncate(time.Microsecond), KeyID: j.keyID}
		if last != nil {
			next.N, next.PrevDigest = last.N+1, last.Digest()
		}
		if next.Signature, err = j.key.Sign(rand.Reader, gostpkix.Digest(j.key.Curve(), next.Message()), nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (n, seq, hash, at, key_id, prev_digest, signature)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, next.N, next.Seq, next.Hash.String(), next.At, next.KeyID,
			next.PrevDigest.String(), hex.EncodeToString(next.Signature)); err != nil {
			return fmt.Errorf("audit: store checkpoint: %w", err)
		}
		if err := j.enqueueAnchor(ctx, tx, next); err != nil {
			return fmt.Errorf("audit: anchor checkpoint: %w", err)
		}
		c, made = next, true
		return nil
	})
	return c, made, err
}

const checkpointColumns = `n, seq, hash, at, key_id, prev_digest, signature`

// storedCheckpoint is a checkpoint row before parsing.
type storedCheckpoint struct {
	Checkpoint
	hash, prevDigest, signature string
}

func (s *storedCheckpoint) parse() error {
	var err error
	if s.Hash, err = ParseHash(s.hash); err != nil {
		return err
	}
	if s.PrevDigest, err = ParseHash(s.prevDigest); err != nil {
		return err
	}
	s.Signature, err = hex.DecodeString(s.signature)
	return err
}

func scanCheckpoint(sc interface{ Scan(...any) error }) (*storedCheckpoint, error) {
	var s storedCheckpoint
	if err := sc.Scan(&s.N, &s.Seq, &s.hash, &s.At, &s.KeyID, &s.prevDigest, &s.signature); err != nil {
		return nil, err
	}
	s.At = s.At.UTC()
	return &s, nil
}

func lastCheckpoint(ctx context.Context, tx *sql.Tx) (*Checkpoint, error) {
	s, err := scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY n DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: read the last checkpoint: %w", err)
	}
	if err := s.parse(); err != nil {
		return nil, fmt.Errorf("audit: checkpoint %d is damaged (run sep audit verify): %w", s.N, err)
	}
	return &s.Checkpoint, nil
}

// storedCheckpoints reads every checkpoint row in order of number.
func (j *Journal) storedCheckpoints(ctx context.Context) ([]*storedCheckpoint, error) {
	rows, err := j.db.Reader().QueryContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY n`)
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	defer rows.Close()
	var out []*storedCheckpoint
	for rows.Next() {
		s, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: read checkpoints: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Checkpoints returns every checkpoint, oldest first, for publishing.
func (j *Journal) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	stored, err := j.storedCheckpoints(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Checkpoint, len(stored))
	for i, s := range stored {
		if err := s.parse(); err != nil {
			return nil, fmt.Errorf("audit: checkpoint %d is damaged (run sep audit verify): %w", s.N, err)
		}
		out[i] = s.Checkpoint
	}
	return out, nil
}

// CheckpointJob is the job kind that makes the periodic checkpoints.
const CheckpointJob = "audit.checkpoint"

// ScheduleCheckpoints registers the checkpoint job on q and enqueues it for the next time slot
// of length every (slots aligned as time.Time.Truncate aligns them). Each run makes a checkpoint if the
// head moved and enqueues the next slot; the slot's time is the job's dedup key, so however
// many instances schedule it, each slot runs once.
func (j *Journal) ScheduleCheckpoints(ctx context.Context, q *jobs.Queue, every time.Duration) error {
	if every <= 0 {
		return errors.New("audit: checkpoint interval must be positive")
	}
	q.Register(CheckpointJob, func(ctx context.Context, job *jobs.Job) error {
		if _, _, err := j.MakeCheckpoint(ctx); err != nil {
			return err
		}
		return j.enqueueCheckpoint(ctx, q, every)
	}, jobs.KindOptions{MaxAttempts: 100, Timeout: time.Minute, Backoff: jobs.Exponential(5*time.Second, every)})
	return j.enqueueCheckpoint(ctx, q, every)
}

func (j *Journal) enqueueCheckpoint(ctx context.Context, q *jobs.Queue, every time.Duration) error {
	next := j.now().UTC().Truncate(every).Add(every)
	_, err := q.Enqueue(ctx, nil, jobs.Spec{Kind: CheckpointJob, RunAt: next, Key: next.Format(time.RFC3339Nano)})
	return err
}
