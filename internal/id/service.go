package id

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/id/password"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/seal"
)

// Options configure the Service.
type Options struct {
	DB      *db.DB
	Box     *seal.Box        // seals the personal data of accounts, sessions and flows
	Notify  *notify.Notifier // sends the codes and alerts
	Journal *audit.Journal   // every event is journaled (ids only); nil in tests that do not look
	Hasher  *password.Hasher // default: password.DefaultParams, one hash per CPU at once
	Secure  bool             // served over HTTPS: Secure, __Host- cookies
	// PasswordMaxAge is how long a password may be used before sign-in asks for a new one
	// (SEP_PASSWORD_MAX_AGE); 0: passwords do not expire.
	PasswordMaxAge time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// Service is ID: accounts, sign-in, sessions.
type Service struct {
	db      *db.DB
	box     *seal.Box
	notify  *notify.Notifier
	journal *audit.Journal
	hasher  *password.Hasher
	secure  bool
	now     func() time.Time
	log     *slog.Logger
	factors []SecondFactor // besides SMS, in order of preference

	passwordMaxAge time.Duration // 0: passwords do not expire

	// onRecovered run in the transaction that sets a recovered password (or takes the account
	// back after «это был не я»): each part of ID that must follow — the sign-in lock is
	// lifted, remembered devices are forgotten — adds itself with OnRecovered.
	onRecovered []func(ctx context.Context, tx *sql.Tx, accountID string) error
}

// OnRecovered adds f to what runs, inside the transaction, when an account is recovered; an
// error from f undoes the recovery.
func (s *Service) OnRecovered(f func(ctx context.Context, tx *sql.Tx, accountID string) error) {
	s.onRecovered = append(s.onRecovered, f)
}

// recovered runs the OnRecovered hooks in tx.
//
//lint:ignore U1000 the recovery flow (next) calls it
func (s *Service) recovered(ctx context.Context, tx *sql.Tx, accountID string) error {
	for _, f := range s.onRecovered {
		if err := f(ctx, tx, accountID); err != nil {
			return err
		}
	}
	return nil
}

// New returns the service.
func New(o Options) (*Service, error) {
	if o.DB == nil || o.Box == nil || o.Notify == nil {
		return nil, errors.New("id: a database, a seal box and a notifier are required")
	}
	if o.Hasher == nil {
		o.Hasher = password.NewHasher(password.DefaultParams, 0)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: o.DB, box: o.Box, notify: o.Notify, journal: o.Journal, hasher: o.Hasher, secure: o.Secure,
		now: o.Now, log: o.Logger, passwordMaxAge: o.PasswordMaxAge}, nil
}

// Hasher is the service's password hasher.
func (s *Service) Hasher() *password.Hasher { return s.hasher }

// Journal actions of ID. Their readable names are the catalog messages "audit.action.<code>".
const (
	ActionRegistered     = "id.registered"
	ActionSignIn         = "id.signin"          // success; failure with a reason detail
	ActionSignOut        = "id.signout"         // the session ended by its owner
	ActionLocked         = "id.locked"          // password sign-in locked after failures
	ActionRecovered      = "id.recovered"       // a password set by recovery
	ActionPasswordChange = "id.password_change" // a password changed by its owner
	ActionSessionRevoked = "id.session_revoked"
	ActionFactorAdded    = "id.factor_added"
	ActionFactorRemoved  = "id.factor_removed"
	ActionContactChanged = "id.contact_changed"
	ActionLevelChanged   = "id.level_changed"
	ActionBlocked        = "id.blocked"
	ActionUnblocked      = "id.unblocked"
)

// Event is what a flow journals.
type Event struct {
	Action    string
	AccountID string // the actor and object; empty for an anonymous failure
	Outcome   audit.Outcome
	Details   map[string]string
}

// record journals e in x (the flow's transaction: the entry exists if and only if the change
// commits), with the request's address and user agent.
func (s *Service) record(ctx context.Context, x db.Querier, r *http.Request, e Event) error {
	if s.journal == nil {
		return nil
	}
	entry := audit.Entry{ActorKind: audit.ActorCitizen, ActorID: e.AccountID, Action: e.Action, Outcome: e.Outcome,
		Details: e.Details}
	if e.AccountID != "" {
		entry.ObjectType, entry.ObjectID = "account", e.AccountID
	} else {
		entry.ActorKind = audit.ActorAnonymous
	}
	var err error
	if r != nil {
		_, err = s.journal.AppendRequest(ctx, x, r, entry)
	} else {
		_, err = s.journal.Append(ctx, x, entry)
	}
	if err != nil {
		return fmt.Errorf("id: journal %s: %w", e.Action, err)
	}
	return nil
}

// addPassword stores a new password hash as the account's current one, keeping the three
// before it for the history rule and deleting older ones.
func addPassword(ctx context.Context, tx *sql.Tx, accountID, hash string, at time.Time) error {
	var last int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM id_passwords WHERE account_id = $1`, accountID).Scan(&last); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO id_passwords (account_id, seq, hash, created_at) VALUES ($1, $2, $3, $4)`,
		accountID, last+1, hash, at.UTC()); err != nil {
		return fmt.Errorf("id: store password: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM id_passwords WHERE account_id = $1 AND seq <= $2`, accountID, last+1-PasswordHistory)
	return err
}

// PasswordHistory is how many passwords an account keeps: the current one and the ones a new
// password may not repeat (the seeds: «старый пароль нельзя повторять более трёх раз подряд»).
const PasswordHistory = 3

// passwords returns the account's password hashes, newest first (the first is the current).
func (s *Service) passwords(ctx context.Context, x db.Querier, accountID string) ([]string, time.Time, error) {
	if x == nil {
		x = s.db.Reader()
	}
	rows, err := x.QueryContext(ctx, `SELECT hash, created_at FROM id_passwords WHERE account_id = $1 ORDER BY seq DESC`, accountID)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rows.Close()
	var out []string
	var set time.Time
	for rows.Next() {
		var h string
		var at time.Time
		if err := rows.Scan(&h, &at); err != nil {
			return nil, time.Time{}, err
		}
		if out == nil {
			set = at.UTC()
		}
		out = append(out, h)
	}
	return out, set, rows.Err()
}
