package passlist

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
	"github.com/sep-platform/sep/internal/errs"
)

// onBoth runs fn on a fresh SQLite file and a fresh PostgreSQL schema, passing the URL so that
// a test can open several handles on one database, as several sep instances do.
func onBoth(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, dbtest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, dbtest.PostgresURL(t)) })
}

// listFile writes keys as the МВД file does.
func listFile(keys []Key) []byte {
	var b bytes.Buffer
	b.WriteString("PASSP_SERIES,PASSP_NUMBER\n")
	for _, k := range keys {
		b.WriteString(k.Series() + "," + k.Number() + "\n")
	}
	return b.Bytes()
}

// disjointKeys returns two sets of n random keys with nothing in common.
func disjointKeys(n int, seed uint64) (a, b []Key) {
	r := rand.New(rand.NewPCG(seed, 7))
	seen := map[Key]bool{}
	for len(a)+len(b) < 2*n {
		k := Key(r.Uint64N(Universe))
		if seen[k] {
			continue
		}
		seen[k] = true
		if len(a) < n {
			a = append(a, k)
		} else {
			b = append(b, k)
		}
	}
	return a, b
}

func importBytes(t *testing.T, l *List, data []byte) (Report, error) {
	t.Helper()
	return l.Import(context.Background(), bytes.NewReader(data), ImportOptions{Source: "test.csv"})
}

// loaded returns l with the current list in memory, as an instance has it some time after its
// first lookup.
func loaded(t *testing.T, l *List) *List {
	t.Helper()
	if err := l.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}

// eventually waits until the list in memory has the first key of in and not the first of out
// (a background load has swapped it in), then checks it as holds does.
func eventually(t *testing.T, l *List, in, out []Key) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		a, _ := l.ContainsKey(context.Background(), in[0])
		b, err := l.ContainsKey(context.Background(), out[0])
		if a && !b && err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the list in memory did not change in time: %v, %v, %v", a, b, err)
		}
	}
	holds(t, l, in, out)
}

// holds checks that the list answers true for every key of in and false for every key of out.
func holds(t *testing.T, l *List, in, out []Key) {
	t.Helper()
	ctx := context.Background()
	for _, k := range in {
		if ok, err := l.Contains(ctx, k.Series(), k.Number()); err != nil || !ok {
			t.Fatalf("%s: %v, %v; want on the list", k, ok, err)
		}
	}
	for _, k := range out {
		if ok, err := l.Contains(ctx, k.Series(), k.Number()); err != nil || ok {
			t.Fatalf("%s: %v, %v; want not on the list", k, ok, err)
		}
	}
}

func TestImportAndLookUp(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := New(d, Options{})
		if _, err := l.Contains(ctx, "4510", "123456"); !errors.Is(err, ErrNotImported) || errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("before any import: %v, want ErrNotImported", err)
		}
		if m, err := l.Status(ctx); err != nil || m.Version != 0 {
			t.Fatalf("status before any import: %+v, %v", m, err)
		}

		in, out := disjointKeys(5000, 1)
		data := listFile(append(in, in[:40]...))  // 40 duplicates
		data = append(data, "45А0,123456\n\n"...) // a junk row and a blank line
		rep, err := importBytes(t, l, data)
		if err != nil {
			t.Fatal(err)
		}
		want := Counts{Rows: 5041, Valid: 5040, Junk: 1, Duplicates: 40, Entries: 5000}
		if rep.Counts != want || rep.Entries != 5000 || rep.Version != 1 || rep.Compressed {
			t.Fatalf("report %+v, want counts %+v", rep, want)
		}
		holds(t, l, in, out)

		if _, err := l.Contains(ctx, "45А0", "123456"); errs.KindOf(err) != errs.Invalid || errs.IDOf(err) != MsgFormat {
			t.Errorf("a bad series: %v, want errs.Invalid %s", err, MsgFormat)
		}
		st, err := l.Status(ctx)
		if err != nil || st.Version != 1 || st.Entries != 5000 || st.Source != "test.csv" || st.Counts != want ||
			st.SHA256 != rep.SHA256 || st.SizeBytes != int64(encodedSize(5000)) || !st.ImportedAt.Equal(rep.ImportedAt) {
			t.Errorf("status %+v, %v; report %+v", st, err, rep.Meta)
		}

		// A fresh instance loads the same list from the database.
		holds(t, loaded(t, New(d, Options{})), in, out)
	})
}

