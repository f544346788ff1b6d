package id

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/i18n"
	"github.com/sep-platform/sep/internal/jobs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/registry"
)

// Account levels, as on Госуслуги:
//
//	simplified ──profile complete, МВД + СФР + ФНС confirmed──▶ standard ──operator──▶ confirmed
//	     ▲                                                          │                      │
//	     └───────────── a checked field of the profile changes ─────┴──────────────────────┘
//
// Saving the profile asks the registries (internal/registry) about whatever checked data
// changed, in the same transaction. Each answer, as it arrives, enqueues a review of the
// account's level (jobLevelReview, from the registry's OnAnswer hook): when the profile is
// complete and every check of its current data is confirmed, the account becomes standard,
// journaled, with a message to its inbox. Changing a checked field later drops the account
// back to simplified until the new data is confirmed. An operator confirms a standard
// account's identity at a service point, or issues a code the citizen enters (confirm.go).

// UseRegistry makes the service ask reg about the profile's documents and follow its answers
// with reviews of the account's level, run by q. Call it before q runs. Without it no check is
// asked and no level rises.
func (s *Service) UseRegistry(reg *registry.Service, q *jobs.Queue) {
	s.registry, s.jobs = reg, q
	q.Register(jobLevelReview, s.runLevelReview, jobs.KindOptions{MaxAttempts: 10})
	reg.OnAnswer(s.checkAnswered)
}

// levelRegistries are the checks the standard level needs, in the order the profile shows them.
var levelRegistries = []registry.Registry{registry.Passport, registry.SNILS, registry.INN}

// The items of a profile the standard level needs, as LevelState.Missing names them; each has
// its message "id.levels.missing.<item>" and, where the seeds give one, its help
// "id.levels.help.<item>".
const (
	MissingName       = "name"
	MissingBirthDate  = "birth_date"
	MissingBirthPlace = "birth_place"
	MissingPassport   = "passport"
	MissingSNILS      = "snils"
	MissingINN        = "inn"
	MissingAddress    = "address"
)

// NotRequested is the CheckState.Status of a check the profile does not yet have the data for.
const NotRequested = "not_requested"

// CheckState is where one registry check of the account's current data stands.
type CheckState struct {
	Registry registry.Registry
	Status   string // a registry.Status, or NotRequested
	// Field is the field of the profile form to fix, for a mismatch.
	Field     string
	Reason    registry.Reason // why, for invalid and unavailable
	CheckedAt time.Time
}

// LevelState is an account's level and what the next one needs.
type LevelState struct {
	Level Level
	Next  Level // "" for confirmed
	// Missing lists the items of the profile still to give, for the standard level.
	Missing []string
	// Checks are the registry checks of the current profile, in levelRegistries' order.
	Checks []CheckState
	// Ready reports whether the standard level's conditions hold: nothing missing and every
	// check confirmed.
	Ready bool
	// Confirmation says how a confirmed account's identity was confirmed.
	Confirmation *IdentityConfirmation
}

// Pending reports whether some check is still waiting for its registry.
func (l *LevelState) Pending() bool {
	for _, c := range l.Checks {
		if c.Status == string(registry.Pending) {
			return true
		}
	}
	return false
}

// subjectOf is what the registry checks of an account are listed by.
func subjectOf(accountID string) string { return "account:" + accountID }

// checkFields maps the fields a registry check names to the profile form's fields.
var checkFields = map[string]string{
	registry.FieldSeries: "passport_series", registry.FieldNumber: "passport_number",
	registry.FieldIssueDate: "passport_issue_date", registry.FieldDivisionCode: "passport_division_code",
	registry.FieldLastName: "last_name", registry.FieldFirstName: "first_name", registry.FieldMiddleName: "middle_name",
	registry.FieldBirthDate: "birth_date", registry.FieldSNILS: "snils", registry.FieldINN: "inn",
}

// profileQueries are the registry queries a profile gives, normalised: those whose data is
// complete (the person's name and birth date, and the document).
func profileQueries(p Profile) map[registry.Registry]registry.Query {
	out := map[registry.Registry]registry.Query{}
	if p.LastName == "" || p.FirstName == "" || p.BirthDate.IsZero() {
		return out
	}
	person := registry.Person{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate}
	var qs []registry.Query
	if pp := p.Passport; pp != nil {
		qs = append(qs, registry.PassportQuery{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate,
			DivisionCode: pp.DivisionCode, Person: person})
	}
	if p.SNILS != "" {
		qs = append(qs, registry.SNILSQuery{SNILS: p.SNILS, Person: person})
	}
	if p.INN != "" {
		qs = append(qs, registry.INNQuery{INN: p.INN, Person: person})
	}
	for _, q := range qs {
		if n, err := registry.Normalize(q); err == nil {
			out[q.Registry()] = n
		}
	}
	return out
}

