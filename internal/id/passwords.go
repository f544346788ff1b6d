package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/notify"
)

// A password's life: set at registration (or recovery), changed by its owner on
// /id/account/password, advised to change after PasswordReminder, and — if the operator sets
// a maximum age (SEP_PASSWORD_MAX_AGE) — refused at sign-in once expired: after the second
// factor the sign-in waits in the state "expired" for a new password, and only then starts
// the session (the seeds: «Истёкший срок действия пароля. После установленного периода
// система требует смены пароля»).
//
//	signin: password ──▶ factor ──right, password expired──▶ expired ──new password──▶ (session)
//
// The change is asked after the second factor, not before it, so that someone who has only
// the old password cannot set a new one.

// PasswordReminder is the age of a password after which the account page advises a new one
// (the seeds: «меняйте пароль каждые 6‑12 месяцев»).
const PasswordReminder = 180 * 24 * time.Hour

// expiryWarning is how long before a password expires the account page says so.
const expiryWarning = 14 * 24 * time.Hour

// stateExpired is the sign-in state waiting for a new password in place of an expired one.
const stateExpired = "expired"

// ErrPasswordExpired is the answer of FinishSignIn when the factor was right but the password
// has expired: the same flow goes on with ChangeExpiredPassword.
var ErrPasswordExpired = errs.E(errs.Forbidden, "id.password_expired", errors.New("id: the password has expired"))

var errCurrentPassword = errs.E(errs.Invalid, "id.password.current_wrong", errors.New("id: the current password is wrong"))

// MaxReauthFailures is how many wrong current passwords in a row a session may give before
// it is ended (ErrReauthExhausted): a session holder who does not know the password cannot try
// passwords on the change page at will.
const MaxReauthFailures = 5

// ErrReauthExhausted is the answer to the last wrong current password a session may give: the
// session has ended.
var ErrReauthExhausted = errs.E(errs.Unauthenticated, "id.reauth_exhausted",
	errors.New("id: too many wrong current passwords; the session has ended"))

// PasswordStatus is what the owner is told about their password's age.
type PasswordStatus struct {
	ChangedAt time.Time
	ExpiresAt time.Time // zero if passwords do not expire
	Expired   bool
	// ChangeAdvised: the password is older than PasswordReminder, or expires within two weeks.
	ChangeAdvised bool
}

// PasswordStatus tells the age of the account's password.
func (s *Service) PasswordStatus(ctx context.Context, accountID string) (*PasswordStatus, error) {
	// The account page asks on every view: one row, by a statement kept prepared.
	var set time.Time
	err := s.db.ReadRow(ctx, `SELECT created_at FROM id_passwords WHERE account_id = $1 ORDER BY seq DESC LIMIT 1`,
		accountID).Scan(&set)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "id.no_password", errors.New("id: the account has no password"))
	}
	if err != nil {
		return nil, err
	}
	return s.passwordStatus(set.UTC()), nil
}

func (s *Service) passwordStatus(set time.Time) *PasswordStatus {
	now := s.now()
	st := &PasswordStatus{ChangedAt: set, ChangeAdvised: !now.Before(set.Add(PasswordReminder))}
	if s.passwordMaxAge > 0 {
		st.ExpiresAt = set.Add(s.passwordMaxAge)
		st.Expired = !now.Before(st.ExpiresAt)
		st.ChangeAdvised = st.ChangeAdvised || !now.Before(st.ExpiresAt.Add(-expiryWarning))
	}
	return st
}

// factsOf are what the account's password must not contain.
func factsOf(a *Account) password.Facts {
	return password.Facts{Phone: a.Phone, Email: a.Email, BirthDate: a.Profile.BirthDate,
		Names: []string{a.Profile.LastName, a.Profile.FirstName, a.Profile.MiddleName}}
}

// newPasswordViolations applies the policy and the history rule to a new password of a: every
// rule it breaks. The history (the current password and the two before it, hashes) is
// checked only for an owner who has proved who they are, since "one of your last passwords"
// would otherwise tell a guesser that a guess was right.
func (s *Service) newPasswordViolations(ctx context.Context, a *Account, hashes []string, pw string) ([]password.Violation, error) {
	v := password.Check(pw, factsOf(a))
	if len(v) > 0 && v[0] == password.TooLong {
		return v, nil
	}
	for _, h := range hashes {
		same, _, err := s.hasher.Verify(ctx, pw, h)
		if errors.Is(err, password.ErrMalformed) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if same {
			return append(v, password.Reused), nil
		}
	}
	return v, nil
}

