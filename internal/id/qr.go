package id

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/web"
)

// QR sign-in: the desktop's sign-in page shows a QR code; a phone already signed in scans it,
// sees which browser, address and place ask, and approves or declines; the desktop, which has
// been asking all along, is then signed in — as the account that approved.
//
//	StartQR (desktop) ──▶ waiting ──ApproveQR (phone's session)──▶ approved ──FinishQR (desktop)──▶ session "qr"
//	                         │  └──DeclineQR──▶ declined
//	                         └── two minutes pass: gone (the page shows a new code)
//
// Two secrets: the desktop keeps the flow's token (a hidden field; the digest is the flow's
// token_hash), and the QR code carries another, "<flow id>.<secret>", whose digest is kept in
// the flow's sealed data. Whoever sees the screen learns the code, never the desktop's token:
// approving a code signs in the desktop that asked for it, not the one that photographed it.

// FlowQR is the kind of a QR sign-in.
const FlowQR FlowKind = "qr"

// MethodQR is the method of a session that a QR code signed in.
const MethodQR = "qr"

// QRTTL is how long a QR code may be approved; the page shows a new one after it.
const QRTTL = 2 * time.Minute

// qrFinishTTL is how long an approved sign-in waits for the desktop to take its session (it
// asks every two seconds, or when its owner presses «Проверить»).
const qrFinishTTL = time.Minute

// QRState is how a QR sign-in stands, as the desktop asks.
type QRState string

// The states of a QR sign-in. QRExpired is also the answer for a token that names nothing:
// the desktop shows a new code either way.
const (
	QRWaiting  QRState = "waiting"
	QRApproved QRState = "approved"
	QRDeclined QRState = "declined"
	QRExpired  QRState = "expired"
)

// The errors of QR sign-in, each with its message.
var (
	ErrQRGone     = errs.E(errs.NotFound, "id.qr_gone", errors.New("id: no such QR code in progress"))
	ErrQRUsed     = errs.E(errs.Conflict, "id.qr_used", errors.New("id: the QR code was approved or declined already"))
	ErrQRWaiting  = errs.E(errs.Conflict, "id.qr_waiting", errors.New("id: the QR code is not approved yet"))
	ErrQRDeclined = errs.E(errs.Forbidden, "id.qr_declined", errors.New("id: the QR code was declined"))
	errQRNoFactor = errs.E(errs.Forbidden, "id.qr_session_weak", errors.New("id: the approving session is not a two-factor one"))
	errQRApprover = errs.E(errs.Forbidden, "id.qr_approver_gone", errors.New("id: the approving session has ended"))
)

// The flow's data: the desktop's address and browser (personal data, sealed with the rest),
// the digest of the code's secret, and, once approved, the approving session.
const (
	qrDataIP      = "ip"
	qrDataUA      = "ua"
	qrDataCode    = "code"
	qrDataSession = "session"
)

// twoFactorMethods are the ways a session may have begun that count as both factors, so that
// its approval may sign in another browser: each asked for the password or a recovery and a
// second factor (registration confirmed the phone and the address by codes). A kind of
// session added later approves QR codes only once it is named here.
var twoFactorMethods = []string{MethodSMS, "totp", "webauthn", "recovery", "registration", MethodQR}

// QRSignIn is a QR sign-in as the desktop has it.
type QRSignIn struct {
	Flow *Flow  // Flow.Token is the desktop's secret; set only when the flow is made
	Code string // what the QR code carries (the path /id/qr/<code>)
}

// StartQR makes a new QR code for the desktop's request r, valid for QRTTL.
func (s *Service) StartQR(ctx context.Context, r *http.Request) (*QRSignIn, error) {
	secret := newToken()
	data := map[string]string{qrDataCode: hex.EncodeToString(tokenHash(secret))}
	if r != nil {
		if ip := web.ClientIP(r); ip.IsValid() {
			data[qrDataIP] = ip.String()
		}
		if ua := clipText(r.UserAgent(), 512); ua != "" {
			data[qrDataUA] = ua
		}
	}
	f, err := s.startFlow(ctx, nil, FlowQR, string(QRWaiting), "", data, QRTTL)
	if err != nil {
		return nil, err
	}
	return &QRSignIn{Flow: f, Code: f.ID + "." + secret}, nil
}

