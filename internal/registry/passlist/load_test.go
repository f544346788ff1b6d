package passlist

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db/dbtest"
)

// slowChunks makes every read of a stored list wait until release is called, as the read of a
// full-size list (hundreds of megabytes) does: another transaction locks the chunks table.
func slowChunks(t *testing.T, url string) (release func()) {
	t.Helper()
	d := dbtest.Open(t, url)
	tx, err := d.Writer().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE invalid_passport_chunks IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback() }) }
	t.Cleanup(release)
	return release
}

// lookUp is one passport check's lookup, under a check's timeout; it fails the test if the
// lookup waited for a load.
func lookUp(t *testing.T, l *List, k Key) (bool, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	on, err := l.ContainsKey(ctx, k)
	if took := time.Since(start); took > time.Second || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a lookup took %v (%v): it waited for the list to load", took, err)
	}
	return on, err
}

// Loading a list takes long (a full-size one, hundreds of megabytes): lookups never wait for
// it. Before any list is in memory they have no answer (ErrNotLoaded); while a newer list
// loads they answer from the older one; when the load ends the new list answers.
func TestLookupsDoNotWaitForALoad(t *testing.T) {
	url := dbtest.PostgresURL(t)
	importer := New(dbtest.Open(t, url), Options{})
	a, b := disjointKeys(2000, 9)
	if _, err := importBytes(t, importer, listFile(a)); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	reader := New(dbtest.Open(t, url), Options{CheckEvery: time.Minute,
		Now: func() time.Time { return time.Unix(0, clock.Load()) }})

	// The first load: nothing to answer from yet.
	release := slowChunks(t, url)
	for range 3 {
		if _, err := lookUp(t, reader, a[0]); !errors.Is(err, ErrNotLoaded) {
			t.Fatalf("a lookup while the first list loads: %v, want ErrNotLoaded", err)
		}
	}
	release()
	eventually(t, reader, a, b)

	// A newer list: the older one answers until the newer is in memory.
	if _, err := importBytes(t, importer, listFile(b)); err != nil {
		t.Fatal(err)
	}
	release = slowChunks(t, url)
	clock.Add(int64(time.Minute))
	for range 3 {
		if on, err := lookUp(t, reader, a[0]); err != nil || !on {
			t.Fatalf("a lookup while a newer list loads: %v, %v; want the older list's answer", on, err)
		}
	}
	release()
	eventually(t, reader, b, a)
}

// Close stops a load that is under way instead of waiting for it.
func TestCloseStopsALoad(t *testing.T) {
	url := dbtest.PostgresURL(t)
	a, _ := disjointKeys(100, 10)
	if _, err := importBytes(t, New(dbtest.Open(t, url), Options{}), listFile(a)); err != nil {
		t.Fatal(err)
	}
	slowChunks(t, url)
	l := New(dbtest.Open(t, url), Options{})
	l.StartLoading()
	time.Sleep(100 * time.Millisecond) // the load is waiting for the chunks
	closed := make(chan struct{})
	go func() { l.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the load")
	}
}
