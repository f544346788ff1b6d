package jobs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// skewed is a process clock off by d from the host's.
func skewed(d time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(d) }
}

// Two instances on one PostgreSQL whose own clocks are three leases apart: a job that outlives
// its lease (kept by heartbeats) still runs in one place only. Before the leases were read from
// the database's clock, the instance whose clock ran ahead saw the other's lease as long expired
// and took the job over while it ran.
func TestInstancesWithSkewedClocksNeverRunOneJobTwice(t *testing.T) {
	const lease = time.Second
	for _, tc := range []struct {
		name          string
		first, second time.Duration // the process clocks' offsets; first claims the job
	}{
		{"the second instance's clock is ahead", 0, 3 * lease},
		{"the first instance's clock is behind", -3 * lease, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := dbtest.PostgresURL(t)
			var mu sync.Mutex
			running := map[string]string{}
			runs := 0
			var overlaps []string
			started := make(chan struct{}, 1)
			handler := func(instance string) Handler {
				return func(ctx context.Context, j *Job) error {
					mu.Lock()
					if other, busy := running[j.ID]; busy {
						overlaps = append(overlaps, "on "+other+" and "+instance)
					}
					running[j.ID] = instance
					runs++
					mu.Unlock()
					select {
					case started <- struct{}{}:
					default:
					}
					select { // well over a quarter lease: it needs heartbeats to keep the lease
					case <-time.After(lease + lease/2):
					case <-ctx.Done():
					}
					mu.Lock()
					delete(running, j.ID)
					mu.Unlock()
					return ctx.Err()
				}
			}
			qa, qb := New(dbtest.Open(t, url)), New(dbtest.Open(t, url))
			qa.now, qb.now = skewed(tc.first), skewed(tc.second)
			qa.Register("work", handler("A"), KindOptions{})
			qb.Register("work", handler("B"), KindOptions{})
			opt := RunOptions{Concurrency: 1, PollInterval: 10 * time.Millisecond, Lease: lease, Grace: 5 * time.Second}
			id, err := qa.Enqueue(context.Background(), nil, Spec{Kind: "work"})
			if err != nil {
				t.Fatal(err)
			}
			start(t, qa, opt)
			select {
			case <-started:
			case <-time.After(10 * time.Second):
				t.Fatal("the job did not start")
			}
			start(t, qb, opt)
			in := waitState(t, qa, id, Done, 10*time.Second)
			mu.Lock()
			defer mu.Unlock()
			if len(overlaps) > 0 {
				t.Fatalf("the job ran in two places at once: %v", overlaps)
			}
			// It runs again only if its worker lost the lease (heartbeats stalled on a loaded
			// machine); never twice at once, which is checked above.
			if runs > 1 {
				t.Logf("the job ran %d times (%d attempts) after a lost lease", runs, in.Attempts)
			}
		})
	}
}

// An instance whose clock is an hour fast sets every due time by the database's clock: a new
// job, a retry after its backoff, a dead job put back; and it does not purge finished jobs
// before their time.
func TestDueTimesFollowTheDatabaseClock(t *testing.T) {
	const ahead, backoff = time.Hour, time.Minute
	d := dbtest.Open(t, dbtest.PostgresURL(t))
	q := New(d)
	q.now = skewed(ahead)
	q.Register("flaky", func(ctx context.Context, j *Job) error { return errors.New("registry answered 503") },
		KindOptions{Backoff: func(int) time.Duration { return backoff }})
	ctx := context.Background()
	dbNow := func() time.Time {
		t.Helper()
		var now time.Time
		if err := d.Reader().QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
			t.Fatal(err)
		}
		return now
	}
	// near checks that at lies within seconds after from, both on the database's clock.
	near := func(what string, at, from time.Time) {
		t.Helper()
		if at.Before(from.Add(-time.Millisecond)) || at.After(from.Add(5*time.Second)) {
			t.Errorf("%s at %s, want %s by the database's clock (the process's is %s)", what,
				at.UTC().Format(time.RFC3339), from.UTC().Format(time.RFC3339), q.now().UTC().Format(time.RFC3339))
		}
	}

	before := dbNow()
	id, err := q.Enqueue(ctx, nil, Spec{Kind: "flaky"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := q.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	near("a new job is due", in.RunAt, before)

	stop := start(t, q, fast)
	for deadline := time.Now().Add(5 * time.Second); in.Attempts == 0 || in.State != Queued; {
		if time.Now().After(deadline) {
			t.Fatalf("the job is %s after %d attempts, want queued for a retry", in.State, in.Attempts)
		}
		time.Sleep(10 * time.Millisecond)
		if in, err = q.Get(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	near("the retry is due", in.RunAt, before.Add(backoff))

	if _, err := d.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'dead' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	before = dbNow()
	if err := q.Retry(ctx, id); err != nil {
		t.Fatal(err)
	}
	in, _ = q.Get(ctx, id)
	near("a dead job put back is due", in.RunAt, before)

	// Finished just now by the database's clock: kept for the retention period, even by an
	// instance whose clock is a day past it.
	if _, err := d.Writer().ExecContext(ctx, `UPDATE jobs SET state = 'done', updated_at = clock_timestamp() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	q.now = skewed(8 * 24 * time.Hour)
	if n, err := q.purgeDone(ctx, 7*24*time.Hour); err != nil || n != 0 {
		t.Fatalf("purged %d finished jobs (%v), want none yet", n, err)
	}
}
