package id

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/seal"
)

// The storage of QR sign-in (qr.go): a flow of kind "qr" in id_flows, found by the desktop's
// token like every flow, or by the code's flow id and secret.

// takeQR deletes the approved flow in tx, once: ErrFlowGone if another request took it first.
func (s *Service) takeQR(ctx context.Context, tx *sql.Tx, f *Flow) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM id_flows WHERE id = $1 AND state = $2`, f.ID, string(QRApproved))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrFlowGone
	}
	return nil
}

// sessionLive reports whether the session of the account is live: not revoked, neither idle
// nor past its end.
func (s *Service) sessionLive(ctx context.Context, sessionID, accountID string) (bool, error) {
	if sessionID == "" {
		return false, nil
	}
	now := s.now().UTC()
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM id_sessions WHERE id = $1 AND account_id = $2
		AND revoked_at IS NULL AND expires_at > $3 AND seen_at > $4`, sessionID, accountID, now, now.Add(-IdleTimeout)).Scan(&n)
	return n == 1, err
}

// qrFlow returns the QR sign-in that a code names ("<flow id>.<secret>"), if it has not
// expired; ErrQRGone otherwise.
func (s *Service) qrFlow(ctx context.Context, x db.Querier, code string) (*Flow, error) {
	id, secret, ok := strings.Cut(code, ".")
	if !ok || len(code) > 100 || id == "" || secret == "" {
		return nil, ErrQRGone
	}
	if x == nil {
		x = s.db.Reader()
	}
	f := &Flow{Kind: FlowQR}
	var account sql.NullString
	var data seal.Sealed
	err := x.QueryRowContext(ctx, `SELECT id, state, account_id, data, expires_at FROM id_flows WHERE id = $1 AND kind = $2`,
		id, string(FlowQR)).Scan(&f.ID, &f.State, &account, &data, &f.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrQRGone
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(f.ExpiresAt) {
		return nil, ErrQRGone
	}
	f.AccountID = account.String
	js, err := s.box.Open(flowData, f.ID, data)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(js, &f.Data); err != nil {
		return nil, err
	}
	want, err := hex.DecodeString(f.Data[qrDataCode])
	if err != nil || subtle.ConstantTimeCompare(want, tokenHash(secret)) != 1 {
		return nil, ErrQRGone
	}
	return f, nil
}

// flowCreated is when a flow began.
func (s *Service) flowCreated(ctx context.Context, id string) (time.Time, error) {
	var at time.Time
	err := s.db.Reader().QueryRowContext(ctx, `SELECT created_at FROM id_flows WHERE id = $1`, id).Scan(&at)
	return at.UTC(), err
}
