package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
)

// TestAuditVerifyAgainstAnchors reproduces the attack of someone with file access to the
// database: delete the last entries, move the head back to the new last entry, delete the
// checkpoints that covered the removed ones. Plain verify cannot tell; verify with the
// anchors (here the published `sep audit checkpoints`, and the same as anchor lines) can.
func TestAuditVerifyAgainstAnchors(t *testing.T) {
	engines(t, func(t *testing.T, url string) {
		env, d, j := journalFixture(t, url, 20)
		more := func(n int) {
			for range n {
				if _, err := j.Append(context.Background(), nil, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: "user-1",
					Action: "application.submit"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		sep(t, env, "audit", "checkpoint")
		more(21)
		sep(t, env, "audit", "checkpoint")
		more(17)
		if code, out, _ := sep(t, env, "audit", "checkpoint"); code != 0 || !strings.Contains(out, "checkpoint 3 covers entry 58") {
			t.Fatalf("checkpoint: %d %q", code, out)
		}
		dir := t.TempDir()
		published := filepath.Join(dir, "checkpoints.json")
		_, out, _ := sep(t, env, "audit", "checkpoints")
		os.WriteFile(published, []byte(out), 0o644)
		cps, _ := j.Checkpoints(context.Background())
		var lines []string
		for _, c := range cps {
			b, _ := c.MarshalText()
			lines = append(lines, "Mar  1 12:00:00 host sep-audit[42]: "+string(b))
		}
		syslog := filepath.Join(dir, "syslog")
		os.WriteFile(syslog, []byte(strings.Join(lines, "\n")+"\n"), 0o644)

		code, out, errOut := sep(t, env, "audit", "verify", "-anchors", published, "-anchors", syslog)
		if code != 0 || !strings.Contains(out, "intact: 58 entries") || !strings.Contains(out, "3 anchors agree (the last covers entry 58)") {
			t.Fatalf("verify before the attack: %d %q %q", code, out, errOut)
		}

		if d.Dialect() == db.Postgres {
			d.Writer().Exec(`DROP TRIGGER audit_entries_no_change ON audit_entries`)
		} else {
			d.Writer().Exec(`DROP TRIGGER audit_entries_no_delete`)
		}
		for _, q := range []string{`DELETE FROM audit_entries WHERE seq > 41`,
			`UPDATE audit_head SET seq = 41, hash = (SELECT hash FROM audit_entries WHERE seq = 41)`,
			`DELETE FROM audit_checkpoints WHERE n = 3`} {
			if _, err := d.Writer().Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if code, out, _ := sep(t, env, "audit", "verify"); code != 0 || !strings.HasPrefix(out, "intact: 41 entries") ||
			!strings.Contains(out, "pass -anchors FILE") {
			t.Fatalf("plain verify after the attack: %d %q", code, out)
		}
		for _, file := range []string{published, syslog} {
			code, out, _ := sep(t, env, "audit", "verify", "-anchors", file)
			want := "BROKEN at entry 42: anchor 3 records entry 58, but the journal ends at entry 41: entries were removed from the end"
			if code != 1 || strings.TrimSpace(out) != want {
				t.Fatalf("verify -anchors %s: %d %q\nwant %q", filepath.Base(file), code, out, want)
			}
		}
	})
}

func TestAuditVerifyRefusesBadAnchorFiles(t *testing.T) {
	env, _, _ := journalFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "sep.db"), 1)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	garbled := filepath.Join(dir, "garbled")
	os.WriteFile(garbled, []byte("sep-audit-checkpoint v1 n=1\n"), 0o644)
	for file, want := range map[string]string{
		filepath.Join(dir, "missing"): "cannot read the file",
		empty:                         "no anchors",
		garbled:                       "line 1: want the 7 fields",
	} {
		code, out, errOut := sep(t, env, "audit", "verify", "-anchors", file)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "-anchors "+file+": "+want) {
			t.Errorf("%s: %d %q %q", filepath.Base(file), code, out, errOut)
		}
	}
}
