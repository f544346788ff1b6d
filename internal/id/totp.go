package id

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/seal"
)

// An authenticator app (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, a new code every 30 seconds),
// one per account. Its secret is sealed; a code is accepted within one step either way of the
// server's clock, and once only: the step of the last code accepted is kept and a code of
// that step or an earlier one is refused.
//
//	StartTOTP ──flow "factor" holding a new secret──▶ page: the QR code and the secret as text
//	ConfirmTOTP(the app's code) ──right──▶ the factor (journaled, the owner told)

const (
	totpPeriod     = 30
	totpSkew       = 1
	totpSecretSize = 20 // 160 bits, as RFC 4226 recommends
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var (
	totpTable  = seal.Table{Name: "id_totp", Key: "id", Sealed: []string{"secret"}}
	totpSecret = totpTable.Column("secret")
)

var (
	errTOTPWrong = errs.E(errs.Invalid, "id.totp.wrong", errors.New("id: a wrong authenticator code"))
	errTOTPUsed  = errs.E(errs.Invalid, "id.totp.used", errors.New("id: an authenticator code used already"))
	errTOTPTaken = errs.E(errs.Conflict, "id.totp.exists", errors.New("id: the account has an authenticator app already"))
)

// TOTPEnrolment is an authenticator app being added: what the page shows to set it up.
type TOTPEnrolment struct {
	Flow   *Flow
	Secret string // base32, for typing into the app by hand
	URL    string // otpauth://totp/…, what the QR code holds
}

// StartTOTP begins adding an authenticator app to the account: a new secret, kept sealed in
// a flow until a code from the app confirms it. An account that has one already is
// errs.Conflict "id.totp.exists" (remove it first).
func (s *Service) StartTOTP(ctx context.Context, a *Account) (*TOTPEnrolment, error) {
	if t, err := s.totpOf(ctx, nil, a.ID); err != nil {
		return nil, err
	} else if t != nil {
		return nil, errTOTPTaken
	}
	raw := make([]byte, totpSecretSize)
	rand.Read(raw)
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	f, err := s.startFlow(ctx, nil, FlowFactor, MethodTOTP, a.ID, map[string]string{"secret": secret}, factorTTL)
	if err != nil {
		return nil, err
	}
	return s.totpEnrolment(f, a, secret)
}

// TOTPFlow returns the enrolment of the account that the token names.
func (s *Service) TOTPFlow(ctx context.Context, a *Account, token string) (*TOTPEnrolment, error) {
	f, err := s.factorFlow(ctx, nil, a, MethodTOTP, token)
	if err != nil {
		return nil, err
	}
	f.Token = token
	return s.totpEnrolment(f, a, f.Data["secret"])
}

func (s *Service) totpEnrolment(f *Flow, a *Account, secret string) (*TOTPEnrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("id: the secret of flow %s: %w", f.ID, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: i18n.Default().Printer(i18n.RU).T("layout.service_name"),
		AccountName: accountLabel(a), Period: totpPeriod, Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Flow: f, Secret: secret, URL: key.URL()}, nil
}

// accountLabel is how an authenticator app or a passkey names the account to its owner: the
// e-mail address, else the phone.
func accountLabel(a *Account) string {
	if a.Email != "" {
		return a.Email
	}
	return a.Phone
}

// factorFlow returns the enrolment flow of the account in state (a method) that token names.
func (s *Service) factorFlow(ctx context.Context, x db.Querier, a *Account, state, token string) (*Flow, error) {
	f, err := s.flow(ctx, x, FlowFactor, token)
	if err != nil {
		return nil, err
	}
	if f.AccountID != a.ID || f.State != state {
		return nil, ErrFlowGone
	}
	return f, nil
}

// ConfirmTOTP checks a code from the app being added and, if right, adds it: the code's step
// is recorded, so that the same code does not sign in next. A wrong code is the field error
// "code".
func (s *Service) ConfirmTOTP(ctx context.Context, r *http.Request, a *Account, token, code string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		f, err := s.factorFlow(ctx, tx, a, MethodTOTP, token)
		if err != nil {
			return err
		}
		step, ok := s.totpStep(f.Data["secret"], code, 0)
		if !ok {
			return errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"code": errTOTPWrong})
		}
		if t, err := s.totpOf(ctx, tx, a.ID); err != nil {
			return err
		} else if t != nil {
			return errTOTPTaken
		}
		id, now := db.NewID(), s.now().UTC()
		_, err = tx.ExecContext(ctx, `INSERT INTO id_totp (id, account_id, secret, last_step, created_at)
			VALUES ($1, $2, $3, $4, $5)`, id, a.ID, s.box.SealString(totpSecret, id, f.Data["secret"]), step, now)
		if db.IsUniqueViolation(err) {
			return errTOTPTaken
		}
		if err != nil {
			return fmt.Errorf("id: store totp: %w", err)
		}
		if err := s.endFlow(ctx, tx, f); err != nil {
			return err
		}
		return s.recordFactor(ctx, tx, r, a, ActionFactorAdded, MethodTOTP, id)
	})
}