// QRStatus tells the desktop how its QR sign-in stands, and until when.
func (s *Service) QRStatus(ctx context.Context, token string) (QRState, time.Time, error) {
	f, err := s.flow(ctx, nil, FlowQR, token)
	if errors.Is(err, ErrFlowGone) {
		return QRExpired, time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return QRState(f.State), f.ExpiresAt, nil
}

// QRCode returns the desktop's QR sign-in again — its token and the code it shows — if it is
// still waiting for the phone: the page without JavaScript shows the same code when asked.
func (s *Service) QRCode(ctx context.Context, token, code string) (*QRSignIn, error) {
	f, err := s.flow(ctx, nil, FlowQR, token)
	if err != nil {
		return nil, err
	}
	g, err := s.qrFlow(ctx, nil, code)
	if err != nil {
		return nil, err
	}
	if g.ID != f.ID || f.State != string(QRWaiting) {
		return nil, ErrFlowGone
	}
	f.Token = token
	return &QRSignIn{Flow: f, Code: code}, nil
}

// QRRequest is what the phone shows of a desktop that asks to be signed in.
type QRRequest struct {
	Agent       web.Agent
	IP          string
	Place       string // where the address is, when a configured source knows; "" otherwise
	RequestedAt time.Time
	ExpiresAt   time.Time
}

// QRRequestOf describes the desktop that shows the code, for the phone that scanned it. A code
// already approved or declined is ErrQRUsed; an expired or unknown one ErrQRGone.
func (s *Service) QRRequestOf(ctx context.Context, code string) (*QRRequest, error) {
	f, err := s.qrFlow(ctx, nil, code)
	if err != nil {
		return nil, err
	}
	if f.State != string(QRWaiting) {
		return nil, ErrQRUsed
	}
	created, err := s.flowCreated(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	return &QRRequest{Agent: web.ParseAgent(f.Data[qrDataUA]), IP: f.Data[qrDataIP], RequestedAt: created,
		ExpiresAt: f.ExpiresAt}, nil
}

// ApproveQR approves the code with the session of the request r (the phone's cookie or bearer
// token): the desktop that shows the code is signed in as that session's account — never
// another's. The session must be live, its account active, and itself of two factors.
func (s *Service) ApproveQR(ctx context.Context, r *http.Request, code string) error {
	return s.decideQR(ctx, r, code, QRApproved)
}

// DeclineQR declines the code with the session of the request r; the desktop says so and
// shows a new code.
func (s *Service) DeclineQR(ctx context.Context, r *http.Request, code string) error {
	return s.decideQR(ctx, r, code, QRDeclined)
}

func (s *Service) decideQR(ctx context.Context, r *http.Request, code string, to QRState) error {
	ss, si, err := s.sessionOf(ctx, s.sessionToken(r))
	if errors.Is(err, errNoSession) || errors.Is(err, errSessionEnded) || err == nil && si.row.a.Status != Active {
		return errs.E(errs.Unauthenticated, "id.signin_needed", errors.New("id: approving a QR code needs a session"))
	}
	if err != nil {
		return err
	}
	if to == QRApproved && !slices.Contains(twoFactorMethods, ss.Method) {
		return errQRNoFactor
	}
	f, err := s.qrFlow(ctx, nil, code)
	if err != nil {
		return err
	}
	if f.State != string(QRWaiting) {
		return ErrQRUsed
	}
	action := ActionQRDeclined
	expires := f.ExpiresAt
	if to == QRApproved {
		action = ActionQRApproved
		if end := s.now().UTC().Add(qrFinishTTL); end.After(expires) {
			expires = end
		}
		f.Data[qrDataSession] = ss.ID
	}
	f.State, f.AccountID = string(to), ss.AccountID
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		sealed, err := s.sealFlowData(f)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE id_flows SET state = $3, account_id = $4, data = $5, updated_at = $6,
				expires_at = $7
			WHERE id = $1 AND state = $2 AND expires_at > $6`, f.ID, string(QRWaiting), f.State, f.AccountID, sealed, now,
			expires)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrQRUsed // another request decided first (or the code expired this instant)
		}
		return s.record(ctx, tx, r, Event{Action: action, AccountID: ss.AccountID, Outcome: audit.Success,
			Details: map[string]string{"session": ss.ID, "flow": f.ID}})
	})
}

// FinishQR gives the desktop (request r, holding token) its session once the phone has
// approved: a new session of the approving account, method "qr", and the request's previous
// session, if any, ended (the session is rotated at sign-in). The approving session must
// still be live, and the account may still sign in (a blocked one is refused). Waiting is
// ErrQRWaiting, declined ErrQRDeclined, gone ErrFlowGone.
func (s *Service) FinishQR(ctx context.Context, r *http.Request, token string) (*Session, string, error) {
	f, err := s.flow(ctx, nil, FlowQR, token)
	if err != nil {
		return nil, "", err
	}
	switch QRState(f.State) {
	case QRWaiting:
		return nil, "", ErrQRWaiting
	case QRDeclined:
		return nil, "", ErrQRDeclined
	case QRApproved:
	default:
		return nil, "", ErrFlowGone
	}
	approver := f.Data[qrDataSession]
	refuse := func(reason string, cause error) (*Session, string, error) {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := s.takeQR(ctx, tx, f); err != nil {
				return err
			}
			return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: f.AccountID, Outcome: audit.Failure,
				Details: map[string]string{"reason": reason, "method": MethodQR, "approved_by": approver}})
		})
		if err != nil {
			return nil, "", err
		}
		return nil, "", cause
	}
	if live, err := s.sessionLive(ctx, approver, f.AccountID); err != nil {
		return nil, "", err
	} else if !live {
		return refuse("approver_gone", errQRApprover)
	}
	a, err := s.Account(ctx, f.AccountID)
	if err != nil {
		return nil, "", err
	}
	if err := accountMaySignIn(a); err != nil {
		return refuse("account_"+string(a.Status), err)
	}
	var ss *Session
	var st string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.takeQR(ctx, tx, f); err != nil {
			return err
		}
		// The desktop's browser is a device like any other: the session it had ends, and a
		// browser the account has not signed in from is announced to the owner.
		var err error
		if ss, st, err = s.startSessionOnDevice(ctx, tx, a, MethodQR, r, true); err != nil {
			return err
		}
		return s.record(ctx, tx, r, Event{Action: ActionSignIn, AccountID: a.ID, Outcome: audit.Success,
			Details: map[string]string{"method": MethodQR, "session": ss.ID, "approved_by": approver}})
	})
	if err != nil {
		return nil, "", err
	}
	return ss, st, nil
}
