package id

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

// Recovery codes: ten at a time, twelve digits each (written 1234-5678-9012), each good for
// one sign-in when the phone is lost. They are shown once, when made; the database keeps
// only keyed digests, each bound to its account and tagged with the id of the data key it
// was made under, so that a data-key rotation leaves them working for as long as the ring
// keeps the old key. Making new codes replaces all the old ones.

// RecoveryCodeCount is how many recovery codes are made at a time.
const RecoveryCodeCount = 10

const recoveryDigits = 12

// recoveryDigest is the keyed digest of a recovery code (a blind index with no sealed
// column behind it: the code itself is never stored).
var recoveryDigest = seal.Index{Column: "digest", Purpose: "sep id recovery code v1"}

var errRecoveryWrong = errs.E(errs.Invalid, "id.recovery_code.wrong", errors.New("id: a wrong or used recovery code"))

func randomRecoveryCode() string {
	var b strings.Builder
	for i := range recoveryDigits {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + n.Int64()))
	}
	return b.String()
}

// normalRecoveryCode keeps the digits of a typed code ("1234 5678 9012", "123456789012").
func normalRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '-' {
			return -1
		}
		return 'x' // anything else makes the code wrong
	}, code)
}

// digestKey is what a code's digest is computed over: the account and the code's digits.
func digestKey(accountID, code string) string { return accountID + "\x00" + normalRecoveryCode(code) }

// NewRecoveryCodes replaces the account's recovery codes with ten new ones and returns them,
// to be shown once. It asks the current password (the field error "password").
func (s *Service) NewRecoveryCodes(ctx context.Context, r *http.Request, a *Account, pw string) ([]string, error) {
	if err := s.confirmPassword(ctx, nil, a.ID, pw); err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		had, err := s.recoveryCodesLeft(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM id_recovery_codes WHERE account_id = $1`, a.ID); err != nil {
			return err
		}
		now := s.now().UTC()
		batch := db.NewID()
		for i := range codes {
			codes[i] = randomRecoveryCode()
			d, err := s.box.Index(recoveryDigest, digestKey(a.ID, codes[i]))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO id_recovery_codes (id, account_id, digest, created_at)
				VALUES ($1, $2, $3, $4)`, db.NewID(), a.ID, []byte(d), now); err != nil {
				return fmt.Errorf("id: store recovery code: %w", err)
			}
		}
		if had > 0 {
			// The old set is gone: for the journal, a removal and an addition.
			if err := s.record(ctx, tx, r, Event{Action: ActionFactorRemoved, AccountID: a.ID, Outcome: audit.Success,
				Details: map[string]string{"method": MethodRecovery, "reason": "replaced"}}); err != nil {
				return err
			}
		}
		return s.recordFactor(ctx, tx, r, a, ActionFactorAdded, MethodRecovery, batch)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RecoveryCodes is what the factors page says of an account's recovery codes.
type RecoveryCodes struct {
	Left      int       // unused codes
	CreatedAt time.Time // when the set was made; zero if there is none
}

// recoveryCodes counts the account's unused codes that can still be checked (made under a
// key the ring still has).
func (s *Service) recoveryCodes(ctx context.Context, x db.Querier, accountID string) (RecoveryCodes, error) {
	if x == nil {
		x = s.db.Reader()
	}
	var out RecoveryCodes
	rows, err := x.QueryContext(ctx, `SELECT digest, created_at FROM id_recovery_codes WHERE account_id = $1 AND used_at IS NULL`,
		accountID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	ring := s.box.Ring()
	for rows.Next() {
		var d seal.Blind
		var at time.Time
		if err := rows.Scan(&d, &at); err != nil {
			return out, err
		}
		if k, ok := d.Key(); ok && ring.Has(k) {
			out.Left++
			out.CreatedAt = at.UTC()
		}
	}
	return out, rows.Err()
}

func (s *Service) recoveryCodesLeft(ctx context.Context, x db.Querier, accountID string) (int, error) {
	rc, err := s.recoveryCodes(ctx, x, accountID)
	return rc.Left, err
}

// useRecoveryCode marks the account's unused code matching code as used; a wrong or used one
// is errs.Invalid "id.recovery_code.wrong".
func (s *Service) useRecoveryCode(ctx context.Context, accountID, code string) error {
	if len(normalRecoveryCode(code)) != recoveryDigits {
		return errRecoveryWrong
	}
	cands, err := s.box.Candidates(recoveryDigest, digestKey(accountID, code))
	if err != nil {
		return errRecoveryWrong
	}
	marks := make([]string, len(cands))
	for i := range cands {
		marks[i] = fmt.Sprintf("$%d", i+3)
	}
	args := append([]any{accountID, s.now().UTC()}, cands...)
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE id_recovery_codes SET used_at = $2
		WHERE account_id = $1 AND used_at IS NULL AND digest IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRecoveryWrong
	}
	return nil
}

// recoveryFactor is a recovery code as a sign-in's second factor: offered after the SMS code,
// never instead of it.
type recoveryFactor struct{ s *Service }

func (recoveryFactor) Method() string { return MethodRecovery }
func (recoveryFactor) fallback() bool { return true }

func (f recoveryFactor) Enrolled(ctx context.Context, a *Account) (bool, error) {
	n, err := f.s.recoveryCodesLeft(ctx, nil, a.ID)
	return n > 0, err
}

func (f recoveryFactor) Check(ctx context.Context, _ *Flow, a *Account, answer string) error {
	return f.s.useRecoveryCode(ctx, a.ID, answer)
}