// sameQuery reports whether two queries ask the same (nil asks nothing).
func sameQuery(a, b registry.Query) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return a.Registry() == b.Registry() && string(ja) == string(jb)
}

// missing lists what the profile lacks for the standard level.
func missing(p Profile) []string {
	var out []string
	for _, m := range []struct {
		item string
		ok   bool
	}{{MissingName, p.LastName != "" && p.FirstName != ""}, {MissingBirthDate, !p.BirthDate.IsZero()},
		{MissingBirthPlace, p.BirthPlace != ""}, {MissingPassport, p.Passport != nil}, {MissingSNILS, p.SNILS != ""},
		{MissingINN, p.INN != ""}, {MissingAddress, p.Address != nil}} {
		if !m.ok {
			out = append(out, m.item)
		}
	}
	return out
}

// latestChecks returns the newest check of the account in each registry.
func (s *Service) latestChecks(ctx context.Context, accountID string) (map[registry.Registry]registry.Check, error) {
	out := map[registry.Registry]registry.Check{}
	if s.registry == nil {
		return out, nil
	}
	cs, err := s.registry.List(ctx, subjectOf(accountID))
	if err != nil {
		return nil, err
	}
	for _, c := range cs { // newest first
		if _, seen := out[c.Registry]; !seen {
			out[c.Registry] = c
		}
	}
	return out, nil
}

