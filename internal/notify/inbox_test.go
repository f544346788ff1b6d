package notify

import (
	"context"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

func TestInboxStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{})
		runWorkers(t, n)
		var ids []string
		for _, num := range []string{"1", "2", "3"} {
			id := send(t, n, Message{Kind: ApplicationStatus, To: Recipient{AccountID: "anna", Lang: "en"},
				Data: map[string]any{"Number": num, "Service": "s", "Status": "approved", "Path": "/a/" + num}})
			waitFinal(t, n, id)
			ids = append(ids, id)
		}
		waitFinal(t, n, send(t, n, Message{Kind: TestMessage, To: Recipient{AccountID: "boris"}}))

		s := NewInboxStore(d, testBox)
		items, err := s.List(ctx, "anna", "", 2)
		if err != nil || len(items) != 2 || items[0].Subject != "Application 3: approved" || items[1].Subject != "Application 2: approved" {
			t.Fatalf("first page: %+v, %v", items, err)
		}
		more, err := s.List(ctx, "anna", items[1].ID, 2)
		if err != nil || len(more) != 1 || more[0].Subject != "Application 1: approved" || more[0].MessageID != ids[0] {
			t.Fatalf("second page: %+v, %v", more, err)
		}
		if c, err := s.Unread(ctx, "anna"); err != nil || c != 3 {
			t.Fatalf("unread = %d, %v", c, err)
		}
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		if err := s.MarkRead(ctx, "anna", items[0].ID, at); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRead(ctx, "anna", items[0].ID, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "anna", items[0].ID)
		if err != nil || got.Unread() || !got.ReadAt.Equal(at) {
			t.Fatalf("read item: %+v, %v (marking again must keep the first time)", got, err)
		}
		// Another account can neither see nor mark it.
		if _, err := s.Get(ctx, "boris", items[0].ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("boris reads anna's item: %v", err)
		}
		if err := s.MarkRead(ctx, "boris", items[1].ID, at); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("boris marks anna's item: %v", err)
		}
		if c, _ := s.Unread(ctx, "anna"); c != 2 {
			t.Fatalf("unread after one read = %d", c)
		}
		if m, err := s.MarkAllRead(ctx, "anna", at); err != nil || m != 2 {
			t.Fatalf("MarkAllRead = %d, %v", m, err)
		}
		if c, _ := s.Unread(ctx, "boris"); c != 1 {
			t.Fatalf("boris's unread = %d, want 1", c)
		}
		// Delivering the same delivery again adds nothing.
		tr := &inboxTransport{db: d, box: testBox}
		dup := &Delivery{ID: items[0].ID, MessageID: ids[2], Kind: ApplicationStatus, Address: "anna", Subject: "again", CreatedAt: at}
		if _, err := tr.Deliver(ctx, dup); err != nil {
			t.Fatal(err)
		}
		if all, _ := s.List(ctx, "anna", "", 10); len(all) != 3 || all[0].Subject != "Application 3: approved" {
			t.Fatalf("after a repeated delivery: %+v", all)
		}
	})
}
