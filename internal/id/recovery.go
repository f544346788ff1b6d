package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/ruid"
)

// Password recovery («Забыли пароль?»): a code to the account's phone or e-mail, whichever the
// person typed, then a new password under the policy. Setting it ends every session of the
// account, runs the OnRecovered hooks (the sign-in lock is lifted, remembered devices are
// forgotten) and alerts the owner on every channel.
//
//	StartRecovery(contact) ──code sent──▶ "code" ──ConfirmRecovery(code)──▶ "password"
//	    ──FinishRecovery(password)──▶ new password, sessions revoked, alert
//
// A contact that names no account gets the same answer after the same work: a flow is made, a
// code is stored, and its message is rehearsed (notify.Rehearse: rendered, counted against the
// address's limits, stored and rolled back), so that nothing is sent; whatever is typed into
// the flow is simply a wrong code.

// recoveryTTL is how long a recovery may take from the contact to the new password (each code
// lives CodeValidFor within it).
const recoveryTTL = 15 * time.Minute

// stateCode is a flow waiting for the code sent to a contact (recovery, contact change).
const stateCode = "code"

// Recovery is a password recovery in progress.
type Recovery struct {
	Flow    *Flow
	Channel notify.Channel // where the code went: SMS or e-mail
	To      string         // the phone or address the code went to, as ruid writes it
}

// Recovered is what a finished recovery did.
type Recovered struct {
	AccountID       string
	SessionsRevoked int
	// AddFactor: the account signs in with the SMS code only, so the result page offers a
	// stronger factor (an authenticator app or a passkey).
	AddFactor bool
}

// recoveryContact reads what the person typed as a phone (SMS) or, with an @, an e-mail
// address. The general e-mail check applies, not the strict one: it is only looked up.
func recoveryContact(contact string) (notify.Channel, string, error) {
	contact = strings.TrimSpace(contact)
	if contact == "" {
		return "", "", errs.E(errs.Invalid, "id.recovery.contact_empty", errors.New("id: no contact"))
	}
	if strings.Contains(contact, "@") {
		v, err := ruid.Email(contact)
		return notify.Email, v, err
	}
	v, err := ruid.MobilePhone(contact)
	return notify.SMS, v, err
}

// StartRecovery sends a code to the phone or e-mail address typed, if an account has it;
// the answer is the same if none has.
func (s *Service) StartRecovery(ctx context.Context, r *http.Request, contact, lang string) (*Recovery, error) {
	channel, to, err := recoveryContact(contact)
	if err != nil {
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"contact": err})
	}
	a, err := s.accountByContact(ctx, channel, to)
	if err != nil && !errors.Is(err, ErrNoAccount) {
		return nil, err
	}
	rec := &Recovery{Channel: channel, To: to}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The code goes to the account's own spelling of the contact; the person is shown
		// theirs ("to"), whatever the account has, so that the page tells nothing.
		accountID, address := "", to
		if a != nil {
			accountID, address = a.ID, a.Email
			if channel == notify.SMS {
				address = a.Phone
			}
		}
		var err error
		rec.Flow, err = s.startFlow(ctx, tx, FlowRecovery, stateCode, accountID, map[string]string{"channel": string(channel),
			"to": to, "address": address, "lang": lang}, recoveryTTL)
		if err != nil {
			return err
		}
		if err := s.sendRecoveryCode(ctx, tx, rec); err != nil {
			return err
		}
		e := Event{Action: ActionRecoveryStarted, AccountID: accountID, Outcome: audit.Success,
			Details: map[string]string{"channel": string(channel)}}
		if a == nil {
			e.Outcome, e.Details["reason"] = audit.Failure, "unknown_contact"
		}
		return s.record(ctx, tx, r, e)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// accountByContact finds the account whose phone (SMS) or e-mail address is to.
func (s *Service) accountByContact(ctx context.Context, channel notify.Channel, to string) (*Account, error) {
	if channel == notify.SMS {
		return s.accountByIndex(ctx, nil, phoneIndex, to)
	}
	return s.accountByIndex(ctx, nil, emailIndex, to)
}

// sendRecoveryCode sends the flow's code, in tx, or — for a contact no account has — stores one
// that nobody receives and rehearses its message, so that both cost the same and meet the
// same limits.
func (s *Service) sendRecoveryCode(ctx context.Context, tx *sql.Tx, rec *Recovery) error {
	to := notify.Recipient{Lang: rec.Flow.Data["lang"]}
	if rec.Channel == notify.SMS {
		to.Phone = rec.Flow.Data["address"]
	} else {
		to.Email = rec.Flow.Data["address"]
	}
	if rec.Flow.AccountID != "" {
		return s.sendCode(ctx, tx, rec.Flow, CodeRecovery, rec.Channel, to)
	}
	code, err := s.issueCode(ctx, tx, rec.Flow, CodeRecovery, rec.Channel)
	if err != nil {
		return err
	}
	return s.notify.Rehearse(ctx, tx, codeMessage(CodeRecovery, rec.Channel, to, code))
}

// RecoveryFlow returns the recovery the token names.
func (s *Service) RecoveryFlow(ctx context.Context, token string) (*Recovery, error) {
	f, err := s.flow(ctx, nil, FlowRecovery, token)
	if err != nil {
		return nil, err
	}
	f.Token = token
	return &Recovery{Flow: f, Channel: notify.Channel(f.Data["channel"]), To: f.Data["to"]}, nil
}

