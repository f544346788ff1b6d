package id

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
)

// One-time codes: 6 digits, valid 5 minutes, 3 tries each, a new one no sooner than a minute
// after the last (the product's rules; the per-address limits of internal/notify apply on top).
const (
	CodeLength   = 6
	CodeValidFor = notify.CodeTTL
	CodeTries    = 3
	CodeResend   = time.Minute
)

// CodePurpose says what a code confirms.
type CodePurpose string

// The purposes of codes.
const (
	CodeRegister CodePurpose = "register" // a contact given at registration
	CodeSignIn   CodePurpose = "signin"   // the SMS second factor
	CodeRecovery CodePurpose = "recovery" // password recovery
	CodeContact  CodePurpose = "contact"  // a new contact of an account
)

// kind is the message that carries a code of the purpose.
func (p CodePurpose) kind() notify.KindName {
	switch p {
	case CodeSignIn:
		return notify.SigninCode
	case CodeRecovery:
		return notify.RecoveryCode
	}
	return notify.ConfirmCode
}

// codeWait refuses a new code asked too soon.
type codeWait struct{ wait time.Duration }

func (e *codeWait) Error() string {
	return fmt.Sprintf("id: a new code in %s", e.wait.Round(time.Second))
}
func (e *codeWait) RetryAfter() time.Duration { return e.wait }

// Minutes is the wait as people are told it (at least 1 second, in seconds).
func (e *codeWait) Seconds() int { return max(1, int((e.wait+time.Second-1)/time.Second)) }

func randomCode() string { return randomDigits(CodeLength) }

// randomDigits is n random decimal digits (n ≤ 18), leading zeros kept.
func randomDigits(n int) string {
	max := int64(1)
	for range n {
		max *= 10
	}
	v, _ := rand.Int(rand.Reader, big.NewInt(max))
	return fmt.Sprintf("%0*d", n, v.Int64())
}

func (s *Service) codeMAC(codeID, code string) []byte {
	return s.keyedDigest(purposeCode, codeID, code)
}

// keyedDigest is the digest of a secret (a code) bound to what it belongs to (id), under a key
// derived from the data key for purpose: what the database keeps instead of the secret.
func (s *Service) keyedDigest(purpose, id, secret string) []byte {
	m := hmac.New(streebog.New256, s.box.Ring().Derive(purpose))
	m.Write([]byte(id + "\x00" + secret))
	return m.Sum(nil)
}

// purposeCode keys the digests of one-time codes (a code issued just before a data-key
// rotation no longer verifies after it: the person asks for a new one).
const purposeCode = "sep id one-time code v1"

// sendCode makes a new code of the flow for purpose and sends it by channel to address, in
// tx. A code asked within a minute of the last is refused: errs.TooMany "id.code_too_soon"
// with the wait (Retry-After). The notifier's per-address limits refuse with their own error.
func (s *Service) sendCode(ctx context.Context, tx *sql.Tx, f *Flow, purpose CodePurpose, channel notify.Channel, to notify.Recipient) error {
	code, err := s.issueCode(ctx, tx, f, purpose, channel)
	if err != nil {
		return err
	}
	_, err = s.notify.Send(ctx, tx, codeMessage(purpose, channel, to, code))
	return err
}

func codeMessage(purpose CodePurpose, channel notify.Channel, to notify.Recipient, code string) notify.Message {
	return notify.Message{Kind: purpose.kind(), To: to, Channels: []notify.Channel{channel},
		Data: map[string]any{"Code": code, "ValidMinutes": int(CodeValidFor / time.Minute)}}
}

// issueCode stores a new code of the flow for purpose on channel, in tx, and returns it (no
// sooner than a minute after the last: see sendCode).
func (s *Service) issueCode(ctx context.Context, tx *sql.Tx, f *Flow, purpose CodePurpose, channel notify.Channel) (string, error) {
	now := s.now().UTC()
	var resendAt time.Time
	err := tx.QueryRowContext(ctx, `SELECT resend_at FROM id_codes WHERE flow_id = $1 AND purpose = $2 AND channel = $3
		ORDER BY created_at DESC LIMIT 1`, f.ID, string(purpose), string(channel)).Scan(&resendAt)
	switch {
	case err == nil && now.Before(resendAt):
		return "", errs.E(errs.TooMany, "id.code_too_soon", &codeWait{wait: resendAt.Sub(now)})
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	id, code := db.NewID(), randomCode()
	if _, err := tx.ExecContext(ctx, `INSERT INTO id_codes (id, flow_id, purpose, channel, code_mac, created_at, resend_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, f.ID, string(purpose), string(channel), s.codeMAC(id, code), now,
		now.Add(CodeResend), now.Add(CodeValidFor)); err != nil {
		return "", fmt.Errorf("id: store code: %w", err)
	}
	return code, nil
}

// checkCode checks a code typed for the flow's latest code of purpose on channel: a right one
// is used up; a wrong one costs a try ("id.code_wrong"); after the last try, or after 5
// minutes, the code is dead ("id.code_dead": ask for a new one). It commits in a transaction
// of its own, so that a wrong try counts whatever the caller does next.
func (s *Service) checkCode(ctx context.Context, f *Flow, purpose CodePurpose, channel notify.Channel, typed string) error {
	var verdict error
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		verdict, err = s.checkCodeTx(ctx, tx, f, purpose, channel, typed)
		return err
	})
	if err != nil {
		return err
	}
	return verdict
}

// checkCodeTx returns the verdict (nil: right) and an error of the database.
func (s *Service) checkCodeTx(ctx context.Context, tx *sql.Tx, f *Flow, purpose CodePurpose, channel notify.Channel, typed string) (verdict, err error) {
	now := s.now().UTC()
	var id string
	var mac []byte
	var tries int
	var expires time.Time
	var used sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT id, code_mac, tries, expires_at, used_at FROM id_codes
		WHERE flow_id = $1 AND purpose = $2 AND channel = $3 ORDER BY created_at DESC LIMIT 1`,
		f.ID, string(purpose), string(channel)).Scan(&id, &mac, &tries, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.Invalid, "id.code_dead", errors.New("id: no code was sent")), nil
	}
	if err != nil {
		return nil, err
	}
	if used.Valid || tries >= CodeTries || !now.Before(expires) {
		return errs.E(errs.Invalid, "id.code_dead", errors.New("id: the code is used, expired or out of tries")), nil
	}
	if len(typed) != CodeLength || !hmac.Equal(s.codeMAC(id, typed), mac) {
		if _, err := tx.ExecContext(ctx, `UPDATE id_codes SET tries = tries + 1 WHERE id = $1`, id); err != nil {
			return nil, err
		}
		if tries+1 >= CodeTries {
			return errs.E(errs.Invalid, "id.code_dead", errors.New("id: a wrong code, the last try")), nil
		}
		return errs.E(errs.Invalid, "id.code_wrong", errors.New("id: a wrong code")), nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE id_codes SET used_at = $2 WHERE id = $1`, id, now)
	return nil, err
}
