package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/jobs"
)

// errNoAnswer is returned to the job queue for an attempt that got no answer,
// so that it is retried. Its text, stored with the job, carries the registry
// and the reason only — never the query.
type errNoAnswer struct {
	registry Registry
	reason   Reason
}

func (e errNoAnswer) Error() string {
	return fmt.Sprintf("registry %s: no answer (%s)", e.registry, e.reason)
}

// run is the job handler: one attempt to get an answer for a pending check.
func (s *Service) run(ctx context.Context, job *jobs.Job) error {
	var p payload
	if err := job.Decode(&p); err != nil {
		return err
	}
	c, err := getCheck(ctx, s.db.Reader(), s.box, p.CheckID)
	if errs.KindOf(err) == errs.NotFound {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if c.Status != Pending || c.Run != p.Run {
		return nil // answered by an earlier run of this job, or superseded by a rerun
	}

	a, err := s.ask(ctx, c.Query)
	if ctx.Err() != nil {
		// The job itself was stopped (shutdown, lost lease): not the
		// registry's fault, and not an answer to store.
		return ctx.Err()
	}
	at := s.now().UTC()
	w := s.db.Writer()
	if err != nil {
		reason := ReasonDown
		if errors.Is(err, context.DeadlineExceeded) {
			reason = ReasonTimeout
		}
		s.log.Warn("registry: no answer", "registry", c.Registry, "check", c.ID, "attempt", job.Attempt,
			"of", job.MaxAttempts, "reason", reason, "err", err)
		if job.Attempt >= job.MaxAttempts {
			return s.answered(ctx, c, Answer{Status: Unavailable, Reason: reason}, job.Attempt, at)
		}
		if err := storeAttempt(ctx, w, c.ID, c.Run, reason, job.Attempt, at); err != nil {
			return err
		}
		return errNoAnswer{registry: c.Registry, reason: reason}
	}
	return s.answered(ctx, c, a, job.Attempt, at)
}

// answered stores the answer of a check's run and, in the same transaction, runs the OnAnswer
// hooks with the check as answered.
func (s *Service) answered(ctx context.Context, c Check, a Answer, attempts int, at time.Time) error {
	if len(s.onAnswer) == 0 {
		return storeAnswer(ctx, s.db.Writer(), s.box, c.ID, c.Run, a, attempts, at)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := storeAnswer(ctx, tx, s.box, c.ID, c.Run, a, attempts, at); err != nil {
			return err
		}
		c.Status, c.MismatchField, c.Reason, c.Source, c.Attempts, c.CheckedAt = a.Status, a.Field, a.Reason, a.Source, attempts, at
		for _, f := range s.onAnswer {
			if err := f(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// ask puts a query to its registry with the call's timeout. An error means no
// answer.
func (s *Service) ask(ctx context.Context, q Query) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var (
		a   Answer
		err error
	)
	switch q := q.(type) {
	case PassportQuery:
		if s.list != nil {
			invalid, err := s.list.Contains(ctx, q.Series, q.Number)
			if err != nil {
				return Answer{}, fmt.Errorf("registry: invalid passport list: %w", err)
			}
			if invalid {
				return Answer{Status: Invalid, Reason: ReasonInvalidList, Source: SourceInvalidList}, nil
			}
		}
		if s.adapters.Passport == nil {
			return notConfigured, nil
		}
		a, err = s.adapters.Passport.CheckPassport(ctx, q)
	case SNILSQuery:
		if s.adapters.SNILS == nil {
			return notConfigured, nil
		}
		a, err = s.adapters.SNILS.CheckSNILS(ctx, q)
	case INNQuery:
		if s.adapters.INN == nil {
			return notConfigured, nil
		}
		a, err = s.adapters.INN.CheckINN(ctx, q)
	case LegalQuery:
		if s.adapters.Legal == nil {
			return notConfigured, nil
		}
		a, err = s.adapters.Legal.CheckLegal(ctx, q)
	default:
		return Answer{}, fmt.Errorf("registry: unknown query %T", q)
	}
	if err != nil {
		return Answer{}, err
	}
	if err := a.valid(q); err != nil {
		// An adapter bug; retried like no answer, so that it ends visibly
		// Unavailable instead of stored as nonsense.
		s.log.Error("registry: adapter answered nonsense", "registry", q.Registry(), "err", err)
		return Answer{}, err
	}
	return a, nil
}

// notConfigured is the answer for a registry this installation has no adapter
// for: definite, so that it is not retried.
var notConfigured = Answer{Status: Unavailable, Reason: ReasonNotConfigured}

// valid checks that an adapter's answer is one the service can store.
func (a Answer) valid(q Query) error {
	switch a.Status {
	case Confirmed, NotFound:
	case Mismatch:
		if !slices.Contains(q.Fields(), a.Field) {
			return fmt.Errorf("registry: mismatch in %q, a field the query does not have", a.Field)
		}
	case Invalid, Unavailable:
		if !slices.Contains(Reasons(), a.Reason) {
			return fmt.Errorf("registry: %s with reason %q", a.Status, a.Reason)
		}
	default:
		return fmt.Errorf("registry: status %q is not an answer", a.Status)
	}
	return nil
}
