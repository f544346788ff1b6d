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
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
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
	// SiteURL is the address people reach the site at (asked when needed: the port may be
	// known only once the server listens); passkeys are bound to its host. nil: no passkeys.
	SiteURL func() string
	// PasswordMaxAge is how long a password may be used before sign-in asks for a new one
	// (SEP_PASSWORD_MAX_AGE); 0: passwords do not expire.
	PasswordMaxAge time.Duration
	Now            func() time.Time
	Logger         *slog.Logger

	// PublicURL is the address people reach sep at (https://sep.example.ru), for the links a
	// phone opens (the sign-in QR code); empty: the address each request came to.
	PublicURL string

	// Throttle limits sign-in attempts (throttle.go); zero fields take DefaultThrottle's.
	Throttle Throttle
	// IdleTimeout ends a session after this long without a request (default IdleTimeout).
	IdleTimeout time.Duration
	// Places tells where a device's address is, if some source knows (default: nobody).
	Places PlaceFinder
}

// Service is ID: accounts, sign-in, sessions.
type Service struct {
	db      *db.DB
	box     *seal.Box
	notify  *notify.Notifier
	journal *audit.Journal
	hasher  *password.Hasher
	secure  bool
	public  string // Options.PublicURL
	now     func() time.Time
	log     *slog.Logger
	factors []SecondFactor // besides SMS, in order of preference
	siteURL func() string

	registry *registry.Service // nil: no registry checks, no level rises (UseRegistry)
	jobs     *jobs.Queue

	throttle Throttle // the sign-in limits, defaults filled in

	idle   time.Duration // a session ends this long after its last request
	places PlaceFinder

	passwordMaxAge time.Duration // 0: passwords do not expire

	// onRecovered run in the transaction that sets a recovered password (or takes the account
	// back after «это был не я»): each part of ID that must follow — the sign-in lock is
	// lifted, remembered devices are forgotten — adds itself with OnRecovered.
	onRecovered []func(ctx context.Context, tx *sql.Tx, accountID string) error

	// onSignIn run in the transaction that starts a session (every way of signing in ends
	// there): a domain that follows its holder at sign-in — the electronic passport re-checks
	// its paper passport — adds itself with OnSignIn.
	onSignIn []func(ctx context.Context, x db.Querier, accountID string) error
}

// OnSignIn adds f to what runs, in the transaction that starts a session, when someone signs
// in; an error from f fails the sign-in, so f must not fail for reasons of its own domain.
func (s *Service) OnSignIn(f func(ctx context.Context, x db.Querier, accountID string) error) {
	s.onSignIn = append(s.onSignIn, f)
}

// OnRecovered adds f to what runs, inside the transaction, when an account is recovered; an
// error from f undoes the recovery.
func (s *Service) OnRecovered(f func(ctx context.Context, tx *sql.Tx, accountID string) error) {
	s.onRecovered = append(s.onRecovered, f)
}

// recovered runs the OnRecovered hooks in tx.
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
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = IdleTimeout
	}
	s := &Service{db: o.DB, box: o.Box, notify: o.Notify, journal: o.Journal, hasher: o.Hasher, secure: o.Secure,
		public: o.PublicURL, now: o.Now, log: o.Logger, siteURL: o.SiteURL,
		throttle: o.Throttle.withDefaults(), idle: o.IdleTimeout, places: o.Places, passwordMaxAge: o.PasswordMaxAge}
	s.addFactors()
	// A recovery lifts the sign-in lock and forgets the failures of the account's logins.
	s.OnRecovered(func(ctx context.Context, tx *sql.Tx, accountID string) error {
		return s.clearSignIn(ctx, tx, accountID)
	})
	s.OnRecovered(s.devicesRecovered)
	return s, nil
}

// Hasher is the service's password hasher.
func (s *Service) Hasher() *password.Hasher { return s.hasher }

// Journal actions of ID. Their readable names are the catalog messages "audit.action.<code>".
const (
	ActionRegistered      = "id.registered"
	ActionSignIn          = "id.signin"           // success; failure with a reason detail
	ActionSignOut         = "id.signout"          // the session ended by its owner
	ActionLocked          = "id.locked"           // password sign-in locked after failures
	ActionRecoveryStarted = "id.recovery_started" // a recovery code asked for (failure: a contact no account has)
	ActionRecovered       = "id.recovered"        // a password set by recovery
	ActionPasswordChange  = "id.password_change"  // a password changed by its owner
	ActionSessionRevoked  = "id.session_revoked"
	ActionFactorAdded     = "id.factor_added"
	ActionFactorRemoved   = "id.factor_removed"
	ActionContactChanged  = "id.contact_changed"
	ActionLevelChanged    = "id.level_changed"
	ActionBlocked         = "id.blocked"
	ActionUnblocked       = "id.unblocked"
	ActionQRApproved      = "id.qr_approved" // a phone's session approved a QR sign-in (the desktop's is ActionSignIn, method qr)
	ActionQRDeclined      = "id.qr_declined"
	ActionStaffCreated    = "id.staff_created" // an operator, administrator or auditor account made

	ActionProfileChanged    = "id.profile_changed"     // the owner saved the profile (checks_count: checks asked)
	ActionConfirmCodeIssued = "id.confirm_code_issued" // an operator issued a confirmation code
	ActionConfirmCodeTried  = "id.confirm_code_tried"  // a confirmation code entered: failure if wrong
	ActionOperatorViewed    = "id.operator_viewed"     // an operator looked the account up to confirm it
)

// Journal actions of devices and sessions (device.go, disavow.go, idle.go, security.go).
const (
	ActionNewDevice        = "id.new_device"        // a sign-in from a device the account had not seen; the alert went
	ActionDeviceRemembered = "id.device_remembered" // the owner asked to skip the second factor on a device
	ActionDeviceForgotten  = "id.device_forgotten"  // the owner forgot a device (its sessions ended)
	ActionDisavowed        = "id.disavowed"         // «это был не я»: password sign-in blocked, every session ended
	ActionSessionExtended  = "id.session_extended"  // «Продлить» in the idle warning
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
	// The account is the object; it is the actor too when the event succeeded (a sign-in or a
	// registration is its owner's act even before a session exists). A failure — a wrong
	// password against an account — is nobody's known act: its actor is the request's
	// principal or anonymous, so that the owner's activity shows only what the owner did and
	// the account's history (by object) shows the attempts too.
	entry := audit.Entry{Action: e.Action, Outcome: e.Outcome, Details: e.Details}
	if e.AccountID != "" {
		entry.ObjectType, entry.ObjectID = "account", e.AccountID
		if e.Outcome == "" || e.Outcome == audit.Success {
			entry.ActorKind, entry.ActorID = audit.ActorCitizen, e.AccountID
		}
	}
	if entry.ActorKind == "" {
		entry.ActorKind = audit.ActorAnonymous
	}
	return s.journalEntry(ctx, x, r, entry)
}

// journalEntry appends entry in x, with the request's address and user agent when there is a
// request; nothing without a journal (tests that do not look).
func (s *Service) journalEntry(ctx context.Context, x db.Querier, r *http.Request, entry audit.Entry) error {
	if s.journal == nil {
		return nil
	}
	var err error
	if r != nil {
		_, err = s.journal.AppendRequest(ctx, x, r, entry)
	} else {
		_, err = s.journal.Append(ctx, x, entry)
	}
	if err != nil {
		return fmt.Errorf("id: journal %s: %w", entry.Action, err)
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
