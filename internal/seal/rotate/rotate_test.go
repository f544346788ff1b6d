package rotate_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/seal/rotate"
)

var (
	people = seal.Table{Name: "rt_people", Key: "id", Sealed: []string{"name", "phone"},
		Indexes: []seal.Index{{Column: "phone_idx", Of: "phone", Purpose: "phone",
			Normalize: func(s string) (string, error) { return strings.ReplaceAll(s, " ", ""), nil }}}}
	name  = people.Column("name")
	phone = people.Column("phone")
)

// keyFile is a key file shared by the boxes of a test's "instances".
type keyFile struct {
	mu   sync.Mutex
	ring *seal.Ring
}

func (f *keyFile) load() (*seal.Ring, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.ring, nil }
func (f *keyFile) set(r *seal.Ring)          { f.mu.Lock(); f.ring = r; f.mu.Unlock() }

type env struct {
	d    *db.DB
	file *keyFile
	box  *seal.Box
	q    *jobs.Queue
	rot  *rotate.Rotator
	done []rotate.Rotation
	mu   sync.Mutex
}

func setup(t *testing.T, d *db.DB, batch int) *env {
	t.Helper()
	if _, err := d.Writer().Exec(`CREATE TABLE rt_people (id TEXT PRIMARY KEY, name ` + blob(d) + `, phone ` + blob(d) +
		`, phone_idx ` + blob(d) + `)`); err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, file: &keyFile{ring: seal.GenerateRing()}}
	e.box = seal.NewBox(e.file.ring, e.file.load)
	schema, err := seal.NewSchema(e.box, people)
	if err != nil {
		t.Fatal(err)
	}
	e.q = jobs.New(d)
	e.rot = rotate.New(rotate.Options{DB: d, Jobs: e.q, Schema: schema, Batch: batch, Pause: 50 * time.Millisecond,
		Settle: 500 * time.Millisecond,
		Finished: func(_ context.Context, _ *sql.Tx, r rotate.Rotation) error {
			e.mu.Lock()
			e.done = append(e.done, r)
			e.mu.Unlock()
			return nil
		}})
	return e
}

func blob(d *db.DB) string {
	if d.Dialect() == db.Postgres {
		return "BYTEA"
	}
	return "BLOB"
}

func (e *env) insert(t testing.TB, box *seal.Box, id, n, p string) {
	t.Helper()
	ix, err := box.Index(people.Indexes[0], p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.Writer().Exec(`INSERT INTO rt_people (id, name, phone, phone_idx) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, phone_idx = excluded.phone_idx`,
		id, box.SealString(name, id, n), box.SealString(phone, id, p), ix); err != nil {
		t.Fatal(err)
	}
}

func (e *env) run(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.q.Run(ctx, jobs.RunOptions{Concurrency: 2, PollInterval: 10 * time.Millisecond, Lease: 5 * time.Second, Grace: time.Second})
		close(done)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// rotate makes a new current key in the key file (as `sep keys rotate-data-key` does) and
// starts the rotation.
func (e *env) rotate(t *testing.T) (from, to seal.KeyID) {
	t.Helper()
	old := e.file.ring
	next := old.Rotate()
	e.file.set(next)
	if _, err := e.box.Reload(); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.rot.Start(context.Background(), nil, next.Current(), old.Current()); err != nil || !ok {
		t.Fatalf("Start = %v, %v", ok, err)
	}
	if ok, err := e.rot.Start(context.Background(), nil, next.Current(), old.Current()); err != nil || ok {
		t.Fatalf("a second Start of the same rotation = %v, %v; want false", ok, err)
	}
	return old.Current(), next.Current()
}

func (e *env) waitFinished(t *testing.T, key seal.KeyID) rotate.Rotation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		rs, err := e.rot.Rotations(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Key == key && r.Finished() {
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the rotation to %s did not finish", key)
	return rotate.Rotation{}
}

// check opens every row with a box that holds only the current key: nothing may be left on
// the old one, and every value must read back as written.
func (e *env) check(t *testing.T, want map[string][2]string) {
	t.Helper()
	only, err := e.file.ring.Without(e.file.ring.IDs()[0])
	if err != nil {
		t.Fatal(err)
	}
	newOnly := seal.NewBox(only, nil)
	rows, err := e.d.Reader().Query(`SELECT id, name, phone, phone_idx FROM rt_people`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var nm, ph seal.Sealed
		var ix seal.Blind
		if err := rows.Scan(&id, &nm, &ph, &ix); err != nil {
			t.Fatal(err)
		}
		gotN, err1 := newOnly.OpenString(name, id, nm)
		gotP, err2 := newOnly.OpenString(phone, id, ph)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %s does not open with the new key alone: %v %v", id, err1, err2)
		}
		if w := want[id]; gotN != w[0] || gotP != w[1] {
			t.Fatalf("row %s reads %q %q, want %q %q", id, gotN, gotP, w[0], w[1])
		}
		if !newOnly.Current(ix) {
			t.Fatalf("row %s: the blind index was not recomputed with the new key", id)
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("%d rows, want %d: something was lost", n, len(want))
	}
	uses, err := e.rot.Uses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		if u.Key != e.file.ring.Current() {
			t.Fatalf("%s still has %d values and %d indexes on key %s", u.Column, u.Values, u.Indexes, u.Key)
		}
	}
}

func TestRotationResealsEverythingAndFindsByEitherKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 7)
		want := map[string][2]string{}
		for i := range 50 {
			id := db.NewID()
			want[id] = [2]string{fmt.Sprintf("Тестов %d", i), fmt.Sprintf("+7 900 000 %04d", i)}
			e.insert(t, e.box, id, want[id][0], want[id][1])
		}
		from, to := e.rotate(t)

		// Mid-rotation, a lookup by blind index finds rows indexed under either key.
		cands, _ := e.box.Candidates(people.Indexes[0], "+7900 000 0003")
		var found int
		err := d.Reader().QueryRow(`SELECT count(*) FROM rt_people WHERE phone_idx IN ($1, $2)`, cands...).Scan(&found)
		if err != nil || found != 1 {
			t.Fatalf("lookup during the rotation found %d rows (%v), want 1", found, err)
		}

		e.run(t)
		r := e.waitFinished(t, to)
		if r.Resealed != 50 || r.Previous != from {
			t.Fatalf("rotation %+v: want 50 rows re-sealed, from %s", r, from)
		}
		e.check(t, want)
		if len(e.done) != 1 || e.done[0].Key != to {
			t.Fatalf("the finish was reported %d times: %+v", len(e.done), e.done)
		}
		if err := d.Reader().QueryRow(`SELECT count(*) FROM rt_people WHERE phone_idx IN ($1, $2)`, cands...).Scan(&found); err != nil || found != 1 {
			t.Fatalf("lookup after the rotation found %d rows (%v), want 1", found, err)
		}
	})
}

