package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
)

func actions(t *testing.T, j *Journal) []string {
	t.Helper()
	var out []string
	if err := j.Scan(context.Background(), Filter{}, func(e *Entry) error {
		s := e.Action
		if e.ObjectID != "" {
			s += " " + e.ObjectID
		}
		out = append(out, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationsAreJournaledOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		st, err := d.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := j.RecordMigrations(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		got := strings.Join(actions(t, j), "; ")
		if !strings.Contains(got, "db.migration_applied 0001") || !strings.Contains(got, "db.migration_applied 0010") ||
			strings.Count(got, "0010") != 1 {
			t.Fatalf("journaled: %s", got)
		}
		var e Entry
		j.Scan(ctx, Filter{}, func(x *Entry) error {
			if x.ObjectID == "0010" {
				e = *x
			}
			return nil
		})
		if e.Details["name"] != "audit" || e.Details["applied_at"] == "" {
			t.Fatalf("details %v", e.Details)
		}
	})
}

func TestKeysAreJournaledWithoutTheirValues(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		steps := []struct {
			purpose, id string
			generated   bool
		}{
			{"signing", "aaaa000000000001", true},  // first start: generated
			{"signing", "aaaa000000000001", false}, // restart: nothing new
			{"data", "bbbb000000000001", false},    // loaded from a file: registered
			{"signing", "aaaa000000000002", false}, // a new key file: rotated
		}
		for _, s := range steps {
			if err := j.RecordKey(ctx, s.purpose, s.id, "", s.generated); err != nil {
				t.Fatal(err)
			}
		}
		want := "key.generated aaaa000000000001; key.registered bbbb000000000001; key.rotated aaaa000000000002"
		if got := strings.Join(actions(t, j), "; "); got != want {
			t.Fatalf("journaled %q\nwant      %q", got, want)
		}
		last, _ := j.Page(ctx, Filter{}, 0, 1)
		if last[0].Details["previous"] != "aaaa000000000001" || last[0].Details["purpose"] != "signing" {
			t.Fatalf("rotation details %v", last[0].Details)
		}
	})
}

func TestChangedSettingsAreJournaled(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		first := []Setting{{Name: "SEP_MODE", Value: "demo"}, {Name: "SEP_SMTP_URL", Value: "(set)", Secret: true},
			{Name: "SEP_PUBLIC_URL", Value: "http://127.0.0.1:8080"}, {Name: "SEP_METRICS_TOKEN", Value: ""}}
		second := []Setting{{Name: "SEP_MODE", Value: "production"}, first[1], first[2], first[3]}
		third := []Setting{second[0], first[1], first[2], {Name: "SEP_METRICS_TOKEN", Value: "(set)", Secret: true}}
		for _, s := range [][]Setting{first, first, second, third} {
			if err := j.RecordSettings(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		got := strings.Join(actions(t, j), "; ")
		want := "settings.changed SEP_MODE; settings.changed SEP_SMTP_URL; settings.changed SEP_PUBLIC_URL; settings.changed SEP_MODE; " +
			"settings.changed SEP_METRICS_TOKEN"
		if got != want {
			t.Fatalf("journaled %q\nwant      %q", got, want)
		}
		all, _ := j.Page(ctx, Filter{}, 0, 10)
		if all[1].Details["value"] != "production" || all[3].Details["value"] != "" || all[3].Details["fingerprint"] == "" ||
			all[0].Details["value"] != "" {
			t.Fatalf("details: %v / %v / %v", all[0].Details, all[1].Details, all[3].Details)
		}
	})
}

func TestPeriodicCheckpointJob(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		q := jobs.New(d)
		const every = 200 * time.Millisecond
		if err := j.ScheduleCheckpoints(ctx, q, every); err != nil {
			t.Fatal(err)
		}
		// A second instance schedules the same slot: still one job per slot.
		if err := j.ScheduleCheckpoints(ctx, jobs.New(d), every); err != nil {
			t.Fatal(err)
		}
		if list, _ := q.List(ctx, jobs.Queued, 10); len(list) != 1 {
			t.Fatalf("%d checkpoint jobs queued, want 1", len(list))
		}
		appendN(t, j, 3)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			q.Run(runCtx, jobs.RunOptions{Concurrency: 1, PollInterval: 20 * time.Millisecond})
			close(done)
		}()
		defer func() { stop(); <-done }()
		waitCheckpoint := func(seq int64) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				cps, err := j.Checkpoints(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(cps) > 0 && cps[len(cps)-1].Seq == seq {
					return
				}
				if time.Now().After(deadline) {
					for _, st := range []jobs.State{jobs.Queued, jobs.Running, jobs.Done, jobs.Dead} {
						l, _ := q.List(ctx, st, 10)
						t.Logf("%s: %+v", st, l)
					}
					t.Fatalf("no checkpoint of entry %d; have %+v", seq, cps)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		waitCheckpoint(3)
		appendN(t, j, 2)
		waitCheckpoint(5)
		// Nothing new: later slots make no checkpoint.
		time.Sleep(3 * every)
		if cps, _ := j.Checkpoints(ctx); len(cps) != 2 {
			t.Fatalf("%d checkpoints, want 2 (one per moved head)", len(cps))
		}
		wantIntact(t, j, 5)
	})
}
