// Package passport is the electronic passport: issuing a passport record with its MRZ and its
// signed seal (the QR code, package vds), the signing certificates and their rotation, the
// status (действителен / приостановлен / аннулирован) and the signed status list, and
// verification — online through the API and the public /verify page, offline with the same
// rules (Offline, used by `sep passport verify`).
//
// The statuses:
//
//	valid ──Suspend──▶ suspended ──Reinstate──▶ valid
//	  │                    │
//	  └──────Annul─────────┴──▶ annulled (final)
//
// Applications (issue 12) call Issue on approval; the holder's cabinet and the operator desk
// call Suspend, Reinstate and Annul; verifiers call Verify.
package passport

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/streebog"
	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/notify"
	"github.com/sep-platform/sep/internal/passport/mrz"
	"github.com/sep-platform/sep/internal/passport/vds"
	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/internal/web"
)

// Status is a passport's status.
type Status string

// The statuses.
const (
	Valid     Status = "valid"
	Suspended Status = "suspended"
	Annulled  Status = "annulled"
)

// Reasons of a status change (codes; their texts are the catalog's "passport.reason.<code>").
const (
	ReasonLost        = "lost"         // the holder reported it lost
	ReasonCompromised = "compromised"  // the holder reported its QR or PDF in others' hands
	ReasonDataChanged = "data_changed" // re-issued after a change of the holder's data
	ReasonPaper       = "paper_invalid"
	ReasonOperator    = "operator" // an operator's decision
	ReasonReinstated  = "reinstated"
)

var reasons = map[string]bool{ReasonLost: true, ReasonCompromised: true, ReasonDataChanged: true,
	ReasonPaper: true, ReasonOperator: true}

// Journal actions (readable names: "audit.action.<code>").
const (
	ActionIssued     = "passport.issued"
	ActionSuspended  = "passport.suspended"
	ActionReinstated = "passport.reinstated"
	ActionAnnulled   = "passport.annulled"
	ActionVerified   = "passport.verified"
	ActionKeyCreated = "passport.signer_created"
)

// Holder is the person a passport is issued to, as the approved application gives it.
type Holder struct {
	AccountID   string    `json:"-"`
	Surname     string    `json:"surname"`
	GivenNames  string    `json:"given_names"` // имя and отчество
	Sex         string    `json:"sex"`         // M, F or empty
	BirthDate   time.Time `json:"birth_date"`
	BirthPlace  string    `json:"birth_place"`
	Citizenship string    `json:"citizenship"` // three letters; RUS when empty
	INN         string    `json:"inn"`
	SNILS       string    `json:"snils"`
	PaperSeries string    `json:"paper_series"` // the paper passport it is issued on
	PaperNumber string    `json:"paper_number"`
	Photo       []byte    `json:"-"` // JPEG or PNG
}

// Passport is an issued passport.
type Passport struct {
	ID, Number string
	Holder     Holder
	Status     Status
	Reason     string // the last status change's reason code
	StatusAt   time.Time
	Issued     time.Time // the issue date (midnight, Moscow)
	Expires    time.Time // the last day of validity (midnight, Moscow)
	Agency     string
	MRZ        [2]string
	Payload    string // the QR code's text
	SignerID   string // the hex reference of the issuing certificate
}

// Options configure the service.
type Options struct {
	DB      *db.DB
	Box     *seal.Box
	Journal *audit.Journal // nil: nothing journaled (tests of the store alone)
	// RootKey is the instance signing key: the issuing certificates chain to its certificate.
	RootKey *gost3410.PrivateKey
	Country string        // issuing state; RUS when empty
	Agency  string        // the issuing agency's name, for the record and the PDF
	Valid   time.Duration // validity of a new passport; 10 years when zero
	// StatusMaxAge is how old a status list may be for an offline check to still say valid;
	// 24 hours when zero. The service uses it in the answers about its own list.
	StatusMaxAge time.Duration
	// StatusEvery is how often the published status list is signed anew (when nothing
	// changed); 1 hour when zero.
	StatusEvery time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
	// Notify tells holders of status changes (inbox and e-mail); Recipient gives an account's
	// addresses and language. Either nil: nobody is told (tests of the store alone).
	Notify    *notify.Notifier
	Recipient func(ctx context.Context, accountID string) (notify.Recipient, error)
	// Registry re-checks paper passports at their holders' sign-in (nil: not at sign-in).
	Registry *registry.Service
}

