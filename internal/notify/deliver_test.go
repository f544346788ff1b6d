package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
)

func TestNewFailsOnMissingTemplate(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	m := copyTexts(t)
	delete(m, "texts/deadline_reminder.en.html")
	_, err := New(Options{DB: d, Jobs: jobs.New(d), Box: testBox, Texts: m})
	if err == nil || !strings.Contains(err.Error(), "deadline_reminder has no en e-mail template") {
		t.Fatalf("New with a missing template: %v", err)
	}
	_, err = New(Options{DB: d, Jobs: jobs.New(d), Box: testBox, Texts: fstest.MapFS{}})
	if err == nil {
		t.Fatal("New with no templates at all succeeded")
	}
}

func TestOutboxKeepsEverythingThatWouldLeave(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{Outbox: true})
		runWorkers(t, n)
		subscribeBrowser(t, n, "acc-1", "https://push.example.net/acc-1")
		id := send(t, n, Message{Kind: NewDevice,
			To: Recipient{AccountID: "acc-1", Email: "Anna.Test@Example.RU", Phone: "8 (900) 000-00-01", Lang: "en"},
			Data: map[string]any{"Device": "Firefox, Linux", "IP": "192.0.2.1", "Time": exampleTime,
				"Disavow": "/id/disavow/test"}})
		ds := waitFinal(t, n, id)
		if len(ds) != 4 {
			t.Fatalf("deliveries = %+v, want inbox, email, sms and push", ds)
		}
		got := map[Channel]State{}
		for _, s := range ds {
			got[s.Channel] = s.State
		}
		for _, c := range []Channel{Inbox, Email, SMS, Push} {
			if got[c] != Sent {
				t.Errorf("%s delivery: %s", c, got[c])
			}
		}
		out, err := Outbox(ctx, d, testBox, OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 3 {
			t.Fatalf("outbox = %+v, want the e-mail, the SMS and the push (the inbox is not an outbox channel)", out)
		}
		for _, e := range out {
			switch e.Channel {
			case Email:
				if e.Recipient != "Anna.Test@example.ru" || !strings.Contains(e.Body, "Firefox, Linux") || !strings.Contains(e.HTML, "<html") {
					t.Errorf("e-mail in outbox: %+v", e)
				}
			case SMS, Push:
				if want := map[Channel]string{SMS: "+79000000001", Push: "acc-1"}[e.Channel]; e.Recipient != want ||
					!strings.HasPrefix(e.Body, "SEP: new device signed in") {
					t.Errorf("%s in outbox: %+v", e.Channel, e)
				}
			}
			if e.Subject != "New device signed in to SEP" {
				t.Errorf("subject %q", e.Subject)
			}
		}
		// Filtered by the phone as a person would type it.
		only, err := Outbox(ctx, d, testBox, OutboxFilter{To: "+7 900 000-00-01"})
		if err != nil || len(only) != 1 || only[0].Channel != SMS {
			t.Fatalf("outbox ?to= phone: %+v, %v", only, err)
		}
		inbox := NewInboxStore(d, testBox)
		items, err := inbox.List(ctx, "acc-1", "", 10)
		if err != nil || len(items) != 1 || items[0].Subject != "New device signed in to SEP" || !items[0].Unread() {
			t.Fatalf("inbox: %+v, %v", items, err)
		}
	})
}

