package cabinet

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/internal/audit"
)

// refreshBefore is how long before their expiry the tokens are renewed.
const refreshBefore = time.Minute

// errAccessEnded is ЕСИА refusing to renew the tokens: the person revoked the cabinet's access
// (or ЕСИА ended it); the cabinet session ends with it.
var errAccessEnded = errors.New("cabinet: ЕСИА ended the access")

func tokensOf(t *esia.Token) Tokens {
	return Tokens{Access: t.AccessToken, ID: t.IDToken, Refresh: t.RefreshToken, Expiry: t.Expiry.UTC()}
}

// level is the account level of the id token (urn:esia:sbj:lvl), else of the access token.
func level(t *esia.Token) string {
	if t.ID != nil {
		if l := t.ID.Claims.Level(); l != "" {
			return l
		}
	}
	return t.Access.Claims.Level()
}

// freshTokens renews the session's ЕСИА tokens when they expire (a refresh token rotates:
// the new one is stored). Without a refresh token the expired ones stay: the cabinet then
// works with what it has.
func (s *Service) freshTokens(ctx context.Context, ss *Session) error {
	t := ss.data.Tokens
	if t.Refresh == "" || s.now().Add(refreshBefore).Before(t.Expiry) {
		return nil
	}
	c, err := s.esia()
	if err != nil {
		return err
	}
	tok, err := c.Refresh(ctx, t.Refresh)
	var ee *esia.Error
	if errors.As(err, &ee) && ee.Status == http.StatusBadRequest {
		return errAccessEnded
	}
	if err != nil {
		return err
	}
	nt := tokensOf(tok)
	if nt.ID == "" {
		nt.ID = t.ID
	}
	if nt.Refresh == "" {
		nt.Refresh = t.Refresh
	}
	ss.data.Tokens = nt
	return s.saveTokens(ctx, ss)
}

// endWith ends the session and journals action.
func (s *Service) endWith(ctx context.Context, r *http.Request, ss *Session, action string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := endSession(ctx, tx, ss.ID); err != nil {
			return err
		}
		if ss.ProfileID == "" {
			return nil
		}
		return s.record(ctx, tx, r, audit.Entry{ActorKind: audit.ActorCitizen, ActorID: ss.ProfileID, Action: action,
			ObjectType: "cabinet_profile", ObjectID: ss.ProfileID})
	})
}
