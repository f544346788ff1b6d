package passport

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/web"
)

// Online checks are written in batches: a full batch at once, the rest within the flush
// interval, with one journal entry per batch that counts them by outcome; the holder's list
// has every check made until it is read; Close writes what is left, and later checks are
// written one by one.
func TestChecksAreRecordedInBatches(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		j, err := audit.New(d, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{DB: d, Box: testBox, RootKey: rootKey(t), Journal: j})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.IssueDemo(ctx, 1, "acc-1")
		if err != nil {
			t.Fatal(err)
		}
		stored := func() int {
			var n int
			if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM passport_checks WHERE passport_id = $1`, p.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		verify := func(n int, who *web.Principal) {
			for range n {
				r := httptest.NewRequest("POST", "/verify", nil)
				if who != nil {
					r = web.WithPrincipal(r, who)
				}
				if res, err := s.Verify(ctx, r, p.Payload); err != nil || res.Outcome != OutcomeValid {
					t.Fatalf("verify: %v %v", res.Outcome, err)
				}
			}
		}

		// A full batch is written at once, without waiting for the timer.
		verify(checkBatch, nil)
		for deadline := time.Now().Add(10 * time.Second); stored() < checkBatch; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("a full batch is not written: %d rows", stored())
			}
		}
		// A few more are written by the timer.
		verify(3, &web.Principal{Kind: web.APIClient, ID: "client-1"})
		for deadline := time.Now().Add(10 * time.Second); stored() < checkBatch+3; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the timer did not write the rest: %d rows", stored())
			}
		}
		// One more, read at once by the holder.
		if err := s.Suspend(ctx, nil, p.Number, ReasonLost); err != nil {
			t.Fatal(err)
		}
		if res, err := s.Verify(ctx, nil, p.Payload); err != nil || res.Outcome != OutcomeSuspended {
			t.Fatalf("verify a suspended one: %v %v", res.Outcome, err)
		}
		checks, err := s.Checks(ctx, p.ID, 10)
		if err != nil || len(checks) != 10 || checks[0].Outcome != OutcomeSuspended || checks[1].CheckerKind != string(web.APIClient) ||
			checks[1].CheckerID != "client-1" {
			t.Fatalf("the holder's list: %+v %v", checks, err)
		}

		// The journal counts them, batch by batch: ids and numbers only.
		rows, err := d.Reader().Query(`SELECT actor_kind, object_type, details FROM audit_entries WHERE action = $1 ORDER BY seq`, ActionChecksRecorded)
		if err != nil {
			t.Fatal(err)
		}
		total := map[string]int{}
		for rows.Next() {
			var kind, objectType, details string
			if err := rows.Scan(&kind, &objectType, &details); err != nil {
				t.Fatal(err)
			}
			var m map[string]string
			if err := json.Unmarshal([]byte(details), &m); err != nil || kind != string(audit.ActorSystem) || objectType != "passport_checks" {
				t.Fatalf("a batch entry: %s %s %s %v", kind, objectType, details, err)
			}
			for _, k := range []string{"checks_count", "valid_count", "suspended_count"} {
				var n int
				json.Unmarshal([]byte(m[k]), &n)
				total[k] += n
			}
			if _, err := time.Parse(time.RFC3339Nano, m["first_at"]); err != nil {
				t.Errorf("first_at %q", m["first_at"])
			}
		}
		rows.Close()
		if total["checks_count"] != checkBatch+4 || total["valid_count"] != checkBatch+3 || total["suspended_count"] != 1 {
			t.Fatalf("the journal counts %v", total)
		}

		// Close writes what is queued; a check after it is written at once.
		s.recordCheck(nil, p.ID, OutcomeSuspended)
		if err := s.Close(ctx); err != nil || stored() != checkBatch+5 {
			t.Fatalf("close: %d rows, %v", stored(), err)
		}
		s.recordCheck(nil, p.ID, OutcomeSuspended)
		if stored() != checkBatch+6 {
			t.Fatalf("a check after Close: %d rows", stored())
		}
	})
}
