package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// An administrator assigns an operator to an agency that a service file names; an agency no
// service names, or an account that is not an operator, is refused; the change stays.
func TestAdminSetAgency(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteURL, "postgres": dbtest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			dbURL := url(t)
			env := map[string]string{"SEP_DATABASE_URL": dbURL, "SEP_DATA_DIR": dir}
			if code, out, errOut := sep(t, env, "migrate", "up"); code != 0 {
				t.Fatalf("migrate: %s %s", out, errOut)
			}
			for _, u := range [][]string{{"operator", "+79000000501", "desk.operator@example.ru"}, {"auditor", "+79000000502", "desk.auditor@example.ru"}} {
				if code, out, errOut := sep(t, env, "admin", "create-user", "-role", u[0], "-phone", u[1], "-email", u[2]); code != 0 {
					t.Fatalf("create-user %s: %s %s", u[0], out, errOut)
				}
			}
			if code, _, errOut := sep(t, env, "admin", "set-agency", "-login", "desk.operator@example.ru", "-agency", "mvd"); code != exitFailure ||
				!strings.Contains(errOut, `no service names the agency "mvd"`) {
				t.Fatalf("an agency no service names: exit %d %q", code, errOut)
			}
			// A service file of the agency (the built-in «Электронный паспорт», given to the МВД).
			b, err := os.ReadFile(filepath.Join("..", "..", "internal", "services", "defs", "e-passport.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			services := t.TempDir()
			os.WriteFile(filepath.Join(services, "e-passport.yaml"), append(b, []byte("\nagency: mvd\n")...), 0o600)
			env["SEP_SERVICES_DIR"] = services
			if code, _, errOut := sep(t, env, "admin", "set-agency", "-login", "desk.auditor@example.ru", "-agency", "mvd"); code != exitFailure ||
				!strings.Contains(errOut, "is not an operator") {
				t.Fatalf("an auditor: exit %d %q", code, errOut)
			}
			if code, out, errOut := sep(t, env, "admin", "set-agency", "-login", "+7 900 000-05-01", "-agency", "mvd"); code != 0 ||
				!strings.Contains(out, "now works for the agency mvd") {
				t.Fatalf("set-agency: exit %d %s %s", code, out, errOut)
			}
			if code, _, errOut := sep(t, env, "admin", "set-agency", "-login", "desk.operator@example.ru"); code != exitUsage || !strings.Contains(errOut, "-agency") {
				t.Fatalf("no -agency: exit %d %q", code, errOut)
			}

			d, err := db.Open(context.Background(), dbURL, db.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var agency string
			var journaled int
			if err := d.Reader().QueryRow(`SELECT agency FROM desk_operators`).Scan(&agency); err != nil || agency != "mvd" {
				t.Fatalf("the operator's agency is %q (%v), want mvd", agency, err)
			}
			if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM audit_entries WHERE action = 'desk.set_agency'`).Scan(&journaled); err != nil || journaled != 1 {
				t.Fatalf("desk.set_agency journaled %d times (%v), want once", journaled, err)
			}
		})
	}
}
