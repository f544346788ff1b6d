// Package e2e starts the whole sep program for a test — on 127.0.0.1:0, with a temporary data
// directory and database — and drives it with a real headless Chromium (through chromedp),
// checking every page it visits for accessibility with axe-core.
//
// A journey test reads like this:
//
//	func TestSomething(t *testing.T) {
//		sep := e2e.Start(t)
//		b := e2e.NewBrowser(t)
//		b.Open(sep.URL + "/")
//		b.CheckA11y()
//		…
//	}
//
// Chromium (Debian package chromium) and axe-core (npm, node_modules/ at the repository root)
// are installed by the project's test command. When they are missing, browser tests skip with a
// notice; with CI=true they fail instead.
package e2e

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/sep-platform/sep/internal/app"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/keys"
)

// Instance is a running sep.
type Instance struct {
	*app.Main
	URL string
}

// Start runs a demo-mode sep on a free port with a fresh SQLite database in a temporary
// directory, and stops it when the test ends. Settings may be overridden as VAR, value pairs,
// e.g. Start(t, "SEP_DATABASE_URL", dbtest.PostgresURL(t)).
func Start(t testing.TB, settings ...string) *Instance {
	t.Helper()
	env := map[string]string{
		"SEP_HTTP_ADDR": "127.0.0.1:0",
		"SEP_DATA_DIR":  t.TempDir(),
		"SEP_WORKERS":   "2",
		"SEP_LOG_LEVEL": "warn",
	}
	for i := 0; i+1 < len(settings); i += 2 {
		env[settings[i]] = settings[i+1]
	}
	cfg, _, err := config.Load(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: cfg.LogLevel}))
	m := app.New(cfg, logger)
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		t.Fatalf("start sep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })
	return &Instance{Main: m, URL: m.URL()}
}

// testWriter sends sep's log to the test log, shown only when the test fails.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// need skips the test when a tool is missing, or fails it under CI=true.
func need(t testing.TB, what, hint string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required when CI=true: %s", what, hint)
	}
	t.Skipf("NOTICE: %s is missing, skipping (%s; with CI=true this fails)", what, hint)
}

// repoRoot finds the directory of go.mod above the working directory.
func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ProductionKeys makes real instance keys in a temporary directory, as an operator would with
// `sep crypto keygen`, and returns the settings that name them — production mode refuses to
// start without them.
func ProductionKeys(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	if _, err := keys.Load(keys.Options{DataDir: dir, Generate: true}); err != nil {
		t.Fatal(err)
	}
	return []string{"SEP_SIGNING_KEY_FILE", filepath.Join(dir, "keys", "signing.pem"),
		"SEP_DATA_KEY_FILE", filepath.Join(dir, "keys", "data.key")}
}
