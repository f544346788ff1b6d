package passlist

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/internal/db"
)

// chunkBytes is the size of one stored piece of an encoded list: large enough that a list of
// 150 million passports is a few hundred rows, small enough for any driver's comfort.
const chunkBytes = 1 << 20

// Meta describes a stored list.
type Meta struct {
	Version    int64 // increases with every import; 0: no list has been imported
	Entries    int64 // distinct passports
	SizeBytes  int64 // of the encoded structure
	SHA256     string
	Source     string // the file it came from, as the operator named it
	Counts     Counts
	ImportedAt time.Time
}

// errVanished means a list version was replaced while it was being read.
var errVanished = errors.New("passlist: the list was replaced while being read")

func headVersion(ctx context.Context, q db.Querier) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT version FROM invalid_passport_head WHERE id = 1`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("passlist: read the list version: %w", err)
	}
	return v, nil
}

func readMeta(ctx context.Context, q db.Querier, version int64) (Meta, error) {
	m := Meta{Version: version}
	err := q.QueryRowContext(ctx, `SELECT entries, size_bytes, sha256, source, rows_read, junk_rows, padded_rows,
		duplicates, imported_at FROM invalid_passport_lists WHERE version = $1`, version).Scan(
		&m.Entries, &m.SizeBytes, &m.SHA256, &m.Source, &m.Counts.Rows, &m.Counts.Junk, &m.Counts.Padded,
		&m.Counts.Duplicates, &m.ImportedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errVanished
	}
	if err != nil {
		return m, fmt.Errorf("passlist: read list %d: %w", version, err)
	}
	m.Counts.Entries = m.Entries
	m.Counts.Valid = m.Entries + m.Counts.Duplicates
	m.ImportedAt = m.ImportedAt.UTC()
	return m, nil
}

// saveSet stores set as the new current list and deletes the previous one, in one transaction.
// Moving the head row first also serialises concurrent imports on PostgreSQL: the second waits
// for the first to commit and then replaces its list. The list it replaces is compared in the
// same transaction, so that the shrink rule (see ImportOptions.AllowShrink) holds against the
// list actually replaced, whatever another instance imported meanwhile.
func saveSet(ctx context.Context, d *db.DB, set *Set, m Meta, allowShrink bool,
	onImported func(context.Context, *sql.Tx, Meta) error) (Meta, error) {
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE invalid_passport_head SET version = version + 1 WHERE id = 1
			RETURNING version`).Scan(&m.Version); err != nil {
			return fmt.Errorf("passlist: new list version: %w", err)
		}
		if !allowShrink {
			var current int64
			err := tx.QueryRowContext(ctx, `SELECT entries FROM invalid_passport_lists WHERE version = $1`,
				m.Version-1).Scan(&current)
			switch {
			case errors.Is(err, sql.ErrNoRows): // the first list
			case err != nil:
				return fmt.Errorf("passlist: read the current list: %w", err)
			case shrinks(m.Entries, current):
				return &ShrinkError{Entries: m.Entries, Current: current}
			}
		}
		m.SizeBytes = int64(encodedSize(set.Len()))
		if _, err := tx.ExecContext(ctx, `INSERT INTO invalid_passport_lists (version, entries, size_bytes, sha256, source,
			rows_read, junk_rows, padded_rows, duplicates, imported_at) VALUES ($1, $2, $3, '', $4, $5, $6, $7, $8, $9)`,
			m.Version, m.Entries, m.SizeBytes, m.Source, m.Counts.Rows, m.Counts.Junk, m.Counts.Padded,
			m.Counts.Duplicates, m.ImportedAt); err != nil {
			return fmt.Errorf("passlist: store the list: %w", err)
		}
		h := sha256.New()
		seq := 0
		err := set.encode(chunkBytes, func(p []byte) error {
			h.Write(p)
			_, err := tx.ExecContext(ctx, `INSERT INTO invalid_passport_chunks (version, seq, data) VALUES ($1, $2, $3)`,
				m.Version, seq, p)
			seq++
			return err
		})
		if err != nil {
			return fmt.Errorf("passlist: store the list: %w", err)
		}
		m.SHA256 = hex.EncodeToString(h.Sum(nil))
		if _, err := tx.ExecContext(ctx, `UPDATE invalid_passport_lists SET sha256 = $1 WHERE version = $2`,
			m.SHA256, m.Version); err != nil {
			return fmt.Errorf("passlist: store the list: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invalid_passport_chunks WHERE version <> $1`, m.Version); err != nil {
			return fmt.Errorf("passlist: delete the old list: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invalid_passport_lists WHERE version <> $1`, m.Version); err != nil {
			return fmt.Errorf("passlist: delete the old list: %w", err)
		}
		if onImported != nil {
			return onImported(ctx, tx, m)
		}
		return nil
	})
	return m, err
}

// loadSet reads list version into memory: one query streams its chunks in order straight into
// the decoder, so the encoded form is never held whole. It returns errVanished when the version
// was replaced meanwhile (the caller reads the head again).
func loadSet(ctx context.Context, d *db.DB, version int64) (*Set, Meta, error) {
	m, err := readMeta(ctx, d.Reader(), version)
	if err != nil {
		return nil, m, err
	}
	rows, err := d.Reader().QueryContext(ctx, `SELECT seq, data FROM invalid_passport_chunks WHERE version = $1 ORDER BY seq`, version)
	if err != nil {
		return nil, m, fmt.Errorf("passlist: read list %d: %w", version, err)
	}
	defer rows.Close()
	h := sha256.New()
	var dec setDecoder
	var size int64
	want := 0
	for rows.Next() {
		var seq int
		var data sql.RawBytes
		if err := rows.Scan(&seq, &data); err != nil {
			return nil, m, fmt.Errorf("passlist: read list %d: %w", version, err)
		}
		if seq != want {
			return nil, m, fmt.Errorf("%w: chunk %d missing", errCorrupt, want)
		}
		want++
		size += int64(len(data))
		h.Write(data)
		if err := dec.write(data); err != nil {
			return nil, m, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, m, fmt.Errorf("passlist: read list %d: %w", version, err)
	}
	if want == 0 {
		return nil, m, errVanished
	}
	if size != m.SizeBytes || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return nil, m, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	set, err := dec.finish()
	if err != nil {
		return nil, m, err
	}
	if int64(set.Len()) != m.Entries {
		return nil, m, fmt.Errorf("%w: %d entries, the list says %d", errCorrupt, set.Len(), m.Entries)
	}
	return set, m, nil
}
