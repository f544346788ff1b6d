package passport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// More journal actions.
const (
	ActionReissueRequested = "passport.reissue_requested"
	ActionReissued         = "passport.reissued"
	ActionPaperRechecked   = "passport.paper_rechecked"
)

// What changed, as a holder asking for a re-issue says (the catalog's "passport.change.<code>").
var Changes = []string{"name", "birth", "paper", "photo", "other"}

// MaxNote bounds a free-text note (a holder's explanation, an operator's reason).
const MaxNote = 1000

// minReason is the shortest operator's reason accepted: a word, not a letter.
const minReason = 5

// Request kinds.
const (
	RequestReissue         = "reissue"          // the holder's, after a change of data
	RequestAnnul           = "annul"            // an operator's annulment
	RequestOperatorReissue = "operator_reissue" // an operator's re-issue
)

// Request is a holder's request or an operator's decision about a passport.
type Request struct {
	ID, PassportID, Kind, What, Note string
	ActorKind, ActorID               string
	Open                             bool
	ReplacedBy                       string // the passport issued in its place
	At                               time.Time
}

// More errors.
var (
	ErrReissueOpen = errs.E(errs.Conflict, "passport.reissue_open", errors.New("passport: a re-issue is already requested"))
	ErrNotValid    = errs.E(errs.Conflict, "passport.not_valid", errors.New("passport: the passport is not valid"))
)

// PaperList is the МВД list of invalid passports as the paper re-check consults it
// (internal/registry/passlist through internal/app).
type PaperList interface {
	Contains(ctx context.Context, series, number string) (bool, error)
}

// JobPaperRecheck is the job that checks every valid passport's paper passport against the
// МВД list after an import (enqueued in the import's transaction: see EnqueuePaperRecheck).
const JobPaperRecheck = "passport.paper_recheck"

// EnqueuePaperRecheck enqueues the re-check of paper passports against list version in x
// (the import's transaction); a passlist.Options.OnImported hook.
func EnqueuePaperRecheck(ctx context.Context, q *jobs.Queue, x db.Querier, version int64) error {
	_, err := q.Enqueue(ctx, x, jobs.Spec{Kind: JobPaperRecheck, Key: fmt.Sprintf("list-%d", version),
		Payload: map[string]int64{"version": version}})
	return err
}

// Own returns the passport with number if it is the account's; ErrNotFound otherwise, so that
// another holder's number tells nothing.
func (s *Service) Own(ctx context.Context, accountID, number string) (*Passport, error) {
	if accountID == "" {
		return nil, ErrNotFound
	}
	p, err := s.ByNumber(ctx, number)
	if err != nil {
		return nil, err
	}
	if p.Holder.AccountID != accountID {
		return nil, ErrNotFound
	}
	return p, nil
}

// Report suspends the holder's passport at once because it was lost or its QR code or PDF
// reached others (reason ReasonLost or ReasonCompromised), journaled and told to the holder,
// who may then ask for a re-issue.
func (s *Service) Report(ctx context.Context, r *http.Request, accountID, number, reason string) error {
	if reason != ReasonLost && reason != ReasonCompromised {
		return ErrReason
	}
	p, err := s.Own(ctx, accountID, number)
	if err != nil {
		return err
	}
	if p.Status != Valid {
		return ErrNotValid
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		changed, err := s.changeTx(ctx, tx, r, number, reason, Suspended, ActionSuspended)
		if err != nil || !changed {
			return err
		}
		return s.tell(ctx, tx, p, Suspended, reason)
	})
}

