package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
)

// The security page's data: the account's sessions and devices, each of which its owner can
// end or forget, and the sign-in history, read from the audit journal (the one record of what
// happened: nothing is kept twice).

// SignInEvent is one sign-in attempt of the account, as its history shows it.
type SignInEvent struct {
	At        time.Time
	OK        bool
	Method    string // sms, totp, webauthn, recovery, remembered, …; empty if the password was wrong
	Reason    string // a failure's code: wrong_password, wrong_factor, …
	IP        string
	UserAgent UserAgent
}

// historyScan bounds how many journal entries of an account one history reads.
const historyScan = 1000

// SignInHistory returns up to limit of the account's latest sign-in attempts, newest first.
// Sign-ins are journaled before anyone is signed in (the actor is anonymous), about the account
// as their object; attempts with a login that names no account belong to nobody.
func (s *Service) SignInHistory(ctx context.Context, accountID string, limit int) ([]SignInEvent, error) {
	if s.journal == nil {
		return nil, nil
	}
	var out []SignInEvent
	var before int64
	for scanned := 0; scanned < historyScan && len(out) < limit; {
		page, err := s.journal.Page(ctx, audit.Filter{ObjectType: "account", ObjectID: accountID}, before, 200)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if e.Action == ActionSignIn && len(out) < limit {
				out = append(out, SignInEvent{At: e.At, OK: e.Outcome == audit.Success, Method: e.Details["method"],
					Reason: e.Details["reason"], IP: e.IP, UserAgent: ParseUserAgent(e.UserAgent)})
			}
		}
		if len(page) < 200 {
			break
		}
		scanned += len(page)
		before = page[len(page)-1].Seq
	}
	return out, nil
}

// EndSession ends one session of the account (its owner pressed «Завершить»), journaled.
func (s *Service) EndSession(ctx context.Context, r *http.Request, accountID, sessionID string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE id_sessions SET revoked_at = $3
			WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL`, sessionID, accountID, s.now().UTC())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "id.no_session", errors.New("id: no such session"))
		}
		return s.record(ctx, tx, r, Event{Action: ActionSessionRevoked, AccountID: accountID, Outcome: audit.Success,
			Details: map[string]string{"session": sessionID}})
	})
}

// EndOtherSessions ends every session of the account but the current one and reports how many.
func (s *Service) EndOtherSessions(ctx context.Context, r *http.Request, accountID, current string) (int, error) {
	var n int
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = s.revokeAll(ctx, tx, accountID, current); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSessionRevoked, AccountID: accountID, Outcome: audit.Success,
			Details: map[string]string{"except": current, "sessions_count": fmt.Sprint(n)}})
	})
	return n, err
}
