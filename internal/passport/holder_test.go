package passport

import (
	"context"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

type fakeList map[string]bool

func (l fakeList) Contains(_ context.Context, series, number string) (bool, error) {
	return l[series+number], nil
}

// After a list import, the e-passport of a paper passport on the list is suspended (reason
// paper_invalid) and the others stay valid; a second run changes nothing.
func TestRecheckPaper(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)}
		s := newService(t, d, c)
		bad, _ := s.IssueDemo(ctx, 1, "acc-1")
		good, _ := s.IssueDemo(ctx, 2, "acc-2")
		list := fakeList{bad.Holder.PaperSeries + bad.Holder.PaperNumber: true}
		for run, want := range []int{1, 0} {
			n, err := s.RecheckPaper(ctx, list)
			if err != nil || n != want {
				t.Fatalf("run %d: %d, %v", run, n, err)
			}
		}
		if p, _ := s.ByNumber(ctx, bad.Number); p.Status != Suspended || p.Reason != ReasonPaper {
			t.Errorf("on the list: %s %s", p.Status, p.Reason)
		}
		if p, _ := s.ByNumber(ctx, good.Number); p.Status != Valid {
			t.Errorf("not on the list: %s", p.Status)
		}
	})
}
