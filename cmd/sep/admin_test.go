package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

func TestAdminMaintenance(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteURL, "postgres": dbtest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"SEP_DATABASE_URL": url(t), "SEP_DATA_DIR": t.TempDir()}
			if code, out, errOut := sep(t, env, "migrate", "up"); code != 0 {
				t.Fatalf("migrate: %s %s", out, errOut)
			}
			// A window next year, typed as the README shows and in Moscow time without an offset.
			year := time.Now().Year() + 1
			from := time.Date(year, 12, 5, 1, 0, 0, 0, time.UTC).Format("2006-01-02") + "T01:00+03:00"
			code, out, errOut := sep(t, env, "admin", "maintenance", "schedule", "-from", from,
				"-to", strings.Replace(from, "T01:00+03:00", " 03:00", 1), "-note-ru", "Обновление базы данных", "-note-en", "Database upgrade")
			m := regexp.MustCompile(`scheduled maintenance window (\S+): \d{4}-12-05 01:00 MSK – \d{4}-12-05 03:00 MSK`).FindStringSubmatch(out)
			if code != 0 || m == nil {
				t.Fatalf("schedule: exit %d\n%s%s", code, out, errOut)
			}
			id := m[1]
			code, out, _ = sep(t, env, "admin", "maintenance", "list")
			if code != 0 || !regexp.MustCompile(id+`\s+\d{4}-12-05 01:00 MSK\s+\d{4}-12-05 03:00 MSK\s+scheduled\s+Database upgrade`).MatchString(out) {
				t.Fatalf("list: exit %d\n%s", code, out)
			}
			// Refusals name what is wrong, with exit 1 (the command ran) or 2 (bad usage).
			if code, _, errOut := sep(t, env, "admin", "maintenance", "schedule", "-from", from, "-to", strings.Replace(from, "T01:00", "T02:00", 1)); code != exitFailure || !strings.Contains(errOut, "overlaps") {
				t.Fatalf("overlapping window: exit %d %q", code, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "maintenance", "schedule", "-from", "tomorrow", "-to", from); code != exitUsage || !strings.Contains(errOut, "-from") {
				t.Fatalf("bad time: exit %d %q", code, errOut)
			}
			if code, _, _ := sep(t, env, "admin", "maintenance", "schedule", "-from", from); code != exitUsage {
				t.Fatalf("no -to: exit %d", code)
			}
			if code, out, errOut := sep(t, env, "admin", "maintenance", "cancel", id); code != 0 || !strings.Contains(out, "cancelled maintenance window "+id) {
				t.Fatalf("cancel: exit %d %s %s", code, out, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "maintenance", "cancel", id); code != exitFailure || !strings.Contains(errOut, "already ended or been cancelled") {
				t.Fatalf("second cancel: exit %d %q", code, errOut)
			}
			if code, out, _ := sep(t, env, "admin", "maintenance", "list"); code != 0 || !regexp.MustCompile(id+`.*cancelled`).MatchString(out) {
				t.Fatalf("list after cancel: %s", out)
			}
			if code, _, _ := sep(t, env, "admin", "maintenance", "postpone"); code != exitUsage {
				t.Fatalf("unknown subcommand: exit %d", code)
			}
			if code, _, _ := sep(t, env, "admin", "create-planet"); code != exitUsage {
				t.Fatalf("unknown admin command: exit %d", code)
			}
			// Both changes are in the audit journal, and it is intact.
			code, out, _ = sep(t, env, "audit", "export", "-format", "csv")
			if code != 0 || !strings.Contains(out, "maintenance.scheduled") || !strings.Contains(out, "maintenance.cancelled") || !strings.Contains(out, id) {
				t.Fatalf("audit export: exit %d\n%s", code, out)
			}
			if code, out, _ := sep(t, env, "audit", "verify"); code != 0 {
				t.Fatalf("audit verify: exit %d %s", code, out)
			}
		})
	}
}
