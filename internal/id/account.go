package id

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
	"github.com/sep-platform/sep/ruid"
)

// Role is what an account is for.
type Role string

// The roles. Operators, administrators and auditors are made by `sep admin create-user`; a
// second factor is mandatory for them.
const (
	Citizen  Role = "citizen"
	Operator Role = "operator"
	Admin    Role = "admin"
	Auditor  Role = "auditor"
)

// Status is whether an account may sign in.
type Status string

// The statuses.
const (
	Active      Status = "active"
	Blocked     Status = "blocked"     // by an administrator, with a reason the owner is shown
	Unconfirmed Status = "unconfirmed" // a contact must be confirmed again before sign-in
)

// Level is how far the account's owner has proved who they are (упрощённая → стандартная →
// подтверждённая, as on Госуслуги).
type Level string

// The levels.
const (
	Simplified Level = "simplified" // phone and e-mail confirmed
	Standard   Level = "standard"   // personal data and documents given and confirmed by the registries
	Confirmed  Level = "confirmed"  // identity confirmed in person or by an operator's code
)

// Account is a person's (or a staff member's) account of ID.
type Account struct {
	ID     string
	Role   Role
	Status Status
	Level  Level
	Lang   string
	Phone  string // +7XXXXXXXXXX; empty if none
	Email  string // ruid's canonical form; empty if none
	// Profile is the personal data the owner has given (account levels).
	Profile Profile
	// BlockCode says why an administrator blocked the account (a catalog key suffix), and
	// BlockNote is their note; both empty unless blocked.
	BlockCode, BlockNote string
	ConsentVersion       string    // the text of the consent to processing the owner accepted
	ConsentAt            time.Time // when
	CreatedAt, UpdatedAt time.Time
}

// Profile is the personal data of an account, kept sealed as one value. Dates are calendar
// dates (midnight UTC); an empty field is not given.
type Profile struct {
	LastName   string    `json:"last_name,omitempty"`
	FirstName  string    `json:"first_name,omitempty"`
	MiddleName string    `json:"middle_name,omitempty"`
	BirthDate  time.Time `json:"birth_date,omitzero"`
	BirthPlace string    `json:"birth_place,omitempty"`
	Passport   *Passport `json:"passport,omitempty"`
	SNILS      string    `json:"snils,omitempty"` // 112-233-445 95
	INN        string    `json:"inn,omitempty"`
	Address    *Address  `json:"address,omitempty"` // адрес регистрации по месту жительства
}

// Passport is a Russian internal passport.
type Passport struct {
	Series       string    `json:"series"`
	Number       string    `json:"number"`
	IssueDate    time.Time `json:"issue_date,omitzero"`
	Issuer       string    `json:"issuer,omitempty"`
	DivisionCode string    `json:"division_code,omitempty"`
}

// Address is a registration address, written in full.
type Address struct {
	Region   string `json:"region"`
	District string `json:"district,omitempty"`
	City     string `json:"city"`
	Street   string `json:"street"`
	House    string `json:"house"`
	Flat     string `json:"flat,omitempty"`
	Postcode string `json:"postcode"`
}

// The personal data of accounts, sealed at rest: contacts and the profile, each with the blind
// indexes that sign-in by phone, e-mail, СНИЛС or ИНН looks up.
var (
	accountsTable = seal.Table{Name: "id_accounts", Key: "id", Sealed: []string{"phone", "email", "profile", "block_note"},
		Indexes: []seal.Index{
			{Column: "phone_idx", Of: "phone", Purpose: "phone", Normalize: ruid.Phone},
			{Column: "email_idx", Of: "email", Purpose: "email", Normalize: emailKey},
			{Column: "snils_idx", Of: "profile", Purpose: "snils", Normalize: profileField(func(p Profile) string { return p.SNILS }, ruid.SNILS)},
			{Column: "inn_idx", Of: "profile", Purpose: "inn", Normalize: profileField(func(p Profile) string { return p.INN }, ruid.INN)},
		}}
	accPhone, accEmail       = accountsTable.Column("phone"), accountsTable.Column("email")
	accProfile, accBlockNote = accountsTable.Column("profile"), accountsTable.Column("block_note")
	phoneIndex, emailIndex   = accountsTable.Indexes[0], accountsTable.Indexes[1]
	snilsIndex, innIndex     = accountsTable.Indexes[2], accountsTable.Indexes[3]
)

// emailKey is what an account's e-mail is looked up by: the canonical address in lower case,
// since people type their address in any case and no mail service here tells the cases apart.
func emailKey(s string) (string, error) {
	v, err := ruid.Email(s)
	return strings.ToLower(v), err
}

