package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/notify"
)

// Second factors besides the SMS code, which an account's owner adds and removes on the
// factors page (/id/security/factors):
//
//   - an authenticator app (TOTP, RFC 6238): totp.go
//   - passkeys (WebAuthn, the "biometric factor"): webauthn.go
//   - recovery codes, ten of them, each used once: recoverycodes.go
//
// Every change is journaled (ActionFactorAdded, ActionFactorRemoved, with the method and the
// factor's id) and told to the owner (notify.AccountChanged) in the transaction that makes it.
// Removing a factor asks the current password: a session left open must not be enough to
// take a factor away.

// The methods of the factors of this file, as SecondFactor.Method names them.
const (
	MethodTOTP     = "totp"
	MethodWebAuthn = "webauthn"
	MethodRecovery = "recovery"
)

// FlowFactor is the kind of flow that enrols a factor: it carries the TOTP secret being
// confirmed, or the state of a passkey's registration ceremony, sealed, for the account
// signed in.
const FlowFactor FlowKind = "factor"

// factorTTL is how long an enrolment waits for its confirmation.
const factorTTL = 15 * time.Minute

// fallback is implemented by a factor that is never a sign-in's default: it is offered after
// the SMS code (recovery codes are for a lost phone, not for every day).
type fallback interface{ fallback() bool }

// addFactors registers the factors of this file with the service, strongest first.
func (s *Service) addFactors() {
	s.AddFactor(webauthnFactor{s})
	s.AddFactor(totpFactor{s})
	s.AddFactor(recoveryFactor{s})
}

// recordFactor journals a factor added or removed (action ActionFactorAdded or
// ActionFactorRemoved) and sends the owner the account_changed alert, in tx.
func (s *Service) recordFactor(ctx context.Context, tx *sql.Tx, r *http.Request, a *Account, action, method, factorID string) error {
	details := map[string]string{"method": method}
	if factorID != "" {
		details["factor"] = factorID
	}
	if err := s.record(ctx, tx, r, Event{Action: action, AccountID: a.ID, Outcome: audit.Success, Details: details}); err != nil {
		return err
	}
	change := "factor_added"
	if action == ActionFactorRemoved {
		change = "factor_removed"
	}
	_, err := s.notify.Send(ctx, tx, notify.Message{Kind: notify.AccountChanged,
		To:   notify.Recipient{AccountID: a.ID, Phone: a.Phone, Email: a.Email, Lang: a.Lang},
		Data: map[string]any{"Change": change, "Time": s.now().In(i18n.Moscow)}})
	return err
}

// ErrWrongPassword is the answer to a current password that is not the account's, on a form
// that asks it to confirm a change.
var ErrWrongPassword = errs.E(errs.Invalid, "id.factors.password_wrong", errors.New("id: the current password is wrong"))

// confirmPassword checks that pw is the account's current password: a wrong one is the field
// error "password" (ErrWrongPassword).
func (s *Service) confirmPassword(ctx context.Context, x db.Querier, accountID, pw string) error {
	hashes, _, err := s.passwords(ctx, x, accountID)
	if err != nil {
		return err
	}
	if len(hashes) == 0 || pw == "" {
		s.hasher.Dummy(ctx, pw)
		return errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"password": ErrWrongPassword})
	}
	ok, _, err := s.hasher.Verify(ctx, pw, hashes[0])
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"password": ErrWrongPassword})
	}
	return nil
}

// Factors is what the factors page shows of an account: the SMS code, always, and each factor
// added.
type Factors struct {
	Phone    string // the phone the SMS code goes to; empty if none
	TOTP     *TOTP  // nil: no authenticator app
	Passkeys []Passkey
	Recovery RecoveryCodes
	// PasskeysAvailable says whether passkeys can be added at the site's address.
	PasskeysAvailable bool
}

// FactorsOf returns the account's factors.
func (s *Service) FactorsOf(ctx context.Context, a *Account) (*Factors, error) {
	out := &Factors{Phone: a.Phone, PasskeysAvailable: s.PasskeysAvailable()}
	var err error
	if out.TOTP, err = s.totpOf(ctx, nil, a.ID); err != nil {
		return nil, err
	}
	if out.Passkeys, err = s.Passkeys(ctx, a.ID); err != nil {
		return nil, err
	}
	if out.Recovery, err = s.recoveryCodes(ctx, nil, a.ID); err != nil {
		return nil, err
	}
	return out, nil
}

var errNoSuchFactor = errs.E(errs.NotFound, "id.factors.not_found", errors.New("id: no such factor"))

// RemoveFactor removes a factor of the account — its authenticator app (method totp), one
// passkey (webauthn, with the passkey's id) or all its recovery codes (recovery) — once the
// current password is confirmed. The last factor of an account with no phone stays: such an
// account could not sign in.
func (s *Service) RemoveFactor(ctx context.Context, r *http.Request, a *Account, method, id, pw string) error {
	if err := s.confirmPassword(ctx, nil, a.ID, pw); err != nil {
		return err
	}
	if a.Phone == "" {
		methods, err := s.methods(ctx, a)
		if err != nil {
			return err
		}
		if len(methods) < 2 {
			return errs.E(errs.Conflict, "id.factors.last", errors.New("id: the account's last factor"))
		}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var q string
		args := []any{a.ID}
		switch method {
		case MethodTOTP:
			q = `DELETE FROM id_totp WHERE account_id = $1`
		case MethodWebAuthn:
			q, args = `DELETE FROM id_webauthn WHERE account_id = $1 AND id = $2`, append(args, id)
		case MethodRecovery:
			q = `DELETE FROM id_recovery_codes WHERE account_id = $1`
		default:
			return errNoSuchFactor
		}
		if method == MethodTOTP {
			t, err := s.totpOf(ctx, tx, a.ID)
			if err != nil {
				return err
			}
			if t == nil {
				return errNoSuchFactor
			}
			id = t.ID
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoSuchFactor
		}
		return s.recordFactor(ctx, tx, r, a, ActionFactorRemoved, method, id)
	})
}