func TestReimportReplacesAndBrokenFilesChangeNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		l := New(d, Options{})
		a, b := disjointKeys(3000, 2)
		if _, err := importBytes(t, l, listFile(a)); err != nil {
			t.Fatal(err)
		}
		broken := map[string][]byte{
			"empty":         nil,
			"wrong header":  []byte("SERIES,NUMBER\n4510,123456\n"),
			"header only":   []byte("PASSP_SERIES,PASSP_NUMBER\n"),
			"binary":        bytes.Repeat([]byte{0, 0xff, 0x13, '\n'}, 10_000),
			"too much junk": append(listFile(b[:100]), strings.Repeat("junk\n", 50)...),
		}
		if haveBzip2() {
			packed := compress(t, listFile(b), "-1")
			broken["truncated bz2"] = packed[:len(packed)*2/3]
			broken["damaged bz2"] = patch(packed, len(packed)/2, 0x40)
		}
		for name, data := range broken {
			_, err := importBytes(t, l, data)
			var be *BrokenFileError
			if !errors.As(err, &be) {
				t.Errorf("%s: %v, want a BrokenFileError", name, err)
			}
		}
		if st, _ := l.Status(context.Background()); st.Version != 1 || st.Entries != 3000 {
			t.Fatalf("after broken imports: %+v", st)
		}
		holds(t, loaded(t, New(d, Options{})), a, b) // the database still has list a

		rep, err := importBytes(t, l, listFile(b))
		if err != nil || rep.Version != 2 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
		holds(t, l, b, a)
		holds(t, loaded(t, New(d, Options{})), b, a)
		var lists, chunks int
		d.Reader().QueryRow(`SELECT count(*) FROM invalid_passport_lists`).Scan(&lists)
		d.Reader().QueryRow(`SELECT count(*) FROM invalid_passport_chunks WHERE version <> 2`).Scan(&chunks)
		if lists != 1 || chunks != 0 {
			t.Errorf("%d lists and %d chunks of old lists remain", lists, chunks)
		}

		// A cancelled import changes nothing either.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := l.Import(ctx, bytes.NewReader(listFile(a)), ImportOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled import: %v", err)
		}
		holds(t, loaded(t, New(d, Options{})), b, a)
	})
}

func TestImportBzip2(t *testing.T) {
	requireBzip2(t)
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		in, out := disjointKeys(60_000, 3)
		plain := listFile(in)
		var progress []Progress
		l := New(d, Options{})
		rep, err := l.Import(context.Background(), bytes.NewReader(compress(t, plain, "-1")),
			ImportOptions{Source: "list.csv.bz2", Progress: func(p Progress) { progress = append(progress, p) }})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Compressed || rep.Entries != 60_000 || rep.Counts.Rows != 60_000 {
			t.Fatalf("report %+v", rep)
		}
		holds(t, loaded(t, New(d, Options{})), in, out)
		if len(progress) == 0 || progress[len(progress)-1].Phase != PhaseStore || progress[0].Bytes == 0 {
			t.Errorf("progress reports %+v", progress)
		}
	})
}

