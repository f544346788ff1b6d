// Package db opens sep's database — an embedded SQLite file or a PostgreSQL server, chosen by one
// URL — applies the embedded migrations, and runs transactions with the retries each engine
// needs. Domain packages write portable SQL with $1-style placeholders (both drivers accept them)
// and take a Querier, so the same statement runs alone or inside a caller's transaction.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Dialect names the database engine behind a DB.
type Dialect uint8

// The two supported engines.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "unknown"
}

// Querier is what both *sql.DB and *sql.Tx offer; stores take it so their statements can join a
// caller's transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database: a writer pool and a reader pool (the same pool on PostgreSQL; on SQLite
// one writer connection, because SQLite allows one writer at a time, and several readers).
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	stmts   sync.Map // stmtKey → *sql.Stmt (ReadRow, TxExec, TxRow)
	wanted  sync.Map // stmtKey → struct{}: to prepare when a transaction ends
}

// Options tune Open.
type Options struct {
	// MaxConns bounds open connections (PostgreSQL pool; SQLite readers). Default 10.
	MaxConns int
}

// Open connects to the database named by dsn: "sqlite:PATH" (the file is created if missing) or
// "postgres://…". It does not apply migrations; see Migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.MaxConns <= 0 {
		opt.MaxConns = 10
	}
	var (
		d   *DB
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		d, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"), opt)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d, err = openPostgres(dsn, opt)
	default:
		return nil, errors.New("unsupported database URL (want sqlite:PATH or postgres://…)")
	}
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Ping(pctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("connect to %s: %w", d.dialect, err)
	}
	return d, nil
}

// Dialect reports the engine.
func (d *DB) Dialect() Dialect { return d.dialect }

// Writer is the pool for statements that change data outside a Tx.
func (d *DB) Writer() *sql.DB { return d.write }

// Reader is the pool for reads.
func (d *DB) Reader() *sql.DB { return d.read }

// ReadRow runs a read query that every request asks (a session's lookup, the signed-in
// account), as a statement prepared once and kept: SQLite would otherwise parse the SQL again on
// every call, which costs more than running it. Use it for a few fixed hot queries only (the
// cache never shrinks); anything else goes through Reader.
func (d *DB) ReadRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.prepared(ctx, d.read, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.read.QueryRowContext(ctx, query, args...) // the error comes back from Scan
}

// TxExec runs, in tx (a transaction of Tx), a statement that hot transactions run on every
// call (the journal's append, an authorization code's use) as a statement prepared on the
// writer pool and kept, as ReadRow does for reads; the same few fixed statements only. The
// first call runs it as it is (the transaction holds the only SQLite writer connection, so it
// cannot be prepared on the pool then), and Tx prepares it when the transaction ends.
func (d *DB) TxExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := d.kept(d.write, query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// TxRow is TxExec for a query of one row.
func (d *DB) TxRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st := d.kept(d.write, query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// kept is query's statement kept for pool, or nil; a miss asks for it to be prepared when the
// running transaction ends (prepareWanted).
func (d *DB) kept(pool *sql.DB, query string) *sql.Stmt {
	k := stmtKey{pool, query}
	if st, ok := d.stmts.Load(k); ok {
		return st.(*sql.Stmt)
	}
	d.wanted.Store(k, struct{}{})
	return nil
}

// prepareWanted prepares the statements kept asked for; one that cannot be prepared (a table
// not made yet) is asked for again at its next use.
func (d *DB) prepareWanted(ctx context.Context) {
	d.wanted.Range(func(k, _ any) bool {
		d.wanted.Delete(k)
		key := k.(stmtKey)
		d.prepared(ctx, key.pool, key.query)
		return true
	})
}

// prepared is query prepared on pool, once (database/sql prepares it again on each connection
// that runs it, once each); nil when it cannot be prepared, and the caller runs it as it is to
// get the error.
func (d *DB) prepared(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	k := stmtKey{pool, query}
	if st, ok := d.stmts.Load(k); ok {
		return st.(*sql.Stmt)
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if kept, loaded := d.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return kept.(*sql.Stmt)
	}
	return st
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.write.PingContext(ctx); err != nil {
		return err
	}
	if d.read != d.write {
		return d.read.PingContext(ctx)
	}
	return nil
}

// Close closes both pools.
func (d *DB) Close() error {
	var err error
	d.stmts.Range(func(_, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		return true
	})
	err = errors.Join(err, d.write.Close())
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Tx runs fn in a write transaction and commits it if fn returns nil. When the engine reports a
// transient conflict (SQLite busy, PostgreSQL serialization failure or deadlock) the whole
// transaction is retried with backoff, so fn must not have effects outside the transaction.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	const attempts = 8
	backoff := 5 * time.Millisecond
	for i := 1; ; i++ {
		err := d.tx(ctx, fn)
		d.prepareWanted(context.WithoutCancel(ctx))
		if err == nil || i == attempts || !d.transient(err) {
			return err
		}
		sleep := backoff + rand.N(backoff)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(sleep):
		}
		backoff *= 2
	}
}

func (d *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *DB) transient(err error) bool {
	if d.dialect == SQLite {
		return sqliteBusy(err)
	}
	return postgresRetryable(err)
}

// IsUniqueViolation reports whether err is a unique-constraint violation, on either engine.
func IsUniqueViolation(err error) bool {
	return sqliteUnique(err) || postgresUnique(err)
}
