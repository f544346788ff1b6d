package applications

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/services"
)

// change is one transition to make: the action, who does it and what comes with it.
type change struct {
	action Action
	who    Actor
	note   string      // a remark for the history (sealed)
	corr   *Correction // RequestCorrection
	reason string      // Reject
	quiet  bool        // not told to the applicant (a step followed at once by another)
	until  time.Time   // the new state's deadline, instead of the service's (ExtendChecks)
	hold   bool        // no deadline in the new state (Pause)
	status string      // the catalog key of what the applicant is told, instead of the status
}

// act moves a along the machine in tx: the state (only from the state it was read in, so two
// operators cannot both decide), the deadline of the new state, an event of the history,
// the journal entry, the applicant's message and the event's place in the changes that live
// pages follow (live.go).
func (s *Store) act(ctx context.Context, tx *sql.Tx, r *http.Request, a *Application, c change) error {
	to, err := Next(a.State, c.action, c.who.Role)
	if err != nil {
		return err
	}
	now := s.now()
	svc, ok := s.opt.Services.Service(a.Service)
	if !ok {
		return fmt.Errorf("applications: %s: unknown service %q", a.ID, a.Service)
	}
	deadline := s.deadline(svc, to, now)
	switch {
	case c.hold:
		deadline = time.Time{}
	case !c.until.IsZero():
		deadline = c.until
	}
	evID := db.NewID()
	var corr, reason any
	switch {
	case c.corr != nil:
		if c.action == RequestCorrection {
			c.corr.Due, c.corr.ID = deadline, evID
		}
		js, err := json.Marshal(c.corr)
		if err != nil {
			return err
		}
		corr = s.box.Seal(correctionColumn, a.ID, js)
	case to == NeedsCorrection:
		return errs.E(errs.Invalid, "applications.correction_empty", nil)
	}
	if c.reason != "" {
		reason = s.box.SealString(reasonColumn, a.ID, c.reason)
	}
	var decided any
	if to == Approved || to == Rejected || to == Withdrawn {
		decided = now
	}
	var dl any
	if !deadline.IsZero() {
		dl = deadline
	}
	res, err := tx.ExecContext(ctx, `UPDATE applications SET state = $3, deadline_at = $4, correction = $5,
		reason = COALESCE($6, reason), decided_at = COALESCE($7, decided_at), updated_at = $8 WHERE id = $1 AND state = $2`,
		a.ID, string(a.State), string(to), dl, corr, reason, decided, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "applications.changed", nil)
	}
	var note any
	if c.note != "" {
		note = s.box.SealString(noteColumn, evID, c.note)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO application_events (id, application_id, seq, action, from_state,
		to_state, actor_kind, actor_id, note, at) VALUES ($1, $2,
		(SELECT COUNT(*) + 1 FROM application_events WHERE application_id = $2), $3, $4, $5, $6, $7, $8, $9)`, evID, a.ID, string(c.action),
		string(a.State), string(to), string(c.who.Role), c.who.ID, note, now); err != nil {
		return err
	}
	from := a.State
	a.State, a.Deadline, a.UpdatedAt = to, deadline, now
	if c.corr != nil {
		a.Correction = c.corr
	} else {
		a.Correction = nil
	}
	if c.reason != "" {
		a.Reason = c.reason
	}
	if err := s.journal(ctx, tx, r, c.who, "application."+string(c.action), a,
		map[string]string{"from": string(from), "to": string(to), "event": evID}); err != nil {
		return err
	}
	if err := s.schedule(ctx, tx, a, c.action); err != nil {
		return err
	}
	if !c.quiet {
		if err := s.tell(ctx, tx, a, svc, c.status); err != nil {
			return err
		}
	}
	// Last, so that the counter row is locked for as short a time as can be.
	return numberChange(ctx, tx, evID)
}

// deadline is when a step in state st is due, from now, on the service's deadlines.
func (s *Store) deadline(svc *services.Service, st State, now time.Time) time.Time {
	var d services.Deadline
	var ok bool
	switch st {
	case Submitted, RegistryChecks:
		d, ok = svc.Workflow.Deadline(services.RegistryChecks)
	case InReview:
		d, ok = svc.Workflow.Deadline(services.InReview)
	case NeedsCorrection:
		d, ok = svc.Workflow.Deadline(services.NeedsCorrection)
	}
	if !ok {
		return time.Time{}
	}
	if d.Hours > 0 {
		return now.Add(time.Duration(d.Hours) * time.Hour)
	}
	return s.opt.Calendar.AddWorkingDays(now, d.WorkingDays)
}

// tell sends the applicant the new status, in tx, by the channels the applicant keeps on for
// status changes (notify applies the preferences); status, if set, is the catalog key of what
// to say instead (with the deadline as {due}).
func (s *Store) tell(ctx context.Context, tx *sql.Tx, a *Application, svc *services.Service, status string) error {
	if s.opt.Notify == nil || s.opt.Accounts == nil {
		return nil
	}
	acc, err := s.opt.Accounts.Account(ctx, a.AccountID)
	if err != nil {
		return err
	}
	p := s.opt.Catalog.Printer(acc.Lang)
	word := p.T(StatusKey(a.State, svc.Workflow.Activates))
	if status != "" {
		due := a.Deadline
		if due.IsZero() && a.Correction != nil {
			due = a.Correction.Due
		}
		word = p.T(status, "due", p.MoscowTime(due))
	}
	_, err = s.opt.Notify.Send(ctx, tx, notify.Message{Kind: notify.ApplicationStatus,
		To: notify.Recipient{AccountID: acc.ID, Email: acc.Email, Phone: acc.Phone, Lang: acc.Lang},
		Data: map[string]any{"Number": a.Number, "Service": svc.Name.In(p.Lang()),
			"Status": word, "Path": "/applications/" + a.ID}})
	return err
}

// nextNumber takes the next number of the year: one upsert, atomic on both databases, so
// that instances sharing a database never hand out one twice.
func nextNumber(ctx context.Context, tx *sql.Tx, year int) (string, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO application_numbers (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = application_numbers.last + 1 RETURNING last`, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("applications: number: %w", err)
	}
	return fmt.Sprintf("СЭП-%d-%06d", year, n), nil
}

