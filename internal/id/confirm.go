package id

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
)

// Confirmation of identity — the confirmed level — by an operator of a service point: either
// in person (the citizen shows the passport; the operator presses «личность подтверждена»),
// or by a code the operator issues, shown once, that the citizen enters in the profile within
// ConfirmCodeValidFor. Only a standard account can be confirmed: its documents are already
// confirmed by the registries. Five wrong codes make the account wait ConfirmCodeWait.

// Rules of confirmation codes.
const (
	ConfirmCodeDigits   = 10
	ConfirmCodeValidFor = 30 * 24 * time.Hour
	ConfirmCodeTries    = 5
	ConfirmCodeWait     = time.Hour
)

// purposeConfirmCode keys the digests of confirmation codes.
const purposeConfirmCode = "sep id identity confirmation code v1"

// The ways an identity is confirmed (id_identity_confirmations.method).
const (
	ConfirmedAtServicePoint = "service_point"
	ConfirmedByCode         = "code"
)

// IdentityConfirmation is how and when a confirmed account's identity was confirmed.
type IdentityConfirmation struct {
	Method     string // ConfirmedAtServicePoint or ConfirmedByCode
	OperatorID string
	At         time.Time
}

func (s *Service) identityConfirmation(ctx context.Context, accountID string) (*IdentityConfirmation, error) {
	c := &IdentityConfirmation{}
	err := s.db.Reader().QueryRowContext(ctx, `SELECT method, operator_id, confirmed_at FROM id_identity_confirmations
		WHERE account_id = $1`, accountID).Scan(&c.Method, &c.OperatorID, &c.At)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	c.At = c.At.UTC()
	return c, err
}

// ErrNotStandard refuses to confirm an account that is not at the standard level.
var ErrNotStandard = errs.E(errs.Conflict, "id.levels.not_standard", errors.New("id: only a standard account can be confirmed"))

// ErrNotOperator refuses the operator's actions to anyone else.
var ErrNotOperator = errs.E(errs.Forbidden, "id.levels.operator_only", errors.New("id: not an operator"))

// operator checks that operatorID is an active operator's account.
func (s *Service) operator(ctx context.Context, operatorID string) error {
	o, err := s.Account(ctx, operatorID)
	if errors.Is(err, ErrNoAccount) || err == nil && (o.Role != Operator || o.Status != Active) {
		return ErrNotOperator
	}
	return err
}

