package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/notify"
)

// «Это был не я»: the new-device alert carries a one-time link (valid DisavowValidFor). Opening
// it shows what happened and asks to confirm (GET changes nothing: mail scanners open links);
// the confirmation, a POST:
//
//	blocks password sign-in of the account ──▶ ends every session ──▶ forgets the device and
//	every remembered one ──▶ journals ──▶ tells the owner (account_changed "disavowed")
//	──▶ the owner recovers the password (/id/recover), which lifts the block.

// ErrDisavowGone is the answer to a «это был не я» link that is used, expired or never was.
var ErrDisavowGone = errs.E(errs.NotFound, "id.devices.disavow_gone", errors.New("id: no such «это был не я» link"))

// ErrSignInDisavowed refuses a password sign-in of an account whose owner said «это был не я»
// until the password is recovered.
var ErrSignInDisavowed = errs.E(errs.Forbidden, "id.devices.signin_disavowed", errors.New("id: password sign-in blocked by its owner"))

// Disavowal is what the «это был не я» page shows of the sign-in it is about.
type Disavowal struct {
	DeviceID  string
	AccountID string
	Agent     UserAgent
	IP        string
	Place     string
	At        time.Time // when the device first signed in
}

// disavowal reads the sign-in the link token names, in x.
func (s *Service) disavowal(ctx context.Context, x db.Querier, token, lang string) (*Disavowal, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrDisavowGone
	}
	var until time.Time
	d, err := s.scanDevice(scanFunc(func(dest ...any) error {
		return x.QueryRowContext(ctx, `SELECT `+deviceColumns+`, disavow_until FROM id_devices WHERE disavow_hash = $1`,
			tokenHash(token)).Scan(append(dest, &until)...)
	}))
	if errors.Is(err, errNoDevice) {
		return nil, ErrDisavowGone
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(until) {
		return nil, ErrDisavowGone
	}
	return &Disavowal{DeviceID: d.ID, AccountID: d.AccountID, Agent: d.Agent, IP: d.IP, Place: s.place(ctx, d.IP, lang),
		At: d.FirstSeen}, nil
}

// DisavowalOf returns what a «это был не я» link is about, changing nothing.
func (s *Service) DisavowalOf(ctx context.Context, token, lang string) (*Disavowal, error) {
	return s.disavowal(ctx, s.db.Reader(), token, lang)
}

// Disavow carries out a confirmed «это был не я» (see the diagram above) and returns the
// account's id; the link is used up.
func (s *Service) Disavow(ctx context.Context, r *http.Request, token string) (string, error) {
	var accountID string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		d, err := s.disavowal(ctx, tx, token, i18n.RU)
		if err != nil {
			return err
		}
		accountID = d.AccountID
		a, err := s.Account(ctx, accountID)
		if err != nil {
			return err
		}
		// The device goes (with its link): the row of the link is the proof it was unused.
		res, err := tx.ExecContext(ctx, `DELETE FROM id_devices WHERE id = $1 AND disavow_hash = $2`, d.DeviceID, tokenHash(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrDisavowGone
		}
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO id_signin_blocks (account_id, reason, device_id, created_at)
			VALUES ($1, 'disavowed', $2, $3) ON CONFLICT (account_id) DO NOTHING`, accountID, d.DeviceID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE id_devices SET remembered_until = NULL WHERE account_id = $1`, accountID); err != nil {
			return err
		}
		n, err := s.revokeAll(ctx, tx, accountID, "")
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, r, Event{Action: ActionDisavowed, AccountID: accountID, Outcome: audit.Success,
			Details: map[string]string{"device": d.DeviceID, "sessions_count": fmt.Sprint(n)}}); err != nil {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Kind: notify.AccountChanged,
			To:       notify.Recipient{AccountID: a.ID, Email: a.Email, Phone: a.Phone, Lang: a.Lang},
			Channels: alertChannels(a), Data: map[string]any{"Change": "disavowed", "Time": now.In(i18n.Moscow)}})
		return err
	})
	if err != nil {
		return "", err
	}
	return accountID, nil
}

// signInBlocked reports whether the owner blocked password sign-in of the account.
func (s *Service) signInBlocked(ctx context.Context, x db.Querier, accountID string) (bool, error) {
	if x == nil {
		x = s.db.Reader()
	}
	var n int
	err := x.QueryRowContext(ctx, `SELECT COUNT(*) FROM id_signin_blocks WHERE account_id = $1`, accountID).Scan(&n)
	return n > 0, err
}

// devicesRecovered is the devices' part of a recovery (an OnRecovered hook): password sign-in
// is allowed again, and no device is remembered any longer — a thief's among them.
func (s *Service) devicesRecovered(ctx context.Context, tx *sql.Tx, accountID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM id_signin_blocks WHERE account_id = $1`, accountID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE id_devices SET remembered_until = NULL WHERE account_id = $1`, accountID)
	return err
}
