package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// testKey is one instance key for the whole test binary: generating keys is not what these
// tests are about.
var testKey = func() *gost3410.PrivateKey {
	c, err := gost3410.CurveByName("tc26-256-A")
	if err != nil {
		panic(err)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

func newJournal(t testing.TB, d *db.DB) *Journal {
	t.Helper()
	j, err := New(d, Options{SigningKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// citizenEntry is an ordinary action of a fictitious citizen on an application (ids are
// UUIDs, as db.NewID makes them).
func citizenEntry(i int) Entry {
	return Entry{ActorKind: ActorCitizen, ActorID: fmt.Sprintf("user-%d", i%3), OrgID: "", Action: "application.submit",
		ObjectType: "application", ObjectID: fmt.Sprintf("0190a6e8-0000-7000-8000-%012x", i), IP: "192.0.2.10", UserAgent: "Mozilla/5.0 (тест)",
		Details: map[string]string{"service": "passport", "attempt_count": fmt.Sprint(i)}}
}

// appendN appends n entries, each in its own transaction, and returns their sequence numbers.
func appendN(t testing.TB, j *Journal, n int) {
	t.Helper()
	for i := range n {
		if _, err := j.Append(context.Background(), nil, citizenEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t testing.TB, j *Journal) *Report {
	t.Helper()
	rep, err := j.Verify(context.Background(), VerifyOptions{Trusted: []*gost3410.PublicKey{testKey.PublicKey()}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantIntact(t testing.TB, j *Journal, entries int64) {
	t.Helper()
	rep := mustVerify(t, j)
	if !rep.Intact() {
		t.Fatalf("journal reported broken: %v", rep.Problem)
	}
	if rep.Entries != entries || rep.Head != entries {
		t.Fatalf("verified %d entries, head %d; want %d", rep.Entries, rep.Head, entries)
	}
}

func TestAppendBuildsAVerifiableChain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		wantIntact(t, j, 0)
		for i := range 5 {
			seq, err := j.Append(ctx, nil, citizenEntry(i))
			if err != nil {
				t.Fatal(err)
			}
			if seq != int64(i+1) {
				t.Fatalf("append %d got seq %d", i, seq)
			}
		}
		wantIntact(t, j, 5)

		got, err := j.Page(ctx, Filter{}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[0].Seq != 5 || got[4].Seq != 1 {
			t.Fatalf("page returned %d entries starting at %d", len(got), got[0].Seq)
		}
		e := got[4]
		want := citizenEntry(0)
		if e.ActorKind != want.ActorKind || e.ActorID != want.ActorID || e.Action != want.Action || e.ObjectID != want.ObjectID ||
			e.IP != want.IP || e.UserAgent != want.UserAgent || e.Outcome != Success || e.Details["service"] != "passport" {
			t.Fatalf("entry read back differs: %+v", e)
		}
		if e.PrevHash != (Hash{}) || got[3].PrevHash != e.Hash || e.At.Location() != time.UTC {
			t.Fatal("the first entry does not start from the zero hash, or the second does not follow it")
		}
		seq, hash, err := j.Head(ctx)
		if err != nil || seq != 5 || hash != got[0].Hash {
			t.Fatalf("head %d %v %v, want 5 and the last entry's hash", seq, hash, err)
		}
	})
}

func TestAppendCommitsWithTheCallersTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		appendN(t, j, 2)
		boom := errors.New("the action failed")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := j.Append(ctx, tx, citizenEntry(7)); err != nil {
				return err
			}
			if _, err := j.Append(ctx, tx, citizenEntry(8)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		// No trace: no entry, no gap, the head where it was.
		if n, _ := j.Count(ctx, Filter{}); n != 2 {
			t.Fatalf("%d entries after a rolled-back action, want 2", n)
		}
		if seq, err := j.Append(ctx, nil, citizenEntry(9)); err != nil || seq != 3 {
			t.Fatalf("next append got seq %d (%v), want 3", seq, err)
		}
		// Two appends in one committed transaction.
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			for i := range 2 {
				if _, err := j.Append(ctx, tx, citizenEntry(10+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantIntact(t, j, 5)
	})
}

func TestInvalidEntriesAreRefusedAndChangeNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		appendN(t, j, 1)
		bad := map[string]func(e *Entry){
			"no actor kind":         func(e *Entry) { e.ActorKind = "" },
			"unknown actor kind":    func(e *Entry) { e.ActorKind = "robot" },
			"citizen without id":    func(e *Entry) { e.ActorID = "" },
			"action not dotted":     func(e *Entry) { e.Action = "submit" },
			"action with spaces":    func(e *Entry) { e.Action = "application. submit" },
			"object id alone":       func(e *Entry) { e.ObjectType = "" },
			"passport in details":   func(e *Entry) { e.Details["passport"] = "4510123456" },
			"phone in details":      func(e *Entry) { e.Details["phone"] = "+79161234567" },
			"СНИЛС in details":      func(e *Entry) { e.Details["snils"] = "112-233-445 95" },
			"СНИЛС dashed":          func(e *Entry) { e.Details["snils"] = "112-233-445-95" },
			"name in details":       func(e *Entry) { e.Details["name"] = "Иванов Иван" },
			"e-mail in details":     func(e *Entry) { e.Details["email"] = "ivan@example.ru" },
			"ИНН as object id":      func(e *Entry) { e.ObjectID = "500100732259" },
			"long detail":           func(e *Entry) { e.Details["x"] = strings.Repeat("a", 129) },
			"bad detail name":       func(e *Entry) { e.Details["Bad Name"] = "x" },
			"too many details":      func(e *Entry) { fill(e.Details, 17) },
			"not an IP":             func(e *Entry) { e.IP = "localhost" },
			"unknown outcome":       func(e *Entry) { e.Outcome = "maybe" },
			"free text as actor id": func(e *Entry) { e.ActorID = "user; DROP TABLE" },
		}
		for name, spoil := range bad {
			e := citizenEntry(1)
			spoil(&e)
			_, err := j.Append(ctx, nil, e)
			if !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("%s: error %v, want ErrInvalidEntry", name, err)
			}
			for _, secret := range []string{"4510123456", "79161234567", "112-233-445", "Иванов", "ivan@", "500100732259"} {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("%s: the error repeats the refused value: %v", name, err)
				}
			}
		}
		wantIntact(t, j, 1)
	})
}

func fill(m map[string]string, n int) {
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
}

func TestUserAgentIsCleanedNotRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx := context.Background()
		e := citizenEntry(1)
		e.UserAgent = "Evil\r\nX-Header: 1\x00\xff" + strings.Repeat("я", 400)
		e.IP = "::ffff:192.0.2.7"
		if _, err := j.Append(ctx, nil, e); err != nil {
			t.Fatal(err)
		}
		got, _ := j.Page(ctx, Filter{}, 0, 1)
		ua := got[0].UserAgent
		if strings.ContainsAny(ua, "\r\n\x00") || len(ua) > 512 || !strings.HasPrefix(ua, "EvilX-Header: 1\uFFFD") {
			t.Fatalf("user agent stored as %q", ua)
		}
		if got[0].IP != "192.0.2.7" {
			t.Fatalf("IPv4-mapped address stored as %q", got[0].IP)
		}
		wantIntact(t, j, 1)
	})
}

func TestTimeNeverGoesBackwardsAlongTheChain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		base := time.Date(2030, 5, 1, 10, 0, 0, 123456789, time.FixedZone("MSK", 3*3600))
		clock := []time.Time{base, base.Add(-time.Hour), base.Add(time.Second)}
		i := 0
		j.now = func() time.Time { t := clock[i]; i++; return t }
		appendN(t, j, 3)
		got, _ := j.Page(context.Background(), Filter{}, 0, 3)
		want := base.UTC().Truncate(time.Microsecond)
		if !got[2].At.Equal(want) || !got[1].At.Equal(want) || !got[0].At.Equal(want.Add(time.Second)) {
			t.Fatalf("times %v %v %v", got[2].At, got[1].At, got[0].At)
		}
		wantIntact(t, j, 3)
	})
}

