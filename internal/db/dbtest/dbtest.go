// Package dbtest runs store tests against both engines: each test gets a fresh, migrated SQLite
// file and a fresh, migrated PostgreSQL schema. With CI=true PostgreSQL is mandatory and a test
// fails loudly when it is unreachable; locally such tests skip with a printed notice.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/db"
)

// DefaultPostgresURL is where tests look for PostgreSQL unless SEP_TEST_POSTGRES_URL says otherwise.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Run runs fn twice, as the subtests "sqlite" and "postgres", each on a fresh migrated database.
func Run(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Open(t, SQLiteURL(t))) })
	t.Run("postgres", func(t *testing.T) { fn(t, Open(t, PostgresURL(t))) })
}

// Open opens and migrates the database at url and closes it when the test ends.
func Open(t testing.TB, url string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url, db.Options{MaxConns: 8})
	if err != nil {
		t.Fatalf("open %s: %v", redact(url), err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// SQLiteURL returns the URL of a new SQLite file in the test's temporary directory.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "sep.db")
}

// PostgresURL returns the URL of a fresh, empty schema in the test PostgreSQL database, dropped
// when the test ends. Several handles may be opened on it (as several sep instances would).
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := RequirePostgres(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var (
	pgOnce sync.Once
	pgErr  error
)

// RequirePostgres returns the base URL of the test PostgreSQL server, or skips the test (fails it
// under CI=true) when the server cannot be reached.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv("SEP_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	pgOnce.Do(func() {
		d, err := sql.Open("pgx", base)
		if err != nil {
			pgErr = err
			return
		}
		defer d.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgErr = d.PingContext(ctx)
		if pgErr != nil && os.Getenv("CI") != "true" {
			fmt.Fprintf(os.Stderr, "NOTICE: PostgreSQL at %s is not reachable (%v): PostgreSQL tests are skipped. With CI=true they fail instead.\n", redact(base), pgErr)
		}
	})
	if pgErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required when CI=true, but %s is not reachable: %v", redact(base), pgErr)
		}
		t.Skipf("PostgreSQL not reachable at %s: %v", redact(base), pgErr)
	}
	return base
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}