// totpStep finds the time step, within the skew of now and later than after, whose code is
// code; ok is false if there is none. The code may be typed with spaces ("123 456").
func (s *Service) totpStep(secret, code string, after int64) (step int64, ok bool) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != int(otp.DigitsSix) {
		return 0, false
	}
	now := s.now().Unix() / totpPeriod
	for st := now + totpSkew; st >= now-totpSkew; st-- {
		if st <= after {
			break
		}
		if ok, _ := totp.ValidateCustom(code, secret, time.Unix(st*totpPeriod, 0), totpOpts); ok {
			return st, true
		}
	}
	return 0, false
}

// TOTP is an account's authenticator app, as the factors page shows it.
type TOTP struct {
	ID         string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: not used to sign in yet
	secret     string
	lastStep   int64
}

// totpOf returns the account's authenticator app, or nil.
func (s *Service) totpOf(ctx context.Context, x db.Querier, accountID string) (*TOTP, error) {
	if x == nil {
		x = s.db.Reader()
	}
	t := &TOTP{}
	var secret seal.Sealed
	var used sql.NullTime
	err := x.QueryRowContext(ctx, `SELECT id, secret, last_step, created_at, last_used_at FROM id_totp WHERE account_id = $1`,
		accountID).Scan(&t.ID, &secret, &t.lastStep, &t.CreatedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.secret, err = s.box.OpenString(totpSecret, t.ID, secret); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt = t.CreatedAt.UTC(), used.Time.UTC()
	return t, nil
}

// totpFactor is the authenticator app as a sign-in's second factor.
type totpFactor struct{ s *Service }

func (totpFactor) Method() string { return MethodTOTP }

func (f totpFactor) Enrolled(ctx context.Context, a *Account) (bool, error) {
	t, err := f.s.totpOf(ctx, nil, a.ID)
	return t != nil, err
}

// Check accepts a code of a step later than the last one accepted, and records its step in
// the same statement, so that two sign-ins racing with one code cannot both pass.
func (f totpFactor) Check(ctx context.Context, _ *Flow, a *Account, answer string) error {
	s := f.s
	t, err := s.totpOf(ctx, nil, a.ID)
	if err != nil {
		return err
	}
	if t == nil {
		return errs.E(errs.Invalid, "id.no_factor", errors.New("id: no authenticator app"))
	}
	step, ok := s.totpStep(t.secret, answer, t.lastStep)
	if !ok {
		if _, used := s.totpStep(t.secret, answer, 0); used {
			return errTOTPUsed
		}
		return errTOTPWrong
	}
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE id_totp SET last_step = $2, last_used_at = $3
		WHERE id = $1 AND last_step < $2`, t.ID, step, s.now().UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errTOTPUsed
	}
	return nil
}
