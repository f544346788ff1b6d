package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
)

// Sign-in is a login and a password, then a second factor, always (the seeds: an account
// «должна быть подтверждена двухфакторной аутентификацией»): the SMS code to the confirmed
// phone by default, or a factor the owner has enrolled (SecondFactor).
//
//	StartSignIn(login, password) ──right──▶ flow "factor" ──FinishSignIn(method, answer)──▶ session
//	        │ wrong: "id.signin_wrong" (the same for an unknown login, at the same cost)
//	        │ locked, too many, CAPTCHA first: their own errors (throttle.go), before any check
//	        └ blocked, unconfirmed: their own errors

// signInTTL is how long a sign-in waits for its second factor.
const signInTTL = 10 * time.Minute

// Sign-in states.
const stateFactor = "factor"

// SecondFactor is a way to complete a sign-in after the password: the SMS code is built in;
// TOTP, passkeys and recovery codes register themselves with Service.AddFactor.
type SecondFactor interface {
	// Method names it in the API and on pages: sms, totp, webauthn, recovery.
	Method() string
	// Enrolled reports whether the account can use it.
	Enrolled(ctx context.Context, a *Account) (bool, error)
	// Check verifies the answer (a code, an assertion) for the flow; a wrong one is an errs
	// error with its own message id.
	Check(ctx context.Context, f *Flow, a *Account, answer string) error
}

// AddFactor makes a second factor available to sign-ins.
func (s *Service) AddFactor(f SecondFactor) { s.factors = append(s.factors, f) }

// SignIn is a sign-in waiting for its second factor.
type SignIn struct {
	Flow    *Flow
	Account *Account
	Methods []string // the factors the account can use, the default first

	// Session is set, with its token, instead of Flow when no factor is needed: a citizen's
	// remembered device (device.go).
	Session      *Session
	SessionToken string
}

// ErrWrongLogin is the answer to a login that names no account or a wrong password: the same
// message for both, so that nobody learns which logins exist.
var ErrWrongLogin = errs.E(errs.Invalid, "id.signin_wrong", errors.New("id: wrong login or password"))

// SignInForm is what a person gives to sign in: the login and the password, and the answer
// to the CAPTCHA when one was asked (CaptchaError).
type SignInForm struct {
	Login, Password string
	CaptchaID       string // the challenge's id
	Captcha         string // its digits as typed
}

// StartSignIn checks a login and password without a CAPTCHA's answer (SignInWith).
func (s *Service) StartSignIn(ctx context.Context, r *http.Request, login, pw string) (*SignIn, error) {
	return s.SignInWith(ctx, r, SignInForm{Login: login, Password: pw})
}

// SignInWith checks a login and password, throttled (throttle.go): a locked login is
// "id.signin_locked" (LockedError), too many attempts from one address "id.signin_too_many",
// and a CAPTCHA, when asked, must be answered first (CaptchaError). A right password starts the
// second step: the flow waits for a factor, and the SMS code, the default, is sent at once if
// the account has nothing else. An unknown login costs the same time as a wrong password and
// is counted, locked and answered the same.
func (s *Service) SignInWith(ctx context.Context, r *http.Request, form SignInForm) (*SignIn, error) {
	a, err := s.AccountByLogin(ctx, nil, form.Login)
	if err != nil && !errors.Is(err, ErrNoAccount) {
		return nil, err
	}
	keys := s.signInKeys(r, form.Login)
	at, err := s.admit(ctx, keys, form, true)
	if err != nil {
		return nil, err
	}
	ok, weaker, err := s.checkPassword(ctx, a, form.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		if a == nil {
			return nil, s.signInFailed(ctx, r, at, "", map[string]string{"reason": "unknown_login"}, ErrWrongLogin)
		}
		return nil, s.signInFailed(ctx, r, at, a.ID, map[string]string{"reason": "wrong_password"}, ErrWrongLogin)
	}
	if err := accountMaySignIn(a); err != nil {
		err2 := s.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := s.refund(ctx, tx, at); err != nil {
				return err
			}
			return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: a.ID, Outcome: audit.Denied,
				Details: map[string]string{"reason": string(a.Status)}})
		})
		if err2 != nil {
			return nil, err2
		}
		return nil, err
	}
	if si, err := s.deviceSignIn(ctx, r, a); si != nil || err != nil {
		return si, err
	}
	if weaker {
		s.rehash(ctx, a.ID, form.Password)
	}
	methods, err := s.methods(ctx, a)
	if err != nil {
		return nil, err
	}
	var f *Flow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.refund(ctx, tx, at); err != nil {
			return err
		}
		var err error
		// The flow remembers the login's counter: a wrong second factor counts against it.
		if f, err = s.startFlow(ctx, tx, FlowSignIn, stateFactor, a.ID, map[string]string{"login_key": keys.login}, signInTTL); err != nil {
			return err
		}
		if methods[0] == MethodSMS {
			return s.sendCode(ctx, tx, f, CodeSignIn, notify.SMS, notify.Recipient{Phone: a.Phone, Lang: a.Lang})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SignIn{Flow: f, Account: a, Methods: methods}, nil
}

