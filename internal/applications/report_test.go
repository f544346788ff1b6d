package applications

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/services"
)

// TestReport counts a known fixture: statuses, services, the overdue, and the medians of
// decided applications (odd and even counts).
func TestReport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(t, d)
		now := s.now()
		var rows []row
		add := func(svc string, st State, deadline time.Time, took time.Duration) {
			r := row{id: fmt.Sprintf("r%02d", len(rows)), account: "acc", service: svc, state: st, deadline: deadline,
				created: now.Add(-100 * time.Hour)}
			if st != Draft {
				r.submitted = now.Add(-100 * time.Hour)
			}
			if took > 0 {
				r.decided = r.submitted.Add(took)
			}
			rows = append(rows, r)
		}
		add("e-passport", Draft, time.Time{}, 0)
		add("e-passport", Submitted, now.Add(time.Hour), 0)
		add("e-passport", InReview, now.Add(-time.Hour), 0)        // overdue
		add("e-passport", NeedsCorrection, now.Add(-time.Hour), 0) // overdue
		add("e-passport", Approved, now.Add(-time.Hour), 10*time.Hour)
		add("e-passport", Rejected, time.Time{}, 20*time.Hour)
		add("e-passport", Approved, time.Time{}, 60*time.Hour) // median of 10, 20, 60: 20 h
		add("personal-data-change", InReview, now.Add(2*time.Hour), 0)
		add("personal-data-change", Approved, time.Time{}, 2*time.Hour)
		add("personal-data-change", Approved, time.Time{}, 5*time.Hour) // median of 2, 5: 3 h 30 min
		add("personal-data-change", Withdrawn, now.Add(-time.Hour), 0)  // past its deadline, but not open
		insertRows(t, d, rows)

		rep, err := s.Report(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total != 10 || rep.Overdue != 2 {
			t.Errorf("total %d overdue %d, want 10 and 2", rep.Total, rep.Overdue)
		}
		counts := map[State]int{}
		for _, sc := range rep.ByState {
			counts[sc.State] = sc.Count
		}
		want := map[State]int{Submitted: 1, RegistryChecks: 0, InReview: 2, NeedsCorrection: 1, Approved: 4, Rejected: 1, Withdrawn: 1, Closed: 0}
		for st, n := range want {
			if counts[st] != n {
				t.Errorf("%s: %d, want %d", st, counts[st], n)
			}
		}
		if _, ok := counts[Draft]; ok || len(rep.ByState) != len(States)-1 {
			t.Errorf("statuses %+v", rep.ByState)
		}
		byService := map[string]ServiceFigures{}
		for _, f := range rep.ByService {
			byService[f.Service] = f
		}
		if f := byService["e-passport"]; f.Count != 6 || f.Overdue != 2 || f.Decided != 3 || f.Median != 20*time.Hour {
			t.Errorf("e-passport %+v", f)
		}
		if f := byService["personal-data-change"]; f.Count != 4 || f.Overdue != 0 || f.Decided != 2 || f.Median != 3*time.Hour+30*time.Minute {
			t.Errorf("personal-data-change %+v", f)
		}

		one, err := s.Report(ctx, []string{"personal-data-change"})
		if err != nil || one.Total != 4 || len(one.ByService) != 1 {
			t.Errorf("one service's report %+v %v", one, err)
		}
		if none, _ := s.Report(ctx, []string{}); none.Total != 0 {
			t.Error("an agency with no services has figures")
		}
	})
}

func TestOperatorAgency(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(t, d)
		if a, err := s.OperatorAgency(ctx, "op-1"); err != nil || a != services.DefaultAgency {
			t.Fatalf("an operator with no agency set: %q %v", a, err)
		}
		if s.AgencyServices(services.DefaultAgency) != nil {
			t.Error("the default agency, which has every built-in service, is given a list")
		}
		if got := s.AgencyServices("mvd"); got == nil || len(got) != 0 {
			t.Errorf("an agency with no service: %v", got)
		}
		for _, agency := range []string{"mvd", "sfr"} { // set, then changed
			if err := s.SetOperatorAgency(ctx, nil, audit.ActorSystem, "cli", "op-1", agency); err != nil {
				t.Fatal(err)
			}
			if a, _ := s.OperatorAgency(ctx, "op-1"); a != agency {
				t.Fatalf("agency %q, want %q", a, agency)
			}
		}
		if a, _ := s.OperatorAgency(ctx, "op-2"); a != services.DefaultAgency {
			t.Error("another operator's agency changed")
		}
	})
}
