package id

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
)

// The idle clock of sessions. A session ends IdleTimeout after its last request (20 minutes;
// SEP_ID_IDLE_TIMEOUT). Pages of a signed-in person carry a small script (static/idle.js)
// that asks GET /api/v1/session how long is left — a question that does not count as
// activity — and, IdleWarning before the end, opens a dialog offering «Продлить» (POST
// /api/v1/session/extend) or «Выйти». The page being filled is never reloaded. Without
// JavaScript the session simply ends, and the sign-in page says so and brings the person back.

// IdleTimeout is how long a session lives without a request.
func (s *Service) IdleTimeout() time.Duration { return s.idle }

// IdleWarningFor is how long before the idle end the warning opens: IdleWarning, or half of
// a shorter idle timeout (a test's).
func (s *Service) IdleWarningFor() time.Duration { return min(IdleWarning, s.idle/2) }

// touchEvery is how often at most a session's activity is written: once a minute, or more
// often under a short idle timeout, so that the write never lags the idle end by much.
func (s *Service) touchEvery() time.Duration { return min(touchEvery, s.idle/10) }

// SessionStatusPath is the route whose requests do not count as activity: the idle script
// asks it how long the session has left.
const SessionStatusPath = "/api/v1/session"

func quietRequest(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == SessionStatusPath
}

// SessionStatus is a live session's clock.
type SessionStatus struct {
	Session *Session
	IdleEnd time.Time // when it ends without a request
	Warn    time.Duration
}

// StatusOf returns the clock of the request's live session; errs.Unauthenticated
// "id.session_ended" if it has ended, "id.signin_needed" if the request has none.
func (s *Service) StatusOf(r *http.Request) (*SessionStatus, error) {
	ss, si, err := s.sessionOf(r.Context(), s.sessionToken(r))
	if errors.Is(err, errNoSession) || (err == nil && si.row.a.Status != Active) {
		return nil, errSignInNeeded
	}
	if err != nil {
		return nil, err
	}
	end := ss.IdleEnd()
	if ss.ExpiresAt.Before(end) {
		end = ss.ExpiresAt
	}
	return &SessionStatus{Session: ss, IdleEnd: end, Warn: s.IdleWarningFor()}, nil
}

var errSignInNeeded = errs.E(errs.Unauthenticated, "id.signin_needed", errors.New("id: not signed in"))

// SessionEnded reports whether the request carries the cookie of a session that has ended
// (idle, expired or revoked): the sign-in page then says why the person must sign in again.
func (s *Service) SessionEnded(r *http.Request) bool {
	token := s.sessionToken(r)
	if token == "" || r.Header.Get("Authorization") != "" {
		return false
	}
	_, _, err := s.sessionOf(r.Context(), token)
	return errors.Is(err, errSessionEnded)
}

// ExtendSession counts «Продлить» as activity of the request's live session and returns its
// new clock. A session that has ended stays ended.
func (s *Service) ExtendSession(ctx context.Context, r *http.Request) (*SessionStatus, error) {
	st, err := s.StatusOf(r)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE id_sessions SET seen_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
			st.Session.ID, now); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSessionExtended, AccountID: st.Session.AccountID, Outcome: audit.Success,
			Details: map[string]string{"session": st.Session.ID}})
	})
	if err != nil {
		return nil, err
	}
	st.Session.SeenAt = now
	st.IdleEnd = st.Session.IdleEnd()
	if st.Session.ExpiresAt.Before(st.IdleEnd) {
		st.IdleEnd = st.Session.ExpiresAt
	}
	return st, nil
}

// RotateSession gives a live session a new token, in x, and returns it (for SetSessionCookie):
// a change of privilege (a higher account level, a new role) must not keep working under a
// token that may have been seen before it. The old token stops working at once.
func (s *Service) RotateSession(ctx context.Context, x db.Querier, sessionID string) (string, error) {
	if x == nil {
		x = s.db.Writer()
	}
	token := newToken()
	res, err := x.ExecContext(ctx, `UPDATE id_sessions SET token_hash = $2 WHERE id = $1 AND revoked_at IS NULL`,
		sessionID, tokenHash(token))
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", errSessionEnded
	}
	return token, nil
}
