package app

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
)

// SEP_SHUTDOWN_TIMEOUT bounds the whole stop, however it is spent: with a request that never
// finishes and a job that runs until it is cancelled, Run returns within the timeout of the
// signal — having given the job back to the queue and journaled the stop.
func TestShutdownTimeoutBoundsTheWholeStop(t *testing.T) {
	const timeout = 2 * time.Second
	m := New(testConfig(t, dbtest.SQLiteURL(t), "SEP_SHUTDOWN_TIMEOUT", timeout.String()), slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	started := make(chan struct{}, 1)
	m.Jobs.Register("test.long", func(ctx context.Context, j *jobs.Job) error {
		started <- struct{}{}
		<-ctx.Done() // runs until it is stopped
		return ctx.Err()
	}, jobs.KindOptions{Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	id, err := m.Jobs.Enqueue(context.Background(), nil, jobs.Spec{Kind: "test.long"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not start")
	}
	// A request that is never finished: its headers never end.
	conn, err := net.Dial("tcp", m.listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: sep\r\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the server has read it

	signalled := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(4 * timeout):
		t.Fatal("Run did not return")
	}
	if took, limit := time.Since(signalled), timeout+250*time.Millisecond; took > limit {
		t.Fatalf("the stop took %v, want at most SEP_SHUTDOWN_TIMEOUT (%v) and a little", took, timeout)
	}
	if in, _ := m.Jobs.Get(context.Background(), id); in.State != jobs.Queued || in.Attempts != 0 {
		t.Errorf("the job cut short is %s with %d attempts, want back in the queue", in.State, in.Attempts)
	}
	stops := 0
	err = m.Audit.Scan(context.Background(), audit.Filter{}, func(e *audit.Entry) error {
		if e.Action == audit.ActionStop {
			stops++
		}
		return nil
	})
	if err != nil || stops != 1 {
		t.Errorf("the journal has %d stop entries (%v), want 1", stops, err)
	}
}