// Level returns the account's level and what the next one needs.
func (s *Service) Level(ctx context.Context, a *Account) (*LevelState, error) {
	st := &LevelState{Level: a.Level, Missing: missing(a.Profile)}
	switch a.Level {
	case Simplified:
		st.Next = Standard
	case Standard:
		st.Next = Confirmed
	}
	latest, err := s.latestChecks(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	queries := profileQueries(a.Profile)
	confirmed := 0
	for _, r := range levelRegistries {
		cs := CheckState{Registry: r, Status: NotRequested}
		if q, ok := queries[r]; ok {
			if c, ok := latest[r]; ok && sameQuery(c.Query, q) {
				cs.Status, cs.Reason, cs.CheckedAt = string(c.Status), c.Reason, c.CheckedAt
				cs.Field = checkFields[c.MismatchField]
				if c.Status == registry.Confirmed {
					confirmed++
				}
			}
		}
		st.Checks = append(st.Checks, cs)
	}
	st.Ready = len(st.Missing) == 0 && confirmed == len(levelRegistries)
	if a.Level == Confirmed {
		if st.Confirmation, err = s.identityConfirmation(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// SaveProfileForm checks the form and stores the profile; the checks of whatever checked data
// changed (or was never answered) are requested in the same transaction, and an account above
// simplified whose checked data changed drops back to simplified. It returns the level as it
// stands then (the checks are pending). Form mistakes are FieldErrors.
func (s *Service) SaveProfileForm(ctx context.Context, r *http.Request, accountID string, form ProfileForm) (*LevelState, error) {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	p, err := form.Check(s.now())
	if err != nil {
		return nil, err
	}
	before, after := profileQueries(a.Profile), profileQueries(p)
	latest, err := s.latestChecks(ctx, accountID)
	if err != nil {
		return nil, err
	}
	changed := false
	for _, reg := range levelRegistries {
		if !sameQuery(before[reg], after[reg]) {
			changed = true
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.SaveProfile(ctx, tx, accountID, p); err != nil {
			return err
		}
		asked := 0
		for _, reg := range levelRegistries {
			q, ok := after[reg]
			if !ok || s.registry == nil {
				continue
			}
			if c, ok := latest[reg]; ok && sameQuery(c.Query, q) && c.Status != registry.Unavailable {
				continue // asked already; a mismatch stands until a field changes
			}
			if _, err := s.registry.Request(ctx, tx, registry.CheckRequest{Subject: subjectOf(accountID), Query: q}); err != nil {
				return err
			}
			asked++
		}
		if err := s.record(ctx, tx, r, Event{Action: ActionProfileChanged, AccountID: accountID, Outcome: audit.Success,
			Details: map[string]string{"checks_count": strconv.Itoa(asked)}}); err != nil {
			return err
		}
		if changed && a.Level != Simplified {
			return s.setLevel(ctx, tx, r, a, Simplified, levelChange{method: "profile_changed", actor: audit.ActorCitizen,
				actorID: accountID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.ReviewLevel(ctx, accountID)
}

// levelChange says who changed a level and how.
type levelChange struct {
	method   string // registries, service_point, code, profile_changed
	actor    audit.ActorKind
	actorID  string
	operator string // the operator who confirmed, for service_point and code
}

// setLevel moves the account a from its level to level, in tx: the confirmation of identity
// is kept or forgotten with it, the change is journaled and the owner told (inbox and mail).
// Another request that moved the level first makes it errs.Conflict "id.levels.changed".
func (s *Service) setLevel(ctx context.Context, tx *sql.Tx, r *http.Request, a *Account, level Level, how levelChange) error {
	now := s.now().UTC()
	res, err := tx.ExecContext(ctx, `UPDATE id_accounts SET level = $3, updated_at = $4 WHERE id = $1 AND level = $2`,
		a.ID, string(a.Level), string(level), now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "id.levels.changed", errors.New("id: the level changed meanwhile"))
	}
	if level == Confirmed {
		if _, err := tx.ExecContext(ctx, `INSERT INTO id_identity_confirmations (account_id, method, operator_id, confirmed_at)
			VALUES ($1, $2, $3, $4)`, a.ID, how.method, how.operator, now); err != nil {
			return fmt.Errorf("id: store confirmation: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, `DELETE FROM id_identity_confirmations WHERE account_id = $1`, a.ID); err != nil {
		return err
	}
	details := map[string]string{"from": string(a.Level), "to": string(level), "method": how.method}
	if how.operator != "" {
		details["operator"] = how.operator
	}
	if err := s.recordAs(ctx, tx, r, how.actor, how.actorID, Event{Action: ActionLevelChanged, AccountID: a.ID,
		Outcome: audit.Success, Details: details}); err != nil {
		return err
	}
	reason := ""
	if how.method == "profile_changed" {
		reason = how.method
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{Kind: notify.LevelChanged,
		To:       notify.Recipient{AccountID: a.ID, Email: a.Email, Lang: a.Lang},
		Channels: []notify.Channel{notify.Inbox, notify.Email},
		Data:     map[string]any{"Level": string(level), "Reason": reason, "Time": now.In(i18n.Moscow)}})
	return err
}

// recordAs journals e done by an actor other than the account itself (an operator, the
// system), with the account as the object.
func (s *Service) recordAs(ctx context.Context, x db.Querier, r *http.Request, kind audit.ActorKind, actorID string, e Event) error {
	return s.journalEntry(ctx, x, r, audit.Entry{ActorKind: kind, ActorID: actorID, Action: e.Action, Outcome: e.Outcome,
		Details: e.Details, ObjectType: "account", ObjectID: e.AccountID})
}

// ReviewLevel makes a simplified account standard if its profile is complete and every check
// of its current data is confirmed, and returns its level as it then stands. It is what the
// registry's answers trigger (jobLevelReview) and what the profile page runs as it shows the
// level, so that a lost review costs nothing but a moment.
func (s *Service) ReviewLevel(ctx context.Context, accountID string) (*LevelState, error) {
	var raw []byte
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT profile FROM id_accounts WHERE id = $1`, accountID).Scan(&raw); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoAccount
		}
		return nil, err
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	st, err := s.Level(ctx, a)
	if err != nil || a.Level != Simplified || !st.Ready {
		return st, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The profile assessed must be the one stored: a save since then asked new checks.
		var now []byte
		if err := tx.QueryRowContext(ctx, `SELECT profile FROM id_accounts WHERE id = $1`, accountID).Scan(&now); err != nil {
			return err
		}
		if string(now) != string(raw) {
			return errs.E(errs.Conflict, "id.levels.changed", errors.New("id: the profile changed meanwhile"))
		}
		return s.setLevel(ctx, tx, nil, a, Standard, levelChange{method: "registries", actor: audit.ActorSystem})
	})
	if errs.KindOf(err) == errs.Conflict {
		return s.ReviewLevel(ctx, accountID) // whoever moved first decided; assess again
	}
	if err != nil {
		return nil, err
	}
	st.Level, st.Next = Standard, Confirmed
	return st, nil
}

// jobLevelReview is the job that reviews an account's level after a registry answered.
const jobLevelReview = "id.level_review"

type levelReview struct {
	AccountID string `json:"account_id"`
}

// checkAnswered is the registry's OnAnswer hook: an answer about an account enqueues the
// review of its level, in the transaction that stores the answer.
func (s *Service) checkAnswered(ctx context.Context, tx *sql.Tx, c registry.Check) error {
	id, ok := strings.CutPrefix(c.Subject, "account:")
	if !ok {
		return nil
	}
	_, err := s.jobs.Enqueue(ctx, tx, jobs.Spec{Kind: jobLevelReview, Payload: levelReview{AccountID: id},
		Key: c.ID + "/" + strconv.Itoa(c.Run)})
	return err
}

func (s *Service) runLevelReview(ctx context.Context, job *jobs.Job) error {
	var p levelReview
	if err := job.Decode(&p); err != nil {
		return err
	}
	_, err := s.ReviewLevel(ctx, p.AccountID)
	if errors.Is(err, ErrNoAccount) {
		return nil // the account is gone (or the check was never an account's): nothing to review
	}
	return err
}