// ChangePassword sets a new password for the signed-in owner, who gives the current one.
// Every mistake is reported at once (errs.Invalid "id.form_invalid" with FieldErrors on
// current_password and password); on success every other session of the account ends, the
// change is journaled and the owner alerted. It returns how many sessions ended.
func (s *Service) ChangePassword(ctx context.Context, r *http.Request, accountID, sessionID, current, pw string) (int, error) {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return 0, err
	}
	hashes, _, err := s.passwords(ctx, nil, a.ID)
	if err != nil {
		return 0, err
	}
	bad := FieldErrors{}
	right, err := s.reauthenticate(ctx, r, a.ID, sessionID, hashes, current)
	if err != nil {
		return 0, err
	}
	if !right {
		bad["current_password"] = errCurrentPassword
		hashes = nil // no history lookups for someone who has not shown the password
	}
	v, err := s.newPasswordViolations(ctx, a, hashes, pw)
	if err != nil {
		return 0, err
	}
	if len(v) > 0 {
		bad["password"] = errs.E(errs.Invalid, "id.password_weak", PasswordErrors(v))
	}
	if len(bad) > 0 {
		return 0, errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return 0, err
	}
	var ended int
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if ended, err = s.setPassword(ctx, tx, a, hash, sessionID); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionPasswordChange, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"session": sessionID, "ended_sessions_count": strconv.Itoa(ended)}})
	})
	return ended, err
}

// reauthenticate checks the current password (hashes: the account's, newest first) that a
// signed-in owner gives to change something, and counts the session's wrong ones in a row: a
// wrong one is journaled, and the MaxReauthFailures-th ends the session (ErrReauthExhausted).
// A right one starts the count again. sessionID may be empty (no session to count in).
func (s *Service) reauthenticate(ctx context.Context, r *http.Request, accountID, sessionID string, hashes []string, pw string) (bool, error) {
	right := false
	if len(hashes) > 0 && len(pw) <= password.MaxLength {
		var err error
		if right, _, err = s.hasher.Verify(ctx, pw, hashes[0]); err != nil && !errors.Is(err, password.ErrMalformed) {
			return false, err
		}
	} else {
		s.hasher.Dummy(ctx, pw)
	}
	if sessionID == "" {
		if !right {
			s.record(ctx, nil, r, Event{Action: ActionPasswordChange, AccountID: accountID, Outcome: audit.Failure,
				Details: map[string]string{"reason": "wrong_password"}})
		}
		return right, nil
	}
	if right {
		_, err := s.db.Writer().ExecContext(ctx, `UPDATE id_sessions SET reauth_failures = 0 WHERE id = $1 AND reauth_failures > 0`,
			sessionID)
		return true, err
	}
	ended := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `UPDATE id_sessions SET reauth_failures = reauth_failures + 1 WHERE id = $1
			RETURNING reauth_failures`, sessionID).Scan(&n); err != nil {
			return err
		}
		details := map[string]string{"reason": "wrong_password", "session": sessionID}
		if ended = n >= MaxReauthFailures; ended {
			if _, err := tx.ExecContext(ctx, `UPDATE id_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
				sessionID, s.now().UTC()); err != nil {
				return err
			}
			details["session_ended"] = "yes"
		}
		return s.record(ctx, tx, r, Event{Action: ActionPasswordChange, AccountID: accountID, Outcome: audit.Failure,
			Details: details})
	})
	if err != nil {
		return false, err
	}
	if ended {
		return false, ErrReauthExhausted
	}
	return false, nil
}

// setPassword stores a new password hash of a, ends every session but keep, and alerts the
// owner, in tx.
func (s *Service) setPassword(ctx context.Context, tx *sql.Tx, a *Account, hash, keep string) (int, error) {
	now := s.now().UTC()
	if err := addPassword(ctx, tx, a.ID, hash, now); err != nil {
		return 0, err
	}
	ended, err := s.revokeAll(ctx, tx, a.ID, keep)
	if err != nil {
		return 0, err
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{Kind: notify.AccountChanged,
		To:   notify.Recipient{AccountID: a.ID, Phone: a.Phone, Email: a.Email, Lang: a.Lang},
		Data: map[string]any{"Change": "password", "Time": now.In(i18n.Moscow)}})
	return ended, err
}

// holdExpired stops a sign-in whose factor was right if the account's password has expired:
// the flow moves to "expired" (for another sign-in's worth of time) and waits for a new
// password, and the answer is ErrPasswordExpired. It does nothing if passwords do not expire.
func (s *Service) holdExpired(ctx context.Context, si *SignIn, method string) error {
	if s.passwordMaxAge <= 0 {
		return nil
	}
	_, set, err := s.passwords(ctx, nil, si.Account.ID)
	if err != nil {
		return err
	}
	if !s.passwordStatus(set).Expired {
		return nil
	}
	si.Flow.State = stateExpired
	si.Flow.Data["method"] = method
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.advanceFlow(ctx, tx, si.Flow, stateFactor); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE id_flows SET expires_at = $2 WHERE id = $1`, si.Flow.ID,
			s.now().UTC().Add(signInTTL))
		return err
	})
	if err != nil {
		return err
	}
	return ErrPasswordExpired
}

