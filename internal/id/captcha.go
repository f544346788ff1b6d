package id

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/id/captcha"
)

// The CAPTCHA of sign-in (throttle.go says when it is asked): CaptchaDigits digits shown as
// a distorted picture and, for those who cannot see it, spoken in Russian; single use, valid
// CaptchaTTL. The browser holds only the challenge's random id. The digits are derived from
// the id under a secret key (so any instance can draw the picture and the sound again, and
// they are the same each time), and the table keeps a keyed digest of them, never the digits.
const (
	CaptchaDigits = 5
	CaptchaTTL    = 5 * time.Minute
)

// Captcha is one challenge.
type Captcha struct {
	ID        string
	ExpiresAt time.Time
}

// CaptchaError asks for a CAPTCHA's answer: the first time (Wrong false) or again after a
// wrong or stale one. It is wrapped in errs.E(errs.Invalid, "id.captcha_needed" or
// "id.captcha_wrong", …) and carries the new challenge.
type CaptchaError struct {
	Challenge *Captcha
	Wrong     bool
}

func (e *CaptchaError) Error() string {
	if e.Wrong {
		return "id: a wrong CAPTCHA answer"
	}
	return "id: a CAPTCHA answer is needed"
}

func captchaError(c *Captcha, wrong bool) error {
	id := "id.captcha_needed"
	if wrong {
		id = "id.captcha_wrong"
	}
	return errs.E(errs.Invalid, id, &CaptchaError{Challenge: c, Wrong: wrong})
}

// ErrNoCaptcha is the error for a challenge that is not in play: used, expired, or never made.
var ErrNoCaptcha = errs.E(errs.NotFound, "id.captcha_gone", errors.New("id: no such CAPTCHA in play"))

// purposeCaptcha keys the derivation of a challenge's digits and the digest of its answer.
const purposeCaptcha = "sep id captcha v1"

func (s *Service) captchaMAC(parts ...string) []byte {
	m := hmac.New(streebog.New256, s.box.Ring().Derive(purposeCaptcha))
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

// captchaDigits are the digits of the challenge with the id.
func (s *Service) captchaDigits(id string) string {
	sum := s.captchaMAC("digits", id)
	var b strings.Builder
	for i := range CaptchaDigits {
		v := uint(sum[2*i])<<8 | uint(sum[2*i+1]) // 16 bits: the bias of % 10 is under 1/6500
		b.WriteByte(byte('0' + v%10))
	}
	return b.String()
}

func (s *Service) captchaSeed(id string) [32]byte {
	return [32]byte(s.captchaMAC("seed", id))
}

// newCaptcha stores a new challenge in x.
func (s *Service) newCaptcha(ctx context.Context, x db.Querier) (*Captcha, error) {
	now := s.now().UTC()
	c := &Captcha{ID: newToken(), ExpiresAt: now.Add(CaptchaTTL)}
	if _, err := x.ExecContext(ctx, `INSERT INTO id_captchas (id, answer_mac, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		c.ID, s.captchaMAC("answer", c.ID, s.captchaDigits(c.ID)), now, c.ExpiresAt); err != nil {
		return nil, fmt.Errorf("id: store captcha: %w", err)
	}
	return c, nil
}

// useCaptcha checks an answer to the challenge id and uses the challenge up, right or wrong
// (one try each), in tx. Spaces and dashes in the answer are ignored.
func (s *Service) useCaptcha(ctx context.Context, tx *sql.Tx, id, answer string) (bool, error) {
	if id == "" || len(id) > 100 {
		return false, nil
	}
	now := s.now().UTC()
	var mac []byte
	err := tx.QueryRowContext(ctx, `SELECT answer_mac FROM id_captchas WHERE id = $1 AND used_at IS NULL AND expires_at > $2`,
		id, now).Scan(&mac)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE id_captchas SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, id, now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil // used meanwhile by a parallel request
	}
	answer = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, answer)
	return hmac.Equal(s.captchaMAC("answer", id, answer), mac), nil
}

// inPlay checks that the challenge is still waiting for its answer.
func (s *Service) inPlay(ctx context.Context, id string) error {
	if id == "" || len(id) > 100 {
		return ErrNoCaptcha
	}
	var one int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT 1 FROM id_captchas WHERE id = $1 AND used_at IS NULL AND expires_at > $2`,
		id, s.now().UTC()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoCaptcha
	}
	return err
}

// CaptchaImage is the picture of a challenge in play (PNG).
func (s *Service) CaptchaImage(ctx context.Context, id string) ([]byte, error) {
	if err := s.inPlay(ctx, id); err != nil {
		return nil, err
	}
	return captcha.Image(s.captchaDigits(id), s.captchaSeed(id))
}

// CaptchaAudio is the sound of a challenge in play (WAV).
func (s *Service) CaptchaAudio(ctx context.Context, id string) ([]byte, error) {
	if err := s.inPlay(ctx, id); err != nil {
		return nil, err
	}
	return captcha.Audio(s.captchaDigits(id), s.captchaSeed(id))
}

// PurgeCaptchas deletes up to limit challenges that expired before before (the retention job).
func (s *Service) PurgeCaptchas(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.purge(ctx, `DELETE FROM id_captchas WHERE id IN (SELECT id FROM id_captchas WHERE expires_at < $1 LIMIT $2)`,
		before.UTC(), limit)
}
