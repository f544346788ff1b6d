package jobs

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// Two instances scheduling the same periodic job run it once per slot between them.
func TestEveryRunsOncePerSlot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		var runs atomic.Int32
		h := func(context.Context, *Job) error { runs.Add(1); return nil }
		const every = 400 * time.Millisecond
		a, b := New(d), New(d)
		for _, q := range []*Queue{a, b} {
			if err := q.Every(context.Background(), "tick", every, h, KindOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var queued int
		if err := d.Reader().QueryRow(`SELECT count(*) FROM jobs WHERE kind = 'tick'`).Scan(&queued); err != nil || queued != 1 {
			t.Fatalf("%d jobs queued for the first slot (%v), want 1", queued, err)
		}
		start(t, a, fast)
		start(t, b, fast)
		time.Sleep(5*every + every/2)
		if n := runs.Load(); n < 4 || n > 6 {
			t.Fatalf("%d runs in 5.5 periods, want one per slot", n)
		}
		if err := a.Every(context.Background(), "bad", 0, h, KindOptions{}); err == nil {
			t.Fatal("a zero period was accepted")
		}
	})
}
