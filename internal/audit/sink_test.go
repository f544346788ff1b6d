package audit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
)

func TestAnchorFileIsRefusedInsideTheDataDirectory(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "var")
	os.MkdirAll(filepath.Join(data, "keys"), 0o750)
	os.Symlink(data, filepath.Join(root, "link"))
	for _, spec := range []string{
		filepath.Join(data, "anchors.log"),
		filepath.Join(data, "keys", "anchors.log"),
		"file:" + filepath.Join(data, "anchors.log"),
		filepath.Join(root, "link", "anchors.log"),      // the data directory through a symbolic link
		filepath.Join(data, "..", "var", "anchors.log"), // and through ..
	} {
		_, err := OpenSinks([]string{spec}, SinkOptions{DataDir: data})
		if err == nil || !strings.Contains(err.Error(), "inside SEP_DATA_DIR") {
			t.Errorf("%s: %v, want refused", spec, err)
		}
		if _, statErr := os.Stat(strings.TrimPrefix(spec, "file:")); statErr == nil {
			t.Errorf("%s: the refused file was created", spec)
		}
	}
	if _, err := OpenSinks([]string{"anchors.log"}, SinkOptions{DataDir: data}); err == nil {
		t.Error("a relative path was accepted")
	}
	outside := filepath.Join(root, "var-anchors", "anchors.log") // a sibling whose name starts alike
	os.MkdirAll(filepath.Dir(outside), 0o750)
	if _, err := OpenSinks([]string{outside}, SinkOptions{DataDir: data}); err != nil {
		t.Errorf("a file outside the data directory: %v", err)
	}
	if _, err := OpenSinks([]string{outside, "file:" + outside + "/."}, SinkOptions{DataDir: data}); err == nil ||
		!strings.Contains(err.Error(), "item 2: file "+outside+" is listed twice") {
		t.Errorf("the same file twice, spelt apart: %v", err)
	}
}

func TestWitnessMustBeSafeToReach(t *testing.T) {
	for _, c := range []struct {
		spec       string
		production bool
		want       string // empty: accepted
	}{
		{"http://127.0.0.1:9000/anchor", false, ""},
		{"http://[::1]:9000/anchor", true, ""},
		{"http://localhost/anchor", true, ""},
		{"https://witness.example.ru/anchor", true, ""},
		{"https://witness.example.ru/anchor", false, "in demo mode nothing leaves the machine"},
		{"http://witness.example.ru/anchor", true, "needs https"},
		{"http://user:secret@192.0.2.1/anchor", true, "needs https"},
		{"https://", true, "not a URL"},
		{"ftp://witness.example.ru/", true, "not an anchor sink"},
	} {
		_, err := OpenSinks([]string{c.spec}, SinkOptions{Production: c.production})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.spec, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.spec, err, c.want)
		case err != nil && strings.Contains(err.Error(), "secret"):
			t.Errorf("%s: the error repeats the credentials: %v", c.spec, err)
		}
	}
}

// TestAnchorJobRetriesAFailingWitness: the checkpoint's anchor job, enqueued with the
// checkpoint, reaches a witness that fails twice, retried with backoff, while the file sink
// gets its one line.
func TestAnchorJobRetriesAFailingWitness(t *testing.T) {
	saved := anchorBackoff
	anchorBackoff = func(int) time.Duration { return 50 * time.Millisecond }
	t.Cleanup(func() { anchorBackoff = saved })
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		var (
			mu       sync.Mutex
			attempts int
			received []Checkpoint
			keys     []string
		)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			attempts++
			if attempts <= 2 {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			body, _ := io.ReadAll(r.Body)
			var c Checkpoint
			if err := json.Unmarshal(body, &c); err != nil || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("witness got %q (%v)", body, err)
			}
			received = append(received, c)
			keys = append(keys, r.Header.Get("Idempotency-Key"))
		}))
		defer srv.Close()
		file := filepath.Join(t.TempDir(), "anchors.log")
		sinks, err := OpenSinks([]string{file, srv.URL + "/anchor"}, SinkOptions{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}

		// The checkpoint is made where no worker runs (as `sep audit checkpoint` does)…
		j := newJournal(t, d)
		appendN(t, j, 3)
		c, _, err := j.MakeCheckpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// …and a server anchors it.
		q := jobs.New(d)
		server, _ := New(d, Options{SigningKey: testKey})
		server.ServeAnchors(q, sinks)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { q.Run(ctx, jobs.RunOptions{Concurrency: 2, PollInterval: 20 * time.Millisecond}); close(done) }()
		defer func() { stop(); <-done }()

		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			n := len(received)
			mu.Unlock()
			if n > 0 {
				break
			}
			if time.Now().After(deadline) {
				for _, st := range []jobs.State{jobs.Queued, jobs.Running, jobs.Dead} {
					l, _ := q.List(context.Background(), st, 10)
					t.Logf("%s: %+v", st, l)
				}
				t.Fatal("the witness never got the checkpoint")
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		if attempts != 3 || received[0].Digest() != c.Digest() || keys[0] != c.Digest().String() {
			t.Errorf("witness: %d attempts, got %+v (key %s), want %+v", attempts, received[0], keys[0], c)
		}
		mu.Unlock()
		b, _ := os.ReadFile(file)
		anchors, err := ReadAnchors(strings.NewReader(string(b)))
		if err != nil || len(anchors) != 1 || anchors[0].Digest() != c.Digest() {
			t.Fatalf("anchor file %q: %v", b, err)
		}
	})
}

// TestWitnessRedirectIsNotDelivery: a witness that redirects has not received the checkpoint
// (following would resend it as a GET), so the job must retry.
func TestWitnessRedirectIsNotDelivery(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("http://127.0.0.1:1/elsewhere", http.StatusFound))
	defer srv.Close()
	sinks, err := OpenSinks([]string{srv.URL}, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = sinks[0].Write(context.Background(), &Checkpoint{N: 1, Seq: 1, KeyID: "ab", Signature: []byte{1}})
	if err == nil || !strings.Contains(err.Error(), "answered 302") {
		t.Fatalf("redirect: %v", err)
	}
}