// ExpiredSignIn returns the sign-in the token names that waits for a new password.
func (s *Service) ExpiredSignIn(ctx context.Context, token string) (*SignIn, error) {
	f, err := s.flow(ctx, nil, FlowSignIn, token)
	if err != nil {
		return nil, err
	}
	if f.State != stateExpired {
		return nil, ErrFlowGone
	}
	a, err := s.Account(ctx, f.AccountID)
	if err != nil {
		return nil, err
	}
	return &SignIn{Flow: f, Account: a}, nil
}

// ChangeExpiredPassword sets the new password of a sign-in held for an expired one and starts
// its session: the password and the second factor were right, so the owner has shown who they
// are. A password that breaks a rule is errs.Invalid "id.password_weak" with its violations.
// Every other session of the account ends.
func (s *Service) ChangeExpiredPassword(ctx context.Context, r *http.Request, token, pw string) (*Session, string, error) {
	si, err := s.ExpiredSignIn(ctx, token)
	if err != nil {
		return nil, "", err
	}
	a := si.Account
	if err := accountMaySignIn(a); err != nil {
		return nil, "", err
	}
	hashes, _, err := s.passwords(ctx, nil, a.ID)
	if err != nil {
		return nil, "", err
	}
	v, err := s.newPasswordViolations(ctx, a, hashes, pw)
	if err != nil {
		return nil, "", err
	}
	if len(v) > 0 {
		return nil, "", errs.E(errs.Invalid, "id.password_weak", PasswordErrors(v))
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, "", err
	}
	method := si.Flow.Data["method"]
	var ss *Session
	var st string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The flow is ended first: of two requests racing with one token, one sets the password.
		if err := s.endExpired(ctx, tx, si.Flow); err != nil {
			return err
		}
		ended, err := s.setPassword(ctx, tx, a, hash, "")
		if err != nil {
			return err
		}
		if err := s.clearSignIn(ctx, tx, a.ID); err != nil {
			return err
		}
		if ss, st, err = s.startSessionOnDevice(ctx, tx, a, method, r, true); err != nil {
			return err
		}
		if err := s.record(ctx, tx, r, Event{Action: ActionPasswordChange, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"reason": "expired", "session": ss.ID, "ended_sessions_count": strconv.Itoa(ended)}}); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"method": method, "session": ss.ID}})
	})
	if err != nil {
		return nil, "", err
	}
	return ss, st, nil
}

// endExpired deletes a sign-in flow in the state "expired"; ErrFlowGone if another request
// ended it first.
func (s *Service) endExpired(ctx context.Context, x db.Querier, f *Flow) error {
	if _, err := x.ExecContext(ctx, `DELETE FROM id_codes WHERE flow_id = $1`, f.ID); err != nil {
		return err
	}
	res, err := x.ExecContext(ctx, `DELETE FROM id_flows WHERE id = $1 AND state = $2`, f.ID, stateExpired)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrFlowGone
	}
	return nil
}
