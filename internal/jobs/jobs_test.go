package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

var fast = RunOptions{Concurrency: 4, PollInterval: 20 * time.Millisecond, Lease: 2 * time.Second, Grace: 2 * time.Second}

// start runs the queue's workers until the test ends.
func start(t *testing.T, q *Queue, opt RunOptions) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx, opt); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// waitState polls until the job reaches the state or the test times out.
func waitState(t *testing.T, q *Queue, id string, want State, within time.Duration) Info {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		in, err := q.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if in.State == want {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after %v (attempts %d, last error %q), want %s", id, in.State, within, in.Attempts, in.LastError, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestJobRunsWithItsPayload(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		got := make(chan string, 1)
		q.Register("greet", func(ctx context.Context, j *Job) error {
			var p struct{ Name string }
			if err := j.Decode(&p); err != nil {
				return err
			}
			got <- p.Name
			return nil
		}, KindOptions{})
		start(t, q, fast)
		id, err := q.Enqueue(context.Background(), nil, Spec{Kind: "greet", Payload: map[string]string{"Name": "Тест"}})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case name := <-got:
			if name != "Тест" {
				t.Fatalf("handler got %q", name)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the job did not run")
		}
		in := waitState(t, q, id, Done, 5*time.Second)
		if in.Attempts != 1 {
			t.Fatalf("attempts = %d, want 1", in.Attempts)
		}
	})
}

func TestEnqueueWithKeyIsIdempotent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		ctx := context.Background()
		a, err := q.Enqueue(ctx, nil, Spec{Kind: "k", Key: "application-42"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := q.Enqueue(ctx, nil, Spec{Kind: "k", Key: "application-42"})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := q.Enqueue(ctx, nil, Spec{Kind: "other", Key: "application-42"})
		if a != b || a == c {
			t.Fatalf("ids %s %s %s: same kind+key must give the same job, another kind a new one", a, b, c)
		}
	})
}

func TestEnqueueInRolledBackTransactionLeavesNoJob(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		ctx := context.Background()
		var id string
		boom := errors.New("the caller's change failed")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = q.Enqueue(ctx, tx, Spec{Kind: "k"})
			if err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := q.Get(ctx, id); err == nil {
			t.Fatal("a job enqueued in a rolled-back transaction exists")
		}
	})
}

func TestFailingJobBacksOffThenDeadLetters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		var mu sync.Mutex
		var attempts []time.Time
		backoff := 150 * time.Millisecond
		q.Register("flaky", func(ctx context.Context, j *Job) error {
			mu.Lock()
			attempts = append(attempts, time.Now())
			mu.Unlock()
			return fmt.Errorf("registry answered 503 on attempt %d", j.Attempt)
		}, KindOptions{MaxAttempts: 3, Backoff: func(n int) time.Duration { return backoff * time.Duration(n) }})
		start(t, q, fast)
		id, err := q.Enqueue(context.Background(), nil, Spec{Kind: "flaky"})
		if err != nil {
			t.Fatal(err)
		}
		in := waitState(t, q, id, Dead, 10*time.Second)
		if in.Attempts != 3 || in.LastError != "registry answered 503 on attempt 3" {
			t.Fatalf("dead job: attempts %d, last error %q", in.Attempts, in.LastError)
		}
		time.Sleep(100 * time.Millisecond) // a fourth attempt would show up here
		mu.Lock()
		defer mu.Unlock()
		if len(attempts) != 3 {
			t.Fatalf("handler ran %d times, want 3", len(attempts))
		}
		for i := 1; i < len(attempts); i++ {
			if gap := attempts[i].Sub(attempts[i-1]); gap < backoff*time.Duration(i) {
				t.Errorf("attempt %d came %v after the previous one, want ≥ %v", i+1, gap, backoff*time.Duration(i))
			}
		}
	})
}

func TestPermanentErrorDeadLettersAtOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		var runs atomic.Int32
		q.Register("bad", func(ctx context.Context, j *Job) error {
			runs.Add(1)
			var p struct{ N int }
			return j.Decode(&p) // the payload is not an object: permanent
		}, KindOptions{MaxAttempts: 5})
		start(t, q, fast)
		id, _ := q.Enqueue(context.Background(), nil, Spec{Kind: "bad", Payload: []byte(`"not an object"`)})
		in := waitState(t, q, id, Dead, 5*time.Second)
		if runs.Load() != 1 || !strings.Contains(in.LastError, "bad payload") {
			t.Fatalf("runs %d, last error %q", runs.Load(), in.LastError)
		}
		// An operator can put it back.
		if err := q.Retry(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		waitState(t, q, id, Dead, 5*time.Second)
		if runs.Load() != 2 {
			t.Fatalf("after Retry the handler ran %d times in all, want 2", runs.Load())
		}
	})
}

