package db

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite settings, as PocketBase runs it: write-ahead log so readers never block the writer,
// a busy timeout instead of immediate "database is locked" errors, foreign keys on,
// synchronous=NORMAL (durable in WAL mode except for the last commits on power loss, not on a
// process crash), and BEGIN IMMEDIATE so a write transaction takes the lock up front rather
// than failing when it upgrades from a read. secure_delete overwrites deleted content with
// zeros: personal data that is purged, erased or re-sealed does not linger in free pages of
// the file.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
	"&_pragma=secure_delete(1)&_time_format=sqlite"

func openSQLite(path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty file path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, errors.New("sqlite: the file path must not contain ? or #")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	// The database holds personal data: only sep's own user may read it. SQLite gives its
	// -wal and -shm files the same permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	f.Close()
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// One writer: SQLite serialises writes anyway; one connection makes that explicit and
	// keeps write transactions from failing with SQLITE_BUSY inside this process.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if _, err := w.Exec("SELECT 1"); err != nil { // creates the file and switches it to WAL
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(opt.MaxConns)
	r.SetMaxIdleConns(opt.MaxConns)
	return &DB{dialect: SQLite, write: w, read: r}, nil
}

func sqliteBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

func sqliteUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) &&
		(e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
