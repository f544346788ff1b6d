package provider

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
)

// newSecret is a random token of 32 bytes, base64url: request ids, codes, refresh tokens.
func newSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// digest is what a token is stored as: Streebog-256, hex.
func digest(token string) string {
	h := streebog.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// authRequest is an authorisation request checked and waiting for sign-in and consent.
type authRequest struct {
	ClientID      string
	Version       string // "v1" or "v2"
	Scope         []string
	ScopeOrg      string
	RedirectURI   string
	State         string
	AccessType    string
	Challenge     string // PKCE; empty if none
	ChallengeMeth string
	Nonce         string // OIDC; empty if none
}

// saveRequest stores the request and returns its token (the page's address).
func (p *Provider) saveRequest(ctx context.Context, a *authRequest) (string, error) {
	token := newSecret()
	now := p.now().UTC()
	_, err := p.db.Writer().ExecContext(ctx, `INSERT INTO id_provider_requests (id_hash, client_id, version, scope, scope_org,
			redirect_uri, state, access_type, challenge, challenge_meth, nonce, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, digest(token), a.ClientID, a.Version,
		strings.Join(a.Scope, " "), a.ScopeOrg, a.RedirectURI, a.State, a.AccessType, a.Challenge, a.ChallengeMeth, a.Nonce, now,
		now.Add(RequestTTL))
	return token, err
}

var errGone = errors.New("provider: no such live request, code or token")

// request reads a live request by its token.
func (p *Provider) request(ctx context.Context, token string) (*authRequest, error) {
	a := &authRequest{}
	var scope string
	var exp time.Time
	err := p.db.Reader().QueryRowContext(ctx, `SELECT client_id, version, scope, scope_org, redirect_uri, state, access_type,
			challenge, challenge_meth, nonce, expires_at FROM id_provider_requests WHERE id_hash = $1`, digest(token)).Scan(
		&a.ClientID, &a.Version, &scope, &a.ScopeOrg, &a.RedirectURI, &a.State, &a.AccessType, &a.Challenge, &a.ChallengeMeth, &a.Nonce, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.now().Before(exp)) {
		return nil, errGone
	}
	a.Scope = strings.Fields(scope)
	return a, err
}

// dropRequest deletes a request (answered), in x.
func dropRequest(ctx context.Context, x db.Querier, token string) error {
	res, err := x.ExecContext(ctx, `DELETE FROM id_provider_requests WHERE id_hash = $1`, digest(token))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errGone // answered meanwhile in another tab
	}
	return nil
}

// grant is what a code or a refresh token stands for.
type grant struct {
	ClientID      string
	AccountID     string
	SID           string
	AMR           string
	Scope         []string
	RedirectURI   string
	Challenge     string
	ChallengeMeth string
	Nonce         string
	AuthTime      time.Time
}

// saveCode stores a new code for g in x and returns it.
func (p *Provider) saveCode(ctx context.Context, x db.Querier, g *grant) (string, error) {
	code := newSecret()
	now := p.now().UTC()
	_, err := x.ExecContext(ctx, `INSERT INTO id_provider_codes (code_hash, client_id, account_id, sid, amr, scope, redirect_uri,
			challenge, challenge_meth, nonce, auth_time, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		digest(code), g.ClientID, g.AccountID, g.SID, g.AMR, strings.Join(g.Scope, " "), g.RedirectURI, g.Challenge, g.ChallengeMeth,
		g.Nonce, g.AuthTime.UTC(), now, now.Add(CodeTTL))
	return code, err
}

// takeCode marks a live code used, in tx, and returns its grant; a code that is unknown,
// expired or used already is errGone.
func (p *Provider) takeCode(ctx context.Context, tx *sql.Tx, code string) (*grant, error) {
	g := &grant{}
	var scope string
	var exp time.Time
	var used sql.NullTime
	h := digest(code)
	err := p.db.TxRow(ctx, tx, `SELECT client_id, account_id, sid, amr, scope, redirect_uri, challenge, challenge_meth, nonce,
			auth_time, expires_at, used_at FROM id_provider_codes WHERE code_hash = $1`, h).Scan(&g.ClientID, &g.AccountID, &g.SID, &g.AMR,
		&scope, &g.RedirectURI, &g.Challenge, &g.ChallengeMeth, &g.Nonce, &g.AuthTime, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || !p.now().Before(exp))) {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	res, err := p.db.TxExec(ctx, tx, `UPDATE id_provider_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL`, h, p.now().UTC())
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errGone
	}
	g.Scope = strings.Fields(scope)
	return g, nil
}

// saveRefresh stores a new refresh token for g in tx and returns it.
func (p *Provider) saveRefresh(ctx context.Context, tx *sql.Tx, g *grant) (string, error) {
	token := newSecret()
	now := p.now().UTC()
	_, err := p.db.TxExec(ctx, tx, `INSERT INTO id_provider_refresh (token_hash, client_id, account_id, sid, amr, scope, auth_time,
			created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		digest(token), g.ClientID, g.AccountID, g.SID, g.AMR, strings.Join(g.Scope, " "), g.AuthTime.UTC(), now, now.Add(RefreshTTL))
	return token, err
}

// takeRefresh ends a live refresh token, in tx, and returns its grant (errGone if it is not
// live: refresh tokens rotate, each is good once).
func (p *Provider) takeRefresh(ctx context.Context, tx *sql.Tx, token string) (*grant, error) {
	g := &grant{}
	var scope string
	var exp time.Time
	var used sql.NullTime
	h := digest(token)
	err := tx.QueryRowContext(ctx, `SELECT client_id, account_id, sid, amr, scope, auth_time, expires_at, used_at
		FROM id_provider_refresh WHERE token_hash = $1`, h).Scan(&g.ClientID, &g.AccountID, &g.SID, &g.AMR, &scope, &g.AuthTime, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || !p.now().Before(exp))) {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE id_provider_refresh SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL`, h, p.now().UTC())
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errGone
	}
	g.Scope = strings.Fields(scope)
	return g, nil
}

