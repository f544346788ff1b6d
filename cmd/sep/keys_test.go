package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/keys"
	"github.com/sep-platform/sep/internal/seal/rotate"
)

// The operator's whole rotation: status, rotate, the old key refused for removal while it
// seals anything, the re-sealing by a running instance, then the removal — journaled.
func TestKeysRotateAndRemove(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SEP_DATA_DIR": dir}
	if code, _, errOut := sep(t, env, "migrate", "up"); code != exitOK {
		t.Fatalf("migrate up: %d %s", code, errOut)
	}
	for _, phone := range []string{"+7 900 000-00-21", "+7 900 000-00-22"} {
		if code, out, errOut := sep(t, env, "notify", "test", "-phone", phone); code != exitOK {
			t.Fatalf("notify test: %d %s %s", code, out, errOut)
		}
	}
	code, out, errOut := sep(t, env, "keys", "status")
	first := regexp.MustCompile(`(?m)^  ([0-9a-f]{8})\s+(\d+) values\s+\d+ indexes\s+current$`).FindStringSubmatch(out)
	if code != exitOK || first == nil || first[2] == "0" {
		t.Fatalf("keys status: %d\n%s\n%s", code, out, errOut)
	}
	old := first[1]

	code, out, errOut = sep(t, env, "keys", "rotate-data-key")
	if code != exitOK || !strings.Contains(out, "replaces "+old) {
		t.Fatalf("rotate-data-key: %d\n%s\n%s", code, out, errOut)
	}
	ring, err := keys.LoadData(keys.Options{DataDir: dir})
	if err != nil || len(ring.IDs()) != 2 || ring.Current().String() == old {
		t.Fatalf("after the rotation the key file holds %v (current %v), %v", ring.IDs(), ring.Current(), err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "keys", "data.key")); st.Mode().Perm() != 0o600 {
		t.Errorf("the key file is %v, want 0600", st.Mode().Perm())
	}
	_, out, _ = sep(t, env, "keys", "status")
	if !regexp.MustCompile(`(?m)^  `+old+`\s+[1-9]\d* values`).MatchString(out) || !strings.Contains(out, "running") {
		t.Fatalf("status after the rotation must show values left on the old key and the job running:\n%s", out)
	}
	code, _, errOut = sep(t, env, "keys", "remove-data-key", old)
	if code != exitFailure || !strings.Contains(errOut, "still seals values") || !strings.Contains(errOut, "notify_messages.subject") {
		t.Fatalf("removing a key in use: %d %q, want a refusal naming what it seals", code, errOut)
	}
	if code, _, errOut = sep(t, env, "keys", "remove-data-key", ring.Current().String()); code != exitFailure ||
		!strings.Contains(errOut, "current key") {
		t.Fatalf("removing the current key: %d %q", code, errOut)
	}

	runRotation(t, env)
	_, out, _ = sep(t, env, "keys", "status")
	if !regexp.MustCompile(`(?m)^  `+old+`\s+0 values\s+0 indexes\s+nothing sealed: may be removed$`).MatchString(out) ||
		!strings.Contains(out, "100%") || !strings.Contains(out, "finished") {
		t.Fatalf("status after the re-sealing:\n%s", out)
	}
	code, _, errOut = sep(t, env, "keys", "remove-data-key", old)
	if code != exitFailure || !strings.Contains(errOut, "might still use the key") {
		t.Fatalf("removal right after the rotation: %d %q, want a refusal until instances have reloaded", code, errOut)
	}
	defer func(g time.Duration) { removalGrace = g }(removalGrace)
	removalGrace = 0
	if code, out, errOut = sep(t, env, "keys", "remove-data-key", old); code != exitOK || !strings.Contains(out, "1 keys left") {
		t.Fatalf("remove-data-key: %d %s %s", code, out, errOut)
	}
	if code, out, errOut = sep(t, env, "notify", "outbox"); code != exitOK || !strings.Contains(out, "+79000000021") {
		t.Fatalf("the outbox must still open with the new key alone: %d\n%s\n%s", code, out, errOut)
	}
	actions := journalActions(t, env)
	for _, want := range []string{"key.generated", "key.rotated", "key.removed"} {
		if !strings.Contains(actions, want) {
			t.Errorf("the journal lacks %s: %s", want, actions)
		}
	}
	if code, _, _ := sep(t, env, "keys", "remove-data-key", "nothex"); code != exitUsage {
		t.Errorf("a bad key id: exit %d, want 2", code)
	}
}

// runRotation plays a running instance: its re-sealing job runs until the rotation finishes.
func runRotation(t *testing.T, env map[string]string) {
	t.Helper()
	cfg, _, err := config.Load(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(context.Background(), cfg.DatabaseDSN(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ring, err := keys.LoadData(app.KeyOptions(cfg, false))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := app.NewSchema(cfg, ring)
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(d)
	r := rotate.New(rotate.Options{DB: d, Jobs: q, Schema: schema, Settle: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go q.Run(ctx, jobs.RunOptions{PollInterval: 10 * time.Millisecond})
	for ctx.Err() == nil {
		if rs, _ := r.Rotations(ctx); len(rs) > 0 && rs[0].Finished() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the rotation did not finish")
}

func journalActions(t *testing.T, env map[string]string) string {
	t.Helper()
	code, out, errOut := sep(t, env, "audit", "export", "-format", "csv")
	if code != exitOK {
		t.Fatalf("audit export: %d %s", code, errOut)
	}
	return out
}