// Submit submits the account's draft: it must have no problems (Problems), and the consent
// must be given. It is idempotent: submitting an application already submitted returns it
// as it is, so that a double click or a retried request changes nothing. The automatic
// checks start at once; the application's own data has no registry checks yet (the
// account's data was checked by ID for its level), so they pass and the application goes
// to review.
func (s *Store) Submit(ctx context.Context, r *http.Request, accountID, appID string, consent bool) (*Application, error) {
	var a *Application
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.get(ctx, tx, appID, accountID); err != nil {
			return err
		}
		if a.State != Draft {
			return nil // already submitted: the same application, unchanged
		}
		svc, _ := s.opt.Services.Service(a.Service)
		if len(Problems(svc, a, s.now())) > 0 {
			return errs.E(errs.Invalid, "applications.has_problems", nil)
		}
		if !consent {
			return errs.E(errs.Invalid, "applications.consent_required", nil)
		}
		now := s.now()
		if a.Number, err = nextNumber(ctx, tx, now.In(moscow).Year()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET number = $2, submitted_at = $3, consent_at = $3
			WHERE id = $1 AND state = 'draft'`, a.ID, a.Number, now); err != nil {
			return err
		}
		a.SubmittedAt = now
		who := Actor{Applicant, accountID}
		system := Actor{System, "applications"}
		if err := s.act(ctx, tx, r, a, change{action: Submit, who: who, quiet: true}); err != nil {
			return err
		}
		if err := s.act(ctx, tx, r, a, change{action: StartChecks, who: system, quiet: true}); err != nil {
			return err
		}
		return s.act(ctx, tx, r, a, change{action: PassChecks, who: system})
	})
	if err != nil {
		return nil, err
	}
	s.live.committed()
	return a, nil
}

// Withdraw withdraws the account's application before a decision.
func (s *Store) Withdraw(ctx context.Context, r *http.Request, accountID, appID string) (*Application, error) {
	return s.do(ctx, r, appID, accountID, change{action: Withdraw, who: Actor{Applicant, accountID}})
}

// Corrected returns the application to review after the applicant added what was asked.
func (s *Store) Corrected(ctx context.Context, r *http.Request, accountID, appID, note string) (*Application, error) {
	return s.do(ctx, r, appID, accountID, change{action: Correct, who: Actor{Applicant, accountID}, note: note})
}

// Take assigns the application to the operator.
func (s *Store) Take(ctx context.Context, r *http.Request, operatorID, appID string) (*Application, error) {
	var a *Application
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.get(ctx, tx, appID, ""); err != nil {
			return err
		}
		if !a.State.Open() {
			return errs.E(errs.Conflict, "applications.not_allowed", nil)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applications SET assignee = $2, updated_at = $3 WHERE id = $1`, a.ID, operatorID, s.now()); err != nil {
			return err
		}
		a.Assignee = operatorID
		return s.journal(ctx, tx, r, Actor{Operator, operatorID}, "application.take", a, nil)
	})
	return a, err
}

// AskCorrection asks the applicant to add or replace the named fields and documents.
func (s *Store) AskCorrection(ctx context.Context, r *http.Request, operatorID, appID string, c Correction) (*Application, error) {
	c.Remark = strings.TrimSpace(c.Remark)
	if len(c.Fields)+len(c.Documents) == 0 {
		return nil, errs.E(errs.Invalid, "applications.correction_empty", nil)
	}
	if c.Remark == "" {
		return nil, FieldErrors{"remark": errs.E(errs.Invalid, "applications.remark_required", nil)}
	}
	return s.do(ctx, r, appID, "", change{action: RequestCorrection, who: Actor{Operator, operatorID}, corr: &c, note: c.Remark})
}

// Approve approves the application.
func (s *Store) Approve(ctx context.Context, r *http.Request, operatorID, appID, note string) (*Application, error) {
	return s.do(ctx, r, appID, "", change{action: Approve, who: Actor{Operator, operatorID}, note: note})
}

// Reject rejects the application; the reason is mandatory and shown to the applicant.
func (s *Store) Reject(ctx context.Context, r *http.Request, operatorID, appID, reason string) (*Application, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, FieldErrors{"reason": errs.E(errs.Invalid, "applications.reason_required", nil)}
	}
	return s.do(ctx, r, appID, "", change{action: Reject, who: Actor{Operator, operatorID}, reason: reason, note: reason})
}

func (s *Store) do(ctx context.Context, r *http.Request, appID, accountID string, c change) (*Application, error) {
	var a *Application
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.get(ctx, tx, appID, accountID); err != nil {
			return err
		}
		return s.act(ctx, tx, r, a, c)
	})
	if err != nil {
		return nil, err
	}
	s.live.committed()
	return a, nil
}

// FieldErrors are the inputs of a form to fix, each with its error (a message id, or a ruid
// error with its own message).
type FieldErrors map[string]error

func (f FieldErrors) Error() string { return "applications: the form has mistakes" }