func TestSendRefusals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		n := newTestNotifier(t, d, Options{Outbox: true})
		ctx := context.Background()
		cases := []struct {
			name string
			m    Message
			kind errs.Kind
			id   string
		}{
			{"no address", Message{Kind: TestMessage, To: Recipient{Lang: "ru"}}, errs.Invalid, "notify.no_channel"},
			{"bad phone", codeMessage(SigninCode, "+7 900 ABC", "1"), errs.Invalid, "notify.bad_phone"},
			{"bad e-mail", Message{Kind: TestMessage, To: Recipient{Email: "Anna <a@b.ru>"}}, errs.Invalid, "notify.bad_email"},
			{"unknown kind", Message{Kind: "nope", To: Recipient{Phone: "+79000000001"}}, errs.Other, ""},
			{"channel not allowed", Message{Kind: SigninCode, To: Recipient{AccountID: "a"}, Channels: []Channel{Inbox},
				Data: map[string]any{"Code": "1", "ValidMinutes": 5}}, errs.Other, ""},
			{"missing data", Message{Kind: SigninCode, To: Recipient{Phone: "+79000000001"}, Data: map[string]any{"Code": "1"}}, errs.Other, ""},
			{"code kind to an account only", Message{Kind: SigninCode, To: Recipient{AccountID: "a"},
				Data: map[string]any{"Code": "1", "ValidMinutes": 5}}, errs.Invalid, "notify.no_channel"},
		}
		for _, c := range cases {
			_, err := n.Send(ctx, nil, c.m)
			if err == nil || errs.KindOf(err) != c.kind || errs.IDOf(err) != c.id {
				t.Errorf("%s: err = %v (kind %v, id %q), want kind %v id %q", c.name, err, errs.KindOf(err), errs.IDOf(err), c.kind, c.id)
			}
		}
		var count int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM notify_messages`).Scan(&count); err != nil || count != 0 {
			t.Fatalf("refused sends stored %d messages (%v)", count, err)
		}
	})
}

func TestSendJoinsTheCallersTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		n := newTestNotifier(t, d, Options{Outbox: true})
		ctx := context.Background()
		boom := errors.New("the caller's change failed")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := n.Send(ctx, tx, codeMessage(ConfirmCode, "+79000000002", "111111")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		for _, table := range []string{"notify_messages", "notify_deliveries", "jobs"} {
			var count int
			if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&count); err != nil || count != 0 {
				t.Errorf("after a rollback %s has %d rows (%v)", table, count, err)
			}
		}
		var id string
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			id, err = n.Send(ctx, tx, codeMessage(ConfirmCode, "+79000000002", "222222"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		runWorkers(t, n)
		if ds := waitFinal(t, n, id); ds[0].State != Sent {
			t.Fatalf("after commit: %+v", ds)
		}
	})
}

func TestCodesAreErasedOnceDelivered(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		n := newTestNotifier(t, d, Options{Outbox: true})
		runWorkers(t, n)
		code := send(t, n, codeMessage(RecoveryCode, "+79000000003", "424242"))
		test := send(t, n, Message{Kind: TestMessage, To: Recipient{Phone: "+79000000003"}})
		waitFinal(t, n, code)
		waitFinal(t, n, test)
		body := func(id string) string {
			var text, short seal.Sealed
			if err := d.Reader().QueryRow(`SELECT body_text, body_short FROM notify_messages WHERE id = $1`, id).Scan(&text, &short); err != nil {
				t.Fatal(err)
			}
			t1, err1 := testBox.OpenString(msgText, id, text)
			t2, err2 := testBox.OpenString(msgShort, id, short)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			return t1 + t2
		}
		if b := body(code); b != "" {
			t.Errorf("the code message still holds its bodies: %q", b)
		}
		if b := body(test); b == "" {
			t.Error("a test message lost its bodies; only secret kinds are erased")
		}
	})
}

// A one-time code is valid for 5 minutes (the product's rule): a delivery that could not be
// made within them must not arrive later, when the code no longer works.
func TestLateDeliveriesExpire(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		for i, c := range []struct {
			kind KindName
			late time.Duration
			want State
		}{
			{SigninCode, 4 * time.Minute, Sent},
			{SigninCode, 6 * time.Minute, Failed},
			{ConfirmCode, 6 * time.Minute, Failed},
			{RecoveryCode, 6 * time.Minute, Failed},
		} {
			t.Run(fmt.Sprintf("%s %v late", c.kind, c.late), func(t *testing.T) {
				n := newTestNotifier(t, d, Options{Outbox: true})
				phone := fmt.Sprintf("+7900000010%d", i)
				id := send(t, n, codeMessage(c.kind, phone, "777777"))
				n.now = func() time.Time { return time.Now().Add(c.late) }
				runWorkers(t, n) // until this subtest ends, so the next one's clock is its own
				ds := waitFinal(t, n, id)
				if ds[0].State != c.want || (c.want == Failed) != strings.HasPrefix(ds[0].Reason, "expired") {
					t.Errorf("deliveries %+v, want %s", ds, c.want)
				}
				out, err := Outbox(context.Background(), d, testBox, OutboxFilter{To: phone})
				if err != nil {
					t.Fatal(err)
				}
				if inOutbox := len(out) == 1; inOutbox != (c.want == Sent) {
					t.Errorf("%d messages in the outbox", len(out))
				}
			})
		}
	})
}