// checkPassword verifies pw against the account's password; with no account (or no
// password), against a dummy hash, at the same cost.
func (s *Service) checkPassword(ctx context.Context, a *Account, pw string) (ok, weaker bool, err error) {
	var hashes []string
	if a != nil {
		if hashes, _, err = s.passwords(ctx, nil, a.ID); err != nil {
			return false, false, err
		}
	}
	if len(hashes) == 0 {
		s.hasher.Dummy(ctx, pw)
		return false, false, nil
	}
	return s.hasher.Verify(ctx, pw, hashes[0])
}

// accountMaySignIn refuses a blocked or unconfirmed account with its own error: a blocked
// one carries the administrator's reason (BlockedError).
func accountMaySignIn(a *Account) error {
	switch a.Status {
	case Blocked:
		return errs.E(errs.Forbidden, "id.account_blocked", &BlockedError{Code: a.BlockCode, Note: a.BlockNote})
	case Unconfirmed:
		return errs.E(errs.Forbidden, "id.account_unconfirmed", errors.New("id: the account needs confirmation"))
	}
	return nil
}

// BlockedError says why an administrator blocked the account: Code is one of BlockReasons
// (its text is the catalog's "id.block_reason.<code>"), Note the administrator's own words for
// the owner, if any. The owner learns it only after giving the right password.
type BlockedError struct {
	Code, Note string
}

func (e *BlockedError) Error() string { return "id: the account is blocked (" + e.Code + ")" }

