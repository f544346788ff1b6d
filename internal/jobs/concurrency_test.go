package jobs

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// Two sep instances (two database handles, two worker pools) share one queue: every job runs,
// and never on two workers at the same time — including jobs that outlive the lease and only
// keep it through heartbeats.
func TestTwoInstancesNeverRunOneJobTwice(t *testing.T) {
	for _, engine := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", dbtest.SQLiteURL}, {"postgres", dbtest.PostgresURL}} {
		t.Run(engine.name, func(t *testing.T) {
			url := engine.url(t)
			a, b := dbtest.Open(t, url), dbtest.Open(t, url)

			var mu sync.Mutex
			running := map[string]string{} // job → instance running it now
			runs := map[string]int{}
			perInstance := map[string]int{}
			var overlaps []string
			handler := func(instance string) Handler {
				return func(ctx context.Context, j *Job) error {
					mu.Lock()
					if other, busy := running[j.ID]; busy {
						overlaps = append(overlaps, j.ID+" on "+other+" and "+instance)
					}
					running[j.ID] = instance
					runs[j.ID]++
					perInstance[instance]++
					mu.Unlock()
					d := time.Duration(rand.IntN(5)) * time.Millisecond
					if j.Payload[0] == '1' {
						d = 2200 * time.Millisecond // over two leases long
					}
					// Like a real handler, stop when the worker gives the job up.
					select {
					case <-time.After(d):
					case <-ctx.Done():
					}
					mu.Lock()
					delete(running, j.ID)
					mu.Unlock()
					return nil
				}
			}
			qa, qb := New(a), New(b)
			qa.Register("work", handler("A"), KindOptions{})
			qb.Register("work", handler("B"), KindOptions{})
			opt := RunOptions{Concurrency: 4, PollInterval: 10 * time.Millisecond, Lease: time.Second, Grace: 5 * time.Second}
			ctx := context.Background()
			const n = 120
			ids := make([]string, 0, n)
			for i := range n {
				payload := []byte("0")
				if i%30 == 0 {
					payload = []byte("1")
				}
				id, err := qa.Enqueue(ctx, nil, Spec{Kind: "work", Payload: payload})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			start(t, qa, opt)
			start(t, qb, opt)
			for _, id := range ids {
				waitState(t, qa, id, Done, 30*time.Second)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(overlaps) > 0 {
				t.Fatalf("jobs ran on two instances at once: %v", overlaps)
			}
			if perInstance["A"] == 0 || perInstance["B"] == 0 {
				t.Fatalf("jobs per instance %v: both instances should have worked", perInstance)
			}
			// A job runs again only when its worker lost the lease (on a machine so loaded that
			// heartbeats stall); never twice at once, which is checked above.
			reruns := 0
			for _, id := range ids {
				if runs[id] == 0 {
					t.Errorf("job %s never ran", id)
				}
				reruns += runs[id] - 1
			}
			if reruns > 0 {
				t.Logf("%d jobs ran again after a lost lease", reruns)
			}
		})
	}
}