// FindForConfirmation is the account an operator looks up by the citizen's СНИЛС or phone
// (or e-mail, or ИНН: any login), with its level. A login that names no citizen is
// ErrNoAccount.
// The lookup is journaled (the operator sees the citizen's personal data).
func (s *Service) FindForConfirmation(ctx context.Context, r *http.Request, operatorID, login string) (*Account, *LevelState, error) {
	if err := s.operator(ctx, operatorID); err != nil {
		return nil, nil, err
	}
	a, err := s.AccountByLogin(ctx, nil, login)
	if err == nil && a.Role != Citizen {
		err = ErrNoAccount
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := s.Level(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	if err := s.recordAs(ctx, nil, r, audit.ActorOperator, operatorID, Event{Action: ActionOperatorViewed, AccountID: a.ID,
		Outcome: audit.Success}); err != nil {
		return nil, nil, err
	}
	return a, st, nil
}

// ConfirmAtServicePoint makes a standard account confirmed: the operator saw the citizen and
// the passport at a service point.
func (s *Service) ConfirmAtServicePoint(ctx context.Context, r *http.Request, operatorID, accountID string) error {
	if err := s.operator(ctx, operatorID); err != nil {
		return err
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Level != Standard || a.Role != Citizen {
		return ErrNotStandard
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.setLevel(ctx, tx, r, a, Confirmed, levelChange{method: ConfirmedAtServicePoint, actor: audit.ActorOperator,
			actorID: operatorID, operator: operatorID})
	})
}

// IssueConfirmationCode makes a new confirmation code for a standard account, replacing any
// earlier one, and returns it (to be shown to the operator once: only its digest is kept)
// with when it expires.
func (s *Service) IssueConfirmationCode(ctx context.Context, r *http.Request, operatorID, accountID string) (string, time.Time, error) {
	if err := s.operator(ctx, operatorID); err != nil {
		return "", time.Time{}, err
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return "", time.Time{}, err
	}
	if a.Level != Standard || a.Role != Citizen {
		return "", time.Time{}, ErrNotStandard
	}
	code := randomConfirmationCode()
	now := s.now().UTC()
	expires := now.Add(ConfirmCodeValidFor)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM id_confirmation_codes WHERE account_id = $1`, a.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO id_confirmation_codes (account_id, code_mac, issued_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, a.ID, s.confirmMAC(a.ID, code), operatorID, now, expires); err != nil {
			return fmt.Errorf("id: store confirmation code: %w", err)
		}
		return s.recordAs(ctx, tx, r, audit.ActorOperator, operatorID, Event{Action: ActionConfirmCodeIssued, AccountID: a.ID,
			Outcome: audit.Success, Details: map[string]string{"expires": expires.Format(time.RFC3339)}})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return FormatConfirmationCode(code), expires, nil
}

// FormatConfirmationCode groups a code's digits as people read it out: 123-456-7890.
func FormatConfirmationCode(c string) string {
	if len(c) != ConfirmCodeDigits {
		return c
	}
	return c[:3] + "-" + c[3:6] + "-" + c[6:]
}

// randomConfirmationCode is ConfirmCodeDigits random digits.
func randomConfirmationCode() string { return randomDigits(ConfirmCodeDigits) }

func (s *Service) confirmMAC(accountID, code string) []byte {
	return s.keyedDigest(purposeConfirmCode, accountID, code)
}

// confirmWait refuses a code while the account waits after too many wrong ones.
type confirmWait struct{ wait time.Duration }

func (e *confirmWait) Error() string {
	return fmt.Sprintf("id: a confirmation code in %s", e.wait.Round(time.Second))
}
func (e *confirmWait) RetryAfter() time.Duration { return e.wait }

// Minutes is the wait as people are told it, rounded up.
func (e *confirmWait) Minutes() int { return max(1, int((e.wait+time.Minute-1)/time.Minute)) }

// EnterConfirmationCode confirms the account's identity with a code an operator issued. A
// wrong, expired or missing code is "id.levels.code_wrong" and counts a try; after
// ConfirmCodeTries of them the account waits ("id.levels.code_wait", errs.TooMany with the
// wait). An account that is not standard is ErrNotStandard.
func (s *Service) EnterConfirmationCode(ctx context.Context, r *http.Request, accountID, typed string) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Level != Standard {
		return ErrNotStandard
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == '-' || r == ' ' {
			return -1
		}
		return 'x'
	}, typed)
	var verdict error
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		var failures int
		var waitUntil sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT failures, wait_until FROM id_confirmation_tries WHERE account_id = $1`,
			a.ID).Scan(&failures, &waitUntil)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if waitUntil.Valid && now.Before(waitUntil.Time) {
			verdict = errs.E(errs.TooMany, "id.levels.code_wait", &confirmWait{wait: waitUntil.Time.Sub(now)})
			return nil
		}
		if waitUntil.Valid { // the wait is over: five more tries
			failures = 0
		}
		var mac []byte
		var expires time.Time
		err = tx.QueryRowContext(ctx, `SELECT code_mac, expires_at FROM id_confirmation_codes WHERE account_id = $1`,
			a.ID).Scan(&mac, &expires)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		right := err == nil && now.Before(expires) && len(digits) == ConfirmCodeDigits && hmac.Equal(s.confirmMAC(a.ID, digits), mac)
		if !right {
			failures++
			var until any
			if failures >= ConfirmCodeTries {
				until = now.Add(ConfirmCodeWait)
				verdict = errs.E(errs.TooMany, "id.levels.code_wait", &confirmWait{wait: ConfirmCodeWait})
			} else {
				verdict = errs.E(errs.Invalid, "id.levels.code_wrong", errors.New("id: a wrong confirmation code"))
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM id_confirmation_tries WHERE account_id = $1`, a.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO id_confirmation_tries (account_id, failures, wait_until) VALUES ($1, $2, $3)`,
				a.ID, failures, until); err != nil {
				return err
			}
			return s.record(ctx, tx, r, Event{Action: ActionConfirmCodeTried, AccountID: a.ID, Outcome: audit.Failure,
				Details: map[string]string{"failures_count": fmt.Sprint(failures)}})
		}
		var operatorID string
		if err := tx.QueryRowContext(ctx, `SELECT issued_by FROM id_confirmation_codes WHERE account_id = $1`, a.ID).Scan(&operatorID); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM id_confirmation_codes WHERE account_id = $1`,
			`DELETE FROM id_confirmation_tries WHERE account_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, a.ID); err != nil {
				return err
			}
		}
		if err := s.record(ctx, tx, r, Event{Action: ActionConfirmCodeTried, AccountID: a.ID, Outcome: audit.Success}); err != nil {
			return err
		}
		return s.setLevel(ctx, tx, r, a, Confirmed, levelChange{method: ConfirmedByCode, actor: audit.ActorCitizen,
			actorID: a.ID, operator: operatorID})
	})
	if err != nil {
		return err
	}
	return verdict
}