// profileField makes the normaliser of an index of one identifier inside the sealed profile:
// given the profile's JSON (as the rotation job recomputes it), or the identifier itself (as a
// lookup gives it). An empty identifier normalises to "", which indexes nothing.
func profileField(get func(Profile) string, norm func(string) (string, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		if strings.HasPrefix(s, "{") {
			var p Profile
			if err := json.Unmarshal([]byte(s), &p); err != nil {
				return "", err
			}
			s = get(p)
		}
		if s == "" {
			return "", nil
		}
		return norm(s)
	}
}

// Tables declares the tables of this package that hold sealed personal data.
func Tables() []seal.Table {
	return []seal.Table{accountsTable, sessionsTable, flowsTable, totpTable, passkeysTable, devicesTable}
}

const accountColumns = `id, role, status, level, lang, phone, email, profile, block_code, block_note,
	consent_version, consent_at, created_at, updated_at`

// accountRow is an account as the database has it, still sealed.
type accountRow struct {
	a                           Account
	phone, email, profile, note seal.Sealed
	blockCode, consent          sql.NullString
	consentAt                   sql.NullTime
}

// targets are where a row of accountColumns scans to.
func (r *accountRow) targets() []any {
	return []any{&r.a.ID, &r.a.Role, &r.a.Status, &r.a.Level, &r.a.Lang, &r.phone, &r.email, &r.profile, &r.blockCode, &r.note,
		&r.consent, &r.consentAt, &r.a.CreatedAt, &r.a.UpdatedAt}
}

func (s *Service) scanAccount(row interface{ Scan(...any) error }) (*Account, error) {
	var r accountRow
	if err := row.Scan(r.targets()...); err != nil {
		return nil, err
	}
	return s.openAccount(&r)
}

