package notify

import (
	"context"
	"slices"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

func statusTo(to Recipient, channels ...Channel) Message {
	return Message{Kind: ApplicationStatus, To: to, Channels: channels,
		Data: map[string]any{"Number": "2026-000001", "Service": "s", "Status": "approved", "Path": "/applications/x"}}
}

func channelsOf(ds []DeliveryStatus) []Channel {
	var out []Channel
	for _, d := range ds {
		out = append(out, d.Channel)
	}
	slices.Sort(out)
	return out
}

func TestPreferencesDefaultsAndLocks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{Outbox: true})
		p, err := n.Preferences(ctx, "anna")
		if err != nil {
			t.Fatal(err)
		}
		// The seeds: status changes on; the rest left quiet (the cabinet's own inbox only).
		for k, want := range map[KindName][]Channel{
			ApplicationStatus: {Inbox, Email, Push},
			DeadlineReminder:  {Inbox},
			Maintenance:       {Inbox},
			NewDevice:         {Inbox, Email, SMS, Push},
			AccountChanged:    {Inbox, Email, SMS},
		} {
			if !slices.Equal(p[k], want) {
				t.Errorf("default of %s = %v, want %v", k, p[k], want)
			}
		}
		if _, listed := p[SigninCode]; listed {
			t.Error("one-time codes are listed among the choices")
		}
		// A critical kind cannot lose a channel; nothing at all is stored then.
		err = n.SetPreferences(ctx, nil, "anna", Preferences{ApplicationStatus: {Inbox}, NewDevice: {Inbox}})
		if errs.IDOf(err) != "notify.prefs.locked" {
			t.Fatalf("turning off new-device e-mail: %v", err)
		}
		if p, _ := n.Preferences(ctx, "anna"); !slices.Equal(p[ApplicationStatus], []Channel{Inbox, Email, Push}) {
			t.Fatalf("a refused change stored something: %v", p[ApplicationStatus])
		}
		for _, bad := range []Preferences{{SigninCode: {}}, {LevelChanged: {SMS}}, {"fax_sent": {}}} {
			if err := n.SetPreferences(ctx, nil, "anna", bad); errs.IDOf(err) != "notify.prefs.unknown" {
				t.Errorf("SetPreferences(%v) = %v", bad, err)
			}
		}
		if err := n.SetPreferences(ctx, nil, "anna", Preferences{DeadlineReminder: {SMS, Email}}); err != nil {
			t.Fatal(err)
		}
		p, _ = n.Preferences(ctx, "anna")
		if !slices.Equal(p[DeadlineReminder], []Channel{Email, SMS}) || !slices.Equal(p[ApplicationStatus], []Channel{Inbox, Email, Push}) {
			t.Fatalf("after a change: %v", p)
		}
		if other, _ := n.Preferences(ctx, "boris"); !slices.Equal(other[DeadlineReminder], []Channel{Inbox}) {
			t.Fatalf("another account's preferences changed: %v", other[DeadlineReminder])
		}
	})
}

func TestSendHonoursPreferences(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := newTestNotifier(t, d, Options{Outbox: true})
		runWorkers(t, n)
		to := Recipient{AccountID: "anna", Email: "anna@example.ru", Phone: "+79000000077", Lang: "ru"}

		// Defaults: the inbox and e-mail (no browser subscribed: no push; SMS off).
		ds := waitFinal(t, n, send(t, n, statusTo(to)))
		if got := channelsOf(ds); !slices.Equal(got, []Channel{Email, Inbox}) {
			t.Fatalf("by default: %v", got)
		}

		// E-mail turned off: the inbox still gets it, the outbox gets no e-mail.
		if err := n.SetPreferences(ctx, nil, "anna", Preferences{ApplicationStatus: {Inbox, SMS}}); err != nil {
			t.Fatal(err)
		}
		before, _ := Outbox(ctx, d, testBox, OutboxFilter{To: "anna@example.ru"})
		ds = waitFinal(t, n, send(t, n, statusTo(to)))
		if got := channelsOf(ds); !slices.Equal(got, []Channel{Inbox, SMS}) {
			t.Fatalf("e-mail off: %v", got)
		}
		after, _ := Outbox(ctx, d, testBox, OutboxFilter{To: "anna@example.ru"})
		if len(after) != len(before) {
			t.Fatal("an e-mail went out although the person turned e-mail off")
		}
		// A sender naming channels is narrowed by the choice too.
		ds = waitFinal(t, n, send(t, n, statusTo(to, Inbox, Email)))
		if got := channelsOf(ds); !slices.Equal(got, []Channel{Inbox}) {
			t.Fatalf("sender's inbox+email under inbox+sms: %v", got)
		}

		// Everything off: nothing is stored, and the sender's change is not failed.
		if err := n.SetPreferences(ctx, nil, "anna", Preferences{ApplicationStatus: {}}); err != nil {
			t.Fatal(err)
		}
		if id, err := n.Send(ctx, nil, statusTo(to)); err != nil || id != "" {
			t.Fatalf("all channels off: Send = %q, %v", id, err)
		}

		// A critical alert goes by every channel whatever is stored, even rows forged into
		// the table by hand.
		if _, err := d.Writer().Exec(`INSERT INTO notify_preferences (account_id, kind, channel, enabled, updated_at)
			VALUES ('anna', 'new_device', 'email', FALSE, CURRENT_TIMESTAMP)`); err != nil {
			t.Fatal(err)
		}
		ds = waitFinal(t, n, send(t, n, Message{Kind: NewDevice, To: to,
			Data: map[string]any{"Device": "Firefox", "IP": "192.0.2.1", "Time": exampleTime, "Disavow": "/id/disavow/x"}}))
		if got := channelsOf(ds); !slices.Equal(got, []Channel{Email, Inbox, SMS}) {
			t.Fatalf("critical alert: %v", got)
		}
	})
}
