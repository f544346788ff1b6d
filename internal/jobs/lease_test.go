package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// A worker whose heartbeats fail quickly (the database refuses them) still gives the job up a
// quarter lease before the lease ends, not at whichever heartbeat comes after it — by then
// another worker may already have claimed the job.
func TestWorkerGivesUpBeforeTheLeaseEndsWhenHeartbeatsFail(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		const lease = 2 * time.Second
		q := New(d)
		cancelled := make(chan time.Duration, 1)
		q.Register("slow", func(ctx context.Context, j *Job) error {
			start := time.Now()
			// Every heartbeat from now on fails at once.
			if _, err := d.Writer().ExecContext(context.Background(), `ALTER TABLE jobs RENAME TO jobs_away`); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				cancelled <- time.Since(start)
			case <-time.After(3 * lease):
				cancelled <- -1
			}
			return ctx.Err()
		}, KindOptions{})
		opt := fast
		opt.Lease = lease
		start(t, q, opt)
		if _, err := q.Enqueue(context.Background(), nil, Spec{Kind: "slow"}); err != nil {
			t.Fatal(err)
		}
		select {
		case took := <-cancelled:
			if limit := lease - lease/4 + lease/10; took < 0 || took > limit {
				t.Errorf("the handler was cancelled after %v, want within %v (a quarter lease before the lease ends)", took, limit)
			}
		case <-time.After(5 * lease):
			t.Fatal("the handler never finished")
		}
		if _, err := d.Writer().ExecContext(context.Background(), `ALTER TABLE jobs_away RENAME TO jobs`); err != nil {
			t.Fatal(err)
		}
	})
}
