package id

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
)

// What ID gives its ЕСИА provider (internal/id/provider): the accounts' ЕСИА numbers and the
// sign-in method of a session.

// FirstESIAOID is the number the first account to be given an ЕСИА oid gets; ЕСИА's own
// numbers of people are ten digits long, and so are ours.
const FirstESIAOID = 1000000001

// ESIAOID returns the account's ЕСИА oid, assigning the next free number on first use. Two
// instances assigning at once cannot give one number twice: the column is unique, and the
// loser takes the next.
func (s *Service) ESIAOID(ctx context.Context, accountID string) (int64, error) {
	for range 5 {
		var oid sql.NullInt64
		err := s.db.ReadRow(ctx, `SELECT esia_oid FROM id_accounts WHERE id = $1`, accountID).Scan(&oid)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, ErrNoAccount
		}
		if err != nil {
			return 0, err
		}
		if oid.Valid {
			return oid.Int64, nil
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT MAX(esia_oid) FROM id_accounts`).Scan(&last); err != nil {
				return err
			}
			next := int64(FirstESIAOID)
			if last.Valid && last.Int64 >= next {
				next = last.Int64 + 1
			}
			_, err := tx.ExecContext(ctx, `UPDATE id_accounts SET esia_oid = $2 WHERE id = $1 AND esia_oid IS NULL`, accountID, next)
			return err
		})
		if err != nil && !db.IsUniqueViolation(err) {
			return 0, err
		}
	}
	return 0, errors.New("id: could not assign an ЕСИА oid")
}

// AccountByESIAOID returns the account with the ЕСИА oid (ErrNoAccount if none has it).
func (s *Service) AccountByESIAOID(ctx context.Context, oid int64) (*Account, error) {
	a, err := s.scanAccount(s.db.Reader().QueryRowContext(ctx, `SELECT `+accountColumns+` FROM id_accounts WHERE esia_oid = $1`, oid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	return a, err
}

// SessionMethod tells how the live session was completed (sms, totp, webauthn, qr, …), for
// the tokens that say how the person signed in; errs.NotFound if it is not live.
func (s *Service) SessionMethod(ctx context.Context, sessionID string) (string, error) {
	var method string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT method FROM id_sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2`,
		sessionID, s.now().UTC()).Scan(&method)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.E(errs.NotFound, "id.no_session", errors.New("id: no such session"))
	}
	return method, err
}

// Now is the service's clock (tests move it).
func (s *Service) Now() time.Time { return s.now() }
