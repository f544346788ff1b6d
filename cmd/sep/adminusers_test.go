package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// An administrator makes staff accounts, lists them, blocks and unblocks one, from the
// command line; every refusal names what is wrong, and every change is journaled.
func TestAdminUsers(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteURL, "postgres": dbtest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"SEP_DATABASE_URL": url(t), "SEP_DATA_DIR": dir}
			if code, out, errOut := sep(t, env, "migrate", "up"); code != 0 {
				t.Fatalf("migrate: %s %s", out, errOut)
			}
			// A generated password, printed once.
			code, out, errOut := sep(t, env, "admin", "create-user", "-role", "admin", "-phone", "8 900 000-04-01", "-email", "Chief.Admin@example.ru")
			m := regexp.MustCompile(`(?m)^password: (\S{20,})$`).FindStringSubmatch(out)
			if code != 0 || m == nil || !strings.Contains(out, "created admin account") || !strings.Contains(out, "+7 900 ***-**-01") {
				t.Fatalf("create-user: exit %d\n%s%s", code, out, errOut)
			}
			// A password from a file: never printed.
			pwFile := filepath.Join(dir, "pw")
			os.WriteFile(pwFile, []byte("Smena-Dezhurnogo-2026\n"), 0o600)
			code, out, errOut = sep(t, env, "admin", "create-user", "-role", "operator", "-phone", "+79000000402", "-email", "operator@example.ru",
				"-password-file", pwFile)
			if code != 0 || strings.Contains(out, "Smena-Dezhurnogo-2026") || strings.Contains(out, "password:") {
				t.Fatalf("create-user with a file: exit %d\n%s%s", code, out, errOut)
			}
			// …or from standard input.
			var stdout, stderr bytes.Buffer
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			if code := run([]string{"admin", "create-user", "-role", "auditor", "-phone", "+79000000403", "-email", "auditor@example.ru",
				"-password-file", "-"}, lookup, strings.NewReader("Proverka-Zhurnala-2026\n"), &stdout, &stderr); code != 0 {
				t.Fatalf("create-user from stdin: exit %d %s", code, stderr.String())
			}

			// Refusals: exit 2 for bad usage, 1 for what the service refuses, each field named.
			if code, _, errOut := sep(t, env, "admin", "create-user", "-role", "admin", "-phone", "+79000000404"); code != exitUsage || !strings.Contains(errOut, "-email") {
				t.Fatalf("no e-mail: exit %d %q", code, errOut)
			}
			os.WriteFile(pwFile, []byte("short\n"), 0o600)
			code, _, errOut = sep(t, env, "admin", "create-user", "-role", "citizen", "-phone", "+79000000404", "-email", "x@example.ru", "-password-file", pwFile)
			if code != exitFailure || !strings.Contains(errOut, "-role: The role must be one of") || !strings.Contains(errOut, "-password: The password is too short") {
				t.Fatalf("a citizen with a short password: exit %d %q", code, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "create-user", "-role", "auditor", "-phone", "+79000000401", "-email", "y@example.ru"); code != exitFailure || !strings.Contains(errOut, "already registered") {
				t.Fatalf("a taken phone: exit %d %q", code, errOut)
			}

			code, out, _ = sep(t, env, "admin", "list-users", "-role", "admin")
			if code != 0 || !regexp.MustCompile(`\S+\s+admin\s+active\s+simplified\s+\+7 900 \*\*\*-\*\*-01\s+chief.admin@example.ru`).MatchString(strings.ToLower(out)) {
				t.Fatalf("list-users: exit %d\n%s", code, out)
			}
			if code, out, _ := sep(t, env, "admin", "list-users", "-role", "citizen"); code != 0 || !strings.Contains(out, "no citizen accounts") {
				t.Fatalf("list-users citizen: exit %d %s", code, out)
			}
			if code, _, _ := sep(t, env, "admin", "list-users", "-role", "king"); code != exitUsage {
				t.Fatalf("list-users with a bad role: exit %d", code)
			}

			// Block and unblock the operator.
			if code, _, errOut := sep(t, env, "admin", "block", "-login", "operator@example.ru", "-reason", "other"); code != exitFailure || !strings.Contains(errOut, "-note:") {
				t.Fatalf("other without a note: exit %d %q", code, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "block", "-login", "nobody@example.ru", "-reason", "fraud"); code != exitFailure || !strings.Contains(errOut, "No such account") {
				t.Fatalf("an unknown login: exit %d %q", code, errOut)
			}
			if code, out, errOut := sep(t, env, "admin", "block", "-login", "8 900 000 04 02", "-reason", "request", "-note", "Отпуск до 1 марта"); code != 0 || !strings.Contains(out, "blocked account") {
				t.Fatalf("block: exit %d %s %s", code, out, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "block", "-login", "operator@example.ru", "-reason", "fraud"); code != exitFailure || !strings.Contains(errOut, "blocked already") {
				t.Fatalf("block twice: exit %d %q", code, errOut)
			}
			if code, out, _ := sep(t, env, "admin", "list-users", "-role", "operator"); code != 0 || !strings.Contains(out, "blocked (request)") {
				t.Fatalf("list-users after the block: %s", out)
			}
			if code, out, errOut := sep(t, env, "admin", "unblock", "-login", "operator@example.ru"); code != 0 || !strings.Contains(out, "now active") {
				t.Fatalf("unblock: exit %d %s %s", code, out, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "unblock", "-login", "operator@example.ru"); code != exitFailure || !strings.Contains(errOut, "not blocked") {
				t.Fatalf("unblock twice: exit %d %q", code, errOut)
			}

			// The journal has each change, by the command line, and no note or contact.
			if code, out, _ = sep(t, env, "audit", "export", "-format", "csv"); code != 0 {
				t.Fatalf("audit export: exit %d", code)
			}
			for _, want := range []string{"id.staff_created", "id.blocked", "id.unblocked", "cli"} {
				if !strings.Contains(out, want) {
					t.Errorf("the journal lacks %s", want)
				}
			}
			for _, never := range []string{"Отпуск", "operator@example.ru", "79000000402"} {
				if strings.Contains(out, never) {
					t.Errorf("the journal holds %q", never)
				}
			}
			if code, out, _ := sep(t, env, "audit", "verify"); code != 0 {
				t.Fatalf("audit verify: exit %d %s", code, out)
			}
		})
	}
}
