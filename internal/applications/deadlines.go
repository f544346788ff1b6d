package applications

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/services"
)

// Deadlines that act. When an operator asks for a correction, the applicant's deadline comes
// from the service's workflow, and two durable jobs are enqueued in the same transaction: a
// reminder (JobRemind, one working day before the deadline's day, at 09:00 Moscow time, or
// Options.RemindBefore before it) and the lapse (JobLapse, at the deadline), which does what
// the service's on_correction_lapse says: reject the application with a stated reason, or
// pause it (it keeps waiting for the applicant, without a deadline). The card says which in
// advance. Both jobs carry the correction request's id and do nothing when the application
// is no longer waiting for that very request (corrected in time, withdrawn, asked again).
//
// The automatic checks are due within the service's hours; when they start, JobChecksDue is
// enqueued at their deadline and, if they are still running then, extends them once to the
// service's extendable_to_hours with a notice to the applicant (ExtendChecks, which an
// operator may also do).

// The job kinds.
const (
	JobRemind    = "applications.correction_remind"
	JobLapse     = "applications.correction_lapse"
	JobChecksDue = "applications.checks_due"
)

// remindHour is the hour (Moscow time) a working-day reminder is sent at.
const remindHour = 9

// deadlineTask is the payload of the deadline jobs: ids and the deadline, nothing personal.
type deadlineTask struct {
	Application string    `json:"application"`
	Correction  string    `json:"correction,omitempty"` // the request's id (Correction.ID)
	Due         time.Time `json:"due"`
}

// errNotYet makes a job that a clock running behind woke early try again later.
var errNotYet = errors.New("applications: the deadline has not come yet")

func (s *Store) registerJobs(q *jobs.Queue) {
	opt := jobs.KindOptions{MaxAttempts: 20, Backoff: jobs.Exponential(30*time.Second, time.Hour)}
	q.Register(JobRemind, s.runRemind, opt)
	q.Register(JobLapse, s.runLapse, opt)
	q.Register(JobChecksDue, s.runChecksDue, opt)
}

// remindAt is when the reminder of a correction due at due is sent.
func (s *Store) remindAt(due time.Time) time.Time {
	if s.opt.RemindBefore > 0 {
		return due.Add(-s.opt.RemindBefore)
	}
	d := s.opt.Calendar.SubWorkingDays(due, s.opt.RemindWorkingDays).In(moscow)
	return time.Date(d.Year(), d.Month(), d.Day(), remindHour, 0, 0, 0, moscow).UTC()
}

// schedule enqueues, in tx, the jobs of the step a has just entered by action.
func (s *Store) schedule(ctx context.Context, tx *sql.Tx, a *Application, action Action) error {
	if s.opt.Jobs == nil {
		return nil
	}
	switch {
	case action == RequestCorrection && a.Correction != nil && !a.Correction.Due.IsZero():
		c := a.Correction
		t := deadlineTask{Application: a.ID, Correction: c.ID, Due: c.Due}
		if at := s.remindAt(c.Due); at.After(s.now()) {
			if _, err := s.opt.Jobs.Enqueue(ctx, tx, jobs.Spec{Kind: JobRemind, Payload: t, RunAt: at, Key: c.ID}); err != nil {
				return err
			}
		}
		_, err := s.opt.Jobs.Enqueue(ctx, tx, jobs.Spec{Kind: JobLapse, Payload: t, RunAt: c.Due, Key: c.ID})
		return err
	case action == StartChecks && !a.Deadline.IsZero():
		t := deadlineTask{Application: a.ID, Due: a.Deadline}
		_, err := s.opt.Jobs.Enqueue(ctx, tx, jobs.Spec{Kind: JobChecksDue, Payload: t, RunAt: a.Deadline,
			Key: a.ID + "/" + a.Deadline.Format(time.RFC3339)})
		return err
	}
	return nil
}

// locked reads the application in tx after taking its row for writing, so that what the job
// decides on is what it changes (no applicant's answer slips in between).
func (s *Store) locked(ctx context.Context, tx *sql.Tx, appID string) (*Application, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE applications SET updated_at = updated_at WHERE id = $1`, appID); err != nil {
		return nil, err
	}
	return s.get(ctx, tx, appID, "")
}

// waiting returns the application of t if it still waits for t's correction request and the
// request has not lapsed.
func (s *Store) waiting(ctx context.Context, tx *sql.Tx, t deadlineTask) (*Application, bool, error) {
	a, err := s.locked(ctx, tx, t.Application)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	c := a.Correction
	if a.State != NeedsCorrection || c == nil || c.ID != t.Correction || !c.Lapsed.IsZero() {
		return nil, false, nil
	}
	return a, true, nil
}

func (s *Store) runRemind(ctx context.Context, job *jobs.Job) error {
	var t deadlineTask
	if err := job.Decode(&t); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, ok, err := s.waiting(ctx, tx, t)
		if !ok || err != nil || !a.Correction.Reminded.IsZero() {
			return err // corrected, withdrawn, asked again, or reminded already: nothing to do
		}
		a.Correction.Reminded = s.now()
		if err := s.saveCorrection(ctx, tx, a); err != nil {
			return err
		}
		if err := s.journal(ctx, tx, nil, Actor{System, "applications"}, "application.remind", a,
			map[string]string{"correction": a.Correction.ID}); err != nil {
			return err
		}
		return s.remind(ctx, tx, a)
	})
}

// remind sends the applicant the reminder of the correction's deadline, by the channels the
// applicant keeps on for reminders (notify applies the preferences).
func (s *Store) remind(ctx context.Context, tx *sql.Tx, a *Application) error {
	if s.opt.Notify == nil || s.opt.Accounts == nil {
		return nil
	}
	svc, ok := s.opt.Services.Service(a.Service)
	if !ok {
		return fmt.Errorf("applications: %s: unknown service %q", a.ID, a.Service)
	}
	acc, err := s.opt.Accounts.Account(ctx, a.AccountID)
	if err != nil {
		return err
	}
	p := s.opt.Catalog.Printer(acc.Lang)
	_, err = s.opt.Notify.Send(ctx, tx, notify.Message{Kind: notify.DeadlineReminder,
		To: notify.Recipient{AccountID: acc.ID, Email: acc.Email, Phone: acc.Phone, Lang: acc.Lang},
		Data: map[string]any{"What": p.T("applications.deadlines.remind_what", "number", a.Number, "service", svc.Name.In(p.Lang())),
			"Deadline": a.Correction.Due, "Path": "/applications/" + a.ID}})
	return err
}

func (s *Store) saveCorrection(ctx context.Context, tx *sql.Tx, a *Application) error {
	js, err := json.Marshal(a.Correction)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE applications SET correction = $2 WHERE id = $1`, a.ID, s.box.Seal(correctionColumn, a.ID, js))
	return err
}

