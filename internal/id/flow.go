package id

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

// A flow is a multi-step journey in progress — a registration, a sign-in between its password
// and its second factor, a recovery. Its state lives in the database (any instance continues
// it); the browser or app holds a random token (a hidden form field, or "flow" in JSON), of
// which the table keeps only a digest. Personal data the flow carries (the phone and address
// being registered) is sealed.
//
//	register: contacts ──codes sent──▶ codes ──both confirmed──▶ password ──▶ (account, session)
//	signin:   password ──right──▶ factor ──code or key──▶ (session)
//	recovery: contact ──code sent──▶ code ──confirmed──▶ password ──▶ (sessions revoked)

// FlowKind names a kind of flow.
type FlowKind string

// The kinds of flow.
const (
	FlowRegister FlowKind = "register"
	FlowSignIn   FlowKind = "signin"
	FlowRecovery FlowKind = "recovery"
	FlowContact  FlowKind = "contact"
)

// Flow is one flow in progress.
type Flow struct {
	ID        string
	Token     string // the secret the client holds; set only when the flow is made
	Kind      FlowKind
	State     string
	AccountID string
	Data      map[string]string // personal data of the flow (sealed at rest)
	ExpiresAt time.Time
}

var (
	flowsTable = seal.Table{Name: "id_flows", Key: "id", Sealed: []string{"data"}}
	flowData   = flowsTable.Column("data")
)

// ErrFlowGone is the error for a flow token that names no flow in progress: expired,
// finished, or never made.
var ErrFlowGone = errs.E(errs.Invalid, "id.flow_gone", errors.New("id: no such flow in progress"))

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenHash(token string) []byte {
	sum := streebog.Sum256([]byte(token))
	return sum[:]
}

// startFlow stores a new flow valid for ttl.
func (s *Service) startFlow(ctx context.Context, x db.Querier, kind FlowKind, state, accountID string, data map[string]string, ttl time.Duration) (*Flow, error) {
	now := s.now().UTC()
	f := &Flow{ID: db.NewID(), Token: newToken(), Kind: kind, State: state, AccountID: accountID, Data: data,
		ExpiresAt: now.Add(ttl)}
	sealed, err := s.sealFlowData(f)
	if err != nil {
		return nil, err
	}
	if x == nil {
		x = s.db.Writer()
	}
	_, err = x.ExecContext(ctx, `INSERT INTO id_flows (id, token_hash, kind, state, account_id, data, created_at, updated_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`, f.ID, tokenHash(f.Token), string(kind), state, nullString(accountID),
		sealed, now, f.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("id: store flow: %w", err)
	}
	return f, nil
}

func (s *Service) sealFlowData(f *Flow) (seal.Sealed, error) {
	if len(f.Data) == 0 {
		return seal.Sealed{}, nil
	}
	js, err := json.Marshal(f.Data)
	if err != nil {
		return seal.Sealed{}, err
	}
	return s.box.Seal(flowData, f.ID, js), nil
}

// flow returns the flow of kind the token names, if it is still in progress.
func (s *Service) flow(ctx context.Context, x db.Querier, kind FlowKind, token string) (*Flow, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrFlowGone
	}
	if x == nil {
		x = s.db.Reader()
	}
	f := &Flow{Kind: kind}
	var account sql.NullString
	var data seal.Sealed
	err := x.QueryRowContext(ctx, `SELECT id, state, account_id, data, expires_at FROM id_flows
		WHERE token_hash = $1 AND kind = $2`, tokenHash(token), string(kind)).Scan(&f.ID, &f.State, &account, &data, &f.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrFlowGone
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(f.ExpiresAt) {
		return nil, ErrFlowGone
	}
	f.AccountID = account.String
	if js, err := s.box.Open(flowData, f.ID, data); err != nil {
		return nil, err
	} else if len(js) > 0 {
		if err := json.Unmarshal(js, &f.Data); err != nil {
			return nil, err
		}
	}
	if f.Data == nil {
		f.Data = map[string]string{}
	}
	return f, nil
}

// advanceFlow moves a flow from state from to f.State (and saves its account and data), in x;
// errs ErrFlowGone if another request moved it first.
func (s *Service) advanceFlow(ctx context.Context, x db.Querier, f *Flow, from string) error {
	sealed, err := s.sealFlowData(f)
	if err != nil {
		return err
	}
	res, err := x.ExecContext(ctx, `UPDATE id_flows SET state = $3, account_id = $4, data = $5, updated_at = $6
		WHERE id = $1 AND state = $2`, f.ID, from, f.State, nullString(f.AccountID), sealed, s.now().UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrFlowGone
	}
	return nil
}

// endFlow deletes a finished flow (its codes go with it).
func (s *Service) endFlow(ctx context.Context, x db.Querier, f *Flow) error {
	if _, err := x.ExecContext(ctx, `DELETE FROM id_codes WHERE flow_id = $1`, f.ID); err != nil {
		return err
	}
	_, err := x.ExecContext(ctx, `DELETE FROM id_flows WHERE id = $1`, f.ID)
	return err
}

// PurgeFlows deletes up to limit flows that expired before before, with their codes (the
// retention job).
func (s *Service) PurgeFlows(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.purge(ctx, `DELETE FROM id_flows WHERE id IN (SELECT id FROM id_flows WHERE expires_at < $1 LIMIT $2)`,
		before.UTC(), limit)
}

// PurgeCodes deletes up to limit one-time codes that expired before before.
func (s *Service) PurgeCodes(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.purge(ctx, `DELETE FROM id_codes WHERE id IN (SELECT id FROM id_codes WHERE expires_at < $1 LIMIT $2)`,
		before.UTC(), limit)
}

func (s *Service) purge(ctx context.Context, q string, args ...any) (int, error) {
	res, err := s.db.Writer().ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
