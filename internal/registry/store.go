package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

// The SQL of the registry_checks table (migrations 0020, 0050–0052), portable
// between SQLite and PostgreSQL.

// checksTable declares the personal data of a check — what was asked (names,
// birth dates, document numbers) and the extract a registry gave — sealed at
// rest (internal/seal). The subject is an account id, the rest codes and times.
var checksTable = seal.Table{Name: "registry_checks", Key: "id", Sealed: []string{"query", "extract"}}

var (
	checkQuery   = checksTable.Column("query")
	checkExtract = checksTable.Column("extract")
)

// Tables declares the tables of this package that hold sealed personal data.
func Tables() []seal.Table { return []seal.Table{checksTable} }

const checkColumns = `id, subject, registry, query, fields, status, mismatch_field, reason, extract, source,
	attempts, run, requested_at, checked_at`

// insertCheck stores a new pending check.
func insertCheck(ctx context.Context, x db.Querier, box *seal.Box, c *Check) error {
	query, err := json.Marshal(c.Query)
	if err != nil {
		return fmt.Errorf("registry: encode query: %w", err)
	}
	_, err = x.ExecContext(ctx, `INSERT INTO registry_checks (id, subject, registry, query, fields, status, attempts, run,
			requested_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, 1, $7, $7)`,
		c.ID, c.Subject, string(c.Registry), box.Seal(checkQuery, c.ID, query), strings.Join(c.Fields, ","), string(c.Status),
		c.RequestedAt)
	if err != nil {
		return fmt.Errorf("registry: store check: %w", err)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanCheck(s scanner, box *seal.Box) (Check, error) {
	var (
		c                    Check
		fields               string
		query, extract       seal.Sealed
		mismatch, reason, so sql.NullString
		checkedAt            sql.NullTime
		registry, status     string
	)
	err := s.Scan(&c.ID, &c.Subject, &registry, &query, &fields, &status, &mismatch, &reason, &extract, &so,
		&c.Attempts, &c.Run, &c.RequestedAt, &checkedAt)
	if err != nil {
		return Check{}, err
	}
	c.Registry, c.Status = Registry(registry), Status(status)
	plain, err := box.Open(checkQuery, c.ID, query)
	if err != nil {
		return Check{}, err
	}
	if c.Query, err = decodeQuery(c.Registry, plain); err != nil {
		return Check{}, err
	}
	if fields != "" {
		c.Fields = strings.Split(fields, ",")
	}
	c.MismatchField, c.Reason, c.Source = mismatch.String, Reason(reason.String), so.String
	if extract.Valid() {
		plain, err := box.Open(checkExtract, c.ID, extract)
		if err != nil {
			return Check{}, err
		}
		c.Extract = new(Extract)
		if err := json.Unmarshal(plain, c.Extract); err != nil {
			return Check{}, fmt.Errorf("registry: stored extract of %s: %w", c.ID, err)
		}
	}
	c.RequestedAt = c.RequestedAt.UTC()
	if checkedAt.Valid {
		c.CheckedAt = checkedAt.Time.UTC()
	}
	return c, nil
}

// getCheck reads one check; a missing one is errs.NotFound.
func getCheck(ctx context.Context, x db.Querier, box *seal.Box, id string) (Check, error) {
	c, err := scanCheck(x.QueryRowContext(ctx, `SELECT `+checkColumns+` FROM registry_checks WHERE id = $1`, id), box)
	if errors.Is(err, sql.ErrNoRows) {
		return Check{}, errs.E(errs.NotFound, "registry.check_not_found", err)
	}
	return c, err
}

// listChecks reads the checks of a subject, newest first; registry "" means
// every registry, limit ≤ 0 no limit.
func listChecks(ctx context.Context, x db.Querier, box *seal.Box, subject string, r Registry, limit int) ([]Check, error) {
	q := `SELECT ` + checkColumns + ` FROM registry_checks WHERE subject = $1`
	args := []any{subject}
	if r != "" {
		q += ` AND registry = $2`
		args = append(args, string(r))
	}
	q += ` ORDER BY requested_at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := x.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Check
	for rows.Next() {
		c, err := scanCheck(rows, box)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// storeAnswer records the outcome of run of a pending check. A check no
// longer pending in that run (a repeated job, a rerun) is left as it is.
func storeAnswer(ctx context.Context, x db.Querier, box *seal.Box, id string, run int, a Answer, attempts int, at time.Time) error {
	var extract seal.Sealed
	if a.Extract != nil {
		b, err := json.Marshal(a.Extract)
		if err != nil {
			return fmt.Errorf("registry: encode extract: %w", err)
		}
		extract = box.Seal(checkExtract, id, b)
	}
	_, err := x.ExecContext(ctx, `UPDATE registry_checks SET status = $3, mismatch_field = $4, reason = $5, extract = $6,
			source = $7, attempts = $8, checked_at = $9, updated_at = $9
		WHERE id = $1 AND run = $2 AND status = 'pending'`,
		id, run, string(a.Status), nullable(a.Field), nullable(string(a.Reason)), extract, nullable(a.Source), attempts, at)
	if err != nil {
		return fmt.Errorf("registry: store answer: %w", err)
	}
	return nil
}

// storeAttempt records a call that got no answer, leaving the check pending.
func storeAttempt(ctx context.Context, x db.Querier, id string, run int, reason Reason, attempts int, at time.Time) error {
	_, err := x.ExecContext(ctx, `UPDATE registry_checks SET reason = $3, attempts = $4, updated_at = $5
		WHERE id = $1 AND run = $2 AND status = 'pending'`, id, run, string(reason), attempts, at)
	if err != nil {
		return fmt.Errorf("registry: store attempt: %w", err)
	}
	return nil
}

// restartCheck starts a new run of a pending or unavailable check and returns
// the run; ok is false if the check has another status.
func restartCheck(ctx context.Context, x db.Querier, id string, at time.Time) (run int, ok bool, err error) {
	err = x.QueryRowContext(ctx, `UPDATE registry_checks SET status = 'pending', run = run + 1, attempts = 0,
			mismatch_field = NULL, reason = NULL, extract = NULL, source = NULL, checked_at = NULL, updated_at = $2
		WHERE id = $1 AND status IN ('pending', 'unavailable')
		RETURNING run`, id, at).Scan(&run)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("registry: rerun: %w", err)
	}
	return run, true, nil
}

// nullable stores an empty string as NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
