package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/ruid"
)

// Changing a contact: the signed-in owner gives the new phone or e-mail address and, to show
// it is still them, the current password; a code goes to the new contact, and the right code
// replaces the old one. The old contact (and every other channel of the account) is told.
//
//	StartContactChange(kind, value, password) ──code to the new contact──▶ "code"
//	ConfirmContactChange(code) ──right──▶ contact replaced, alert to the old one
//
// The flow belongs to the session that started it. A contact another account has gets the
// same answer as a free one until its code is confirmed (as at registration); then the
// answer is "id.contact_taken".

// contactTTL is how long a contact change may wait for its code.
const contactTTL = 15 * time.Minute

// ContactKind names a contact of an account.
type ContactKind string

// The contacts.
const (
	ContactPhone ContactKind = "phone"
	ContactEmail ContactKind = "email"
)

// channel is what carries codes to the contact.
func (k ContactKind) channel() notify.Channel {
	if k == ContactPhone {
		return notify.SMS
	}
	return notify.Email
}

// ParseContactKind reads a contact kind from a form or a request; anything else is
// errs.Invalid "id.contact.bad_kind".
func ParseContactKind(s string) (ContactKind, error) {
	switch k := ContactKind(s); k {
	case ContactPhone, ContactEmail:
		return k, nil
	}
	return "", errs.E(errs.Invalid, "id.contact.bad_kind", errors.New("id: no such contact"))
}

// ContactChange is a change of contact in progress.
type ContactChange struct {
	Flow  *Flow
	Kind  ContactKind
	Value string // the new contact, as ruid writes it
}

// errWrongCurrentPassword refuses a re-authentication.
var errWrongCurrentPassword = errs.E(errs.Invalid, "id.contact.password_wrong", errors.New("id: a wrong current password"))

// StartContactChange checks the new contact (a mobile phone; an address in Latin letters) and
// the current password of the session's account, and sends a code to the new contact. Every
// mistake is a field error: "value", "password".
func (s *Service) StartContactChange(ctx context.Context, r *http.Request, accountID, sessionID string, kind ContactKind, value, pw string) (*ContactChange, error) {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	bad := FieldErrors{}
	var v string
	if kind == ContactPhone {
		v, err = ruid.MobilePhone(value)
	} else {
		v, err = ruid.EmailLatin(value)
	}
	switch {
	case err != nil:
		bad["value"] = err
	case kind == ContactPhone && v == a.Phone, kind == ContactEmail && strings.EqualFold(v, a.Email):
		bad["value"] = errs.E(errs.Invalid, "id.contact.same", errors.New("id: the contact the account has"))
	}
	if ok, err := s.currentPassword(ctx, a.ID, pw); err != nil {
		return nil, err
	} else if !ok {
		bad["password"] = errWrongCurrentPassword
		s.record(ctx, nil, r, Event{Action: ActionContactChanged, AccountID: a.ID, Outcome: audit.Failure,
			Details: map[string]string{"reason": "wrong_password", "contact": string(kind)}})
	}
	if len(bad) > 0 {
		return nil, errs.E(errs.Invalid, "id.form_invalid", bad)
	}
	cc := &ContactChange{Kind: kind, Value: v}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		cc.Flow, err = s.startFlow(ctx, tx, FlowContact, stateCode, a.ID, map[string]string{"kind": string(kind), "value": v,
			"session": sessionID, "lang": a.Lang}, contactTTL)
		if err != nil {
			return err
		}
		return s.sendContactCode(ctx, tx, cc)
	})
	if err != nil {
		return nil, err
	}
	return cc, nil
}

// currentPassword checks a re-authentication (at the hasher's cost, whatever the answer).
func (s *Service) currentPassword(ctx context.Context, accountID, pw string) (bool, error) {
	hashes, _, err := s.passwords(ctx, nil, accountID)
	if err != nil {
		return false, err
	}
	if len(hashes) == 0 || pw == "" || len(pw) > 1024 {
		s.hasher.Dummy(ctx, pw)
		return false, nil
	}
	ok, _, err := s.hasher.Verify(ctx, pw, hashes[0])
	return ok, err
}

