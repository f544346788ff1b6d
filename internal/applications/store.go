package applications

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/id"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/services"
)

// The personal data of applications, sealed at rest: the form's values, the operator's
// correction request and rejection reason, and every remark of the history.
var (
	applicationsTable = seal.Table{Name: "applications", Key: "id", Sealed: []string{"data", "correction", "reason"}}
	eventsTable       = seal.Table{Name: "application_events", Key: "id", Sealed: []string{"note"}}
	dataColumn        = applicationsTable.Column("data")
	correctionColumn  = applicationsTable.Column("correction")
	reasonColumn      = applicationsTable.Column("reason")
	noteColumn        = eventsTable.Column("note")
)

// Tables declares the tables of this package that hold sealed personal data.
func Tables() []seal.Table { return []seal.Table{applicationsTable, eventsTable} }

// Application is one application for a service.
type Application struct {
	ID, AccountID, Service string
	// Number is the human number, СЭП-2026-000123; empty for a draft.
	Number string
	State  State
	// Values are the form's values by field name, as the applicant typed them (a value
	// that fails its check is kept, so that nothing typed is lost, and the check page
	// lists it).
	Values map[string]string
	// Documents are the attached documents' ids by kind.
	Documents  map[string]string
	Correction *Correction // the operator's open request, while NeedsCorrection
	Reason     string      // why it was rejected
	Assignee   string      // the operator who took it
	// Deadline is when the current state's step is due: the operator's review, or the
	// applicant's correction. Zero for none.
	Deadline                                     time.Time
	CreatedAt, UpdatedAt, SubmittedAt, DecidedAt time.Time
}

// Correction is what an operator asks the applicant to add or replace.
type Correction struct {
	Fields    []string  `json:"fields,omitempty"`    // field names
	Documents []string  `json:"documents,omitempty"` // document kinds
	Remark    string    `json:"remark"`
	Due       time.Time `json:"due"`
	// ID is the request's own id (its event's), which the deadline jobs check.
	ID       string    `json:"id,omitempty"`
	Reminded time.Time `json:"reminded,omitzero"` // when the reminder was sent
	Lapsed   time.Time `json:"lapsed,omitzero"`   // when it lapsed and the application was paused
}

// Event is one step of an application's history.
type Event struct {
	ID        string
	Action    Action
	From, To  State
	ActorKind Role
	ActorID   string
	Note      string
	At        time.Time
}

// Actor is who does something to an application.
type Actor struct {
	Role Role
	ID   string // the account id; "applications" for the system
}

// Sender sends a message inside the caller's transaction; *notify.Notifier is one.
type Sender interface {
	Send(ctx context.Context, x db.Querier, m notify.Message) (string, error)
}

// Accounts reads accounts: their contacts (to tell them) and profiles (to prefill a form).
type Accounts interface {
	Account(ctx context.Context, id string) (*id.Account, error)
}

// Options configure a Store.
type Options struct {
	DB       *db.DB
	Box      *seal.Box
	Journal  *audit.Journal // nil in tests that do not look
	Notify   Sender         // nil: nobody is told
	Accounts Accounts
	Services *services.Catalogue
	Catalog  *i18n.Catalog // for the status words of messages; i18n.Default() if nil
	Calendar *Calendar     // DefaultCalendar if nil
	// Signing is the instance signing key, which signs the copies of submitted applications,
	// and SigningCertificate returns its certificate (PEM; the passport service's root
	// certificate is the one). Without them no copy is offered.
	Signing            *gost3410.PrivateKey
	SigningCertificate func(context.Context) ([]byte, error)
	Now                func() time.Time
	Logger             *slog.Logger
	// LivePoll is how often the live status reads the changes other instances made
	// (live.go); 1 s if zero.
	LivePoll time.Duration
	// LiveHeartbeat is how often an idle live stream says it is alive; 20 s if zero.
	LiveHeartbeat time.Duration
	// Jobs runs the deadline jobs (deadlines.go); nil: deadlines are shown but do not act.
	Jobs *jobs.Queue
	// RemindWorkingDays is how many working days before a correction's deadline the
	// applicant is reminded (at 09:00 Moscow time); 1 if zero. RemindBefore, if set, is a
	// fixed time before the deadline instead.
	RemindWorkingDays int
	RemindBefore      time.Duration
	// SiteURL is the address people reach the site at, for the calendar feed's links; nil:
	// the request's host.
	SiteURL func() string
}