// Service issues and verifies passports.
type Service struct {
	opt Options
	db  *db.DB
	box *seal.Box
	now func() time.Time

	checks *checkRecorder // the online verifications, written in batches

	mu     sync.Mutex // guards the fields below
	trust  *vds.Trust
	signer *signer   // the current issuing key
	list   []byte    // the signed status list last made
	listAt time.Time // when
	dirty  bool      // a status changed since
}

// New returns the service; its first use makes the root and issuing certificates it lacks.
func New(opt Options) (*Service, error) {
	if opt.DB == nil || opt.Box == nil || opt.RootKey == nil {
		return nil, errors.New("passport: a database, a seal box and the root key are required")
	}
	if opt.Country == "" {
		opt.Country = "RUS"
	}
	if opt.Valid == 0 {
		opt.Valid = 10 * 365 * 24 * time.Hour
	}
	if opt.StatusMaxAge == 0 {
		opt.StatusMaxAge = 24 * time.Hour
	}
	if opt.StatusEvery == 0 {
		opt.StatusEvery = time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{opt: opt, db: opt.DB, box: opt.Box, now: opt.Now}
	s.checks = &checkRecorder{s: s}
	return s, nil
}

// The sealed personal data of passports and the private keys of the issuing certificates.
var (
	passportsTable = seal.Table{Name: "passports", Key: "id", Sealed: []string{"holder", "photo", "payload"}}
	signersTable   = seal.Table{Name: "passport_signers", Key: "id", Sealed: []string{"private_key"}}
	checksTable    = seal.Table{Name: "passport_checks", Key: "id", Sealed: []string{"ip"}}
	requestsTable  = seal.Table{Name: "passport_requests", Key: "id", Sealed: []string{"note"}}
	colNote        = requestsTable.Column("note")
	colHolder      = passportsTable.Column("holder")
	colPhoto       = passportsTable.Column("photo")
	colPayload     = passportsTable.Column("payload")
	colKey         = signersTable.Column("private_key")
	colIP          = checksTable.Column("ip")
)

// Tables declares the tables of this package that hold sealed data.
func Tables() []seal.Table {
	return []seal.Table{passportsTable, signersTable, checksTable, requestsTable}
}

// Errors.
var (
	ErrNotFound   = errs.E(errs.NotFound, "passport.not_found", errors.New("passport: no such passport"))
	ErrAnnulled   = errs.E(errs.Conflict, "passport.already_annulled", errors.New("passport: the passport is annulled"))
	ErrNotSuspend = errs.E(errs.Conflict, "passport.not_suspended", errors.New("passport: the passport is not suspended"))
	ErrReason     = errs.E(errs.Invalid, "passport.reason_required", errors.New("passport: a known reason is required"))
)

// FieldErrors are the holder's fields an Issue refused, by field.
type FieldErrors map[string]error

func (f FieldErrors) Error() string {
	var names []string
	for k := range f {
		names = append(names, k)
	}
	return "passport: invalid holder fields: " + strings.Join(names, ", ")
}

func (h *Holder) check() error {
	fe := FieldErrors{}
	text := func(field, v string, required bool, max int) {
		switch {
		case required && strings.TrimSpace(v) == "":
			fe[field] = errs.E(errs.Invalid, "passport.field_required", nil)
		case !utf8.ValidString(v) || len(v) > max:
			fe[field] = errs.E(errs.Invalid, "passport.field_too_long", nil)
		}
	}
	text("surname", h.Surname, true, 120)
	text("given_names", h.GivenNames, false, 200)
	text("birth_place", h.BirthPlace, false, 200)
	if _, err := mrz.CheckDigit(mrz.Transliterate(h.Surname)); err != nil || mrz.Transliterate(h.Surname) == "" {
		fe["surname"] = errs.E(errs.Invalid, "passport.field_letters", nil)
	}
	if h.BirthDate.IsZero() {
		fe["birth_date"] = errs.E(errs.Invalid, "passport.field_required", nil)
	}
	if h.Sex != "" && h.Sex != "M" && h.Sex != "F" {
		fe["sex"] = errs.E(errs.Invalid, "passport.field_sex", nil)
	}
	if h.Citizenship == "" {
		h.Citizenship = "RUS"
	}
	if len(h.Photo) == 0 {
		fe["photo"] = errs.E(errs.Invalid, "passport.field_required", nil)
	}
	if len(fe) > 0 {
		return errs.E(errs.Invalid, "passport.holder_invalid", fe)
	}
	return nil
}

// Issue issues a passport to h: a new number, the MRZ, the seal signed by the current issuing
// key, status valid; journaled in the same transaction. This is the call an approved
// «Электронный паспорт» application makes.
func (s *Service) Issue(ctx context.Context, h Holder) (*Passport, error) {
	for attempt := 0; ; attempt++ {
		p, err := s.prepare(ctx, h)
		if err != nil {
			return nil, err
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			if err := s.insert(ctx, tx, p, p.StatusAt); err != nil {
				return err
			}
			return s.record(ctx, tx, nil, audit.Entry{Action: ActionIssued, ObjectType: "passport", ObjectID: p.ID,
				ActorKind: audit.ActorSystem, ActorID: "passport", Details: map[string]string{"signer": p.SignerID}})
		})
		if err != nil && db.IsUniqueViolation(err) && attempt < 5 {
			continue // the random number was taken: draw another
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// prepare makes a new passport of h, not yet stored: a new number, the MRZ, the seal signed
// by the current issuing key, status valid.
func (s *Service) prepare(ctx context.Context, h Holder) (*Passport, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	sg, err := s.currentSigner(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	issued := vds.Day(now)
	expires := vds.Day(issued.Add(s.opt.Valid)).AddDate(0, 0, -1)
	photo := streebog.Sum256(h.Photo)
	p := &Passport{ID: db.NewID(), Number: newNumber(), Holder: h, Status: Valid, Issued: issued, Expires: expires,
		Agency: s.opt.Agency, SignerID: sg.ref.String(), StatusAt: now}
	p.MRZ, err = mrz.TD3{IssuingState: s.opt.Country, Surname: h.Surname, GivenNames: h.GivenNames, Number: p.Number,
		Nationality: h.Citizenship, BirthDate: h.BirthDate, Sex: h.Sex, ExpiryDate: expires}.Lines()
	if err != nil {
		return nil, errs.E(errs.Invalid, "passport.holder_invalid", err)
	}
	seal := &vds.Seal{Country: s.opt.Country, Signer: sg.ref, Issued: issued, Number: p.Number, Surname: h.Surname,
		GivenNames: h.GivenNames, BirthDate: h.BirthDate, Sex: h.Sex, PhotoDigest: photo[:], Expires: expires}
	if p.Payload, err = seal.Sign(sg.key); err != nil {
		return nil, errs.E(errs.Invalid, "passport.holder_invalid", err)
	}
	return p, nil
}

// newNumber draws a passport number: EP and 7 digits.
func newNumber() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(10_000_000))
	return fmt.Sprintf("EP%07d", n.Int64())
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, p *Passport, now time.Time) error {
	hj, err := json.Marshal(p.Holder)
	if err != nil {
		return err
	}
	var account any
	if p.Holder.AccountID != "" {
		account = p.Holder.AccountID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO passports (id, number, account_id, status, status_at, signer_id, issued_on,
		expires_on, holder, photo, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $5)`,
		p.ID, p.Number, account, string(p.Status), now.UTC(), p.SignerID, p.Issued.UTC(), p.Expires.UTC(),
		s.box.Seal(colHolder, p.ID, hj), s.box.Seal(colPhoto, p.ID, p.Holder.Photo), s.box.SealString(colPayload, p.ID, p.Payload))
	return err
}

const passportColumns = `id, number, account_id, status, status_reason, status_at, signer_id, issued_on, expires_on,
	holder, photo, payload`

func (s *Service) scan(row interface{ Scan(...any) error }) (*Passport, error) {
	p := &Passport{Agency: s.opt.Agency}
	var account, reason sql.NullString
	var statusAt sql.NullTime
	var holder, photo, payload seal.Sealed
	var status string
	if err := row.Scan(&p.ID, &p.Number, &account, &status, &reason, &statusAt, &p.SignerID, &p.Issued, &p.Expires,
		&holder, &photo, &payload); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	p.Status, p.Reason, p.StatusAt = Status(status), reason.String, statusAt.Time.UTC()
	p.Issued, p.Expires = vds.Day(p.Issued), vds.Day(p.Expires)
	hj, err := s.box.Open(colHolder, p.ID, holder)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(hj, &p.Holder); err != nil {
		return nil, fmt.Errorf("passport: the holder of %s: %w", p.ID, err)
	}
	p.Holder.AccountID = account.String
	if p.Holder.Photo, err = s.box.Open(colPhoto, p.ID, photo); err != nil {
		return nil, err
	}
	if p.Payload, err = s.box.OpenString(colPayload, p.ID, payload); err != nil {
		return nil, err
	}
	p.MRZ, _ = mrz.TD3{IssuingState: s.opt.Country, Surname: p.Holder.Surname, GivenNames: p.Holder.GivenNames,
		Number: p.Number, Nationality: p.Holder.Citizenship, BirthDate: p.Holder.BirthDate, Sex: p.Holder.Sex,
		ExpiryDate: p.Expires}.Lines()
	return p, nil
}

// ByNumber returns the passport with a number.
func (s *Service) ByNumber(ctx context.Context, number string) (*Passport, error) {
	return s.scan(s.db.Reader().QueryRowContext(ctx, `SELECT `+passportColumns+` FROM passports WHERE number = $1`, number))
}

// OfAccount lists the passports issued to an account, newest first.
func (s *Service) OfAccount(ctx context.Context, accountID string) ([]*Passport, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+passportColumns+` FROM passports WHERE account_id = $1
		ORDER BY created_at DESC, id DESC`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Passport
	for rows.Next() {
		p, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Suspend suspends a valid passport at once (the holder reported it lost or compromised, or
// its paper passport became invalid). r is the request of whoever did it (nil: the system).
func (s *Service) Suspend(ctx context.Context, r *http.Request, number, reason string) error {
	return s.change(ctx, r, number, reason, Suspended, ActionSuspended)
}

// Annul annuls a passport for good, with a reason.
func (s *Service) Annul(ctx context.Context, r *http.Request, number, reason string) error {
	return s.change(ctx, r, number, reason, Annulled, ActionAnnulled)
}

// Reinstate makes a suspended passport valid again.
func (s *Service) Reinstate(ctx context.Context, r *http.Request, number string) error {
	return s.change(ctx, r, number, ReasonReinstated, Valid, ActionReinstated)
}

func (s *Service) change(ctx context.Context, r *http.Request, number, reason string, to Status, action string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.changeTx(ctx, tx, r, number, reason, to, action)
		return err
	})
}

// changeTx changes a passport's status in tx, journaled; it reports whether the status
// changed (false: it already was to).
func (s *Service) changeTx(ctx context.Context, tx *sql.Tx, r *http.Request, number, reason string, to Status, action string) (bool, error) {
	if to != Valid && !reasons[reason] {
		return false, ErrReason
	}
	p, err := s.scan(tx.QueryRowContext(ctx, `SELECT `+passportColumns+` FROM passports WHERE number = $1`, number))
	if err != nil {
		return false, err
	}
	switch {
	case p.Status == Annulled:
		return false, ErrAnnulled
	case to == Valid && p.Status != Suspended:
		return false, ErrNotSuspend
	case to == p.Status:
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE passports SET status = $2, status_reason = $3, status_at = $4 WHERE id = $1`,
		p.ID, string(to), reason, s.now().UTC()); err != nil {
		return false, err
	}
	if err := s.record(ctx, tx, r, audit.Entry{Action: action, ObjectType: "passport", ObjectID: p.ID,
		Details: map[string]string{"reason": reason, "from": string(p.Status)}}); err != nil {
		return false, err
	}
	// The published status list is signed anew at its next request (a rolled-back change
	// only costs one signature).
	s.mu.Lock()
	s.dirty = true
	s.mu.Unlock()
	return true, nil
}

// record journals e: the actor is r's principal, or the system when r is nil.
func (s *Service) record(ctx context.Context, x db.Querier, r *http.Request, e audit.Entry) error {
	if s.opt.Journal == nil {
		return nil
	}
	if e.ActorKind == "" {
		e.ActorKind, e.ActorID = audit.ActorSystem, "passport"
		if r != nil {
			e.ActorKind, e.ActorID = audit.ActorAnonymous, ""
			if p, ok := web.PrincipalOf(r); ok {
				e.ActorKind, e.ActorID = audit.ActorKind(p.Kind), p.ID
			}
		}
	}
	var err error
	if r != nil {
		_, err = s.opt.Journal.AppendRequest(ctx, x, r, e)
	} else {
		_, err = s.opt.Journal.Append(ctx, x, e)
	}
	if err != nil {
		return fmt.Errorf("passport: journal %s: %w", e.Action, err)
	}
	return nil
}
