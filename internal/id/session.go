package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// Sessions end after 20 minutes without a request (the product's rule; a page warns 2 minutes
// before) and 12 hours after sign-in whatever happens. Activity is recorded at most once a
// minute per session, so that reading a page is not a database write.
const (
	IdleTimeout     = 20 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	IdleWarning     = 2 * time.Minute
	touchEvery      = time.Minute
)

// SessionCookie is the name of the session cookie (with the __Host- prefix over HTTPS).
const SessionCookie = "sep_session"

// Session is a signed-in browser or app.
type Session struct {
	ID        string
	AccountID string
	DeviceID  string
	Method    string // how the sign-in was completed: sms, totp, webauthn, recovery, qr, registration
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time // the absolute end
	IP        string
	UserAgent string

	idle        time.Duration // the service's idle timeout
	deviceToken string        // the device cookie to give the browser (SetDeviceCookie); new sessions only
}

// IdleEnd is when the session ends if no request comes.
func (s Session) IdleEnd() time.Time {
	if s.idle <= 0 {
		return s.SeenAt.Add(IdleTimeout)
	}
	return s.SeenAt.Add(s.idle)
}

var (
	sessionsTable = seal.Table{Name: "id_sessions", Key: "id", Sealed: []string{"ip", "user_agent"}}
	sessIP        = sessionsTable.Column("ip")
	sessUA        = sessionsTable.Column("user_agent")
)

