package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/internal/jobs"
)

// AnchorJob is the job kind that writes a checkpoint to the anchor sinks. MakeCheckpoint
// enqueues one in the transaction that stores the checkpoint, so no checkpoint is made
// without being anchored — by this instance, or by the next one to run the jobs if this one
// stops (the command-line `sep audit checkpoint` leaves its anchoring to the server). The job
// fans out into one job per configured sink, so that a witness that is down is retried on
// its own and the other sinks get one line each.
const AnchorJob = "audit.anchor"

// anchorAttempts are enough for a sink to be down for days (backoff up to an hour); after
// that the job is dead-lettered, for `sep jobs retry`.
const anchorAttempts = 100

// anchorBackoff is the delay before an anchor job's next attempt (tests shorten it).
var anchorBackoff = jobs.Exponential(10*time.Second, time.Hour)

// anchorTask is the payload of an anchor job: the checkpoint itself, so that deleting it
// from the database after the fact does not stop its anchoring.
type anchorTask struct {
	Checkpoint *Checkpoint `json:"checkpoint"`
	Sink       string      `json:"sink,omitempty"` // a Sink.ID; empty: fan out to every sink
}

// enqueueAnchor queues the anchoring of c in the transaction that stores it. The job's key is
// the checkpoint's digest: a checkpoint made again under the same number (after checkpoints
// were deleted) is a different checkpoint and is anchored too, which is what exposes it.
func (j *Journal) enqueueAnchor(ctx context.Context, tx *sql.Tx, c *Checkpoint) error {
	_, err := j.jobs.Enqueue(ctx, tx, jobs.Spec{Kind: AnchorJob, Payload: anchorTask{Checkpoint: c},
		Key: c.Digest().String(), MaxAttempts: anchorAttempts})
	return err
}

// ServeAnchors registers on q the handler of anchor jobs, writing to sinks (none: anchor jobs
// are done at once). Call it on every instance that runs jobs, with the same sinks.
func (j *Journal) ServeAnchors(q *jobs.Queue, sinks []Sink) {
	j.jobs = q
	byID := map[string]Sink{}
	for _, s := range sinks {
		byID[s.ID()] = s
	}
	q.Register(AnchorJob, func(ctx context.Context, job *jobs.Job) error {
		var t anchorTask
		if err := job.Decode(&t); err != nil {
			return err
		}
		if t.Checkpoint == nil {
			return jobs.Permanent(errors.New("audit: anchor job without a checkpoint"))
		}
		if t.Sink == "" {
			return j.db.Tx(ctx, func(tx *sql.Tx) error {
				for _, s := range sinks {
					if _, err := q.Enqueue(ctx, tx, jobs.Spec{Kind: AnchorJob, Payload: anchorTask{t.Checkpoint, s.ID()},
						Key: t.Checkpoint.Digest().String() + "/" + s.ID(), MaxAttempts: anchorAttempts}); err != nil {
						return err
					}
				}
				return nil
			})
		}
		s, ok := byID[t.Sink]
		if !ok {
			// Another instance may have it (its settings differ from this one's).
			return fmt.Errorf("audit: anchor sink %s is not configured on this instance", t.Sink)
		}
		return s.Write(ctx, t.Checkpoint)
	}, jobs.KindOptions{MaxAttempts: anchorAttempts, Timeout: time.Minute, Backoff: anchorBackoff})
}

// AnchorNow writes c to sinks at once, for the checkpoint made at shutdown: its job waits for
// the next start, and a stopped instance should not leave its last entries unanchored. The
// job still runs then; a repeated anchor is harmless.
func AnchorNow(ctx context.Context, c *Checkpoint, sinks []Sink) error {
	var errs []error
	for _, s := range sinks {
		errs = append(errs, s.Write(ctx, c))
	}
	return errors.Join(errs...)
}