func (s *Service) sendContactCode(ctx context.Context, tx *sql.Tx, cc *ContactChange) error {
	to := notify.Recipient{Lang: cc.Flow.Data["lang"]}
	if cc.Kind == ContactPhone {
		to.Phone = cc.Value
	} else {
		to.Email = cc.Value
	}
	return s.sendCode(ctx, tx, cc.Flow, CodeContact, cc.Kind.channel(), to)
}

// ContactChangeFlow returns the change the token names, if the session started it.
func (s *Service) ContactChangeFlow(ctx context.Context, accountID, sessionID, token string) (*ContactChange, error) {
	f, err := s.flow(ctx, nil, FlowContact, token)
	if err != nil {
		return nil, err
	}
	if f.AccountID != accountID || f.Data["session"] != sessionID || f.State != stateCode {
		return nil, ErrFlowGone
	}
	f.Token = token
	return &ContactChange{Flow: f, Kind: ContactKind(f.Data["kind"]), Value: f.Data["value"]}, nil
}

// SendContactCode sends the code to the new contact again; no sooner than a minute after the
// last.
func (s *Service) SendContactCode(ctx context.Context, accountID, sessionID, token string) error {
	cc, err := s.ContactChangeFlow(ctx, accountID, sessionID, token)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.sendContactCode(ctx, tx, cc) })
}

// ConfirmContactChange checks the code sent to the new contact and, if right, replaces the
// account's contact with it, in one transaction with the journal entry and the alert, which
// goes to the old contact and the account's other channels.
func (s *Service) ConfirmContactChange(ctx context.Context, r *http.Request, accountID, sessionID, token, code string) (*ContactChange, error) {
	cc, err := s.ContactChangeFlow(ctx, accountID, sessionID, token)
	if err != nil {
		return nil, err
	}
	if err := s.checkCode(ctx, cc.Flow, CodeContact, cc.Kind.channel(), strings.TrimSpace(code)); err != nil {
		if errs.KindOf(err) == errs.Other {
			return nil, err
		}
		return nil, errs.E(errs.Invalid, "id.form_invalid", FieldErrors{"code": err})
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cc.Flow.State = "done"
		if err := s.advanceFlow(ctx, tx, cc.Flow, stateCode); err != nil {
			return err
		}
		if err := s.setContact(ctx, tx, a.ID, cc.Kind, cc.Value); err != nil {
			return err
		}
		if err := s.endFlow(ctx, tx, cc.Flow); err != nil {
			return err
		}
		if err := s.record(ctx, tx, r, Event{Action: ActionContactChanged, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"contact": string(cc.Kind), "session": sessionID}}); err != nil {
			return err
		}
		// The old contact is told; the new one has just shown it is theirs.
		_, err := s.notify.Send(ctx, tx, notify.Message{Kind: notify.AccountChanged,
			To:   notify.Recipient{AccountID: a.ID, Phone: a.Phone, Email: a.Email, Lang: a.Lang},
			Data: map[string]any{"Change": string(cc.Kind), "Time": s.now().In(i18n.Moscow)}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return cc, nil
}

// setContact stores the account's new phone or e-mail address (sealed, with its blind index),
// in tx; one another account has is errs.Conflict "id.contact_taken".
func (s *Service) setContact(ctx context.Context, tx *sql.Tx, accountID string, kind ContactKind, value string) error {
	col, ix, sealCol := "phone", phoneIndex, accPhone
	if kind == ContactEmail {
		col, ix, sealCol = "email", emailIndex, accEmail
	}
	if other, err := s.accountByIndex(ctx, tx, ix, value); err == nil && other.ID != accountID {
		return errs.E(errs.Conflict, "id.contact_taken", errors.New("id: the contact belongs to another account"))
	} else if err != nil && !errors.Is(err, ErrNoAccount) {
		return err
	}
	blind, err := s.box.Index(ix, value)
	if err != nil {
		return errs.E(errs.Invalid, "id.bad_"+col, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE id_accounts SET `+col+` = $2, `+ix.Column+` = $3, updated_at = $4 WHERE id = $1`,
		accountID, s.box.SealString(sealCol, accountID, value), nullBlind(blind), s.now().UTC())
	if db.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "id.contact_taken", errors.New("id: the contact belongs to another account"))
	}
	if err != nil {
		return fmt.Errorf("id: store the new %s: %w", col, err)
	}
	return nil
}
