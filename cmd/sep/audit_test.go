package main

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/keys"
)

// journalFixture is a data directory with a demo instance key and a journal of n entries on
// the database url, as `sep serve` would have left them.
func journalFixture(t *testing.T, url string, n int) (map[string]string, *db.DB, *audit.Journal) {
	t.Helper()
	dir := t.TempDir()
	k, err := keys.Load(keys.Options{DataDir: dir, Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t, url)
	j, err := audit.New(d, audit.Options{SigningKey: k.Signing})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := j.Append(context.Background(), nil, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: fmt.Sprintf("user-%d", i%2),
			OrgID: "org-1", Action: "application.submit", ObjectType: "application", ObjectID: fmt.Sprintf("app-%d", i),
			IP: "198.51.100.4", UserAgent: "Mozilla/5.0"}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"SEP_DATA_DIR": dir, "SEP_DATABASE_URL": url}
	return env, d, j
}

func engines(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, dbtest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, dbtest.PostgresURL(t)) })
}

func TestAuditVerifyExitCodes(t *testing.T) {
	engines(t, func(t *testing.T, url string) {
		env, d, _ := journalFixture(t, url, 5)
		if code, out, errOut := sep(t, env, "audit", "checkpoint"); code != 0 || !strings.Contains(out, "checkpoint 1 covers entry 5") {
			t.Fatalf("checkpoint: %d %q %q", code, out, errOut)
		}
		if code, out, _ := sep(t, env, "audit", "checkpoint"); code != 0 || !strings.Contains(out, "no new entries") {
			t.Fatalf("second checkpoint: %d %q", code, out)
		}
		code, out, errOut := sep(t, env, "audit", "verify")
		if code != 0 || !strings.HasPrefix(out, "intact: 5 entries (head 5") || !strings.Contains(out, "1 signed checkpoints") {
			t.Fatalf("verify intact: %d %q %q", code, out, errOut)
		}

		// Someone with database access changes entry 3.
		if d.Dialect() == db.Postgres {
			d.Writer().Exec(`DROP TRIGGER audit_entries_no_change ON audit_entries`)
		} else {
			d.Writer().Exec(`DROP TRIGGER audit_entries_no_update`)
		}
		if _, err := d.Writer().Exec(`UPDATE audit_entries SET actor_id = 'user-9' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		code, out, _ = sep(t, env, "audit", "verify")
		if code != 1 || strings.TrimSpace(out) != "BROKEN at entry 3: entry 3 was changed: its content does not match its hash" {
			t.Fatalf("verify tampered: %d %q", code, out)
		}
	})
}

func TestAuditVerifyTrustsOnlyGivenKeys(t *testing.T) {
	env, d, _ := journalFixture(t, dbtest.SQLiteURL(t), 2)
	// Another instance, with its own key, signs a checkpoint on the same database.
	c, _ := gost3410.CurveByName("tc26-256-A")
	other, _ := gost3410.GenerateKey(c, rand.Reader)
	j2, _ := audit.New(d, audit.Options{SigningKey: other})
	if _, _, err := j2.MakeCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, out, _ := sep(t, env, "audit", "verify")
	if code != 1 || !strings.Contains(out, "is signed by key") || !strings.Contains(out, "-trust") {
		t.Fatalf("untrusted checkpoint: %d %q", code, out)
	}
	pub, _ := gostpkix.EncodePublicKeyPEM(other.PublicKey())
	pubFile := filepath.Join(t.TempDir(), "other.pub.pem")
	os.WriteFile(pubFile, pub, 0o644)
	if code, out, _ := sep(t, env, "audit", "verify", "-trust", pubFile); code != 0 {
		t.Fatalf("with -trust: %d %q", code, out)
	}
	// A copy of the database checked where no instance key exists: the -trust keys suffice.
	elsewhere := map[string]string{"SEP_DATA_DIR": t.TempDir(), "SEP_DATABASE_URL": env["SEP_DATABASE_URL"]}
	if code, out, errOut := sep(t, elsewhere, "audit", "verify", "-trust", pubFile); code != 0 {
		t.Fatalf("without an instance key, with -trust: %d %q %q", code, out, errOut)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	env, _, _ := journalFixture(t, dbtest.SQLiteURL(t), 1)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("junk"), 0o600)
	for _, args := range [][]string{
		{"audit"},
		{"audit", "frobnicate"},
		{"audit", "verify", "extra"},
		{"audit", "verify", "-trust", filepath.Join(t.TempDir(), "missing.pem")},
		{"audit", "verify", "-trust", junk},
		{"audit", "export"},
		{"audit", "export", "-format", "xml"},
		{"audit", "export", "-format", "csv", "-from", "2025-13-01"},
		{"audit", "export", "-format", "csv", "-from", "2025-03-02", "-to", "2025-03-01"},
		{"audit", "export", "-format", "csv", "-actor", "4510123456"},
		{"audit", "checkpoints", "-format", "yaml"},
	} {
		code, out, errOut := sep(t, env, args...)
		if code != exitUsage || errOut == "" || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and a message", args, code, out, errOut)
		}
	}
	// Bad criteria are explained as on the auditors' page, flag by flag.
	_, _, errOut := sep(t, env, "audit", "export", "-format", "csv", "-from", "2025-03-02", "-to", "2025-03-01", "-org", "x y")
	if !strings.Contains(errOut, "sep: -to: The end date cannot be before the start date.") || !strings.Contains(errOut, "sep: -org: An id is a UUID") {
		t.Errorf("bad export criteria: %q", errOut)
	}
	bad := map[string]string{"SEP_DATA_DIR": env["SEP_DATA_DIR"], "SEP_DATABASE_URL": env["SEP_DATABASE_URL"], "SEP_SIGNING_KEY_FILE": junk}
	if code, _, errOut := sep(t, bad, "audit", "verify"); code != exitUsage || !strings.Contains(errOut, "SEP_SIGNING_KEY_FILE") {
		t.Errorf("bad key file: exit %d, %q", code, errOut)
	}
	// A damaged key in the data directory is reported, not passed over as no key at all.
	damaged := map[string]string{"SEP_DATA_DIR": t.TempDir(), "SEP_DATABASE_URL": env["SEP_DATABASE_URL"]}
	os.MkdirAll(filepath.Join(damaged["SEP_DATA_DIR"], "keys"), 0o700)
	os.WriteFile(filepath.Join(damaged["SEP_DATA_DIR"], "keys", "signing.pem"), []byte("damaged"), 0o600)
	if code, _, errOut := sep(t, damaged, "audit", "verify"); code != exitUsage || !strings.Contains(errOut, "SEP_SIGNING_KEY_FILE") {
		t.Errorf("damaged key in the data directory: exit %d, %q", code, errOut)
	}
	if code, _, _ := sep(t, env, "audit", "--help"); code != 0 {
		t.Errorf("help: exit %d", code)
	}
}

func TestAuditExportFormatsAndProgress(t *testing.T) {
	engines(t, func(t *testing.T, url string) {
		env, _, j := journalFixture(t, url, 20)
		saved := progressThreshold
		progressThreshold = 10
		t.Cleanup(func() { progressThreshold = saved })

		file := filepath.Join(t.TempDir(), "journal.csv")
		code, out, errOut := sep(t, env, "audit", "export", "-format", "csv", "-actor", "user-1", "-out", file)
		if code != 0 || out != "" {
			t.Fatalf("export csv: %d %q %q", code, out, errOut)
		}
		st, err := os.Stat(file)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("export file: %v %v", st, err)
		}
		f, _ := os.Open(file)
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) != 11 || rows[0][0] != "seq" || rows[1][3] != "user-1" || rows[10][7] != "app-19" {
			t.Fatalf("CSV: %v %v", err, rows)
		}
		// Progress: one line per tenth, ending at 100 %.
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != 11 || !strings.HasPrefix(lines[0], "exported 1/10 entries (10%)") ||
			!strings.HasPrefix(lines[9], "exported 10/10 entries (100%)") || !strings.Contains(lines[10], "exported 10 entries to") {
			t.Fatalf("progress:\n%s", errOut)
		}

		code, out, errOut = sep(t, env, "audit", "export", "-format", "json", "-from", "2000-01-01", "-org", "org-1")
		var got []map[string]any
		if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got) != 20 {
			t.Fatalf("export json: %d %v %d entries %q", code, err, len(got), errOut)
		}
		if code, out, _ = sep(t, env, "audit", "export", "-format", "json", "-to", "2000-01-01"); code != 0 || strings.TrimSpace(out) != "[\n]" {
			t.Fatalf("empty range: %d %q", code, out)
		}

		// The exports are on record, and the journal is still one valid chain.
		var exports int
		j.Scan(context.Background(), audit.Filter{ActorID: "cli"}, func(e *audit.Entry) error {
			if e.Action == audit.ActionExport {
				exports++
			}
			return nil
		})
		if exports != 3 {
			t.Errorf("%d exports journaled, want 3", exports)
		}
		if code, out, _ := sep(t, env, "audit", "verify"); code != 0 {
			t.Fatalf("verify after exports: %d %q", code, out)
		}
	})
}

func TestAuditCheckpointsArePublishable(t *testing.T) {
	env, _, _ := journalFixture(t, dbtest.SQLiteURL(t), 3)
	sep(t, env, "audit", "checkpoint")
	code, out, _ := sep(t, env, "audit", "checkpoints")
	var cps []struct {
		N         int64  `json:"n"`
		Seq       int64  `json:"seq"`
		Hash      string `json:"hash"`
		KeyID     string `json:"key_id"`
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal([]byte(out), &cps); code != 0 || err != nil || len(cps) != 1 || cps[0].Seq != 3 || len(cps[0].Signature) != 128 {
		t.Fatalf("checkpoints: %d %v %q", code, err, out)
	}
	code, out, _ = sep(t, env, "audit", "checkpoints", "-format", "csv")
	if code != 0 || !strings.HasPrefix(out, "n,seq,hash,time,key_id,prev_digest,signature\n1,3,"+cps[0].Hash) {
		t.Fatalf("checkpoints csv: %d %q", code, out)
	}
}

func TestServeRefusesABadKeyFile(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.pem")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	for _, setting := range []string{"SEP_SIGNING_KEY_FILE", "SEP_DATA_KEY_FILE"} {
		env := map[string]string{"SEP_DATA_DIR": t.TempDir(), "SEP_HTTP_ADDR": "127.0.0.1:0", setting: junk}
		code, _, stderr := sep(t, env, "serve")
		if code != exitUsage || !strings.Contains(stderr, setting) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%s=junk: exit %d, stderr %q; want exit 2 and one line naming the setting", setting, code, stderr)
		}
	}
}