func TestPanicAndTimeoutAreFailures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		q.Register("panics", func(ctx context.Context, j *Job) error { panic("nil map") }, KindOptions{MaxAttempts: 1})
		q.Register("hangs", func(ctx context.Context, j *Job) error { <-ctx.Done(); return ctx.Err() },
			KindOptions{MaxAttempts: 1, Timeout: 100 * time.Millisecond})
		start(t, q, fast)
		p, _ := q.Enqueue(context.Background(), nil, Spec{Kind: "panics"})
		h, _ := q.Enqueue(context.Background(), nil, Spec{Kind: "hangs"})
		if in := waitState(t, q, p, Dead, 5*time.Second); !strings.HasPrefix(in.LastError, "panic: nil map") {
			t.Errorf("panicking job: last error %q", in.LastError)
		}
		if in := waitState(t, q, h, Dead, 5*time.Second); !strings.Contains(in.LastError, "deadline exceeded") {
			t.Errorf("hanging job: last error %q", in.LastError)
		}
	})
}

func TestJobOfDeadWorkerRunsAgain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		ran := make(chan int, 2)
		q.Register("send", func(ctx context.Context, j *Job) error { ran <- j.Attempt; return nil }, KindOptions{})
		ctx := context.Background()
		id, _ := q.Enqueue(ctx, nil, Spec{Kind: "send"})
		// A worker claims the job and dies: no heartbeat, no outcome.
		claimed, err := q.claim(ctx, "crashed-worker", 1, 300*time.Millisecond)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %d jobs", err, len(claimed))
		}
		start(t, q, fast)
		select {
		case attempt := <-ran:
			if attempt != 2 {
				t.Fatalf("rerun is attempt %d, want 2", attempt)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the job of the dead worker was not run again")
		}
		waitState(t, q, id, Done, 5*time.Second)
		// The dead worker cannot overwrite the newer attempt's outcome.
		if err := q.bury(ctx, claimed[0], "crashed-worker", errors.New("late")); err != nil {
			t.Fatal(err)
		}
		if in, _ := q.Get(ctx, id); in.State != Done {
			t.Fatalf("a stale worker changed the job to %s", in.State)
		}
	})
}

func TestShutdownFinishesShortJobsAndReleasesLongOnes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		started := make(chan struct{}, 2)
		q.Register("short", func(ctx context.Context, j *Job) error {
			started <- struct{}{}
			time.Sleep(200 * time.Millisecond)
			return nil
		}, KindOptions{})
		q.Register("long", func(ctx context.Context, j *Job) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}, KindOptions{})
		opt := fast
		opt.Grace = 500 * time.Millisecond
		stop := start(t, q, opt)
		ctx := context.Background()
		s, _ := q.Enqueue(ctx, nil, Spec{Kind: "short"})
		l, _ := q.Enqueue(ctx, nil, Spec{Kind: "long"})
		<-started
		<-started
		stop()
		if in, _ := q.Get(ctx, s); in.State != Done {
			t.Errorf("short job after shutdown: %s, want done", in.State)
		}
		if in, _ := q.Get(ctx, l); in.State != Queued || in.Attempts != 0 {
			t.Errorf("long job after shutdown: %s with %d attempts, want queued with 0", in.State, in.Attempts)
		}
	})
}

// A worker that cannot keep its lease cancels the handler instead of running on beside the
// worker that takes the job over.
func TestWorkerGivesUpALostLease(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		q := New(d)
		cancelled := make(chan time.Duration, 1)
		q.Register("slow", func(ctx context.Context, j *Job) error {
			start := time.Now()
			// Another worker takes the job over, as if this one's lease had expired.
			if _, err := d.Writer().ExecContext(context.Background(), `UPDATE jobs SET locked_by = 'other' WHERE id = $1`, j.ID); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				cancelled <- time.Since(start)
			case <-time.After(10 * time.Second):
				cancelled <- -1
			}
			return ctx.Err()
		}, KindOptions{})
		opt := fast
		opt.Lease = 600 * time.Millisecond
		start(t, q, opt)
		q.Enqueue(context.Background(), nil, Spec{Kind: "slow"})
		select {
		case d := <-cancelled:
			if d < 0 || d > opt.Lease {
				t.Fatalf("the handler was cancelled after %v, want within one lease (%v)", d, opt.Lease)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the handler never finished")
		}
	})
}