// A rotation resumes from its cursor after the worker stops mid-way (a crash, a restart).
func TestRotationResumesAfterStop(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 5)
		want := map[string][2]string{}
		for i := range 400 {
			id := db.NewID()
			want[id] = [2]string{fmt.Sprintf("Ф%d", i), fmt.Sprintf("+7 900 %07d", i)}
			e.insert(t, e.box, id, want[id][0], want[id][1])
		}
		_, to := e.rotate(t)
		stop := e.run(t)
		// Stop the worker once some batches are done.
		deadline := time.Now().Add(30 * time.Second)
		for {
			rs, _ := e.rot.Rotations(context.Background())
			if len(rs) == 1 && rs[0].Resealed > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		stop()
		rs, _ := e.rot.Rotations(context.Background())
		if rs[0].Finished() {
			t.Skip("the rotation finished before the worker could be stopped; the machine is fast")
		}
		if rs[0].After == "" && rs[0].Passes == 0 {
			t.Fatalf("no cursor was saved: %+v", rs[0])
		}
		e.run(t) // "another instance" takes the job up
		r := e.waitFinished(t, to)
		if r.Resealed != 400 {
			t.Fatalf("re-sealed %d rows in all, want each of 400 exactly once", r.Resealed)
		}
		e.check(t, want)
	})
}

// While the job runs, requests keep writing: those of an instance that has reloaded the key
// file seal with the new key, those of one that has not (a stale box) with the old one. When
// the rotation finishes, nothing is left on the old key and nothing was lost.
func TestRotationWhileInstancesWrite(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d, 20)
		var mu sync.Mutex
		want := map[string][2]string{}
		put := func(box *seal.Box, id, n, p string) {
			e.insert(t, box, id, n, p)
			mu.Lock()
			want[id] = [2]string{n, p}
			mu.Unlock()
		}
		for i := range 300 {
			put(e.box, db.NewID(), fmt.Sprintf("Иванов %d", i), fmt.Sprintf("+7 901 %07d", i))
		}
		stale := seal.NewBox(e.file.ring, nil) // an instance that will not see the new key for a while
		_, to := e.rotate(t)
		e.run(t)
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w, box := range []*seal.Box{e.box, stale} {
			wg.Go(func() {
				for i := 0; !stop.Load(); i++ {
					id := db.NewID()
					if box == stale && i == 30 {
						return // it reloads the file (here: stops writing with the old key)
					}
					put(box, id, fmt.Sprintf("Писатель %d-%d", w, i), fmt.Sprintf("+7 902 %03d %04d", w, i))
					time.Sleep(2 * time.Millisecond)
				}
			})
		}
		time.Sleep(200 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		e.waitFinished(t, to)
		e.check(t, want)
	})
}