// SendRecoveryCode sends the recovery's code again; no sooner than a minute after the last.
func (s *Service) SendRecoveryCode(ctx context.Context, token string) error {
	rec, err := s.RecoveryFlow(ctx, token)
	if err != nil {
		return err
	}
	if rec.Flow.State != stateCode {
		return ErrFlowGone
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.sendRecoveryCode(ctx, tx, rec) })
}

// ConfirmRecovery checks the code; a right one moves on to the new password. A wrong one is
// the field error "code"; an administrator's block is told only now, to whoever holds the
// contact.
func (s *Service) ConfirmRecovery(ctx context.Context, token, code string) (*Recovery, error) {
	rec, err := s.RecoveryFlow(ctx, token)
	if err != nil {
		return nil, err
	}
	if rec.Flow.State == statePassword {
		return rec, nil // confirmed already (a repeated submission)
	}
	if rec.Flow.State != stateCode {
		return nil, ErrFlowGone
	}
	verdict := s.checkCode(ctx, rec.Flow, CodeRecovery, rec.Channel, strings.TrimSpace(code))
	if verdict == nil && rec.Flow.AccountID == "" {
		// A code nobody was sent cannot be right, even if a guess matched it.
		verdict = errs.E(errs.Invalid, "id.code_wrong", errors.New("id: a wrong code"))
	}
	if verdict != nil {
		if errs.KindOf(verdict) == errs.Other {
			return nil, verdict
		}
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"code": verdict})
	}
	// The contact must still be the account's (it may have been changed meanwhile).
	a, err := s.accountByContact(ctx, rec.Channel, rec.To)
	if errors.Is(err, ErrNoAccount) || err == nil && a.ID != rec.Flow.AccountID {
		return nil, ErrFlowGone
	}
	if err != nil {
		return nil, err
	}
	if a.Status == Blocked {
		return nil, errs.E(errs.Forbidden, "id.account_blocked", errors.New("id: the account is blocked"))
	}
	rec.Flow.State = statePassword
	if err := s.advanceFlow(ctx, s.db.Writer(), rec.Flow, stateCode); err != nil {
		return nil, err
	}
	return rec, nil
}

// errPasswordReused refuses a new password that is one of the account's last ones.
var errPasswordReused = errs.E(errs.Invalid, "id.recovery.password_reused", errors.New("id: a recent password again"))

// reusesPassword reports whether pw is one of the passwords the account keeps (the current
// one and those before it: PasswordHistory).
func (s *Service) reusesPassword(ctx context.Context, accountID, pw string) (bool, error) {
	hashes, _, err := s.passwords(ctx, nil, accountID)
	if err != nil {
		return false, err
	}
	for _, h := range hashes {
		ok, _, err := s.hasher.Verify(ctx, pw, h)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// passwordFacts are what a new password of the account must not contain.
func passwordFacts(a *Account) password.Facts {
	f := password.Facts{Phone: a.Phone, Email: a.Email}
	for _, n := range []string{a.Profile.LastName, a.Profile.FirstName, a.Profile.MiddleName} {
		if n != "" {
			f.Names = append(f.Names, n)
		}
	}
	return f
}

// FinishRecovery sets the new password and, in the same transaction, ends every session of
// the account, runs the OnRecovered hooks, journals the recovery and alerts the owner. An
// account waiting for its contacts to be confirmed is active again: the code just confirmed
// one. The person then signs in with the new password.
func (s *Service) FinishRecovery(ctx context.Context, r *http.Request, token, pw string) (*Recovered, error) {
	rec, err := s.RecoveryFlow(ctx, token)
	if err != nil {
		return nil, err
	}
	if rec.Flow.State != statePassword || rec.Flow.AccountID == "" {
		return nil, ErrFlowGone
	}
	a, err := s.Account(ctx, rec.Flow.AccountID)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(pw, passwordFacts(a)); err != nil {
		return nil, err
	}
	if reused, err := s.reusesPassword(ctx, a.ID, pw); err != nil {
		return nil, err
	} else if reused {
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"password": errPasswordReused})
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	done := &Recovered{AccountID: a.ID}
	if methods, err := s.methods(ctx, a); err == nil {
		done.AddFactor = len(methods) == 1 && methods[0] == MethodSMS
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The flow is taken first, so that two submissions cannot both set a password.
		rec.Flow.State = "done"
		if err := s.advanceFlow(ctx, tx, rec.Flow, statePassword); err != nil {
			return err
		}
		now := s.now().UTC()
		if err := addPassword(ctx, tx, a.ID, hash, now); err != nil {
			return err
		}
		var err error
		if done.SessionsRevoked, err = s.revokeAll(ctx, tx, a.ID, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE id_accounts SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4`,
			a.ID, string(Active), now, string(Unconfirmed)); err != nil {
			return err
		}
		if err := s.recovered(ctx, tx, a.ID); err != nil {
			return err
		}
		if err := s.endFlow(ctx, tx, rec.Flow); err != nil {
			return err
		}
		if err := s.record(ctx, tx, r, Event{Action: ActionRecovered, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"channel": string(rec.Channel), "sessions_revoked_count": strconv.Itoa(done.SessionsRevoked)}}); err != nil {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Kind: notify.AccountChanged,
			To:   notify.Recipient{AccountID: a.ID, Phone: a.Phone, Email: a.Email, Lang: a.Lang},
			Data: map[string]any{"Change": "recovered", "Time": now.In(i18n.Moscow)}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}