// TestConcurrentAppendsKeepOneChain appends from two database handles on one database — two
// sep instances — and from several goroutines on each, and checks that the result is one
// gapless, valid chain.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var url string
			if engine == "sqlite" {
				url = dbtest.SQLiteURL(t)
			} else {
				url = dbtest.PostgresURL(t)
			}
			a, b := dbtest.Open(t, url), dbtest.Open(t, url)
			ja, jb := newJournal(t, a), newJournal(t, b)
			const workers, each = 4, 25
			ctx := context.Background()
			var wg sync.WaitGroup
			seqs := make(chan int64, 2*workers*each)
			for w := range 2 * workers {
				j := ja
				if w%2 == 1 {
					j = jb
				}
				wg.Go(func() {
					for i := range each {
						seq, err := j.Append(ctx, nil, citizenEntry(w*each+i))
						if err != nil {
							t.Error(err)
							return
						}
						seqs <- seq
					}
				})
			}
			wg.Wait()
			close(seqs)
			seen := map[int64]bool{}
			for s := range seqs {
				if seen[s] {
					t.Fatalf("sequence number %d given twice", s)
				}
				seen[s] = true
			}
			total := int64(2 * workers * each)
			for s := int64(1); s <= total; s++ {
				if !seen[s] {
					t.Fatalf("sequence number %d never given", s)
				}
			}
			wantIntact(t, ja, total)
		})
	}
}

// TestVerifyWhileAppending: entries and checkpoints made while Verify runs never make an
// intact journal look broken.
func TestVerifyWhileAppending(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		j := newJournal(t, d)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			defer close(done)
			for i := 0; ctx.Err() == nil; i++ {
				if _, err := j.Append(ctx, nil, citizenEntry(i)); err != nil && ctx.Err() == nil {
					done <- err
					return
				}
				if i%7 == 0 {
					if _, _, err := j.MakeCheckpoint(ctx); err != nil && ctx.Err() == nil {
						done <- err
						return
					}
				}
			}
		}()
		for range 20 {
			if rep := mustVerify(t, j); !rep.Intact() {
				stop()
				t.Fatalf("verify during appends: %v", rep.Problem)
			}
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
