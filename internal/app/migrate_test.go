package app

import (
	"bytes"
	"context"
	"errors"
	neturl "net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/seal"
)

// The personal values of the rows written by the version before sealing.
const (
	oldPhone   = "+79005550123"
	oldEmail   = "old.row@example.ru"
	oldSubject = "Код подтверждения для Тестовой Старожиловой"
	oldBody    = "Ваш код 918273. Никому его не сообщайте."
	oldName    = "Старожилова"
	oldSeries  = "4510"
	oldNumber  = "918273"
)

// Rows written by the version before sealing (migrations up to 0040) are sealed by the
// upgrade — and read back whole through the stores — on both databases; without the data key
// the upgrade refuses and changes nothing.
func TestUpgradeSealsExistingRows(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		url := dbtest.SQLiteURL(t)
		testUpgrade(t, url, func() []byte {
			d := dbtest.Open(t, url) // checkpoint the WAL into the file, as a copy would see it
			d.Writer().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			b, err := os.ReadFile(strings.TrimPrefix(url, "sqlite:"))
			if err != nil {
				t.Fatal(err)
			}
			return b
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.PostgresURL(t)
		testUpgrade(t, url, func() []byte { return pgDump(t, url) })
	})
}

func testUpgrade(t *testing.T, url string, raw func() []byte) {
	ctx := context.Background()
	d, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.MigrateWith(ctx, db.MigrateOptions{UpTo: 40}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-time.Hour)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO registry_checks (id, subject, registry, query, fields, status, attempts, run, requested_at, updated_at)
			VALUES ('c1', 'account:A', 'passport', $1, 'series,number,last_name', 'confirmed', 1, 1, $2, $2)`,
			[]any{`{"series":"` + oldSeries + `","number":"` + oldNumber + `","last_name":"` + oldName + `"}`, at}},
		{`INSERT INTO notify_messages (id, kind, lang, account_id, subject, body_text, body_html, body_short, created_at)
			VALUES ('m1', 'notify.test', 'ru', 'acc-1', $1, $2, $3, $2, $4)`, []any{oldSubject, oldBody, "<p>" + oldBody + "</p>", at}},
		{`INSERT INTO notify_deliveries (id, message_id, channel, address, state, created_at, updated_at)
			VALUES ('d1', 'm1', 'sms', $1, 'sent', $2, $2), ('d2', 'm1', 'email', $3, 'sent', $2, $2)`, []any{oldPhone, at, oldEmail}},
		{`INSERT INTO notify_inbox (id, account_id, message_id, kind, subject, body, created_at)
			VALUES ('i1', 'acc-1', 'm1', 'notify.test', $1, $2, $3)`, []any{oldSubject, oldBody, at}},
		{`INSERT INTO notify_outbox (id, message_id, channel, kind, recipient, subject, body, body_html, created_at)
			VALUES ('o1', 'm1', 'sms', 'notify.test', $1, $2, $3, '', $4)`, []any{oldPhone, oldSubject, oldBody, at}},
	} {
		if _, err := d.Writer().ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}

	// Without the key the sealing migration refuses, saying what it needs, and leaves the
	// rows as they were.
	_, err = d.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "0051_seal_personal_data") || !strings.Contains(err.Error(), "SEP_DATA_KEY_FILE") {
		t.Fatalf("migrating without the key: %v", err)
	}
	var plain string
	if err := d.Reader().QueryRow(`SELECT subject_plain FROM notify_messages WHERE id = 'm1'`).Scan(&plain); err != nil || plain != oldSubject {
		t.Fatalf("after the refused step the plain row is %q, %v", plain, err)
	}

	cfg := &config.Config{DataDir: t.TempDir()}
	schema, err := NewSchema(cfg, seal.GenerateRing())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.MigrateWith(ctx, db.MigrateOptions{Sealer: schema}); err != nil {
		t.Fatal(err)
	}
	box := schema.Box
	q := jobs.New(d)
	reg := registry.NewService(registry.Options{DB: d, Jobs: q, Box: box})
	c, err := reg.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if pq, ok := c.Query.(registry.PassportQuery); !ok || pq.Series != oldSeries || pq.LastName != oldName {
		t.Fatalf("the upgraded check reads %+v", c.Query)
	}
	out, err := notify.Outbox(ctx, d, box, notify.OutboxFilter{To: "8 (900) 555-01-23"})
	if err != nil || len(out) != 1 || out[0].Recipient != oldPhone || out[0].Body != oldBody {
		t.Fatalf("the upgraded outbox, found by another spelling of the phone: %+v, %v", out, err)
	}
	items, err := notify.NewInboxStore(d, box).List(ctx, "acc-1", "", 10)
	if err != nil || len(items) != 1 || items[0].Subject != oldSubject {
		t.Fatalf("the upgraded inbox: %+v, %v", items, err)
	}
	nt, err := notify.New(notify.Options{DB: d, Jobs: q, Box: box})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := nt.PurgeMessages(ctx, time.Now(), 10); err != nil || n != 1 {
		t.Fatalf("the upgraded message cannot be purged: %d, %v", n, err)
	}

	dump := raw()
	for _, v := range []string{oldPhone, oldPhone[2:], oldEmail, oldSubject, oldBody, oldName, oldSeries + `","number":"` + oldNumber} {
		if bytes.Contains(dump, []byte(v)) {
			t.Errorf("after the upgrade the raw database still holds %q", v)
		}
	}
}

// pgDump returns the data of the test schema as pg_dump writes it.
func pgDump(t *testing.T, dsn string) []byte {
	t.Helper()
	path, err := exec.LookPath("pg_dump")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pg_dump is required when CI=true (Debian package postgresql-client)")
		}
		t.Skip("pg_dump is not installed")
	}
	u, err := neturl.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	cmd := exec.Command(path, "--data-only", "--schema="+schema, u.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) || err != nil {
		t.Fatalf("pg_dump: %v: %s", err, stderr.String())
	}
	return out
}
