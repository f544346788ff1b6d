package registry

import (
	"context"
	"errors"
	"time"
)

// Registry names the state registry, and the kind of check, a request goes to.
type Registry string

// The registries. The name is stored with every check and keys its messages
// ("registry.name.passport").
const (
	Passport Registry = "passport" // МВД: is this passport valid, and is it this person's
	SNILS    Registry = "snils"    // СФР: does this СНИЛС belong to this person
	INN      Registry = "inn"      // ФНС: does this ИНН belong to this person or organisation
	Legal    Registry = "legal"    // ФНС: an ЕГРЮЛ/ЕГРИП extract by ОГРН(ИП) or ИНН
)

// Registries lists every registry, in a stable order.
func Registries() []Registry { return []Registry{Passport, SNILS, INN, Legal} }

// Status is where a check stands. Pending is the only state that changes; the
// others are answers:
//
//	Request ──▶ pending ──registry answered──▶ confirmed | mismatch | not_found | invalid
//	               │  ▲
//	               │  └── no answer: retried with backoff; Rerun starts a new run
//	               └───── no answer after the last attempt ──▶ unavailable ──Rerun──▶ pending
type Status string

// The statuses of a check.
const (
	Pending     Status = "pending"     // stored, the registry has not answered yet
	Confirmed   Status = "confirmed"   // the registry knows the subject and every field matched
	Mismatch    Status = "mismatch"    // the registry knows the subject, but Field differs
	NotFound    Status = "not_found"   // the registry does not know the identifier
	Invalid     Status = "invalid"     // known, but not valid: see Reason (lost passport, liquidated …)
	Unavailable Status = "unavailable" // no answer after every attempt, or no registry configured
)

// Statuses lists every status, in a stable order.
func Statuses() []Status {
	return []Status{Pending, Confirmed, Mismatch, NotFound, Invalid, Unavailable}
}

// Final reports whether the status is an outcome rather than a wait.
func (s Status) Final() bool { return s != Pending }

// Reason says why a check is Invalid or Unavailable (and, while it is Pending,
// why the last attempt got no answer). Reasons key messages
// ("registry.reason.passport_lost").
type Reason string

// The reasons.
const (
	// Invalid.
	ReasonInvalidList  Reason = "passport_invalid_list"   // in the МВД list of invalid passports
	ReasonReplaced     Reason = "passport_replaced"       // replaced by a newer passport
	ReasonLost         Reason = "passport_lost"           // declared lost or stolen
	ReasonExpiredByAge Reason = "passport_expired_by_age" // not replaced at 20 or 45
	ReasonDeceased     Reason = "deceased"                // the person has died
	ReasonLiquidated   Reason = "liquidated"              // the organisation is liquidated, the ИП closed

	// Unavailable.
	ReasonTimeout       Reason = "timeout"        // the registry did not answer in time
	ReasonDown          Reason = "down"           // the registry answered that it is unavailable
	ReasonNotConfigured Reason = "not_configured" // this installation has no adapter for the registry
)

// Reasons lists every reason, in a stable order.
func Reasons() []Reason {
	return []Reason{ReasonInvalidList, ReasonReplaced, ReasonLost, ReasonExpiredByAge,
		ReasonDeceased, ReasonLiquidated, ReasonTimeout, ReasonDown, ReasonNotConfigured}
}

// The names of the fields a check compares, as stored in Check.Fields and
// Check.MismatchField. They key messages ("registry.field.birth_date").
const (
	FieldSeries       = "series"
	FieldNumber       = "number"
	FieldLastName     = "last_name"
	FieldFirstName    = "first_name"
	FieldMiddleName   = "middle_name"
	FieldBirthDate    = "birth_date"
	FieldIssueDate    = "issue_date"
	FieldDivisionCode = "division_code"
	FieldSNILS        = "snils"
	FieldINN          = "inn"
	FieldOGRN         = "ogrn"
	FieldKPP          = "kpp"
)

// Fields lists every field name, in a stable order.
func Fields() []string {
	return []string{FieldSeries, FieldNumber, FieldLastName, FieldFirstName, FieldMiddleName,
		FieldBirthDate, FieldIssueDate, FieldDivisionCode, FieldSNILS, FieldINN, FieldOGRN, FieldKPP}
}