// startSession stores a new session of the account, in x, and returns it with the token the
// client keeps (SetSessionCookie puts it in the cookie).
func (s *Service) startSession(ctx context.Context, x db.Querier, accountID, deviceID, method string, r *http.Request) (*Session, string, error) {
	now := s.now().UTC()
	ss := &Session{ID: db.NewID(), AccountID: accountID, DeviceID: deviceID, Method: method, CreatedAt: now, SeenAt: now,
		ExpiresAt: now.Add(AbsoluteTimeout), idle: s.idle}
	if r != nil {
		if ip := web.ClientIP(r); ip.IsValid() {
			ss.IP = ip.String()
		}
		ss.UserAgent = clipText(r.UserAgent(), 512)
	}
	token := newToken()
	if x == nil {
		x = s.db.Writer()
	}
	_, err := x.ExecContext(ctx, `INSERT INTO id_sessions (id, token_hash, account_id, device_id, method, created_at, seen_at,
			expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)`, ss.ID, tokenHash(token), accountID, nullString(deviceID), method, now,
		ss.ExpiresAt, s.box.SealString(sessIP, ss.ID, ss.IP), s.box.SealString(sessUA, ss.ID, ss.UserAgent))
	if err != nil {
		return nil, "", fmt.Errorf("id: store session: %w", err)
	}
	for _, f := range s.onSignIn {
		if err := f(ctx, x, accountID); err != nil {
			return nil, "", err
		}
	}
	return ss, token, nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// SetSessionCookie gives the browser the session's token: HttpOnly, SameSite=Lax, Secure and
// __Host- over HTTPS, and no Max-Age — the server ends the session, and a closed browser
// forgets it.
func (s *Service) SetSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: web.CookieName(SessionCookie, s.secure), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func (s *Service) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: web.CookieName(SessionCookie, s.secure), Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// sessionToken is the token the request carries: the session cookie, or an
// "Authorization: Bearer" header (the mobile app).
func (s *Service) sessionToken(r *http.Request) string {
	if c, err := r.Cookie(web.CookieName(SessionCookie, s.secure)); err == nil {
		return c.Value
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && h[:7] == "Bearer " {
		return h[7:]
	}
	return ""
}

// signedIn is what the session's lookup reads besides the session: its account, still sealed,
// and when the account's password was set. Authenticate keeps it on the principal, so that a
// page showing the account as the request began (RequestAccount) needs no query of its own.
type signedIn struct {
	row         accountRow
	passwordSet sql.NullTime
}

// sessionColumns are the session's columns and then the account's, for signedIn.
var sessionColumns = `s.id, s.account_id, s.device_id, s.method, s.created_at, s.seen_at, s.expires_at, s.revoked_at, ` +
	prefixed("a.", accountColumns) +
	`, (SELECT p.created_at FROM id_passwords p WHERE p.account_id = a.id ORDER BY p.seq DESC LIMIT 1)`

// prefixed is a list of columns each qualified with prefix.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// sessionOf reads the live session a token names, with its account.
func (s *Service) sessionOf(ctx context.Context, token string) (*Session, *signedIn, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, errNoSession
	}
	ss := &Session{idle: s.idle}
	si := &signedIn{}
	var device sql.NullString
	var revoked sql.NullTime
	dest := append([]any{&ss.ID, &ss.AccountID, &device, &ss.Method, &ss.CreatedAt, &ss.SeenAt, &ss.ExpiresAt, &revoked},
		si.row.targets()...)
	err := s.db.ReadRow(ctx, `SELECT `+sessionColumns+`
		FROM id_sessions s JOIN id_accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, tokenHash(token)).Scan(
		append(dest, &si.passwordSet)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	ss.DeviceID = device.String
	now := s.now()
	if revoked.Valid || !now.Before(ss.ExpiresAt) || !now.Before(ss.IdleEnd()) {
		return nil, nil, errSessionEnded
	}
	return ss, si, nil
}

// RequestAccount is the signed-in account of r as it was when the request began, read with
// its session: for pages that only show it. Anything that changes the account, or must see a
// change made during the request, reads it with Account.
func (s *Service) RequestAccount(r *http.Request) (*Account, error) {
	si, err := s.requestRead(r)
	if err != nil {
		return nil, err
	}
	return s.openAccount(&si.row)
}

// requestRead is what Authenticate read for r's principal; a principal from elsewhere (a test,
// an API token) has it read now.
func (s *Service) requestRead(r *http.Request) (*signedIn, error) {
	p, ok := web.PrincipalOf(r)
	if !ok {
		return nil, errSignInNeeded
	}
	if si, ok := p.Read.(*signedIn); ok && si.row.a.ID == p.ID {
		return si, nil
	}
	si := &signedIn{}
	err := s.db.ReadRow(r.Context(), `SELECT `+accountColumns+`,
		(SELECT p.created_at FROM id_passwords p WHERE p.account_id = $1 ORDER BY p.seq DESC LIMIT 1)
		FROM id_accounts WHERE id = $1`, p.ID).Scan(append(si.row.targets(), &si.passwordSet)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	return si, err
}

var (
	errNoSession    = errors.New("id: no session")
	errSessionEnded = errs.E(errs.Unauthenticated, "id.session_ended", errors.New("id: the session has ended"))
)

// Authenticate is the web.Authenticator of ID: the request's session, if it is live and its
// account active, is the principal. A session that ended (idle, expired, revoked) is an
// errs.Unauthenticated "id.session_ended" with the cookie cleared by the handler that shows
// it; a request with no session is anonymous.
func (s *Service) Authenticate(r *http.Request) (*web.Principal, error) {
	token := s.sessionToken(r)
	if token == "" {
		return nil, nil
	}
	ss, si, err := s.sessionOf(r.Context(), token)
	switch {
	case errors.Is(err, errNoSession):
		return nil, nil // a stale cookie of a deleted session: anonymous
	case errors.Is(err, errSessionEnded):
		return nil, nil // treated as signed out; pages that need a session say it ended
	case err != nil:
		return nil, err
	}
	if si.row.a.Status != Active {
		return nil, nil
	}
	if s.now().Sub(ss.SeenAt) > s.touchEvery() && !quietRequest(r) {
		// Best effort: a failed touch only shortens the idle window.
		s.db.Writer().ExecContext(r.Context(), `UPDATE id_sessions SET seen_at = $2 WHERE id = $1`, ss.ID, s.now().UTC())
	}
	return &web.Principal{Kind: web.PrincipalKind(si.row.a.Role), ID: ss.AccountID, Session: ss.ID, Read: si}, nil
}

// Sessions lists the account's live sessions, newest first.
func (s *Service) Sessions(ctx context.Context, accountID string) ([]Session, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, device_id, method, created_at, seen_at, expires_at, ip, user_agent
		FROM id_sessions WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND seen_at > $3
		ORDER BY created_at DESC`, accountID, s.now().UTC(), s.now().UTC().Add(-s.idle))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		ss := Session{AccountID: accountID, idle: s.idle}
		var device sql.NullString
		var ip, ua seal.Sealed
		if err := rows.Scan(&ss.ID, &device, &ss.Method, &ss.CreatedAt, &ss.SeenAt, &ss.ExpiresAt, &ip, &ua); err != nil {
			return nil, err
		}
		ss.DeviceID = device.String
		if ss.IP, err = s.box.OpenString(sessIP, ss.ID, ip); err != nil {
			return nil, err
		}
		if ss.UserAgent, err = s.box.OpenString(sessUA, ss.ID, ua); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// RevokeSession ends one session of the account (errs.NotFound if it has no such live one).
func (s *Service) RevokeSession(ctx context.Context, accountID, sessionID string) error {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE id_sessions SET revoked_at = $3
		WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL`, sessionID, accountID, s.now().UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "id.no_session", errors.New("id: no such session"))
	}
	return nil
}

// revokeAll ends every session of the account but except (empty: all), in x, and reports how
// many: for password recovery and change, and the «это был не я» link.
func (s *Service) revokeAll(ctx context.Context, x db.Querier, accountID, except string) (int, error) {
	res, err := x.ExecContext(ctx, `UPDATE id_sessions SET revoked_at = $3
		WHERE account_id = $1 AND id <> $2 AND revoked_at IS NULL`, accountID, except, s.now().UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SignOut ends the request's session, if any, and clears the cookie.
func (s *Service) SignOut(w http.ResponseWriter, r *http.Request) error {
	s.ClearSessionCookie(w)
	token := s.sessionToken(r)
	if token == "" {
		return nil
	}
	_, err := s.db.Writer().ExecContext(r.Context(), `UPDATE id_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`,
		tokenHash(token), s.now().UTC())
	return err
}

// PurgeSessions deletes up to limit sessions that ended (expired or revoked) before before.
func (s *Service) PurgeSessions(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.purge(ctx, `DELETE FROM id_sessions WHERE id IN (SELECT id FROM id_sessions
		WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)`, before.UTC(), limit)
}
