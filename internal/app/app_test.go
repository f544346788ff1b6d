package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/config"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
)

// testConfig returns the settings of a demo instance on port 0 using dbURL.
func testConfig(t *testing.T, dbURL string, extra ...string) *config.Config {
	t.Helper()
	env := map[string]string{"SEP_HTTP_ADDR": "127.0.0.1:0", "SEP_DATA_DIR": t.TempDir(), "SEP_DATABASE_URL": dbURL}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	cfg, _, err := config.Load(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// open opens an instance; register may add job kinds before it runs.
func open(t *testing.T, cfg *config.Config, register func(*jobs.Queue)) *Main {
	t.Helper()
	m := New(cfg, slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	if register != nil {
		register(m.Jobs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })
	return m
}

func readyz(t *testing.T, m *Main) (int, string) {
	t.Helper()
	res, err := http.Get(m.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Status, Reason string }
	json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body.Status + " " + body.Reason
}

func TestTwoInstancesOnOnePostgres(t *testing.T) {
	url := dbtest.PostgresURL(t)
	var mu sync.Mutex
	runs := map[string]int{}
	by := map[string]int{}
	register := func(name string) func(*jobs.Queue) {
		return func(q *jobs.Queue) {
			q.Register("test.count", func(ctx context.Context, j *jobs.Job) error {
				mu.Lock()
				runs[j.ID]++
				by[name]++
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
				return nil
			}, jobs.KindOptions{})
		}
	}
	a := open(t, testConfig(t, url, "SEP_WORKERS", "3"), register("a"))
	b := open(t, testConfig(t, url, "SEP_WORKERS", "3"), register("b"))
	for _, m := range []*Main{a, b} {
		if code, body := readyz(t, m); code != 200 {
			t.Fatalf("%s/readyz: %d %s", m.URL(), code, body)
		}
	}
	const n = 60
	for i := range n {
		m := a
		if i%2 == 1 {
			m = b
		}
		if _, err := m.Jobs.Enqueue(context.Background(), nil, jobs.Spec{Kind: "test.count"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		done := len(runs)
		mu.Unlock()
		if done == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs ran", done, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for id, c := range runs {
		if c != 1 {
			t.Errorf("job %s ran %d times", id, c)
		}
	}
	if by["a"] == 0 || by["b"] == 0 {
		t.Errorf("jobs per instance %v: both should share the queue", by)
	}
}

func TestReadyzNeedsMigrations(t *testing.T) {
	url := dbtest.SQLiteURL(t)
	m := open(t, testConfig(t, url, "SEP_AUTO_MIGRATE", "false"), nil)
	code, body := readyz(t, m)
	if code != 503 || !strings.Contains(body, "migrations pending") {
		t.Fatalf("readyz before migrations: %d %s", code, body)
	}
	if _, err := m.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, body = readyz(t, m); code != 200 {
		t.Fatalf("readyz after migrations: %d %s", code, body)
	}
	res, err := http.Get(m.URL() + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, res)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	m := open(t, testConfig(t, dbtest.SQLiteURL(t), "SEP_METRICS_TOKEN", "let-me-see"), nil)
	home, err := http.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, home.Body)
	home.Body.Close()
	res, err := http.Get(m.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("metrics without the token: %d", res.StatusCode)
	}
	// The request is counted just after its response is sent: poll briefly.
	const counted = `sep_http_requests_total{code="200",method="GET",route="GET /{$}"} 1`
	var text string
	for deadline := time.Now().Add(5 * time.Second); ; {
		req, _ := http.NewRequest("GET", m.URL()+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer let-me-see")
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		text = string(b)
		if strings.Contains(text, counted) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{
		`sep_http_requests_total{code="200",method="GET",route="GET /{$}"} 1`,
		`sep_http_request_duration_seconds_bucket{code="200",method="GET",route="GET /{$}"`,
		"go_goroutines", "go_sql_open_connections", "process_resident_memory_bytes",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A changed secret is journaled — by a keyed fingerprint, never by its value.
func TestSecretChangeIsJournaledWithoutItsValue(t *testing.T) {
	dbURL := dbtest.SQLiteURL(t)
	dir := t.TempDir()
	var changes []string
	for _, token := range []string{"first-token-value", "second-token-value", "second-token-value"} {
		m := New(testConfig(t, dbURL, "SEP_DATA_DIR", dir, "SEP_METRICS_TOKEN", token), slog.New(slog.DiscardHandler))
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		changes = changes[:0]
		err := m.Audit.Scan(context.Background(), audit.Filter{}, func(e *audit.Entry) error {
			if e.ObjectID == "SEP_METRICS_TOKEN" {
				for _, v := range e.Details {
					if strings.Contains(v, "token-value") {
						t.Errorf("the journal holds the secret: %v", e.Details)
					}
				}
				changes = append(changes, e.Action)
			}
			return nil
		})
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Set at the first start, changed at the second, unchanged at the third.
	if len(changes) != 2 {
		t.Fatalf("SEP_METRICS_TOKEN journaled %d times (%v), want 2", len(changes), changes)
	}
}
