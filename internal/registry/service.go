package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/seal"
)

// JobKind is the kind of the background job that puts one check to its
// registry.
const JobKind = "registry.check"

// SourceInvalidList is the Source of answers that came from the local МВД
// list of invalid passports.
const SourceInvalidList = "mvd-list"

// Defaults of Options.
const (
	DefaultAttempts = 8
	DefaultTimeout  = 30 * time.Second
	DefaultBackoff  = 30 * time.Second // the first retry's delay; it doubles up to an hour
)

// Options configure a Service.
type Options struct {
	DB   *db.DB
	Jobs *jobs.Queue
	Box  *seal.Box // seals what a check asked and what the registry answered
	// Adapters are the registries to call; a nil one is not configured.
	Adapters Adapters
	// InvalidPassports, if set, is consulted before every passport check.
	InvalidPassports InvalidPassports
	// Attempts is how many times a registry that does not answer is called
	// before the check is stored Unavailable.
	Attempts int
	// Timeout bounds one registry call.
	Timeout time.Duration
	// Backoff is the delay before attempt n+1; default doubles from
	// DefaultBackoff up to an hour, with jitter.
	Backoff func(attempt int) time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
}

// Service stores check requests, runs them as durable jobs and keeps the
// answers.
type Service struct {
	db       *db.DB
	jobs     *jobs.Queue
	box      *seal.Box
	adapters Adapters
	list     InvalidPassports
	attempts int
	timeout  time.Duration
	now      func() time.Time
	log      *slog.Logger
	onAnswer []func(ctx context.Context, tx *sql.Tx, c Check) error
}

// OnAnswer adds f to what runs when a check gets its outcome (an answer, or Unavailable after
// the last attempt), in the transaction that stores it: a caller that follows its checks —
// account levels — learns of each as it arrives, durably (enqueue a job in tx). An error from
// f undoes the storing, and the attempt is retried. Add hooks before the job queue runs.
func (s *Service) OnAnswer(f func(ctx context.Context, tx *sql.Tx, c Check) error) {
	s.onAnswer = append(s.onAnswer, f)
}

// NewService returns a service and registers its job kind on o.Jobs.
func NewService(o Options) *Service {
	if o.Box == nil {
		panic("registry: Options.Box is required: checks hold personal data, sealed at rest")
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backoff == nil {
		o.Backoff = jobs.Exponential(DefaultBackoff, time.Hour)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: o.DB, jobs: o.Jobs, box: o.Box, adapters: o.Adapters, list: o.InvalidPassports,
		attempts: o.Attempts, timeout: o.Timeout, now: o.Now, log: o.Logger}
	// The attempt's own limit leaves room to store the outcome after a call
	// that used its whole timeout.
	o.Jobs.Register(JobKind, s.run, jobs.KindOptions{MaxAttempts: o.Attempts, Timeout: o.Timeout + 30*time.Second,
		Backoff: o.Backoff})
	return s
}

// payload is the job's: the check and its run, never the query itself.
type payload struct {
	CheckID string `json:"check_id"`
	Run     int    `json:"run"`
}

// Request validates the query, stores a pending check and enqueues the job
// that asks the registry, both in x if it is the caller's transaction
// (*sql.Tx), so that the check exists if and only if the caller's change
// commits. Anything else (nil, a pool) means a transaction of its own: the
// check and its job are stored together or not at all. It returns the
// check's ID.
//
// A bad query is errs.Invalid wrapping a *FieldError.
func (s *Service) Request(ctx context.Context, x db.Querier, req CheckRequest) (string, error) {
	if req.Subject == "" || len(req.Subject) > MaxSubjectLen {
		return "", errs.E(errs.Invalid, "registry.subject_invalid", fmt.Errorf("registry: subject of %d bytes", len(req.Subject)))
	}
	q, err := Normalize(req.Query)
	if err != nil {
		return "", errs.E(errs.Invalid, "registry.query_invalid", err)
	}
	c := &Check{ID: db.NewID(), Subject: req.Subject, Registry: q.Registry(), Query: q, Fields: q.Fields(),
		Status: Pending, Run: 1, RequestedAt: s.now().UTC()}
	store := func(x db.Querier) error {
		if err := insertCheck(ctx, x, s.box, c); err != nil {
			return err
		}
		return s.enqueue(ctx, x, c.ID, 1)
	}
	err = s.inTx(ctx, x, store)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

func (s *Service) enqueue(ctx context.Context, x db.Querier, id string, run int) error {
	_, err := s.jobs.Enqueue(ctx, x, jobs.Spec{Kind: JobKind, Payload: payload{CheckID: id, Run: run},
		Key: fmt.Sprintf("%s/%d", id, run), MaxAttempts: s.attempts})
	return err
}

// Rerun asks the registry again, under the same ID, for a check that ended
// Unavailable — or that is still Pending, for one whose job was lost (a
// dead-lettered job, say): the new run supersedes the old, whose job then
// stores nothing. In x, or a transaction of its own, as Request does. A check with an answer is
// errs.Conflict: an answer stands, and a new question is a new Request.
func (s *Service) Rerun(ctx context.Context, x db.Querier, id string) error {
	restart := func(x db.Querier) error {
		if _, err := getCheck(ctx, x, s.box, id); err != nil {
			return err
		}
		run, ok, err := restartCheck(ctx, x, id, s.now().UTC())
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Conflict, "registry.rerun_conflict", errors.New("registry: the check has an answer"))
		}
		return s.enqueue(ctx, x, id, run)
	}
	return s.inTx(ctx, x, restart)
}

// inTx runs fn in x if it is the caller's transaction, else in a transaction
// of its own: a check's change and its job are stored together, whatever the
// caller passed (as notify.Send does).
func (s *Service) inTx(ctx context.Context, x db.Querier, fn func(db.Querier) error) error {
	if tx, ok := x.(*sql.Tx); ok {
		return fn(tx)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return fn(tx) })
}

// Get returns a check; an unknown ID is errs.NotFound.
func (s *Service) Get(ctx context.Context, id string) (Check, error) {
	return getCheck(ctx, s.db.Reader(), s.box, id)
}

// List returns the checks of a subject, newest first.
func (s *Service) List(ctx context.Context, subject string) ([]Check, error) {
	return listChecks(ctx, s.db.Reader(), s.box, subject, "", 0)
}

// Latest returns the newest check of a subject in one registry, or
// errs.NotFound.
func (s *Service) Latest(ctx context.Context, subject string, r Registry) (Check, error) {
	cs, err := listChecks(ctx, s.db.Reader(), s.box, subject, r, 1)
	if err != nil {
		return Check{}, err
	}
	if len(cs) == 0 {
		return Check{}, errs.E(errs.NotFound, "registry.check_not_found", nil)
	}
	return cs[0], nil
}

// PurgeSuperseded deletes up to limit checks requested before before for which a newer check
// of the same subject and registry exists (the retention job; see internal/retention). The
// newest check of each subject and registry stays as long as the subject's account needs it.
func (s *Service) PurgeSuperseded(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM registry_checks WHERE id IN (
		SELECT c.id FROM registry_checks c WHERE c.requested_at < $1 AND EXISTS (
			SELECT 1 FROM registry_checks n WHERE n.subject = c.subject AND n.registry = c.registry
				AND (n.requested_at > c.requested_at OR n.requested_at = c.requested_at AND n.id > c.id))
		LIMIT $2)`, before.UTC(), limit)
	if err != nil {
		return 0, fmt.Errorf("registry: purge: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
