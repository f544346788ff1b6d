package applications

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

// row is an application put straight into the table, for the lists' tests.
type row struct {
	id, account, service, assignee string
	state                          State
	deadline, created              time.Time
	submitted, decided             time.Time
}

func insertRows(t *testing.T, d *db.DB, rows []row) {
	t.Helper()
	null := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	}
	for i, r := range rows {
		var number any
		if r.state != Draft {
			number = fmt.Sprintf("СЭП-2026-%06d", i+1)
		}
		if _, err := d.Writer().Exec(`INSERT INTO applications (id, account_id, service, state, number, assignee, deadline_at,
			created_at, updated_at, submitted_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)`,
			r.id, r.account, r.service, string(r.state), number, nullString(r.assignee), null(r.deadline), r.created,
			null(r.submitted), null(r.decided)); err != nil {
			t.Fatal(err)
		}
	}
}

// queueFixture is 40 open applications whose deadlines come five at a time (ties), three
// without a deadline, and decided applications and drafts that are never in the queue.
func queueFixture(base time.Time) (rows []row, open []string) {
	states := []State{Submitted, RegistryChecks, InReview, NeedsCorrection}
	for i := range 43 {
		r := row{id: fmt.Sprintf("a%02d", (i*17)%43), account: "acc", service: "e-passport", state: states[i%4],
			created: base.Add(-time.Duration(i) * time.Hour)}
		if i < 40 {
			r.deadline = base.Add(time.Duration(i/5-3) * time.Hour) // the first 15 are overdue
		}
		if i%3 == 0 {
			r.service = "personal-data-change"
		}
		switch {
		case i%8 == 2:
			r.assignee = "op-1"
		case i%8 == 6 && i < 20:
			r.assignee = "op-2"
		}
		rows = append(rows, r)
		open = append(open, r.id)
	}
	for i := range 6 {
		st := []State{Draft, Approved, Rejected}[i%3]
		rows = append(rows, row{id: fmt.Sprintf("z%02d", i), account: "acc", service: "e-passport", state: st,
			deadline: base.Add(-time.Hour), created: base})
	}
	return rows, open
}

// walk reads every page of the queue and returns the ids in order.
func walk(t *testing.T, s *Store, f QueueFilter, n int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := s.QueuePage(context.Background(), f, cursor, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > n || pages > 100 {
			t.Fatalf("page of %d rows (of %d)", len(p.Items), n)
		}
		for _, a := range p.Items {
			ids = append(ids, a.ID)
		}
		if p.Next == "" {
			return ids
		}
		cursor = p.Next
	}
}

func TestQueuePages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(t, d)
		rows, open := queueFixture(s.now())
		insertRows(t, d, rows)

		// The whole queue, 7 a page: every open application once, by deadline then id, the
		// ones without a deadline last.
		ids := walk(t, s, QueueFilter{}, 7)
		want := sortedQueue(rows, func(r row) bool { return slices.Contains(open, r.id) })
		if !slices.Equal(ids, want) {
			t.Fatalf("queue\n got %v\nwant %v", ids, want)
		}
		for _, n := range []int{1, 5, 43, 100} {
			if got := walk(t, s, QueueFilter{}, n); !slices.Equal(got, want) {
				t.Fatalf("pages of %d: %v", n, got)
			}
		}

		filters := map[string]struct {
			f    QueueFilter
			keep func(row) bool
		}{
			"service":    {QueueFilter{Service: "personal-data-change"}, func(r row) bool { return r.service == "personal-data-change" }},
			"status":     {QueueFilter{State: InReview}, func(r row) bool { return r.state == InReview }},
			"mine":       {QueueFilter{Assignee: "op-1"}, func(r row) bool { return r.assignee == "op-1" }},
			"unassigned": {QueueFilter{Unassigned: true}, func(r row) bool { return r.assignee == "" }},
			"agency":     {QueueFilter{Services: []string{"e-passport"}}, func(r row) bool { return r.service == "e-passport" }},
			"all": {QueueFilter{Services: []string{"e-passport"}, State: InReview, Unassigned: true}, func(r row) bool {
				return r.service == "e-passport" && r.state == InReview && r.assignee == ""
			}},
		}
		for name, c := range filters {
			want := sortedQueue(rows, func(r row) bool { return slices.Contains(open, r.id) && c.keep(r) })
			if got := walk(t, s, c.f, 4); !slices.Equal(got, want) || len(want) == 0 {
				t.Errorf("%s: got %v, want %v", name, got, want)
			}
		}
		if p, _ := s.QueuePage(ctx, QueueFilter{Services: []string{}}, "", 5); len(p.Items) != 0 {
			t.Error("an agency with no services sees applications")
		}
		if p, _ := s.QueuePage(ctx, QueueFilter{State: Approved}, "", 5); len(p.Items) != 0 {
			t.Error("a decided status is in the queue")
		}
		if _, err := s.QueuePage(ctx, QueueFilter{}, "not-a-cursor!", 5); errs.KindOf(err) != errs.Invalid {
			t.Errorf("a forged cursor: %v", err)
		}

		n, more, err := s.CountOverdue(ctx, QueueFilter{})
		if err != nil || n != 15 || more {
			t.Errorf("overdue %d %v (%v), want 15", n, more, err)
		}
		if n, _, _ := s.CountOverdue(ctx, QueueFilter{Service: "personal-data-change"}); n != 5 {
			t.Errorf("overdue of one service %d, want 5", n)
		}
		p, _ := s.QueuePage(ctx, QueueFilter{}, "", 20)
		if !p.Items[0].Overdue(s.now()) || p.Items[19].Overdue(s.now()) {
			t.Error("the first row is not overdue or the twentieth is")
		}
	})
}