// Answer is what a registry said about one query. A registry that answers,
// whatever it says, returns an Answer; one that does not answer returns an
// error instead (see ErrUnavailable).
type Answer struct {
	Status Status
	// Field is the first field that differs, for Mismatch. The registry's own
	// value is never part of an answer: a mismatch tells the citizen which
	// field to look at, not what someone else's record holds.
	Field string
	// Reason says why, for Invalid (and Unavailable from an adapter that
	// knows it will never answer, such as Unconfigured).
	Reason Reason
	// Extract is the ЕГРЮЛ/ЕГРИП record, for Legal checks that found one.
	Extract *Extract
	// Source names who answered: "simulator", "mvd-list", an adapter's name.
	Source string
}

// Organisation kinds in an Extract.
const (
	KindLegal        = "legal"        // юридическое лицо, ЕГРЮЛ
	KindEntrepreneur = "entrepreneur" // индивидуальный предприниматель, ЕГРИП
)

// Organisation statuses in an Extract.
const (
	OrgActive     = "active"
	OrgLiquidated = "liquidated" // a legal entity liquidated, or an ИП closed
)

// Extract is an ЕГРЮЛ or ЕГРИП record: public data, kept whole with the check.
type Extract struct {
	Kind         string    `json:"kind"` // KindLegal or KindEntrepreneur
	OGRN         string    `json:"ogrn"` // ОГРН, or ОГРНИП for an entrepreneur
	INN          string    `json:"inn"`
	KPP          string    `json:"kpp,omitempty"` // legal entities only
	Name         string    `json:"name"`          // full name; for an ИП the person's full name
	ShortName    string    `json:"short_name,omitempty"`
	Address      string    `json:"address,omitempty"` // legal address; ЕГРИП publishes none
	Status       string    `json:"status"`            // OrgActive or OrgLiquidated
	RegisteredOn time.Time `json:"registered_on"`
	LiquidatedOn time.Time `json:"liquidated_on,omitzero"`
	OKVED        string    `json:"okved"`                 // main activity, ОКВЭД2
	OKVEDExtra   []string  `json:"okved_extra,omitempty"` // other activities
}

// ErrUnavailable is the error, wrapped, of a registry that did not answer:
// it is down, overloaded or refused the connection. The check is retried. A
// timeout (context.DeadlineExceeded) counts the same. Any other error is
// retried too. Error texts are logged: adapters keep the query out of them.
var ErrUnavailable = errors.New("registry unavailable")

// PassportRegistry answers whether a passport of a citizen of the Russian
// Federation is valid and, for the fields given, whose it is (МВД).
type PassportRegistry interface {
	CheckPassport(ctx context.Context, q PassportQuery) (Answer, error)
}

// SNILSRegistry answers whether a СНИЛС belongs to a person (СФР).
type SNILSRegistry interface {
	CheckSNILS(ctx context.Context, q SNILSQuery) (Answer, error)
}

// INNRegistry answers whether an ИНН belongs to a person or an organisation
// (ФНС).
type INNRegistry interface {
	CheckINN(ctx context.Context, q INNQuery) (Answer, error)
}

// LegalRegistry returns the ЕГРЮЛ/ЕГРИП extract of an organisation or
// entrepreneur (ФНС), checking the identifiers given against it.
type LegalRegistry interface {
	CheckLegal(ctx context.Context, q LegalQuery) (Answer, error)
}

// InvalidPassports is the МВД list of invalid passports, kept locally
// (internal/registry/passlist). Every passport check consults it before the
// registry: a passport on the list is Invalid whatever the registry would say.
type InvalidPassports interface {
	// Contains reports whether the list has the passport; series is four
	// digits, number six.
	Contains(ctx context.Context, series, number string) (bool, error)
}

// Adapters are the registries a service calls. A nil field means this
// installation has none for that registry: its checks end Unavailable with
// ReasonNotConfigured at once.
type Adapters struct {
	Passport PassportRegistry
	SNILS    SNILSRegistry
	INN      INNRegistry
	Legal    LegalRegistry
}
