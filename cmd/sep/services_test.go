package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A broken service file in SEP_SERVICES_DIR stops `sep serve` before it listens, naming the
// file and the field.
func TestServeRefusesABrokenServiceFile(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("..", "..", "internal", "services", "defs", "e-passport.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(good), "max_size: 5 MB", "max_size: 5 GB", 1)
	if err := os.WriteFile(filepath.Join(dir, "e-passport.yaml"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SEP_DATA_DIR": t.TempDir(), "SEP_HTTP_ADDR": "127.0.0.1:0", "SEP_SERVICES_DIR": dir}
	code, _, stderr := sep(t, env, "serve")
	want := filepath.Join(dir, "e-passport.yaml") + `: documents[0].max_size: "5 GB" is not a size`
	if code == 0 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant it to name %s", code, stderr, want)
	}

	code, _, stderr = sep(t, map[string]string{"SEP_SERVICES_DIR": filepath.Join(dir, "missing")}, "serve")
	if code != exitUsage || !strings.Contains(stderr, "SEP_SERVICES_DIR") {
		t.Fatalf("a missing directory: exit %d, stderr %q", code, stderr)
	}
}
