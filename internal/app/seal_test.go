package app

import (
	"context"
	"testing"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/retention"
	"github.com/sep-platform/sep/internal/seal/rotate"
)

// An instance schedules the purge of expired personal data and the re-sealing to its current
// data key; a purge run is journaled with a count for every kind of data.
func TestStartSchedulesPurgeAndResealing(t *testing.T) {
	m := open(t, testConfig(t, dbtest.SQLiteURL(t)), nil)
	ctx := context.Background()
	queued, err := m.Jobs.List(ctx, jobs.Queued, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, j := range queued {
		kinds[j.Kind] = true
	}
	running, _ := m.Jobs.List(ctx, jobs.Running, 100)
	done, _ := m.Jobs.List(ctx, jobs.Done, 100)
	for _, j := range append(running, done...) {
		kinds[j.Kind] = true
	}
	if !kinds[retention.JobKind] || !kinds[rotate.JobKind] {
		t.Fatalf("jobs after start: %v, want the purge and the re-sealing", kinds)
	}
	rs, err := m.Rotator.Rotations(ctx)
	if err != nil || len(rs) != 1 || rs[0].Key != m.Seal.Box.Ring().Current() {
		t.Fatalf("rotations after the first start: %+v, %v", rs, err)
	}

	counts, err := m.Retention.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found *audit.Entry
	err = m.Audit.Scan(ctx, audit.Filter{}, func(e *audit.Entry) error {
		if e.Action == ActionRetentionPurged {
			found = e
		}
		return nil
	})
	if err != nil || found == nil {
		t.Fatalf("the purge run is not journaled (%v)", err)
	}
	for _, kind := range []string{"codes", "messages", "inbox", "outbox", "rate_limits", "registry_checks"} {
		if _, ok := counts[kind]; !ok || found.Details[kind+"_count"] != "0" {
			t.Errorf("kind %s: count %v, journaled %q", kind, counts[kind], found.Details[kind+"_count"])
		}
	}
}
