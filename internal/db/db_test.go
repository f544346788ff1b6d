package db_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

func TestMigrationsLoadForBothEngines(t *testing.T) {
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		ms, err := db.Migrations(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if len(ms) == 0 {
			t.Fatalf("%s: no migrations", d)
		}
	}
}

func TestMigrateIsIdempotentAndReported(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		again, err := d.Migrate(ctx) // dbtest.Open migrated once already
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 0 {
			t.Fatalf("second Migrate applied %d migrations", len(again))
		}
		st, err := d.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if !s.Applied || s.Changed || s.AppliedAt.IsZero() {
				t.Errorf("migration %04d_%s: applied=%v changed=%v at=%v", s.Version, s.Name, s.Applied, s.Changed, s.AppliedAt)
			}
		}
		if n, err := d.Pending(ctx); err != nil || n != 0 {
			t.Fatalf("Pending = %d, %v", n, err)
		}
	})
}

func TestStatusOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbtest.SQLiteURL(t), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n, err := d.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := db.Migrations(db.SQLite)
	if n != len(all) {
		t.Fatalf("Pending on an empty database = %d, want %d", n, len(all))
	}
}

func TestConcurrentMigrateOnPostgres(t *testing.T) {
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	applied := make([]int, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := db.Open(ctx, url, db.Options{})
			if err != nil {
				errs[i] = err
				return
			}
			defer d.Close()
			ms, err := d.Migrate(ctx)
			applied[i], errs[i] = len(ms), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range 3 {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	all, _ := db.Migrations(db.Postgres)
	if total != len(all) {
		t.Fatalf("three instances applied %d migrations in all, want each of %d exactly once", total, len(all))
	}
}

func TestTxCommitsOrRollsBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES ($1, $2)`, "a", "1"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v, want boom", err)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO kv (k, v) VALUES ($2, $1)`, "2", "b")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		rows, err := d.Reader().QueryContext(ctx, `SELECT k || '=' || v FROM kv ORDER BY k`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			keys = append(keys, s)
		}
		rows.Close()
		if len(keys) != 1 || keys[0] != "b=2" {
			t.Fatalf("rows after a rolled-back and a committed Tx: %v, want [b=2] ($2,$1 bound by number)", keys)
		}
		_, err = d.Writer().ExecContext(ctx, `INSERT INTO kv (k, v) VALUES ($1, $2)`, "b", "3")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate key: %v, want a unique violation", err)
		}
	})
}

func TestTimestampsRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 12, 30, 45, 123456000, time.UTC)
		id := db.NewID()
		_, err := d.Writer().ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, state, run_at, max_attempts, created_at, updated_at)
			VALUES ($1, 'k', '{}', 'queued', $2, 1, $2, $2)`, id, at)
		if err != nil {
			t.Fatal(err)
		}
		var got time.Time
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT run_at FROM jobs WHERE id = $1`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(at) {
			t.Fatalf("run_at read back as %v, want %v", got, at)
		}
		// Comparisons must order times correctly on both engines (text on SQLite).
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE run_at <= $1`, at.Add(-time.Microsecond)).Scan(&n); err != nil || n != 0 {
			t.Fatalf("run_at <= earlier: %d, %v", n, err)
		}
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE run_at <= $1`, at.Add(time.Second)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("run_at <= later: %d, %v", n, err)
		}
	})
}

func TestSQLitePragmas(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	var mode string
	var fk, sync int
	d.Writer().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	d.Writer().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	d.Writer().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync)
	if mode != "wal" || fk != 1 || sync != 1 {
		t.Fatalf("journal_mode=%s foreign_keys=%d synchronous=%d, want wal 1 1(NORMAL)", mode, fk, sync)
	}
	if _, err := d.Reader().ExecContext(ctx, `CREATE TABLE nope (x INT)`); err == nil {
		t.Fatal("the reader pool accepted a write")
	}
}

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := db.NewID()
		if !re.MatchString(id) {
			t.Fatalf("%q is not a UUIDv7", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
		if id[:13] < prev[:min(13, len(prev))] {
			t.Fatalf("ids go back in time: %s after %s", id, prev)
		}
		prev = id
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	url := dbtest.SQLiteURL(t)
	dbtest.Open(t, url)
	for _, suffix := range []string{"", "-wal"} {
		st, err := os.Stat(strings.TrimPrefix(url, "sqlite:") + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("sep.db%s has mode %v: others may read personal data", suffix, mode)
		}
	}
}

func TestKeptStatementsInTransactions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE counters (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		const bump = `INSERT INTO counters (k, n) VALUES ($1, 1) ON CONFLICT (k) DO UPDATE SET n = counters.n + 1`
		const read = `SELECT n FROM counters WHERE k = $1`
		boom := errors.New("boom")
		// The same kept statements in committed and rolled-back transactions, one after the other
		// and side by side: each transaction sees its own writes, and only the committed ones stay.
		for i := range 6 {
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := d.TxExec(ctx, tx, bump, "a"); err != nil {
					return err
				}
				var n int
				if err := d.TxRow(ctx, tx, read, "a").Scan(&n); err != nil {
					return err
				}
				if want := (i+1)/2 + 1; n != want {
					t.Errorf("transaction %d sees n = %d, want %d", i, n, want)
				}
				if i%2 == 1 {
					return boom
				}
				return nil
			})
			if i%2 == 1 && !errors.Is(err, boom) || i%2 == 0 && err != nil {
				t.Fatalf("transaction %d: %v", i, err)
			}
		}
		var n int
		if err := d.ReadRow(ctx, read, "a").Scan(&n); err != nil || n != 3 {
			t.Fatalf("after three committed and three rolled-back bumps n = %d (%v), want 3", n, err)
		}
		// A statement that cannot be prepared gives its error where it runs.
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := d.TxExec(ctx, tx, `UPDATE no_such_table SET n = 1`)
			return err
		})
		if err == nil {
			t.Fatal("a statement on a missing table ran")
		}
	})
}