func (s *Store) runLapse(ctx context.Context, job *jobs.Job) error {
	var t deadlineTask
	if err := job.Decode(&t); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, ok, err := s.waiting(ctx, tx, t)
		if !ok || err != nil {
			return err
		}
		if s.now().Before(a.Correction.Due) {
			return errNotYet
		}
		svc, ok := s.opt.Services.Service(a.Service)
		if !ok {
			return jobs.Permanent(fmt.Errorf("applications: %s: unknown service %q", a.ID, a.Service))
		}
		system := Actor{System, "applications"}
		if svc.Workflow.OnCorrectionLapse == services.LapsePause {
			c := *a.Correction
			c.Lapsed = s.now()
			return s.act(ctx, tx, nil, a, change{action: Pause, who: system, corr: &c, hold: true,
				status: "applications.deadlines.paused_status"})
		}
		p, err := s.printerOf(ctx, a.AccountID)
		if err != nil {
			return err
		}
		reason := p.T("applications.deadlines.lapse_reason", "due", p.MoscowTime(a.Correction.Due))
		return s.act(ctx, tx, nil, a, change{action: Reject, who: system, reason: reason, note: reason})
	})
}

// printerOf is the printer of the account's language (Russian without Accounts).
func (s *Store) printerOf(ctx context.Context, accountID string) (*i18n.Printer, error) {
	if s.opt.Accounts == nil {
		return s.opt.Catalog.Printer(i18n.RU), nil
	}
	acc, err := s.opt.Accounts.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return s.opt.Catalog.Printer(acc.Lang), nil
}

func (s *Store) runChecksDue(ctx context.Context, job *jobs.Job) error {
	var t deadlineTask
	if err := job.Decode(&t); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.locked(ctx, tx, t.Application)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if a.State != RegistryChecks || !a.Deadline.Equal(t.Due) {
			return nil // the checks ended, or were extended already
		}
		if s.now().Before(a.Deadline) {
			return errNotYet
		}
		return s.extendChecks(ctx, tx, a, Actor{System, "applications"})
	})
	if errs.IDOf(err) == "applications.not_extendable" {
		return nil // the service allows no extension: the checks are simply late
	}
	return err
}

// ExtendChecks extends the automatic checks of an application to the service's
// extendable_to_hours from their start, once, telling the applicant the new deadline. who
// is the system (the checks' deadline came) or an operator.
func (s *Store) ExtendChecks(ctx context.Context, who Actor, appID string) (*Application, error) {
	var a *Application
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.locked(ctx, tx, appID); err != nil {
			return err
		}
		return s.extendChecks(ctx, tx, a, who)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Store) extendChecks(ctx context.Context, tx *sql.Tx, a *Application, who Actor) error {
	if !May(a.State, ExtendChecks, who.Role) {
		return errs.E(errs.Conflict, "applications.not_allowed", nil)
	}
	svc, ok := s.opt.Services.Service(a.Service)
	if !ok {
		return fmt.Errorf("applications: %s: unknown service %q", a.ID, a.Service)
	}
	d, _ := svc.Workflow.Deadline(services.RegistryChecks)
	if d.ExtendableToHours <= d.Hours || d.Hours == 0 {
		return errs.E(errs.Conflict, "applications.not_extendable", nil)
	}
	// The checks started at their last start_checks; an extension since then is the one
	// extension they get.
	rows, err := tx.QueryContext(ctx, `SELECT action, at FROM application_events WHERE application_id = $1 ORDER BY seq`, a.ID)
	if err != nil {
		return err
	}
	var started time.Time
	extended := false
	for rows.Next() {
		var action string
		var at time.Time
		if err := rows.Scan(&action, &at); err != nil {
			rows.Close()
			return err
		}
		switch Action(action) {
		case StartChecks:
			started, extended = at.UTC(), false
		case ExtendChecks:
			extended = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if started.IsZero() || extended {
		return errs.E(errs.Conflict, "applications.not_extendable", nil)
	}
	until := started.Add(time.Duration(d.ExtendableToHours) * time.Hour)
	return s.act(ctx, tx, nil, a, change{action: ExtendChecks, who: who, until: until,
		status: "applications.deadlines.extended_status"})
}
