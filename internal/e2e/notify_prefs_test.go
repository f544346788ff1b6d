package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"crypto/ecdh"
	"crypto/rand"

	"github.com/sep-platform/sep/internal/api/apitest"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/maintenance"
	"github.com/sep-platform/sep/internal/notify"
)

// The notification settings without JavaScript: the table of kinds × channels with the seeds'
// defaults and the security alerts locked, «Применить», a forged form that tries to turn off
// a security alert, and the test message up to its limit.
func TestNotificationPreferencesInTheBrowser(t *testing.T) {
	sep := Start(t)
	const phone, email, pw = "+79005557301", "prefs.citizen@example.ru", "Ptichka-Sinica-2026!"
	registerAccount(t, sep, phone, email, pw)
	b := NewBrowser(t)
	b.DisableJavaScript(true)
	signInInBrowser(t, sep, b, email, pw, phone, false)

	b.Open(sep.URL + "/id/account")
	b.Submit(`main a[href="/id/notifications"]`)
	if h1 := b.Text("h1"); h1 != "Управление уведомлениями" {
		t.Fatalf("h1 %q", h1)
	}
	b.CheckA11y()
	checked := func(value string) bool {
		return Eval[bool](b, `document.querySelector('input[name="pref"][value="`+value+`"]').checked`)
	}
	disabled := func(value string) bool {
		return Eval[bool](b, `document.querySelector('input[name="pref"][value="`+value+`"]').disabled`)
	}
	// The seeds' defaults: status changes on (cabinet, e-mail, push), SMS off; reminders in the
	// cabinet only; a new-device alert on everywhere and locked.
	for v, want := range map[string]bool{"application_status.inbox": true, "application_status.email": true,
		"application_status.sms": false, "deadline_reminder.email": false, "deadline_reminder.inbox": true,
		"new_device.email": true, "new_device.sms": true} {
		if checked(v) != want {
			t.Errorf("%s checked = %v, want %v", v, !want, want)
		}
	}
	if !disabled("new_device.email") || disabled("application_status.email") {
		t.Fatal("the security alert is not locked, or a status change is")
	}
	if n := Eval[int](b, `document.querySelectorAll('input[value^="level_changed."]').length`); n != 2 {
		t.Fatalf("level changes offer %d channels, want the cabinet and e-mail only", n)
	}

	// E-mail off for status changes, SMS on for reminders; and a forged form: the security
	// alert's box enabled and unticked.
	b.Click(`input[value="application_status.email"]`)
	b.Click(`input[value="deadline_reminder.sms"]`)
	Eval[bool](b, `(function(){var e=document.querySelector('input[value="new_device.email"]');e.disabled=false;e.checked=false;return true})()`)
	b.Submit(`form[action="/id/notifications"] button`)
	if notice := b.Text(".form-notice"); !strings.Contains(notice, "сохранены") {
		t.Fatalf("after «Применить»: %q", notice)
	}
	b.CheckA11y()
	if checked("application_status.email") || !checked("application_status.inbox") || !checked("deadline_reminder.sms") ||
		!checked("new_device.email") {
		t.Fatal("the page does not show what was saved")
	}
	acc := accountByPhone(t, sep, phone)
	p, err := sep.Notify.Preferences(context.Background(), acc)
	if err != nil {
		t.Fatal(err)
	}
	if p.On(notify.ApplicationStatus, notify.Email) || !p.On(notify.NewDevice, notify.Email) || !p.On(notify.DeadlineReminder, notify.SMS) {
		t.Fatalf("stored: %v", p)
	}

	// A status change now reaches the cabinet but sends no e-mail.
	mails := outboxCount(t, sep.URL, email)
	id, err := sep.Notify.Send(context.Background(), nil, notify.Message{Kind: notify.ApplicationStatus,
		To:   notify.Recipient{AccountID: acc, Email: email, Phone: phone, Lang: "ru"},
		Data: map[string]any{"Number": "2026-000777", "Service": "Электронный паспорт", "Status": "Одобрено", "Path": "/applications/x"}})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := sep.Notify.Deliveries(context.Background(), id)
	if err != nil || len(ds) != 1 || ds[0].Channel != notify.Inbox {
		t.Fatalf("deliveries of a status change with e-mail off: %+v, %v", ds, err)
	}
	if outboxCount(t, sep.URL, email) != mails {
		t.Fatal("an e-mail went out")
	}

	// The test message by e-mail, three times (SEP_NOTIFY_TEST_LIMITS 3/1h), then refused.
	b.Click(`#test-inbox`) // the cabinet is ticked by default; e-mail only
	b.Click(`#test-email`)
	for i := range 3 {
		b.Submit(`form[action="/id/notifications/test"] button`)
		if notice := b.Text(".form-notice"); !strings.Contains(notice, "Тестовое сообщение отправлено") {
			t.Fatalf("test %d: %q", i+1, notice)
		}
		b.Click(`#test-inbox`)
		b.Click(`#test-email`)
	}
	if m := latestOfKind(t, sep.URL, email, "test"); m.Channel != "email" {
		t.Fatalf("the test message: %+v", m)
	}
	b.Submit(`form[action="/id/notifications/test"] button`)
	if msg := b.Text(".form-errors"); !strings.Contains(msg, "Слишком много проверочных сообщений на этот адрес") {
		t.Fatalf("the fourth test: %q", msg)
	}
	b.CheckA11y()

	// With JavaScript the page offers web push in this browser (its service worker registered).
	b.DisableJavaScript(false)
	b.Open(sep.URL + "/id/notifications")
	b.WaitFor("#push-on")
	if !Eval[bool](b, `document.getElementById('push-nojs').hidden`) {
		t.Fatal("with JavaScript the page still says push needs it")
	}
	b.CheckA11y()
}

