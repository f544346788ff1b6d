package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/ruid"
)

// Registration: a mobile phone and an e-mail address, each confirmed by a code, the consent
// to processing personal data, then a password; the account is упрощённая.
//
//	StartRegistration(phone, email, consent) ──codes sent to both──▶ "codes"
//	ConfirmRegistration(phone code, email code) ──both right──▶ "password"
//	FinishRegistration(password) ──▶ account + session
//
// A phone or address that another account has gets the same answer as a free one until the
// codes are confirmed (nobody learns which contacts are registered without owning one); then
// the answer is "id.contact_taken", with the way to sign in or recover.

// ConsentVersion is the version of the consent text a registration accepts (152-ФЗ); the
// text itself is the catalog message "id.consent.text".
const ConsentVersion = "pd-v1"

const registerTTL = 30 * time.Minute

// Registration states.
const (
	stateCodes    = "codes"
	statePassword = "password"
)

// Registration is a registration in progress.
type Registration struct {
	Flow  *Flow
	Phone string
	Email string
}

// PhoneConfirmed and EmailConfirmed report whether that contact's code was right already.
func (r *Registration) PhoneConfirmed() bool { return r.Flow.Data["phone_ok"] != "" }

// EmailConfirmed: see PhoneConfirmed.
func (r *Registration) EmailConfirmed() bool { return r.Flow.Data["email_ok"] != "" }

// RegistrationForm is what a person fills in to register.
type RegistrationForm struct {
	Phone, Email string
	Consent      bool
	Lang         string
}

// FieldErrors are the fields of a form a person must fix, each with its message id (and the
// ruid error, when one says more).
type FieldErrors map[string]error

func (f FieldErrors) Error() string { return "id: the form has mistakes" }

// StartRegistration checks the form and sends a code to each contact.
func (s *Service) StartRegistration(ctx context.Context, r *http.Request, form RegistrationForm) (*Registration, error) {
	bad := FieldErrors{}
	phone, err := ruid.MobilePhone(form.Phone)
	if err != nil {
		bad["phone"] = err
	}
	email, err := ruid.EmailLatin(form.Email) // the forms' rule: Latin letters and digits
	if err != nil {
		bad["email"] = err
	}
	if !form.Consent {
		bad["consent"] = errs.E(errs.Invalid, "id.register.consent_needed", nil)
	}
	if len(bad) > 0 {
		return nil, errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	reg := &Registration{Phone: phone, Email: email}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		reg.Flow, err = s.startFlow(ctx, tx, FlowRegister, stateCodes, "", map[string]string{"phone": phone, "email": email,
			"lang": form.Lang}, registerTTL)
		if err != nil {
			return err
		}
		if err := s.sendCode(ctx, tx, reg.Flow, CodeRegister, notify.SMS, notify.Recipient{Phone: phone, Lang: form.Lang}); err != nil {
			return err
		}
		return s.sendCode(ctx, tx, reg.Flow, CodeRegister, notify.Email, notify.Recipient{Email: email, Lang: form.Lang})
	})
	if err != nil {
		return nil, err
	}
	return reg, nil
}

// RegistrationFlow returns the registration the token names.
func (s *Service) RegistrationFlow(ctx context.Context, token string) (*Registration, error) {
	f, err := s.flow(ctx, nil, FlowRegister, token)
	if err != nil {
		return nil, err
	}
	return &Registration{Flow: f, Phone: f.Data["phone"], Email: f.Data["email"]}, nil
}

// ConfirmRegistration checks the two codes; both right moves on to the password. A contact
// another account has is "id.contact_taken" here, once its owner has shown to hold it.
func (s *Service) ConfirmRegistration(ctx context.Context, token, phoneCode, emailCode string) (*Registration, error) {
	reg, err := s.RegistrationFlow(ctx, token)
	if err != nil {
		return nil, err
	}
	if reg.Flow.State != stateCodes {
		return reg, nil // confirmed already (a repeated submission)
	}
	// Each contact is confirmed once: a right code is remembered, so that a mistake in the
	// other asks for that one only.
	bad := FieldErrors{}
	for _, c := range []struct {
		field, done string
		channel     notify.Channel
		code        string
	}{{"phone_code", "phone_ok", notify.SMS, phoneCode}, {"email_code", "email_ok", notify.Email, emailCode}} {
		if reg.Flow.Data[c.done] != "" {
			continue
		}
		if err := s.checkCode(ctx, reg.Flow, CodeRegister, c.channel, c.code); err != nil {
			bad[c.field] = err
			continue
		}
		reg.Flow.Data[c.done] = "1"
	}
	if len(bad) > 0 {
		if err := s.advanceFlow(ctx, s.db.Writer(), reg.Flow, stateCodes); err != nil { // keep what was confirmed
			return nil, err
		}
		return nil, errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	for _, c := range []struct{ login string }{{reg.Phone}, {reg.Email}} {
		if _, err := s.AccountByLogin(ctx, nil, c.login); err == nil {
			return nil, errs.E(errs.Conflict, "id.contact_taken", errors.New("id: a contact belongs to another account"))
		}
	}
	reg.Flow.State = statePassword
	if err := s.advanceFlow(ctx, s.db.Writer(), reg.Flow, stateCodes); err != nil {
		return nil, err
	}
	return reg, nil
}

// PasswordErrors lists every rule a new password breaks.
type PasswordErrors []password.Violation

func (p PasswordErrors) Error() string { return "id: the password breaks the policy" }

// checkPassword applies the policy to a new password of an account with these facts.
func checkPassword(pw string, facts password.Facts) error {
	if v := password.Check(pw, facts); len(v) > 0 {
		return errs.E(errs.Invalid, "id.password_weak", PasswordErrors(v))
	}
	return nil
}

// FinishRegistration sets the password and creates the account (упрощённая), signed in at
// once: both contacts were just confirmed, which is the second factor.
func (s *Service) FinishRegistration(ctx context.Context, r *http.Request, token, pw string) (*Account, *Session, string, error) {
	reg, err := s.RegistrationFlow(ctx, token)
	if err != nil {
		return nil, nil, "", err
	}
	if reg.Flow.State != statePassword {
		return nil, nil, "", ErrFlowGone
	}
	if err := checkPassword(pw, password.Facts{Phone: reg.Phone, Email: reg.Email}); err != nil {
		return nil, nil, "", err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return nil, nil, "", err
	}
	var a *Account
	var ss *Session
	var st string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = s.createAccount(ctx, tx, NewAccount{Role: Citizen, Phone: reg.Phone, Email: reg.Email, Lang: reg.Flow.Data["lang"],
			ConsentVersion: ConsentVersion, PasswordHash: hash})
		if err != nil {
			return err
		}
		if ss, st, err = s.startSessionOnDevice(ctx, tx, a, "registration", r, false); err != nil {
			return err
		}
		if err := s.endFlow(ctx, tx, reg.Flow); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionRegistered, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"consent": ConsentVersion, "session": ss.ID}})
	})
	if err != nil {
		return nil, nil, "", err
	}
	return a, ss, st, nil
}
