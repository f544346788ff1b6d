package cabinet

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sep-platform/sep/esia"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

var (
	profilesTable = seal.Table{Name: "cabinet_profiles", Key: "id", Sealed: []string{"oid", "person"},
		Indexes: []seal.Index{{Column: "oid_idx", Of: "oid", Purpose: "esia-oid"}}}
	profOID    = profilesTable.Column("oid")
	profPerson = profilesTable.Column("person")
	oidIndex   = profilesTable.Indexes[0]

	sessionsTable = seal.Table{Name: "cabinet_sessions", Key: "id", Sealed: []string{"data"}}
	sessData      = sessionsTable.Column("data")
)

// Stage is where a cabinet session is:
//
//	signin ──(callback, consent given before)──▶ active
//	signin ──(callback, first entry)──▶ consent ──(agreed)──▶ active
type Stage string

const (
	StageSignIn  Stage = "signin"  // sent to ЕСИА, waiting for the callback
	StageConsent Stage = "consent" // back from ЕСИА, waiting for the consent to the data transfer
	StageActive  Stage = "active"  // in the cabinet
)

// Tokens are the ЕСИА tokens a session holds (sealed).
type Tokens struct {
	Access  string    `json:"access"`
	ID      string    `json:"id,omitempty"`
	Refresh string    `json:"refresh,omitempty"`
	Expiry  time.Time `json:"expiry"`
}

// sessionData is the sealed part of a session.
type sessionData struct {
	Tokens  Tokens       `json:"tokens"`
	OID     esia.OID     `json:"oid"`
	Trusted bool         `json:"trusted"`
	Level   string       `json:"level"`
	Person  *esia.Person `json:"person,omitempty"` // until the consent: no profile holds it yet
}

// Session is a browser in (or entering) the cabinet.
type Session struct {
	ID        string
	Stage     Stage
	State     string // the state sent to ЕСИА (stage signin)
	ProfileID string // stage active
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time
	data      sessionData
}

// Profile is a citizen's cabinet profile: the person data from ЕСИА and the account level.
type Profile struct {
	ID             string
	OID            esia.OID
	Person         esia.Person
	Trusted        bool
	Level          string // urn:esia:sbj:lvl, "1" to "3" (упрощённая, стандартная, подтверждённая)
	ConsentVersion string
	ConsentAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

var errNoSession = errs.E(errs.Unauthenticated, "cabinet.no_session", errors.New("cabinet: no live session"))

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenHash(token string) string {
	sum := streebog.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// startSignIn stores a new session at stage signin with the state sent to ЕСИА, and returns
// it with its token (the cookie's value). Sign-ins left unfinished before are purged.
func (s *Service) startSignIn(ctx context.Context, state string) (*Session, string, error) {
	now := s.now().UTC()
	ss := &Session{ID: db.NewID(), Stage: StageSignIn, State: state, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(SignInTTL)}
	token := newToken()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cabinet_sessions WHERE expires_at < $1`, now.Add(-IdleTimeout)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cabinet_sessions (id, token_hash, stage, state, created_at, seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $5, $6)`, ss.ID, tokenHash(token), string(ss.Stage), state, now, ss.ExpiresAt)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("cabinet: store session: %w", err)
	}
	return ss, token, nil
}