// rehash stores the password again under the hasher's current parameters (best effort: the
// old hash still works).
func (s *Service) rehash(ctx context.Context, accountID, pw string) {
	h, err := s.hasher.Hash(ctx, pw)
	if err == nil {
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE id_passwords SET hash = $2 WHERE account_id = $1 AND seq =
				(SELECT MAX(seq) FROM id_passwords WHERE account_id = $1)`, accountID, h)
			return err
		})
	}
	if err != nil {
		s.log.Warn("id: cannot upgrade a password hash", "account", accountID, "err", err)
	}
}

// MethodSMS is the built-in second factor: a code to the account's confirmed phone.
const MethodSMS = "sms"

// methods lists the factors the account can use: enrolled ones first (stronger than SMS),
// then SMS if the account has a phone, then the fallbacks (recovery codes).
func (s *Service) methods(ctx context.Context, a *Account) ([]string, error) {
	var out, late []string
	for _, f := range s.factors {
		ok, err := f.Enrolled(ctx, a)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if fb, is := f.(fallback); is && fb.fallback() {
			late = append(late, f.Method())
		} else {
			out = append(out, f.Method())
		}
	}
	if a.Phone != "" {
		out = append(out, MethodSMS)
	}
	out = append(out, late...)
	if len(out) == 0 {
		return nil, errs.E(errs.Forbidden, "id.no_factor", errors.New("id: the account has no second factor"))
	}
	return out, nil
}

// SignInFlow returns the sign-in waiting for a factor that the token names.
func (s *Service) SignInFlow(ctx context.Context, token string) (*SignIn, error) {
	f, err := s.flow(ctx, nil, FlowSignIn, token)
	if err != nil {
		return nil, err
	}
	if f.State != stateFactor {
		return nil, ErrFlowGone
	}
	a, err := s.Account(ctx, f.AccountID)
	if err != nil {
		return nil, err
	}
	methods, err := s.methods(ctx, a)
	if err != nil {
		return nil, err
	}
	return &SignIn{Flow: f, Account: a, Methods: methods}, nil
}

// SendSignInCode sends (again) the SMS code of a sign-in; no sooner than a minute after the last.
func (s *Service) SendSignInCode(ctx context.Context, token string) error {
	si, err := s.SignInFlow(ctx, token)
	if err != nil {
		return err
	}
	if si.Account.Phone == "" {
		return errs.E(errs.Invalid, "id.no_factor", errors.New("id: no phone"))
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.sendCode(ctx, tx, si.Flow, CodeSignIn, notify.SMS, notify.Recipient{Phone: si.Account.Phone, Lang: si.Account.Lang})
	})
}

// FinishSignIn checks the second factor of a sign-in and, if right, starts the session and
// returns it with its token (for SetSessionCookie or the app's bearer token). A wrong answer
// counts against the login the sign-in began with, as a wrong password does (a lock refuses
// the factor too); a session clears the failures of the account's logins.
func (s *Service) FinishSignIn(ctx context.Context, r *http.Request, token, method, answer string) (*Session, string, error) {
	si, err := s.SignInFlow(ctx, token)
	if err != nil {
		return nil, "", err
	}
	keys := signInKeys{login: si.Flow.Data["login_key"]}
	if keys.login == "" {
		keys.login = s.throttleKey(scopeLogin, "account:"+si.Account.ID)
	}
	at, err := s.admit(ctx, keys, SignInForm{}, false)
	if err != nil {
		return nil, "", err
	}
	if err := s.checkFactor(ctx, si, method, answer); err != nil {
		if errs.KindOf(err) == errs.Other { // a failure of ours, not a wrong answer
			return nil, "", errors.Join(err, s.db.Tx(ctx, func(tx *sql.Tx) error { return s.refund(ctx, tx, at) }))
		}
		return nil, "", s.signInFailed(ctx, r, at, si.Account.ID, map[string]string{"reason": "wrong_factor", "method": method}, err)
	}
	if err := s.holdExpired(ctx, si, method); err != nil {
		// ErrPasswordExpired: a new password first (passwords.go). The factor was right, so
		// the attempt does not count against the login.
		if rerr := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.refund(ctx, tx, at) }); rerr != nil {
			return nil, "", rerr
		}
		return nil, "", err
	}
	var ss *Session
	var st string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.clearSignIn(ctx, tx, si.Account.ID, keys.login); err != nil {
			return err
		}
		var err error
		if ss, st, err = s.startSessionOnDevice(ctx, tx, si.Account, method, r, true); err != nil {
			return err
		}
		if err := s.endFlow(ctx, tx, si.Flow); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: si.Account.ID, Outcome: audit.Success,
			Details: map[string]string{"method": method, "session": ss.ID}})
	})
	if err != nil {
		return nil, "", err
	}
	return ss, st, nil
}

func (s *Service) checkFactor(ctx context.Context, si *SignIn, method, answer string) error {
	if method == MethodSMS && si.Account.Phone != "" {
		return s.checkCode(ctx, si.Flow, CodeSignIn, notify.SMS, answer)
	}
	for _, f := range s.factors {
		if f.Method() == method {
			if ok, err := f.Enrolled(ctx, si.Account); err != nil || !ok {
				break
			}
			return f.Check(ctx, si.Flow, si.Account, answer)
		}
	}
	return errs.E(errs.Invalid, "id.no_factor", errors.New("id: the account cannot sign in with "+method))
}