// RequestReissue records the holder's request for a new passport after a change of data
// (what: one of Changes; note: optional, sealed). The application workflow handles it later;
// the cabinet shows it meanwhile.
func (s *Service) RequestReissue(ctx context.Context, r *http.Request, accountID, number, what, note string) (*Request, error) {
	fe := FieldErrors{}
	if !contains(Changes, what) {
		fe["what"] = errs.E(errs.Invalid, "passport.reissue.what_required", nil)
	}
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || len(note) > MaxNote {
		fe["note"] = errs.E(errs.Invalid, "passport.field_too_long", nil)
	}
	if len(fe) > 0 {
		return nil, errs.E(errs.Invalid, "passport.reissue.invalid", fe)
	}
	p, err := s.Own(ctx, accountID, number)
	if err != nil {
		return nil, err
	}
	if p.Status == Annulled {
		return nil, ErrAnnulled
	}
	req := &Request{ID: db.NewID(), PassportID: p.ID, Kind: RequestReissue, What: what, Note: note,
		ActorKind: string(web.Citizen), ActorID: accountID, Open: true, At: s.now().UTC()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM passport_requests WHERE passport_id = $1 AND kind = $2
			AND status = 'open'`, p.ID, RequestReissue).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrReissueOpen
		}
		if err := s.insertRequest(ctx, tx, req); err != nil {
			return err
		}
		return s.record(ctx, tx, r, audit.Entry{Action: ActionReissueRequested, ObjectType: "passport", ObjectID: p.ID,
			Details: map[string]string{"what": what, "request": req.ID}})
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Service) insertRequest(ctx context.Context, x db.Querier, q *Request) error {
	status := "done"
	if q.Open {
		status = "open"
	}
	_, err := x.ExecContext(ctx, `INSERT INTO passport_requests (id, passport_id, kind, what, note, actor_kind, actor_id,
		status, replaced_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, q.ID, q.PassportID, q.Kind,
		q.What, s.box.SealString(colNote, q.ID, q.Note), q.ActorKind, nullString(q.ActorID), status,
		nullString(q.ReplacedBy), q.At)
	return err
}

// Requests lists the requests and decisions about a passport, newest first.
func (s *Service) Requests(ctx context.Context, passportID string) ([]Request, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, passport_id, kind, what, note, actor_kind, actor_id, status,
		replaced_by, created_at FROM passport_requests WHERE passport_id = $1 ORDER BY created_at DESC, id DESC`, passportID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var q Request
		var note seal.Sealed
		var actor, replaced sql.NullString
		var status string
		if err := rows.Scan(&q.ID, &q.PassportID, &q.Kind, &q.What, &note, &q.ActorKind, &actor, &status, &replaced,
			&q.At); err != nil {
			return nil, err
		}
		if q.Note, err = s.box.OpenString(colNote, q.ID, note); err != nil {
			return nil, err
		}
		q.ActorID, q.ReplacedBy, q.Open, q.At = actor.String, replaced.String, status == "open", q.At.UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}

// operatorReason checks an operator's reason: required, a few characters at least.
func operatorReason(note string) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case utf8.RuneCountInString(note) < minReason:
		return "", errs.E(errs.Invalid, "passport.operator.invalid",
			FieldErrors{"reason": errs.E(errs.Invalid, "passport.operator.reason_required", nil)})
	case !utf8.ValidString(note) || len(note) > MaxNote:
		return "", errs.E(errs.Invalid, "passport.operator.invalid",
			FieldErrors{"reason": errs.E(errs.Invalid, "passport.field_too_long", nil)})
	}
	return note, nil
}

// OperatorAnnul annuls a passport for good by an operator's decision, with the operator's
// reason (required, sealed), journaled, the holder told.
func (s *Service) OperatorAnnul(ctx context.Context, r *http.Request, number, note string) error {
	note, err := operatorReason(note)
	if err != nil {
		return err
	}
	p, err := s.ByNumber(ctx, number)
	if err != nil {
		return err
	}
	if p.Status == Annulled {
		return ErrAnnulled
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.changeTx(ctx, tx, r, number, ReasonOperator, Annulled, ActionAnnulled); err != nil {
			return err
		}
		if err := s.insertRequest(ctx, tx, s.decision(r, p.ID, RequestAnnul, note, "")); err != nil {
			return err
		}
		return s.tell(ctx, tx, p, Annulled, ReasonOperator)
	})
}

func (s *Service) decision(r *http.Request, passportID, kind, note, replacedBy string) *Request {
	q := &Request{ID: db.NewID(), PassportID: passportID, Kind: kind, What: ReasonOperator, Note: note,
		ActorKind: string(audit.ActorSystem), At: s.now().UTC(), ReplacedBy: replacedBy}
	if pr, ok := web.PrincipalOf(r); ok {
		q.ActorKind, q.ActorID = string(pr.Kind), pr.ID
	}
	return q
}

// OperatorReissue replaces a passport by a new one with the same holder's data (a new number,
// a new seal by the current issuing key): the old one is annulled (reason data_changed when
// the holder asked for it, operator otherwise), the holder's open requests are closed, the
// operator's reason kept (sealed), all in one transaction, journaled, the holder told.
func (s *Service) OperatorReissue(ctx context.Context, r *http.Request, number, note string) (*Passport, error) {
	note, err := operatorReason(note)
	if err != nil {
		return nil, err
	}
	old, err := s.ByNumber(ctx, number)
	if err != nil {
		return nil, err
	}
	if old.Status == Annulled {
		return nil, ErrAnnulled
	}
	for attempt := 0; ; attempt++ {
		np, err := s.prepare(ctx, old.Holder)
		if err != nil {
			return nil, err
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			var open int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM passport_requests WHERE passport_id = $1 AND kind = $2
				AND status = 'open'`, old.ID, RequestReissue).Scan(&open); err != nil {
				return err
			}
			reason := ReasonOperator
			if open > 0 {
				reason = ReasonDataChanged
			}
			if _, err := s.changeTx(ctx, tx, r, number, reason, Annulled, ActionAnnulled); err != nil {
				return err
			}
			if err := s.insert(ctx, tx, np, np.StatusAt); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE passport_requests SET status = 'done', replaced_by = $2
				WHERE passport_id = $1 AND status = 'open'`, old.ID, np.ID); err != nil {
				return err
			}
			if err := s.insertRequest(ctx, tx, s.decision(r, old.ID, RequestOperatorReissue, note, np.ID)); err != nil {
				return err
			}
			if err := s.record(ctx, tx, r, audit.Entry{Action: ActionReissued, ObjectType: "passport", ObjectID: np.ID,
				Details: map[string]string{"replaces": old.ID, "signer": np.SignerID}}); err != nil {
				return err
			}
			return s.tell(ctx, tx, np, "reissued", reason)
		})
		if err != nil && db.IsUniqueViolation(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return np, nil
	}
}

// tell notifies the holder of a passport (inbox and e-mail) that its status changed, in tx;
// nothing when the service has no notifier or the passport no account.
func (s *Service) tell(ctx context.Context, tx *sql.Tx, p *Passport, status Status, reason string) error {
	if s.opt.Notify == nil || s.opt.Recipient == nil || p.Holder.AccountID == "" {
		return nil
	}
	to, err := s.opt.Recipient(ctx, p.Holder.AccountID)
	if err != nil {
		return fmt.Errorf("passport: the holder's addresses: %w", err)
	}
	to.AccountID = p.Holder.AccountID
	_, err = s.opt.Notify.Send(ctx, tx, notify.Message{Kind: notify.PassportStatus, To: to,
		Data: map[string]any{"Number": p.Number, "Status": string(status), "Reason": reason, "Time": s.now().In(i18n.Moscow)}})
	return err
}

// suspendForPaper suspends a valid passport whose paper passport is invalid, with the notice,
// in tx. It reports whether it did.
func (s *Service) suspendForPaper(ctx context.Context, tx *sql.Tx, p *Passport) (bool, error) {
	changed, err := s.changeTx(ctx, tx, nil, p.Number, ReasonPaper, Suspended, ActionSuspended)
	if err != nil || !changed {
		if errors.Is(err, ErrAnnulled) {
			err = nil
		}
		return false, err
	}
	return true, s.tell(ctx, tx, p, Suspended, ReasonPaper)
}

// RecheckPaper checks the paper passport of every valid passport against the МВД list of
// invalid passports and suspends those on it (the job after each import). It returns how
// many it suspended.
func (s *Service) RecheckPaper(ctx context.Context, list PaperList) (int, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+passportColumns+` FROM passports WHERE status = 'valid'`)
	if err != nil {
		return 0, err
	}
	var invalid []*Passport
	for rows.Next() {
		p, err := s.scan(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if p.Holder.PaperSeries == "" || p.Holder.PaperNumber == "" {
			continue
		}
		on, err := list.Contains(ctx, p.Holder.PaperSeries, p.Holder.PaperNumber)
		if err != nil {
			rows.Close()
			return 0, err // retried by the job: no passport is left unchecked
		}
		if on {
			invalid = append(invalid, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range invalid {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			done, err := s.suspendForPaper(ctx, tx, p)
			if done {
				n++
			}
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// RegisterJobs registers the paper re-check job on q, consulting list.
func (s *Service) RegisterJobs(q *jobs.Queue, list PaperList) {
	q.Register(JobPaperRecheck, func(ctx context.Context, j *jobs.Job) error {
		n, err := s.RecheckPaper(ctx, list)
		if err != nil {
			return err
		}
		s.opt.Logger.Info("paper passports re-checked after a list import", "suspended", n)
		return nil
	}, jobs.KindOptions{Timeout: 30 * time.Minute})
}

// subjectPrefix marks the registry checks this package asks for: "passport:<passport id>".
const subjectPrefix = "passport:"

// paperCheckEvery bounds how often a sign-in asks the registry about the same paper passport.
const paperCheckEvery = time.Hour

// CheckPaperAtSignIn asks the registry (internal/registry: the МВД list, then МВД) whether the
// paper passports of the account's valid passports are still valid, in x (the sign-in's
// transaction): an id.Service.OnSignIn hook. The answer arrives later (PaperAnswer). A sign-in
// never fails because of it: a query the registry refuses is logged and skipped.
func (s *Service) CheckPaperAtSignIn(ctx context.Context, x db.Querier, accountID string) error {
	if s.opt.Registry == nil {
		return nil
	}
	ps, err := s.OfAccount(ctx, accountID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		h := p.Holder
		if p.Status != Valid || h.PaperSeries == "" || h.PaperNumber == "" {
			continue
		}
		subject := subjectPrefix + p.ID
		if last, err := s.opt.Registry.Latest(ctx, subject, registry.Passport); err == nil &&
			s.now().Sub(last.RequestedAt) < paperCheckEvery {
			continue
		}
		surname, first, middle := h.Surname, h.GivenNames, ""
		if i := strings.IndexByte(first, ' '); i > 0 {
			first, middle = first[:i], strings.TrimSpace(first[i+1:])
		}
		_, err := s.opt.Registry.Request(ctx, x, registry.CheckRequest{Subject: subject, Query: registry.PassportQuery{
			Series: h.PaperSeries, Number: h.PaperNumber,
			Person: registry.Person{LastName: surname, FirstName: first, MiddleName: middle, BirthDate: h.BirthDate}}})
		if errs.KindOf(err) == errs.Invalid {
			s.opt.Logger.Warn("the paper passport of an electronic passport cannot be checked", "passport", p.ID)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// PaperAnswer follows the registry's answers about paper passports (a registry.Service
// OnAnswer hook): an invalid one suspends its electronic passport, with the notice, in the
// transaction that stores the answer.
func (s *Service) PaperAnswer(ctx context.Context, tx *sql.Tx, c registry.Check) error {
	if c.Registry != registry.Passport || !strings.HasPrefix(c.Subject, subjectPrefix) || c.Status != registry.Invalid {
		return nil
	}
	id := strings.TrimPrefix(c.Subject, subjectPrefix)
	p, err := s.scan(tx.QueryRowContext(ctx, `SELECT `+passportColumns+` FROM passports WHERE id = $1`, id))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || p.Status != Valid {
		return err
	}
	_, err = s.suspendForPaper(ctx, tx, p)
	return err
}