// Store keeps applications and runs their state machine.
type Store struct {
	opt  Options
	db   *db.DB
	box  *seal.Box
	live *live
}

// NewStore returns a store.
func NewStore(o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Catalog == nil {
		o.Catalog = i18n.Default()
	}
	if o.Calendar == nil {
		o.Calendar = DefaultCalendar()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LivePoll <= 0 {
		o.LivePoll = time.Second
	}
	if o.LiveHeartbeat <= 0 {
		o.LiveHeartbeat = 20 * time.Second
	}
	if o.RemindWorkingDays <= 0 {
		o.RemindWorkingDays = 1
	}
	s := &Store{opt: o, db: o.DB, box: o.Box}
	s.live = newLive(s, o.LivePoll)
	if o.Jobs != nil {
		s.registerJobs(o.Jobs)
	}
	return s
}

// CloseLive ends the live status streams of this instance and its poller (live.go). Give
// it to http.Server.RegisterOnShutdown: a stream never ends by itself, and the server's
// drain would wait for it to the deadline.
func (s *Store) CloseLive() { s.live.close() }

func (s *Store) now() time.Time { return s.opt.Now().UTC() }

// ErrNotFound is the error for an application that does not exist or is not the asker's.
var ErrNotFound = errs.E(errs.NotFound, "applications.not_found", nil)

// Create starts a draft of service for the account, with the first values. key makes it
// idempotent: a second Create with the same key returns the first draft.
func (s *Store) Create(ctx context.Context, r *http.Request, accountID, service, key string, values map[string]string) (*Application, error) {
	if _, ok := s.opt.Services.Service(service); !ok {
		return nil, errs.E(errs.NotFound, "applications.no_service", nil)
	}
	if key != "" {
		if a, err := s.byCreateKey(ctx, accountID, key); err == nil {
			return a, nil
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	now := s.now()
	a := &Application{ID: db.NewID(), AccountID: accountID, Service: service, State: Draft, Values: values,
		Documents: map[string]string{}, CreatedAt: now, UpdatedAt: now}
	if a.Values == nil {
		a.Values = map[string]string{}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		data, err := s.sealValues(a)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO applications (id, account_id, service, state, data, create_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, a.ID, accountID, service, string(Draft), data, nullString(key), now)
		if err != nil {
			return err
		}
		return s.journal(ctx, tx, r, Actor{Applicant, accountID}, "application.create", a, nil)
	})
	if db.IsUniqueViolation(err) && key != "" {
		return s.byCreateKey(ctx, accountID, key)
	}
	if err != nil {
		return nil, fmt.Errorf("applications: create: %w", err)
	}
	return a, nil
}

func (s *Store) byCreateKey(ctx context.Context, accountID, key string) (*Application, error) {
	var appID string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM applications WHERE account_id = $1 AND create_key = $2`,
		accountID, key).Scan(&appID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.Own(ctx, accountID, appID)
}

func (s *Store) sealValues(a *Application) (seal.Sealed, error) {
	js, err := json.Marshal(a.Values)
	if err != nil {
		return seal.Sealed{}, err
	}
	return s.box.Seal(dataColumn, a.ID, js), nil
}

const appColumns = `id, account_id, service, state, number, data, correction, reason, assignee, deadline_at,
	created_at, updated_at, submitted_at, decided_at`

func (s *Store) scan(row interface{ Scan(...any) error }) (*Application, error) {
	a := &Application{}
	var number, assignee sql.NullString
	var data, corr, reason seal.Sealed
	var deadline, submitted, decided sql.NullTime
	var st string
	if err := row.Scan(&a.ID, &a.AccountID, &a.Service, &st, &number, &data, &corr, &reason, &assignee, &deadline,
		&a.CreatedAt, &a.UpdatedAt, &submitted, &decided); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	a.State, a.Number, a.Assignee = State(st), number.String, assignee.String
	a.Deadline, a.SubmittedAt, a.DecidedAt = deadline.Time.UTC(), submitted.Time.UTC(), decided.Time.UTC()
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.Values = map[string]string{}
	if js, err := s.box.Open(dataColumn, a.ID, data); err != nil {
		return nil, err
	} else if len(js) > 0 {
		if err := json.Unmarshal(js, &a.Values); err != nil {
			return nil, err
		}
	}
	if js, err := s.box.Open(correctionColumn, a.ID, corr); err != nil {
		return nil, err
	} else if len(js) > 0 {
		a.Correction = &Correction{}
		if err := json.Unmarshal(js, a.Correction); err != nil {
			return nil, err
		}
	}
	if reason.Valid() {
		var err error
		if a.Reason, err = s.box.OpenString(reasonColumn, a.ID, reason); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Get returns an application whoever it belongs to (the operator's desk).
func (s *Store) Get(ctx context.Context, appID string) (*Application, error) {
	return s.get(ctx, s.db.Reader(), appID, "")
}

// Own returns the account's application; another's, or none, is ErrNotFound.
func (s *Store) Own(ctx context.Context, accountID, appID string) (*Application, error) {
	return s.get(ctx, s.db.Reader(), appID, accountID)
}

func (s *Store) get(ctx context.Context, q db.Querier, appID, accountID string) (*Application, error) {
	a, err := s.scan(q.QueryRowContext(ctx, `SELECT `+appColumns+` FROM applications WHERE id = $1`, appID))
	if err != nil {
		return nil, err
	}
	if accountID != "" && a.AccountID != accountID {
		return nil, ErrNotFound
	}
	rows, err := q.QueryContext(ctx, `SELECT kind, document_id FROM application_documents WHERE application_id = $1`, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	a.Documents = map[string]string{}
	for rows.Next() {
		var kind, doc string
		if err := rows.Scan(&kind, &doc); err != nil {
			return nil, err
		}
		a.Documents[kind] = doc
	}
	return a, rows.Err()
}

// List returns the account's applications, newest first.
func (s *Store) List(ctx context.Context, accountID string) ([]*Application, error) {
	return s.list(ctx, `SELECT `+appColumns+` FROM applications WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500`, accountID)
}

func (s *Store) list(ctx context.Context, q string, args ...any) ([]*Application, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Application
	for rows.Next() {
		a, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Editable reports whether the applicant may change field (a name) of a: anything while a
// draft, and what the operator named while a correction is asked.
func (a *Application) Editable(field string) bool {
	switch a.State {
	case Draft:
		return true
	case NeedsCorrection:
		if a.Correction == nil {
			return false
		}
		for _, f := range a.Correction.Fields {
			if f == field {
				return true
			}
		}
	}
	return false
}

// DocumentEditable reports whether the applicant may attach, replace or remove a document
// of kind.
func (a *Application) DocumentEditable(kind string) bool {
	switch a.State {
	case Draft:
		return true
	case NeedsCorrection:
		if a.Correction == nil {
			return false
		}
		for _, k := range a.Correction.Documents {
			if k == kind {
				return true
			}
		}
	}
	return false
}

// SaveValues stores values (merged into the form's) of the account's application; only the
// fields the applicant may change (Editable) are taken, the others refused with
// errs.Conflict.
func (s *Store) SaveValues(ctx context.Context, accountID, appID string, values map[string]string) (*Application, error) {
	var a *Application
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.get(ctx, tx, appID, accountID); err != nil {
			return err
		}
		for k, v := range values {
			if !a.Editable(k) {
				return errs.E(errs.Conflict, "applications.not_editable", nil)
			}
			a.Values[k] = v
		}
		data, err := s.sealValues(a)
		if err != nil {
			return err
		}
		a.UpdatedAt = s.now()
		_, err = tx.ExecContext(ctx, `UPDATE applications SET data = $2, updated_at = $3 WHERE id = $1`, a.ID, data, a.UpdatedAt)
		return err
	})
	return a, err
}

// Attach puts document docID as the application's document of kind, and keeps it in the
// account's library «Документы» as the latest of its kind (unless the kind is biometric).
// It returns the documents nothing refers to any more — the one it replaced, the library's
// former document of the kind — which the caller removes from the document store.
func (s *Store) Attach(ctx context.Context, r *http.Request, accountID, appID, kind, docID string) ([]string, error) {
	return s.attach(ctx, r, accountID, appID, kind, docID, false)
}

// AttachFromLibrary attaches the account's library document docID (ErrNoLibraryDocument if
// the library holds no such document of kind) as Attach does. The caller has checked it
// against the service's rule for kind (documents' Recheck) first.
func (s *Store) AttachFromLibrary(ctx context.Context, r *http.Request, accountID, appID, kind, docID string) ([]string, error) {
	return s.attach(ctx, r, accountID, appID, kind, docID, true)
}

func (s *Store) attach(ctx context.Context, r *http.Request, accountID, appID, kind, docID string, reuse bool) ([]string, error) {
	var released []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.get(ctx, tx, appID, accountID)
		if err != nil {
			return err
		}
		if !a.DocumentEditable(kind) {
			return errs.E(errs.Conflict, "applications.not_editable", nil)
		}
		if reuse {
			if err := s.take(ctx, tx, accountID, kind, docID); err != nil {
				return err
			}
		}
		old := a.Documents[kind]
		if _, err := tx.ExecContext(ctx, `DELETE FROM application_documents WHERE application_id = $1 AND kind = $2`, a.ID, kind); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO application_documents (application_id, kind, document_id, attached_at)
			VALUES ($1, $2, $3, $4)`, a.ID, kind, docID, s.now()); err != nil {
			return err
		}
		var former string
		if svc, ok := s.opt.Services.Service(a.Service); ok {
			if rule, ok := svc.Document(kind); ok && !rule.Biometric {
				if former, err = s.keep(ctx, tx, accountID, kind, docID); err != nil {
					return err
				}
			}
		}
		if old == docID {
			old = ""
		}
		if released, err = unreferenced(ctx, tx, old, former); err != nil {
			return err
		}
		details := map[string]string{"kind": kind, "document": docID}
		if reuse {
			details["from"] = "library"
		}
		return s.journal(ctx, tx, r, Actor{Applicant, accountID}, "application.attach", a, details)
	})
	return released, err
}

