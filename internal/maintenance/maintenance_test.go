package maintenance

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

var cli = audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli"}

// clock is a settable test clock.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) now() time.Time   { return *c.t.Load() }
func (c *clock) set(t time.Time)  { c.t.Store(&t) }

func newStore(t *testing.T, d *db.DB, c *clock) *Store {
	t.Helper()
	j, err := audit.New(d, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return NewStore(d, Options{Journal: j, Now: c.now})
}

func at(s string) time.Time {
	t, err := ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

// journaled lists the journal's maintenance entries as action:object id.
func journaled(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.Reader().Query(`SELECT action, object_type, object_id, actor_id, details FROM audit_entries
		WHERE action LIKE 'maintenance.%' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, typ, id, actor, details string
		if err := rows.Scan(&action, &typ, &id, &actor, &details); err != nil {
			t.Fatal(err)
		}
		if typ != "maintenance_window" || actor != "cli" || details != "{}" {
			t.Errorf("entry %s %s: type %q, actor %q, details %s (want ids only)", action, id, typ, actor, details)
		}
		out = append(out, action+":"+id)
	}
	return out
}

func TestScheduleListCancel(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := newClock(at("2026-12-01T12:00+03:00"))
		s := newStore(t, d, c)
		w, err := s.Schedule(ctx, Window{From: at("2026-12-05T01:00+03:00"), To: at("2026-12-05T03:00+03:00"),
			NoteRU: "Обновление базы данных.", NoteEN: "Database upgrade."}, cli)
		if err != nil {
			t.Fatal(err)
		}
		next, err := s.Schedule(ctx, Window{From: at("2026-12-12T01:00+03:00"), To: at("2026-12-12T02:30+03:00")}, cli)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, w.ID)
		if err != nil || !got.From.Equal(at("2026-12-04T22:00Z")) || !got.To.Equal(at("2026-12-05T00:00Z")) ||
			got.NoteRU != "Обновление базы данных." || got.NoteEN != "Database upgrade." || got.State(c.now()) != Scheduled {
			t.Fatalf("stored window: %+v %v", got, err)
		}
		c.set(at("2026-12-05T02:00+03:00"))
		if got.State(c.now()) != Active {
			t.Fatalf("state during the window: %s", got.State(c.now()))
		}
		up, err := s.Upcoming(ctx, c.now())
		if err != nil || len(up) != 2 || up[0].ID != w.ID || up[1].ID != next.ID {
			t.Fatalf("upcoming during the first window: %+v %v", up, err)
		}
		// Cancelling the window in progress ends it now; a second cancel is refused.
		if _, err := s.Cancel(ctx, w.ID, cli); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, w.ID, cli); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second cancel: %v", err)
		}
		if _, err := s.Cancel(ctx, "no-such-window", cli); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("cancel of an unknown id: %v", err)
		}
		if up, _ := s.Upcoming(ctx, c.now()); len(up) != 1 || up[0].ID != next.ID {
			t.Fatalf("upcoming after cancelling: %+v", up)
		}
		list, err := s.List(ctx, false)
		if err != nil || len(list) != 2 || list[0].State(c.now()) != Cancelled {
			t.Fatalf("list: %+v %v", list, err)
		}
		// An ended window cannot be cancelled, and leaves the list but not the full one.
		c.set(at("2026-12-13T00:00+03:00"))
		if _, err := s.Cancel(ctx, next.ID, cli); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("cancel of an ended window: %v", err)
		}
		if list, _ := s.List(ctx, false); len(list) != 0 {
			t.Fatalf("list after both windows: %+v", list)
		}
		if all, _ := s.List(ctx, true); len(all) != 2 || all[1].State(c.now()) != Ended {
			t.Fatalf("list -all: %+v", all)
		}
		want := []string{ActionScheduled + ":" + w.ID, ActionScheduled + ":" + next.ID, ActionCancelled + ":" + w.ID}
		if got := journaled(t, d); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("journal: %v, want %v", got, want)
		}
	})
}

func TestScheduleRefusesBadWindows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d, newClock(at("2026-12-01T12:00+03:00")))
		if _, err := s.Schedule(ctx, Window{From: at("2026-12-05T01:00+03:00"), To: at("2026-12-05T03:00+03:00")}, cli); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			w    Window
			kind errs.Kind
			id   string
		}{
			"end before start": {Window{From: at("2026-12-06T03:00+03:00"), To: at("2026-12-06T01:00+03:00")}, errs.Invalid, "maintenance.error.order"},
			"already over":     {Window{From: at("2026-11-30T01:00+03:00"), To: at("2026-11-30T03:00+03:00")}, errs.Invalid, "maintenance.error.past"},
			"a year by a typo": {Window{From: at("2025-12-05T01:00+03:00"), To: at("2026-12-05T03:00+03:00")}, errs.Invalid, "maintenance.error.too_long"},
			"one note only":    {Window{From: at("2026-12-07T01:00+03:00"), To: at("2026-12-07T02:00+03:00"), NoteRU: "Работы"}, errs.Invalid, "maintenance.error.notes"},
			"two-line note": {Window{From: at("2026-12-07T01:00+03:00"), To: at("2026-12-07T02:00+03:00"),
				NoteRU: "Работы\nи ещё", NoteEN: "Work"}, errs.Invalid, "maintenance.error.note"},
			"overlap": {Window{From: at("2026-12-05T02:30+03:00"), To: at("2026-12-05T04:00+03:00")}, errs.Conflict, "maintenance.error.overlap"},
		} {
			_, err := s.Schedule(ctx, c.w, cli)
			if errs.KindOf(err) != c.kind || errs.IDOf(err) != c.id {
				t.Errorf("%s: %v, want %s %s", name, err, c.kind, c.id)
			}
		}
		// Back to back is not an overlap.
		if _, err := s.Schedule(ctx, Window{From: at("2026-12-05T03:00+03:00"), To: at("2026-12-05T04:00+03:00")}, cli); err != nil {
			t.Fatalf("a window right after another: %v", err)
		}
		if got := journaled(t, d); len(got) != 2 {
			t.Fatalf("refused windows were journaled: %v", got)
		}
	})
}

func TestCacheReadsTheDatabaseOncePerTTL(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		s := newStore(t, d, newClock(now))
		c := NewCache(s, CacheOptions{TTL: 300 * time.Millisecond})
		if ws := c.Windows(ctx, now); len(ws) != 0 {
			t.Fatalf("empty schedule: %+v", ws)
		}
		// Another instance schedules a window: this one answers from its copy until the TTL
		// has passed, then sees it.
		other := newStore(t, d, newClock(now))
		if _, err := other.Schedule(ctx, Window{From: now.Add(-time.Minute), To: now.Add(time.Hour),
			NoteRU: "Работы", NoteEN: "Work"}, cli); err != nil {
			t.Fatal(err)
		}
		if ws := c.Windows(ctx, now); len(ws) != 0 {
			t.Fatalf("the cache read the database again before its TTL: %+v", ws)
		}
		time.Sleep(350 * time.Millisecond)
		ws := c.Windows(ctx, now)
		if len(ws) != 1 || ws[0].Notes["en"] != "Work" || !ws[0].To.Equal(now.Add(time.Hour).UTC().Truncate(time.Second)) {
			t.Fatalf("after the TTL: %+v", ws)
		}
		// Ended windows drop out at once, without a read.
		if ws := c.Windows(ctx, now.Add(2*time.Hour)); len(ws) != 0 {
			t.Fatalf("an ended window is still served: %+v", ws)
		}
		// A database that cannot be read keeps the last schedule.
		d.Close()
		time.Sleep(350 * time.Millisecond)
		if err := c.Refresh(ctx); err == nil {
			t.Fatal("Refresh on a closed database succeeded")
		}
		if ws := c.Windows(ctx, now); len(ws) != 1 {
			t.Fatalf("a failed read lost the schedule: %+v", ws)
		}
	})
}