// session reads the live session of a token: not expired, not idle for longer than
// IdleTimeout.
func (s *Service) session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, errNoSession
	}
	ss := &Session{}
	var state, profile sql.NullString
	var data seal.Sealed
	var stage string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, stage, state, profile_id, data, created_at, seen_at, expires_at
		FROM cabinet_sessions WHERE token_hash = $1`, tokenHash(token)).Scan(&ss.ID, &stage, &state, &profile, &data,
		&ss.CreatedAt, &ss.SeenAt, &ss.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	ss.Stage, ss.State, ss.ProfileID = Stage(stage), state.String, profile.String
	now := s.now()
	if !now.Before(ss.ExpiresAt) || (ss.Stage != StageSignIn && now.Sub(ss.SeenAt) >= IdleTimeout) {
		return nil, errNoSession
	}
	if data.Valid() {
		plain, err := s.box.Open(sessData, ss.ID, data)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(plain, &ss.data); err != nil {
			return nil, fmt.Errorf("cabinet: session data: %w", err)
		}
	}
	return ss, nil
}

// touch records activity, at most once a minute.
func (s *Service) touch(ctx context.Context, ss *Session) error {
	now := s.now().UTC()
	if now.Sub(ss.SeenAt) < touchEvery {
		return nil
	}
	ss.SeenAt = now
	_, err := s.db.Writer().ExecContext(ctx, `UPDATE cabinet_sessions SET seen_at = $2 WHERE id = $1`, ss.ID, now)
	return err
}

func (s *Service) sealData(ss *Session) (seal.Sealed, error) {
	b, err := json.Marshal(ss.data)
	if err != nil {
		return seal.Sealed{}, err
	}
	return s.box.Seal(sessData, ss.ID, b), nil
}

// advance moves a session from signin to consent or active, in x, giving it a new token (the
// one the browser had before it signed in is worth nothing after). It fails with errNoSession
// when the session is no longer at stage signin (the callback came twice).
func (s *Service) advance(ctx context.Context, x db.Querier, ss *Session, stage Stage, profileID string) (string, error) {
	sealed, err := s.sealData(ss)
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	token := newToken()
	res, err := x.ExecContext(ctx, `UPDATE cabinet_sessions SET token_hash = $2, stage = $3, state = NULL, profile_id = $4, data = $5,
			seen_at = $6, expires_at = $7
		WHERE id = $1 AND stage = 'signin'`, ss.ID, tokenHash(token), string(stage), nullString(profileID), sealed, now,
		now.Add(AbsoluteTimeout))
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", errNoSession
	}
	ss.Stage, ss.ProfileID, ss.SeenAt, ss.ExpiresAt = stage, profileID, now, now.Add(AbsoluteTimeout)
	return token, nil
}

// activate moves a session from consent to active with its new profile, in x.
func (s *Service) activate(ctx context.Context, x db.Querier, ss *Session, profileID string) error {
	ss.data.Person = nil
	sealed, err := s.sealData(ss)
	if err != nil {
		return err
	}
	res, err := x.ExecContext(ctx, `UPDATE cabinet_sessions SET stage = 'active', profile_id = $2, data = $3 WHERE id = $1 AND stage = 'consent'`,
		ss.ID, profileID, sealed)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errNoSession
	}
	ss.Stage, ss.ProfileID = StageActive, profileID
	return nil
}

// saveTokens stores the session's refreshed tokens.
func (s *Service) saveTokens(ctx context.Context, ss *Session) error {
	sealed, err := s.sealData(ss)
	if err != nil {
		return err
	}
	_, err = s.db.Writer().ExecContext(ctx, `UPDATE cabinet_sessions SET data = $2 WHERE id = $1`, ss.ID, sealed)
	return err
}

// endSession deletes the session, in x.
func endSession(ctx context.Context, x db.Querier, id string) error {
	_, err := x.ExecContext(ctx, `DELETE FROM cabinet_sessions WHERE id = $1`, id)
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var errNoProfile = errs.E(errs.NotFound, "cabinet.no_profile", errors.New("cabinet: no profile"))

const profileColumns = `id, oid, person, trusted, level, consent_version, consent_at, created_at, updated_at`

func (s *Service) scanProfile(row interface{ Scan(...any) error }) (*Profile, error) {
	p := &Profile{}
	var oid, person seal.Sealed
	if err := row.Scan(&p.ID, &oid, &person, &p.Trusted, &p.Level, &p.ConsentVersion, &p.ConsentAt, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	o, err := s.box.OpenString(profOID, p.ID, oid)
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(o, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("cabinet: profile %s: oid: %w", p.ID, err)
	}
	p.OID = esia.OID(n)
	plain, err := s.box.Open(profPerson, p.ID, person)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(plain, &p.Person); err != nil {
		return nil, fmt.Errorf("cabinet: profile %s: %w", p.ID, err)
	}
	return p, nil
}

// Profile returns the profile of the id.
func (s *Service) Profile(ctx context.Context, id string) (*Profile, error) {
	p, err := s.scanProfile(s.db.Reader().QueryRowContext(ctx, `SELECT `+profileColumns+` FROM cabinet_profiles WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoProfile
	}
	return p, err
}

// profileByOID returns the profile of the ЕСИА oid, in x.
func (s *Service) profileByOID(ctx context.Context, x db.Querier, oid esia.OID) (*Profile, error) {
	cands, err := s.box.Candidates(oidIndex, oid.String())
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return nil, errNoProfile
	}
	q := `SELECT ` + profileColumns + ` FROM cabinet_profiles WHERE oid_idx IN (`
	for i := range cands {
		if i > 0 {
			q += ", "
		}
		q += "$" + strconv.Itoa(i+1)
	}
	p, err := s.scanProfile(x.QueryRowContext(ctx, q+`)`, cands...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoProfile
	}
	return p, err
}

// saveProfile creates or refreshes (by oid) the profile, in x.
func (s *Service) saveProfile(ctx context.Context, x db.Querier, p *Profile) error {
	person, err := json.Marshal(p.Person)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	p.UpdatedAt = now
	if p.ID != "" {
		_, err = x.ExecContext(ctx, `UPDATE cabinet_profiles SET person = $2, trusted = $3, level = $4, consent_version = $5, consent_at = $6,
				updated_at = $7 WHERE id = $1`, p.ID, s.box.Seal(profPerson, p.ID, person), p.Trusted, p.Level, p.ConsentVersion,
			p.ConsentAt, now)
		return err
	}
	p.ID, p.CreatedAt = db.NewID(), now
	blind, err := s.box.Index(oidIndex, p.OID.String())
	if err != nil {
		return err
	}
	_, err = x.ExecContext(ctx, `INSERT INTO cabinet_profiles (id, oid, oid_idx, person, trusted, level, consent_version, consent_at,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, p.ID, s.box.SealString(profOID, p.ID, p.OID.String()),
		blind, s.box.Seal(profPerson, p.ID, person), p.Trusted, p.Level, p.ConsentVersion, p.ConsentAt, now)
	return err
}