// accountByPhone is the id of the account with the phone.
func accountByPhone(t *testing.T, sep *Instance, phone string) string {
	t.Helper()
	acc, err := sep.ID.AccountByLogin(context.Background(), sep.DB.Reader(), phone)
	if err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

// The preferences API, each exchange checked against the OpenAPI document.
func TestNotificationPreferencesAPI(t *testing.T) {
	sep := Start(t)
	token := registerAccount(t, sep, "+79005557302", "prefs.api@example.ru", "Ptichka-Sinica-2026!")
	c := apitest.New(t, sep.API, sep.URL)
	auth := []string{"Authorization", "Bearer " + token}

	if resp, _ := c.Get("/api/v1/notifications/preferences"); resp.StatusCode != 401 {
		t.Fatalf("without a session: %d", resp.StatusCode)
	}
	var got struct {
		Preferences []struct {
			Kind     string
			Critical bool
			Channels []struct {
				Channel string
				On      bool
			}
		}
		PushKey string `json:"push_key"`
		Subs    int    `json:"push_subscriptions"`
	}
	resp, body := c.Get("/api/v1/notifications/preferences", auth...)
	if json.Unmarshal(body, &got); resp.StatusCode != 200 || got.PushKey == "" || len(got.Preferences) < 5 {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	on := func(kind, channel string) bool {
		for _, p := range got.Preferences {
			for _, c := range p.Channels {
				if p.Kind == kind && c.Channel == channel {
					return c.On
				}
			}
		}
		t.Fatalf("no %s.%s", kind, channel)
		return false
	}
	if !on("application_status", "email") || on("application_status", "sms") || !on("new_device", "sms") {
		t.Fatalf("defaults: %s", body)
	}

	resp, body = c.Send("PUT", "/api/v1/notifications/preferences", []byte(`{"preferences":{"new_device":["inbox"]}}`), auth...)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"notify.prefs.locked"`) {
		t.Fatalf("turning off a security alert: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("PUT", "/api/v1/notifications/preferences", []byte(`{"preferences":{"level_changed":["sms"]}}`), auth...)
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"notify.prefs.unknown"`) {
		t.Fatalf("a channel the kind cannot use: %d %s", resp.StatusCode, body)
	}
	resp, body = c.Send("PUT", "/api/v1/notifications/preferences", []byte(`{"preferences":{"application_status":["inbox"],"maintenance":["inbox","email"]}}`), auth...)
	if json.Unmarshal(body, &got); resp.StatusCode != 200 || on("application_status", "email") || !on("maintenance", "email") {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}

	resp, body = c.Send("POST", "/api/v1/notifications/test", []byte(`{"channels":["inbox","email"]}`), auth...)
	if resp.StatusCode != 202 || !strings.Contains(string(body), "message_id") {
		t.Fatalf("test message: %d %s", resp.StatusCode, body)
	}
	if resp, body = c.Send("POST", "/api/v1/notifications/test", []byte(`{"channels":["push"]}`), auth...); resp.StatusCode != 400 ||
		!strings.Contains(string(body), "notify.no_channel") {
		t.Fatalf("a test by push with no browser subscribed: %d %s", resp.StatusCode, body)
	}

	// A browser's subscription, as PushSubscription.toJSON() gives it.
	k, _ := ecdh.P256().GenerateKey(rand.Reader)
	secret := make([]byte, 16)
	rand.Read(secret)
	sub, _ := json.Marshal(map[string]any{"endpoint": "https://push.example.net/wpush/v2/abc", "expirationTime": nil,
		"keys": map[string]string{"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()),
			"auth": base64.RawURLEncoding.EncodeToString(secret)}})
	if resp, body = c.Send("POST", "/api/v1/notifications/push", sub, auth...); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, body)
	}
	bad, _ := json.Marshal(map[string]any{"endpoint": "http://push.example.net/x", "keys": map[string]string{"p256dh": "AAAA", "auth": "AAAA"}})
	if resp, body = c.Send("POST", "/api/v1/notifications/push", bad, auth...); resp.StatusCode != 400 ||
		!strings.Contains(string(body), "notify.push.bad_subscription") {
		t.Fatalf("a bad subscription: %d %s", resp.StatusCode, body)
	}
	// In demo mode a push goes to the outbox: the test message by push now has somewhere to go.
	if resp, body = c.Send("POST", "/api/v1/notifications/test", []byte(`{"channels":["push"]}`), auth...); resp.StatusCode != 202 {
		t.Fatalf("a test by push: %d %s", resp.StatusCode, body)
	}
	// Another account cannot remove this browser.
	other := registerAccount(t, sep, "+79005557303", "prefs.other@example.ru", "Ptichka-Sinica-2026!")
	rm := []byte(`{"endpoint":"https://push.example.net/wpush/v2/abc"}`)
	if resp, _ = c.Send("POST", "/api/v1/notifications/push/remove", rm, "Authorization", "Bearer "+other); resp.StatusCode != 404 {
		t.Fatalf("another account removing the subscription: %d", resp.StatusCode)
	}
	if resp, _ = c.Send("POST", "/api/v1/notifications/push/remove", rm, auth...); resp.StatusCode != 204 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if resp, _ = c.Send("POST", "/api/v1/notifications/push/remove", rm, auth...); resp.StatusCode != 404 {
		t.Fatalf("remove again: %d", resp.StatusCode)
	}

	// The service worker is served at the root, as its scope needs.
	r, err := http.Get(sep.URL + "/push-sw.js")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") ||
		!slices.Contains(strings.Fields(string(js)), "self.addEventListener('push',") {
		t.Fatalf("push-sw.js: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// A window an administrator schedules reaches, by the job queue, the accounts that keep
// maintenance notices on — in the cabinet by default, by e-mail when chosen — and no one who
// turned them off.
func TestMaintenanceNoticeFollowsPreferences(t *testing.T) {
	sep := Start(t)
	ctx := context.Background()
	const phoneA, emailA, phoneB = "+79005557311", "maint.a@example.ru", "+79005557312"
	registerAccount(t, sep, phoneA, emailA, "Ptichka-Sinica-2026!")
	registerAccount(t, sep, phoneB, "maint.b@example.ru", "Ptichka-Sinica-2026!")
	a, b := accountByPhone(t, sep, phoneA), accountByPhone(t, sep, phoneB)
	if err := sep.Notify.SetPreferences(ctx, nil, a, notify.Preferences{notify.Maintenance: {notify.Inbox, notify.Email}}); err != nil {
		t.Fatal(err)
	}
	if err := sep.Notify.SetPreferences(ctx, nil, b, notify.Preferences{notify.Maintenance: {}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	w, err := maintenance.NewStore(sep.DB, maintenance.Options{Journal: sep.Audit, Jobs: sep.Jobs}).Schedule(ctx,
		maintenance.Window{From: now.Add(26 * time.Hour), To: now.Add(28 * time.Hour), NoteRU: "Обновляем базу данных.",
			NoteEN: "Updating the database."}, audit.Entry{ActorID: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	mail := latestOfKind(t, sep.URL, emailA, "maintenance")
	if !strings.Contains(mail.Body, "Обновляем базу данных.") || !strings.Contains(mail.Body, w.From.In(i18n.Moscow).Format("15:04")) {
		t.Fatalf("the e-mail: %+v", mail)
	}
	inbox := notify.NewInboxStore(sep.DB, sep.Seal.Box)
	deadline := time.Now().Add(20 * time.Second)
	for {
		items, err := inbox.List(ctx, a, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > 0 && items[0].Kind == notify.Maintenance {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no maintenance notice in the cabinet: %+v", items)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var n int
	if err := sep.DB.Reader().QueryRow(`SELECT COUNT(*) FROM notify_messages WHERE account_id = $1 AND kind = 'maintenance'`, b).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the account that turned the notices off got %d, %v", n, err)
	}
}

// pushFlow registers a browser's push subscription for the account of token and sends it a
// test push, for the plaintext scan; it returns the subscription's personal values.
func pushFlow(t *testing.T, sep *Instance, token string) []string {
	t.Helper()
	k, _ := ecdh.P256().GenerateKey(rand.Reader)
	secret := make([]byte, 16)
	rand.Read(secret)
	endpoint := "https://push.example.net/wpush/v2/scan-endpoint-7f3a91"
	p256dh, auth := base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
	sub, _ := json.Marshal(map[string]any{"endpoint": endpoint, "keys": map[string]string{"p256dh": p256dh, "auth": auth}})
	c := apitest.New(t, sep.API, sep.URL)
	if resp, body := c.Send("POST", "/api/v1/notifications/push", sub, "Authorization", "Bearer "+token); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, body)
	}
	resp, body := c.Send("POST", "/api/v1/notifications/test", []byte(`{"channels":["push"]}`), "Authorization", "Bearer "+token)
	var sent struct {
		MessageID string `json:"message_id"`
	}
	if json.Unmarshal(body, &sent); resp.StatusCode != 202 {
		t.Fatalf("test push: %d %s", resp.StatusCode, body)
	}
	waitDelivered(t, sep, sent.MessageID)
	return []string{endpoint, "scan-endpoint-7f3a91", p256dh, auth}
}
