package id

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
)

// CodeAction is the purpose of a code that confirms one action of a signed-in person, such as
// submitting an application.
const CodeAction CodePurpose = "action"

// ErrNoPhone refuses an action code to an account without a confirmed phone.
var ErrNoPhone = errs.E(errs.Conflict, "id.action_code.no_phone", errors.New("id: the account has no phone"))

// actionFlow is the flow an action's codes belong to: one per account and action, so that a
// code sent to confirm one application never confirms another.
func actionFlow(accountID, action string) *Flow {
	sum := streebog.Sum256([]byte(accountID + "\x00" + action))
	return &Flow{ID: "action-" + hex.EncodeToString(sum[:12]), Kind: "action", AccountID: accountID}
}

// SendActionCode sends a one-time code by SMS to the account's phone, confirming action (a
// name of the caller's, e.g. "application.submit:ID"). The rules of every code apply: six
// digits, five minutes, three tries, a new one no sooner than a minute after the last.
func (s *Service) SendActionCode(ctx context.Context, accountID, action string) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Phone == "" {
		return ErrNoPhone
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.sendCode(ctx, tx, actionFlow(accountID, action), CodeAction, notify.SMS,
			notify.Recipient{AccountID: a.ID, Phone: a.Phone, Lang: a.Lang})
	})
}

// CheckActionCode checks a code typed to confirm action: nil when right (the code is then
// used up), errs.Invalid "id.code_wrong" or "id.code_dead" otherwise.
func (s *Service) CheckActionCode(ctx context.Context, accountID, action, code string) error {
	return s.checkCode(ctx, actionFlow(accountID, action), CodeAction, notify.SMS, code)
}
