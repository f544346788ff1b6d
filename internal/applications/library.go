package applications

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
)

// The citizen's document library «Документы» keeps, for each kind of document, the latest
// one the citizen uploaded into an application (a passport scan, an СНИЛС card…), and offers
// it when another application asks for that kind. One per kind, the latest: what is offered
// for reuse is then never a question (the newest scan of a passport is the one to give), and
// superseded scans are not kept without need (152-ФЗ: no more personal data than the
// purpose asks). Biometric kinds (the photo, the fingerprints) are never kept: their consent
// is given for one application.
//
// A stored document is shared, not copied: the library and any number of applications may
// refer to one. It lives while something refers to it: removing it from the library never
// removes it from an application (a submitted one keeps its files), and detaching it from a
// draft never removes it from the library. The store tells its callers which documents
// nothing refers to any more, and they remove those from the document store (release).

// ErrNoLibraryDocument is the error for a document the asker's library does not hold.
var ErrNoLibraryDocument = errs.E(errs.NotFound, "applications.library.not_found", nil)

// LibraryEntry is one document of the library.
type LibraryEntry struct {
	Kind, DocumentID string
	AddedAt, UsedAt  time.Time // UsedAt: last attached from the library; zero for never
}

// Library returns the account's library, by kind.
func (s *Store) Library(ctx context.Context, accountID string) ([]LibraryEntry, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT kind, document_id, added_at, used_at FROM document_library
		WHERE account_id = $1 ORDER BY kind`, accountID)
	if err != nil {
		return nil, fmt.Errorf("applications: library: %w", err)
	}
	defer rows.Close()
	var out []LibraryEntry
	for rows.Next() {
		var e LibraryEntry
		var used sql.NullTime
		if err := rows.Scan(&e.Kind, &e.DocumentID, &e.AddedAt, &used); err != nil {
			return nil, err
		}
		e.AddedAt, e.UsedAt = e.AddedAt.UTC(), used.Time.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// LibraryDocument returns the account's library entry of docID; another account's, or none,
// is ErrNoLibraryDocument.
func (s *Store) LibraryDocument(ctx context.Context, accountID, docID string) (LibraryEntry, error) {
	var e LibraryEntry
	var used sql.NullTime
	err := s.db.Reader().QueryRowContext(ctx, `SELECT kind, document_id, added_at, used_at FROM document_library
		WHERE account_id = $1 AND document_id = $2`, accountID, docID).Scan(&e.Kind, &e.DocumentID, &e.AddedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNoLibraryDocument
	}
	if err != nil {
		return e, fmt.Errorf("applications: library: %w", err)
	}
	e.AddedAt, e.UsedAt = e.AddedAt.UTC(), used.Time.UTC()
	return e, nil
}

// RemoveFromLibrary takes docID out of the account's library, and returns the documents
// nothing refers to any more (docID itself, unless an application keeps it), for the caller
// to remove from the document store.
func (s *Store) RemoveFromLibrary(ctx context.Context, r *http.Request, accountID, docID string) ([]string, error) {
	var released []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `DELETE FROM document_library WHERE account_id = $1 AND document_id = $2 RETURNING kind`,
			accountID, docID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoLibraryDocument
		}
		if err != nil {
			return err
		}
		if released, err = unreferenced(ctx, tx, docID); err != nil {
			return err
		}
		return s.journalLibrary(ctx, tx, r, accountID, "library.remove", docID, kind)
	})
	return released, err
}

// keep makes docID the library's document of kind for the account (inside Attach's
// transaction) and returns the one it replaces ("" for none or the same).
func (s *Store) keep(ctx context.Context, tx *sql.Tx, accountID, kind, docID string) (string, error) {
	var old string
	err := tx.QueryRowContext(ctx, `SELECT document_id FROM document_library WHERE account_id = $1 AND kind = $2`,
		accountID, kind).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if old == docID {
		return "", nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO document_library (account_id, kind, document_id, added_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, kind) DO UPDATE SET document_id = excluded.document_id, added_at = excluded.added_at, used_at = NULL`,
		accountID, kind, docID, s.now()); err != nil {
		return "", fmt.Errorf("applications: library: %w", err)
	}
	return old, nil
}

// take marks the account's library document as used, inside the transaction that attaches
// it. The update also holds the row against a concurrent removal from the library: that one
// either ran first (nothing is updated: ErrNoLibraryDocument, nothing is attached) or waits
// for this transaction, and then sees the application's reference and keeps the file.
func (s *Store) take(ctx context.Context, tx *sql.Tx, accountID, kind, docID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE document_library SET used_at = $4 WHERE account_id = $1 AND kind = $2 AND document_id = $3`,
		accountID, kind, docID, s.now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoLibraryDocument
	}
	return nil
}

// unreferenced returns those of ids that neither an application nor a library refers to.
func unreferenced(ctx context.Context, q db.Querier, ids ...string) ([]string, error) {
	var out []string
	for _, id := range ids {
		if id == "" {
			continue
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM application_documents WHERE document_id = $1)
			+ (SELECT COUNT(*) FROM document_library WHERE document_id = $1)`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("applications: references of a document: %w", err)
		}
		if n == 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *Store) journalLibrary(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action, docID, kind string) error {
	if s.opt.Journal == nil {
		return nil
	}
	return s.appendEntry(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: accountID, Action: action,
		ObjectType: "document", ObjectID: docID, Details: map[string]string{"kind": kind}})
}