// openAccount unseals an account row.
func (s *Service) openAccount(r *accountRow) (*Account, error) {
	a := r.a
	b := s.box
	var err error
	if a.Phone, err = b.OpenString(accPhone, a.ID, r.phone); err != nil {
		return nil, err
	}
	if a.Email, err = b.OpenString(accEmail, a.ID, r.email); err != nil {
		return nil, err
	}
	if a.BlockNote, err = b.OpenString(accBlockNote, a.ID, r.note); err != nil {
		return nil, err
	}
	if pj, err := b.Open(accProfile, a.ID, r.profile); err != nil {
		return nil, err
	} else if len(pj) > 0 {
		if err := json.Unmarshal(pj, &a.Profile); err != nil {
			return nil, fmt.Errorf("id: the profile of %s: %w", a.ID, err)
		}
	}
	a.BlockCode, a.ConsentVersion, a.ConsentAt = r.blockCode.String, r.consent.String, r.consentAt.Time.UTC()
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

// ErrNoAccount is the kind of error for an account that does not exist.
var ErrNoAccount = errs.E(errs.NotFound, "id.no_account", errors.New("id: no such account"))

// Account returns the account with the id.
func (s *Service) Account(ctx context.Context, id string) (*Account, error) {
	a, err := s.scanAccount(s.db.ReadRow(ctx, `SELECT `+accountColumns+` FROM id_accounts WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	return a, err
}

// loginIndexes tells what a login may be, in any spelling ruid reads — an e-mail address if
// it has an @, else a phone number, a СНИЛС or an ИНН (the seeds: «номер телефона, email или
// ИНН») — and returns the indexes to look it up in. Eleven digits may be a phone written with 8
// or 7 in front or a СНИЛС whose check digits happen to fit: both are looked up.
func loginIndexes(login string) []seal.Index {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 254 {
		return nil
	}
	if strings.Contains(login, "@") {
		if _, err := ruid.Email(login); err == nil {
			return []seal.Index{emailIndex}
		}
		return nil
	}
	var out []seal.Index
	if _, err := ruid.Phone(login); err == nil {
		out = append(out, phoneIndex)
	}
	if _, err := ruid.SNILS(login); err == nil {
		out = append(out, snilsIndex)
	}
	if _, err := ruid.INNPerson(login); err == nil {
		out = append(out, innIndex)
	}
	return out
}

// AccountByLogin finds the account a login names, through its blind indexes (under every key
// of the ring, so that a rotation in progress misses nothing). A login that names none, or
// that is no phone, address, СНИЛС or ИНН, is ErrNoAccount.
func (s *Service) AccountByLogin(ctx context.Context, x db.Querier, login string) (*Account, error) {
	for _, ix := range loginIndexes(login) {
		a, err := s.accountByIndex(ctx, x, ix, login)
		if !errors.Is(err, ErrNoAccount) {
			return a, err
		}
	}
	return nil, ErrNoAccount
}

func (s *Service) accountByIndex(ctx context.Context, x db.Querier, ix seal.Index, value string) (*Account, error) {
	cands, err := s.box.Candidates(ix, value)
	if err != nil {
		return nil, ErrNoAccount
	}
	marks := make([]string, len(cands))
	for i := range cands {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	if x == nil {
		x = s.db.Reader()
	}
	a, err := s.scanAccount(x.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM id_accounts WHERE `+ix.Column+
		` IN (`+strings.Join(marks, ", ")+`) ORDER BY created_at LIMIT 1`, cands...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	return a, err
}

// NewAccount is what creating an account needs.
type NewAccount struct {
	Role           Role
	Phone, Email   string // as typed; normalised by ruid
	Lang           string
	ConsentVersion string // the consent text accepted (citizens)
	PasswordHash   string // from the Hasher
}

// createAccount stores a new active account at the simplified level in tx. A phone or e-mail
// another account has is errs.Conflict "id.contact_taken".
func (s *Service) createAccount(ctx context.Context, tx *sql.Tx, n NewAccount) (*Account, error) {
	now := s.now().UTC()
	a := &Account{ID: db.NewID(), Role: n.Role, Status: Active, Level: Simplified, Lang: n.Lang, CreatedAt: now, UpdatedAt: now,
		ConsentVersion: n.ConsentVersion}
	if n.ConsentVersion != "" {
		a.ConsentAt = now
	}
	var phoneIdx, emailIdx seal.Blind
	var err error
	if n.Phone != "" {
		if a.Phone, err = ruid.MobilePhone(n.Phone); err != nil {
			return nil, errs.E(errs.Invalid, "id.bad_phone", err)
		}
		if _, err := s.accountByIndex(ctx, tx, phoneIndex, a.Phone); err == nil {
			return nil, errs.E(errs.Conflict, "id.contact_taken", errors.New("id: the phone belongs to another account"))
		}
		phoneIdx, _ = s.box.Index(phoneIndex, a.Phone)
	}
	if n.Email != "" {
		if a.Email, err = ruid.Email(n.Email); err != nil {
			return nil, errs.E(errs.Invalid, "id.bad_email", err)
		}
		if _, err := s.accountByIndex(ctx, tx, emailIndex, a.Email); err == nil {
			return nil, errs.E(errs.Conflict, "id.contact_taken", errors.New("id: the address belongs to another account"))
		}
		emailIdx, _ = s.box.Index(emailIndex, a.Email)
	}
	b := s.box
	var phone, email seal.Sealed
	if a.Phone != "" {
		phone = b.SealString(accPhone, a.ID, a.Phone)
	}
	if a.Email != "" {
		email = b.SealString(accEmail, a.ID, a.Email)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO id_accounts (id, role, status, level, lang, phone, phone_idx, email, email_idx,
			consent_version, consent_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		a.ID, string(a.Role), string(a.Status), string(a.Level), a.Lang, phone, nullBlind(phoneIdx), email, nullBlind(emailIdx),
		nullString(a.ConsentVersion), nullTime(a.ConsentAt), now)
	if db.IsUniqueViolation(err) {
		return nil, errs.E(errs.Conflict, "id.contact_taken", errors.New("id: a contact belongs to another account"))
	}
	if err != nil {
		return nil, fmt.Errorf("id: store account: %w", err)
	}
	if n.PasswordHash != "" {
		if err := addPassword(ctx, tx, a.ID, n.PasswordHash, now); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// SaveProfile stores the account's profile (sealed) with the blind indexes of its СНИЛС and
// ИНН, in x (a transaction, or the writer pool).
func (s *Service) SaveProfile(ctx context.Context, x db.Querier, accountID string, p Profile) error {
	js, err := json.Marshal(p)
	if err != nil {
		return err
	}
	snils, err := s.box.Index(snilsIndex, string(js))
	if err != nil {
		return errs.E(errs.Invalid, "id.bad_snils", err)
	}
	inn, err := s.box.Index(innIndex, string(js))
	if err != nil {
		return errs.E(errs.Invalid, "id.bad_inn", err)
	}
	if p.SNILS == "" {
		snils = nil
	}
	if p.INN == "" {
		inn = nil
	}
	if x == nil {
		x = s.db.Writer()
	}
	res, err := x.ExecContext(ctx, `UPDATE id_accounts SET profile = $2, snils_idx = $3, inn_idx = $4, updated_at = $5 WHERE id = $1`,
		accountID, s.box.Seal(accProfile, accountID, js), nullBlind(snils), nullBlind(inn), s.now().UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoAccount
	}
	return nil
}

func nullBlind(b seal.Blind) any {
	if b == nil {
		return nil
	}
	return []byte(b)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