// Consent is what a person let a system have.
type Consent struct {
	Client    *Client
	Scopes    []string
	GrantedAt time.Time
}

// consentScopes returns the scopes the account consented to give the system (nil if none).
func (p *Provider) consentScopes(ctx context.Context, accountID, clientID string) ([]string, error) {
	var s string
	err := p.db.Reader().QueryRowContext(ctx, `SELECT scopes FROM id_provider_consents WHERE account_id = $1 AND client_id = $2`,
		accountID, clientID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return strings.Fields(s), err
}

// saveConsent records (or widens) the account's consent to the system, in x.
func (p *Provider) saveConsent(ctx context.Context, x db.Querier, accountID, clientID string, scope []string) error {
	_, err := x.ExecContext(ctx, `INSERT INTO id_provider_consents (account_id, client_id, scopes, granted_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`,
		accountID, clientID, strings.Join(scope, " "), p.now().UTC())
	return err
}

// Consents lists the account's consents, newest first.
func (p *Provider) Consents(ctx context.Context, accountID string) ([]Consent, error) {
	rows, err := p.db.Reader().QueryContext(ctx, `SELECT client_id, scopes, granted_at FROM id_provider_consents
		WHERE account_id = $1 ORDER BY granted_at DESC`, accountID)
	if err != nil {
		return nil, err
	}
	type row struct {
		cid, scopes string
		at          time.Time
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.cid, &r.scopes, &r.at); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Consent, 0, len(rs))
	for _, r := range rs {
		c, err := p.clientByID(ctx, r.cid)
		if err != nil {
			return nil, err
		}
		out = append(out, Consent{Client: c, Scopes: strings.Fields(r.scopes), GrantedAt: r.at.UTC()})
	}
	return out, nil
}

// revokeConsent deletes the consent and ends the system's refresh tokens for the account, in
// tx; errGone if there was none.
func (p *Provider) revokeConsent(ctx context.Context, tx *sql.Tx, accountID, clientID string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM id_provider_consents WHERE account_id = $1 AND client_id = $2`, accountID, clientID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errGone
	}
	_, err = tx.ExecContext(ctx, `UPDATE id_provider_refresh SET used_at = $3 WHERE account_id = $1 AND client_id = $2 AND used_at IS NULL`,
		accountID, clientID, p.now().UTC())
	return err
}
