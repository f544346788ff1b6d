package provider

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/web"
)

// tokenResponse is the answer of the token endpoints, as ЕСИА gives it.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	State        string `json:"state"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// token is /aas/oauth2/v3/te (and the legacy /aas/oauth2/te): a code or a refresh token,
// with the system's signed secret over a new state, for tokens. Failures are HTTP 400 JSON.
func (h *handler) token(w http.ResponseWriter, r *http.Request, version string) error {
	if err := web.ParseForm(r); err != nil {
		writeJSONError(w, ErrBadParameter, "")
		return nil
	}
	q := r.PostForm
	state := q.Get("state")
	refuse := func(f *Failure) error {
		h.site.Logger().Info("esia: token request refused", "code", string(f.Code), "detail", f.Detail, "request_id", web.RequestID(r))
		writeJSONError(w, f.Code, state)
		return nil
	}
	for _, vs := range q {
		if len(vs) > 1 {
			return refuse(fail(ErrBadParameter, "a parameter given twice"))
		}
	}
	grantType := q.Get("grant_type")
	mandatory := []string{"client_id", "grant_type", "client_secret", "state", "timestamp", "redirect_uri", "scope"}
	if version == "v3" {
		mandatory = append(mandatory, "client_certificate_hash")
	}
	switch grantType {
	case "authorization_code":
		mandatory = append(mandatory, "code")
	case "refresh_token":
		mandatory = append(mandatory, "refresh_token")
	}
	for _, m := range mandatory {
		if q.Get(m) == "" {
			if m == "scope" {
				return refuse(fail(ErrNoScope, "no scope"))
			}
			return refuse(fail(ErrMissing, "%s missing", m))
		}
	}
	if grantType != "authorization_code" && grantType != "refresh_token" {
		return refuse(fail(ErrUnsupportedGrt, "grant_type %q", grantType))
	}
	if !validState(state) {
		return refuse(fail(ErrBadParameter, "state is not a UUID"))
	}
	ctx := r.Context()
	c, err := h.p.ClientByMnemonic(ctx, q.Get("client_id"))
	if errors.Is(err, errNoClient) || (err == nil && (c.Disabled() || c.Kind != KindESIA)) {
		return refuse(fail(ErrUnauthorized, "no such enabled system"))
	}
	if err != nil {
		return err
	}
	ts, f := h.p.checkTimestamp(q.Get("timestamp"))
	if f != nil {
		return refuse(f)
	}
	scope, secret, redirectURI := q.Get("scope"), q.Get("client_secret"), q.Get("redirect_uri")
	if version == "v3" {
		if f := h.p.certHashFailure(ctx, c, q.Get("client_certificate_hash")); f != nil {
			if f.Code == ErrSecret {
				f.Code = ErrClientAuth
			}
			return refuse(f)
		}
		base := c.Mnemonic + scope + q.Get("scope_org") + ts + state + redirectURI
		// The code exchange signs the v2 message and the code; for a refresh, libraries in use
		// sign the message with the refresh token or without anything after it: both verify.
		ok := false
		if grantType == "authorization_code" {
			ok = verifyRaw(c.Cert.PublicKey, base+q.Get("code"), secret)
		} else {
			ok = verifyRaw(c.Cert.PublicKey, base+q.Get("refresh_token"), secret) || verifyRaw(c.Cert.PublicKey, base, secret)
		}
		if !ok {
			return refuse(fail(ErrClientAuth, "the v3 client_secret does not verify"))
		}
	} else if !verifyCMS(c, scope+ts+c.Mnemonic+state, secret) {
		return refuse(fail(ErrClientAuth, "the v1 client_secret does not verify"))
	}

	var (
		resp    tokenResponse
		spent   *grant
		refresh string
	)
	err = h.p.db.Tx(ctx, func(tx *sql.Tx) error {
		var g *grant
		var err error
		if grantType == "authorization_code" {
			g, err = h.p.takeCode(ctx, tx, q.Get("code"))
		} else {
			g, err = h.p.takeRefresh(ctx, tx, q.Get("refresh_token"))
		}
		if errors.Is(err, errGone) || (err == nil && g.ClientID != c.ID) {
			return fail(ErrBadCode, "the %s is not live or not the system's", grantType)
		}
		if err != nil {
			return err
		}
		if grantType == "authorization_code" {
			if g.RedirectURI != redirectURI {
				return fail(ErrBadCode, "redirect_uri differs from the authorisation's")
			}
			if g.Challenge != "" {
				sum := sha256.Sum256([]byte(q.Get("code_verifier")))
				if q.Get("code_verifier") == "" ||
					subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.Challenge)) != 1 {
					return fail(ErrPKCEVerifier, "code_verifier missing or wrong")
				}
			}
		}
		if refresh, err = h.p.saveRefresh(ctx, tx, g); err != nil {
			return err
		}
		spent = g
		return h.p.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorAPIClient, ActorID: c.ID, Action: ActionTokenIssued,
			ObjectType: "account", ObjectID: g.AccountID, Details: map[string]string{"grant": grantType}})
	})
	var ff *Failure
	if errors.As(err, &ff) {
		return refuse(ff)
	}
	if err != nil {
		return err
	}
	// The tokens are signed after the commit, so that the writer (SQLite's only one) is not held
	// for two signatures; should signing fail, the code is spent and no token exists.
	if resp, err = h.p.tokens(ctx, c, spent, refresh); err != nil {
		return err
	}
	resp.State = state
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, resp)
	return nil
}

