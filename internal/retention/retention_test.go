package retention

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Each kind is purged in batches until a batch comes back short, before its own period; the
// run is journaled with every kind's count, zeros included.
func TestRunPurgesInBatchesAndJournals(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	left := map[string]int{"codes": 2500, "outbox": 0}
	var befores = map[string]time.Time{}
	var calls int
	purge := func(name string) func(context.Context, time.Time, int) (int, error) {
		return func(_ context.Context, before time.Time, limit int) (int, error) {
			calls++
			befores[name] = before
			n := min(limit, left[name])
			left[name] -= n
			return n, nil
		}
	}
	var journaled map[string]int
	p := New(Options{Batch: 1000, Now: func() time.Time { return now },
		Kinds: []Kind{{Name: "codes", Keep: 24 * time.Hour, Purge: purge("codes")},
			{Name: "outbox", Keep: 7 * 24 * time.Hour, Purge: purge("outbox")}},
		Journal: func(_ context.Context, c map[string]int) error { journaled = c; return nil }})
	counts, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts["codes"] != 2500 || left["codes"] != 0 || calls != 4 {
		t.Fatalf("codes: purged %d in %d calls, %d left; want 2500 in 3 batches and 1 for the outbox", counts["codes"], calls, left["codes"])
	}
	if !befores["codes"].Equal(now.Add(-24*time.Hour)) || !befores["outbox"].Equal(now.Add(-7*24*time.Hour)) {
		t.Fatalf("periods: %v", befores)
	}
	if len(journaled) != 2 || journaled["codes"] != 2500 || journaled["outbox"] != 0 {
		t.Fatalf("journaled %v, want every kind with its count", journaled)
	}

	boom := errors.New("database gone")
	p = New(Options{Kinds: []Kind{{Name: "x", Keep: time.Hour, Purge: func(context.Context, time.Time, int) (int, error) { return 3, boom }}},
		Journal: func(context.Context, map[string]int) error { t.Fatal("a failed run was journaled as done"); return nil }})
	if c, err := p.Run(context.Background()); !errors.Is(err, boom) || c["x"] != 3 {
		t.Fatalf("a failing purge: %v, %v", c, err)
	}
}