// Detach removes the application's document of kind, and returns it if nothing refers to it
// any more (the library may keep it), for the caller to remove from the document store.
func (s *Store) Detach(ctx context.Context, r *http.Request, accountID, appID, kind string) ([]string, error) {
	var released []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.get(ctx, tx, appID, accountID)
		if err != nil {
			return err
		}
		old := a.Documents[kind]
		if old == "" {
			return ErrNotFound
		}
		if !a.DocumentEditable(kind) {
			return errs.E(errs.Conflict, "applications.not_editable", nil)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM application_documents WHERE application_id = $1 AND kind = $2`, a.ID, kind); err != nil {
			return err
		}
		if released, err = unreferenced(ctx, tx, old); err != nil {
			return err
		}
		return s.journal(ctx, tx, r, Actor{Applicant, accountID}, "application.detach", a, map[string]string{"kind": kind, "document": old})
	})
	return released, err
}

// Events returns the application's history, oldest first.
func (s *Store) Events(ctx context.Context, appID string) ([]Event, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, action, from_state, to_state, actor_kind, actor_id, note, at
		FROM application_events WHERE application_id = $1 ORDER BY seq`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var action, from, to, kind string
		var note seal.Sealed
		if err := rows.Scan(&e.ID, &action, &from, &to, &kind, &e.ActorID, &note, &e.At); err != nil {
			return nil, err
		}
		e.Action, e.From, e.To, e.ActorKind, e.At = Action(action), State(from), State(to), Role(kind), e.At.UTC()
		if note.Valid() {
			if e.Note, err = s.box.OpenString(noteColumn, e.ID, note); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) journal(ctx context.Context, tx *sql.Tx, r *http.Request, who Actor, action string, a *Application, details map[string]string) error {
	if s.opt.Journal == nil {
		return nil
	}
	if details == nil {
		details = map[string]string{}
	}
	details["service"] = a.Service
	return s.appendEntry(ctx, tx, r, audit.Entry{ActorKind: actorKind(who.Role), ActorID: who.ID, Action: action,
		ObjectType: "application", ObjectID: a.ID, Details: details})
}

// appendEntry journals e in tx, with the address and browser of r when there is one.
func (s *Store) appendEntry(ctx context.Context, tx *sql.Tx, r *http.Request, e audit.Entry) error {
	var err error
	if r != nil {
		_, err = s.opt.Journal.AppendRequest(ctx, tx, r, e)
	} else {
		_, err = s.opt.Journal.Append(ctx, tx, e)
	}
	if err != nil {
		return fmt.Errorf("applications: journal %s: %w", e.Action, err)
	}
	return nil
}

func actorKind(r Role) audit.ActorKind {
	switch r {
	case Applicant:
		return audit.ActorCitizen
	case Operator:
		return audit.ActorOperator
	}
	return audit.ActorSystem
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