// idClaims are the claims of an id token.
type idClaims struct {
	ISS      string   `json:"iss"`
	AUD      string   `json:"aud"`
	SUB      int64    `json:"sub"`
	NBF      int64    `json:"nbf"`
	IAT      int64    `json:"iat"`
	EXP      int64    `json:"exp"`
	AuthTime int64    `json:"auth_time"`
	AMR      []string `json:"amr"`
	AMD      string   `json:"urn:esia:amd"`
	SID      string   `json:"urn:esia:sid"`
	Sbj      subject  `json:"urn:esia:sbj"`
}

// subject is urn:esia:sbj: who signed in, and how far their identity is proved.
type subject struct {
	Name  string `json:"urn:esia:sbj:nam"`
	OID   int64  `json:"urn:esia:sbj:oid"`
	Type  string `json:"urn:esia:sbj:typ"`
	IsTru bool   `json:"urn:esia:sbj:is_tru,omitempty"` // only when the account is confirmed
	Level int    `json:"urn:esia:sbj:lvl"`
}

// tokens signs the access and id tokens of a grant whose (rotating) refresh token is stored.
func (p *Provider) tokens(ctx context.Context, c *Client, g *grant, refresh string) (tokenResponse, error) {
	acc, err := p.id.Account(ctx, g.AccountID)
	if err != nil {
		return tokenResponse{}, err
	}
	oid, err := p.id.ESIAOID(ctx, g.AccountID) // assigned with the code: a read
	if err != nil {
		return tokenResponse{}, err
	}
	now := p.now()
	iat, exp := now.Unix(), now.Add(TokenTTL).Unix()
	access, err := p.sign(c.TokenAlg, "access", accessClaims{NBF: iat, IAT: iat, EXP: exp, ISS: p.issuer, ClientID: c.Mnemonic,
		SID: g.SID, SbjID: oid, Scope: scopeWithOID(g.Scope, oid)})
	if err != nil {
		return tokenResponse{}, err
	}
	lvl := levelRank(acc.Level) + 1
	idt, err := p.sign(c.TokenAlg, "id", idClaims{ISS: p.issuer, AUD: c.Mnemonic, SUB: oid, NBF: iat, IAT: iat, EXP: exp,
		AuthTime: g.AuthTime.Unix(), AMR: []string{g.AMR}, AMD: g.AMR, SID: g.SID,
		Sbj: subject{Name: "OID." + strconv.FormatInt(oid, 10), OID: oid, Type: "P", IsTru: lvl == 3, Level: lvl}})
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{AccessToken: access, IDToken: idt, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(TokenTTL.Seconds())}, nil
}