// sortedQueue is the queue's order of the rows keep keeps, worked out apart from SQL.
func sortedQueue(rows []row, keep func(row) bool) []string {
	var kept []row
	for _, r := range rows {
		if keep(r) {
			kept = append(kept, r)
		}
	}
	slices.SortFunc(kept, func(a, b row) int {
		switch {
		case a.deadline.IsZero() != b.deadline.IsZero():
			if a.deadline.IsZero() {
				return 1
			}
			return -1
		case !a.deadline.Equal(b.deadline):
			return a.deadline.Compare(b.deadline)
		}
		return strings.Compare(a.id, b.id)
	})
	var ids []string
	for _, r := range kept {
		ids = append(ids, r.id)
	}
	return ids
}

func TestListPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(t, d)
		base := s.now()
		var rows []row
		for i := range 23 {
			// Three at each instant (ties), one in eight another's.
			acc := "acc"
			if i%8 == 7 {
				acc = "other"
			}
			rows = append(rows, row{id: fmt.Sprintf("b%02d", (i*5)%23), account: acc, service: "e-passport", state: Draft,
				created: base.Add(-time.Duration(i/3) * time.Minute)})
		}
		insertRows(t, d, rows)
		var want []string
		kept := slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return r.account != "acc" })
		slices.SortFunc(kept, func(a, b row) int {
			if c := b.created.Compare(a.created); c != 0 {
				return c
			}
			return strings.Compare(b.id, a.id)
		})
		for _, r := range kept {
			want = append(want, r.id)
		}
		var got []string
		cursor := ""
		for {
			p, err := s.ListPage(ctx, "acc", cursor, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range p.Items {
				if a.AccountID != "acc" {
					t.Fatal("another's application in the list")
				}
				got = append(got, a.ID)
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("list\n got %v\nwant %v", got, want)
		}
	})
}

// TestPagesUseIndexes checks that a page is an index range scan in the index's own order (no
// sort of the rows found) on both databases.
func TestPagesUseIndexes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestStore(t, d)
		rows, _ := queueFixture(s.now())
		insertRows(t, d, rows)
		conn, err := d.Reader().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		explain := "EXPLAIN QUERY PLAN "
		if d.Dialect() == db.Postgres {
			explain = "EXPLAIN "
			// The fixture is small enough for a scan of the table to win: forbid it, to see
			// that the index alone serves the page in order.
			if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, `SET enable_bitmapscan = off`); err != nil {
				t.Fatal(err)
			}
		}
		at := s.now()
		for name, q := range map[string]struct {
			sql   string
			args  []any
			index string
		}{
			"queue":         {`SELECT id FROM applications WHERE ` + openStates + ` AND (deadline_at, id) > ($1, $2) ORDER BY deadline_at, id LIMIT 31`, []any{at, "a"}, "applications_queue"},
			"queue/service": {`SELECT id FROM applications WHERE ` + openStates + ` AND service = $1 AND (deadline_at, id) > ($2, $3) ORDER BY deadline_at, id LIMIT 31`, []any{"e-passport", at, "a"}, "applications_queue_service"},
			"queue/state":   {`SELECT id FROM applications WHERE ` + openStates + ` AND state = $1 AND (deadline_at, id) > ($2, $3) ORDER BY deadline_at, id LIMIT 31`, []any{"in_review", at, "a"}, "applications_queue"},
			"queue/mine":    {`SELECT id FROM applications WHERE ` + openStates + ` AND assignee = $1 AND (deadline_at, id) > ($2, $3) ORDER BY deadline_at, id LIMIT 31`, []any{"op-1", at, "a"}, "applications_queue_assignee"},
			"queue/nobody":  {`SELECT id FROM applications WHERE ` + openStates + ` AND assignee IS NULL AND (deadline_at, id) > ($1, $2) ORDER BY deadline_at, id LIMIT 31`, []any{at, "a"}, "applications_queue"},
			"list":          {`SELECT id FROM applications WHERE account_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT 31`, []any{"acc", at, "z"}, "applications_account"},
		} {
			rs, err := conn.QueryContext(ctx, explain+q.sql, q.args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			cols, _ := rs.Columns()
			for rs.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rs.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
			}
			rs.Close()
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, q.index) || strings.Contains(text, "Sort") || strings.Contains(text, "TEMP B-TREE") {
				t.Errorf("%s: not a range scan of %s in order:\n%s", name, q.index, text)
			}
		}
	})
}