func TestAnotherInstanceSeesTheNewListAfterTheCheckInterval(t *testing.T) {
	onBoth(t, func(t *testing.T, url string) {
		one, two := dbtest.Open(t, url), dbtest.Open(t, url)
		var clock atomic.Int64
		clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
		now := func() time.Time { return time.Unix(0, clock.Load()) }
		importer := New(one, Options{})
		reader := New(two, Options{CheckEvery: time.Minute, Now: now})
		a, b := disjointKeys(2000, 4)

		if _, err := reader.Contains(context.Background(), "4510", "123456"); !errors.Is(err, ErrNotImported) {
			t.Fatalf("before any import: %v", err)
		}
		if _, err := importBytes(t, importer, listFile(a)); err != nil {
			t.Fatal(err)
		}
		// "No list" was checked a moment ago: it takes the interval to notice the import, and
		// then the load runs in the background.
		clock.Add(int64(time.Minute))
		eventually(t, reader, a, b)

		if _, err := importBytes(t, importer, listFile(b)); err != nil {
			t.Fatal(err)
		}
		clock.Add(int64(59 * time.Second))
		holds(t, reader, a, b) // not yet checked again
		clock.Add(int64(time.Second))
		eventually(t, reader, b, a)
		if err := reader.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// While one instance imports list a and list b in turn, readers on another instance must see
// one whole list at every moment: all of a and none of b, or the reverse — never a mix, never
// nothing.
func TestConcurrentReadersSeeTheOldListOrTheNew(t *testing.T) {
	onBoth(t, func(t *testing.T, url string) {
		one, two := dbtest.Open(t, url), dbtest.Open(t, url)
		importer := New(one, Options{})
		a, b := disjointKeys(20_000, 5)
		fileA, fileB := listFile(a), listFile(b)
		if _, err := importBytes(t, importer, fileA); err != nil {
			t.Fatal(err)
		}
		reader := loaded(t, New(two, Options{CheckEvery: time.Nanosecond}))
		probeA, probeB := a[:200], b[:200]

		stop := make(chan struct{})
		var wg sync.WaitGroup
		var seen [2]atomic.Int64
		fail := make(chan string, 4)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					set, _, err := reader.Current(context.Background())
					if err != nil {
						fail <- err.Error()
						return
					}
					inA, inB := count(set, probeA), count(set, probeB)
					switch {
					case inA == len(probeA) && inB == 0:
						seen[0].Add(1)
					case inB == len(probeB) && inA == 0:
						seen[1].Add(1)
					default:
						fail <- "a mixed list"
						return
					}
				}
			}()
		}
		for i := range 6 {
			file := fileB
			if i%2 == 1 {
				file = fileA
			}
			if _, err := importBytes(t, importer, file); err != nil {
				t.Error(err)
			}
		}
		time.Sleep(50 * time.Millisecond)
		close(stop)
		wg.Wait()
		close(fail)
		for msg := range fail {
			t.Fatal(msg)
		}
		if seen[0].Load() == 0 || seen[1].Load() == 0 {
			t.Errorf("the readers saw list a %d times and list b %d times; want both", seen[0].Load(), seen[1].Load())
		}
	})
}

func count(set *Set, keys []Key) int {
	n := 0
	for _, k := range keys {
		if set.Contains(k) {
			n++
		}
	}
	return n
}

func TestDamagedStoredListIsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		a, b := disjointKeys(1000, 6)
		served := New(d, Options{})
		if _, err := importBytes(t, served, listFile(a)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Writer().Exec(`UPDATE invalid_passport_chunks SET data = $1 WHERE seq = 0`,
			bytes.Repeat([]byte{7}, 100)); err != nil {
			t.Fatal(err)
		}
		// A new instance refuses the damaged list rather than answer from it.
		fresh := New(d, Options{})
		if err := fresh.Refresh(context.Background()); !errors.Is(err, errCorrupt) {
			t.Errorf("damaged list: %v, want errCorrupt", err)
		}
		if _, err := fresh.Contains(context.Background(), "4510", "123456"); !errors.Is(err, ErrNotLoaded) {
			t.Errorf("a lookup without the list: %v, want ErrNotLoaded", err)
		}
		// The instance that has the list keeps serving it.
		holds(t, served, a, b)
	})
}

// Two imports at once, from two instances: both succeed, one after the other, and the database
// ends with exactly the list of the one that committed last.
func TestConcurrentImportsLeaveOneWholeList(t *testing.T) {
	onBoth(t, func(t *testing.T, url string) {
		a, b := disjointKeys(20_000, 8)
		lists := []*List{New(dbtest.Open(t, url), Options{}), New(dbtest.Open(t, url), Options{})}
		files := [][]byte{listFile(a), listFile(b)}
		reports := make([]Report, 2)
		failures := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reports[i], failures[i] = importBytes(t, lists[i], files[i])
			}()
		}
		wg.Wait()
		if failures[0] != nil || failures[1] != nil {
			t.Fatalf("imports: %v, %v", failures[0], failures[1])
		}
		last, lastKeys, otherKeys := 0, a, b
		if reports[1].Version > reports[0].Version {
			last, lastKeys, otherKeys = 1, b, a
		}
		if v := reports[1-last].Version; reports[last].Version != v+1 {
			t.Fatalf("versions %d and %d", reports[0].Version, reports[1].Version)
		}
		d := dbtest.Open(t, url)
		var n, stray int
		d.Reader().QueryRow(`SELECT count(*) FROM invalid_passport_lists`).Scan(&n)
		d.Reader().QueryRow(`SELECT count(*) FROM invalid_passport_chunks WHERE version <> $1`, reports[last].Version).Scan(&stray)
		if n != 1 || stray != 0 {
			t.Errorf("%d lists, %d chunks of another version", n, stray)
		}
		holds(t, loaded(t, New(d, Options{})), lastKeys, otherKeys)
	})
}
