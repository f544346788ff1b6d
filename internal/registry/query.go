package registry

import (
	"errors"
	"time"

	"github.com/sep-platform/sep/ruid"
)

// Query is what one check asks a registry: a PassportQuery, SNILSQuery,
// INNQuery or LegalQuery. The values are kept with the check, so that the
// citizen and the operator can see what was confirmed.
type Query interface {
	// Registry is the registry the query goes to.
	Registry() Registry
	// Fields names the fields the query carries, in the order a registry
	// compares them.
	Fields() []string
	// normalized validates the query and returns it in canonical form.
	normalized() (Query, error)
}

// Person is a person as registries know them. A zero field is not checked,
// except MiddleName, which is compared whenever the name is: an empty
// patronymic means the person has none.
type Person struct {
	LastName   string    `json:"last_name,omitempty"`
	FirstName  string    `json:"first_name,omitempty"`
	MiddleName string    `json:"middle_name,omitempty"`
	BirthDate  time.Time `json:"birth_date,omitzero"` // a calendar date; the time of day is ignored
}

// HasName reports whether the name is given (and so compared).
func (p Person) HasName() bool { return p.LastName != "" || p.FirstName != "" || p.MiddleName != "" }

// PassportQuery asks whether a passport is valid and, for every other field
// given, whether it matches.
type PassportQuery struct {
	Series       string    `json:"series"` // required
	Number       string    `json:"number"` // required
	IssueDate    time.Time `json:"issue_date,omitzero"`
	DivisionCode string    `json:"division_code,omitempty"`
	Person
}

// SNILSQuery asks whether a СНИЛС belongs to a person; the name and the birth
// date are required.
type SNILSQuery struct {
	SNILS string `json:"snils"`
	Person
}

// INNQuery asks whether an ИНН belongs to a person (12 digits: name and
// birth date required) or to an organisation (10 digits: no person). OGRN,
// if given, is compared too: the ОГРН of the organisation, or the ОГРНИП of
// the entrepreneur the person is.
type INNQuery struct {
	INN  string `json:"inn"`
	OGRN string `json:"ogrn,omitempty"`
	Person
}

// LegalQuery asks for the ЕГРЮЛ/ЕГРИП extract of an organisation or an
// entrepreneur, found by OGRN (ОГРН or ОГРНИП) or, if that is empty, by INN.
// The other identifiers given are compared with the extract.
type LegalQuery struct {
	OGRN string `json:"ogrn,omitempty"`
	INN  string `json:"inn,omitempty"`
	KPP  string `json:"kpp,omitempty"`
}

// Registry implements Query.
func (PassportQuery) Registry() Registry { return Passport }

// Registry implements Query.
func (SNILSQuery) Registry() Registry { return SNILS }

// Registry implements Query.
func (INNQuery) Registry() Registry { return INN }

// Registry implements Query.
func (LegalQuery) Registry() Registry { return Legal }

// Fields implements Query.
func (q PassportQuery) Fields() []string {
	f := []string{FieldSeries, FieldNumber}
	f = append(f, q.Person.fields()...)
	if !q.IssueDate.IsZero() {
		f = append(f, FieldIssueDate)
	}
	if q.DivisionCode != "" {
		f = append(f, FieldDivisionCode)
	}
	return f
}

// Fields implements Query.
func (q SNILSQuery) Fields() []string { return append([]string{FieldSNILS}, q.Person.fields()...) }

// Fields implements Query.
func (q INNQuery) Fields() []string {
	f := append([]string{FieldINN}, q.Person.fields()...)
	if q.OGRN != "" {
		f = append(f, FieldOGRN)
	}
	return f
}

// Fields implements Query.
func (q LegalQuery) Fields() []string {
	var f []string
	for _, v := range []struct{ name, value string }{{FieldOGRN, q.OGRN}, {FieldINN, q.INN}, {FieldKPP, q.KPP}} {
		if v.value != "" {
			f = append(f, v.name)
		}
	}
	return f
}

func (p Person) fields() []string {
	var f []string
	if p.HasName() {
		f = append(f, FieldLastName, FieldFirstName, FieldMiddleName)
	}
	if !p.BirthDate.IsZero() {
		f = append(f, FieldBirthDate)
	}
	return f
}

// FieldError is a query field that is missing or malformed. Err is a
// *ruid.Error when the value failed its format check (errors.As finds it, with
// its code and message), or ErrRequired.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return "registry: " + e.Field + ": " + e.Err.Error() }

func (e *FieldError) Unwrap() error { return e.Err }

// ErrRequired is the cause of a FieldError for a field the query needs.
var ErrRequired = errors.New("required")

// field runs a ruid check on a value, naming the field in the error.
func field(name string, check func(string) (string, error), v string) (string, error) {
	out, err := check(v)
	if err != nil {
		return "", &FieldError{Field: name, Err: err}
	}
	return out, nil
}

// dateOnly drops the time of day, keeping the calendar date the caller meant.
func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (p Person) normalized(required bool) (Person, error) {
	if required && (p.LastName == "" || p.FirstName == "") {
		name := FieldLastName
		if p.LastName != "" {
			name = FieldFirstName
		}
		return p, &FieldError{Field: name, Err: ErrRequired}
	}
	if required && p.BirthDate.IsZero() {
		return p, &FieldError{Field: FieldBirthDate, Err: ErrRequired}
	}
	var err error
	if p.HasName() {
		if p.LastName, err = field(FieldLastName, ruid.NamePart, p.LastName); err != nil {
			return p, err
		}
		if p.FirstName, err = field(FieldFirstName, ruid.NamePart, p.FirstName); err != nil {
			return p, err
		}
		if p.MiddleName != "" {
			if p.MiddleName, err = field(FieldMiddleName, ruid.NamePart, p.MiddleName); err != nil {
				return p, err
			}
		}
	}
	p.BirthDate = dateOnly(p.BirthDate)
	return p, nil
}

func (q PassportQuery) normalized() (Query, error) {
	var err error
	if q.Series, err = field(FieldSeries, ruid.PassportSeries, q.Series); err != nil {
		return nil, err
	}
	if q.Number, err = field(FieldNumber, ruid.PassportNumber, q.Number); err != nil {
		return nil, err
	}
	if q.DivisionCode != "" {
		if q.DivisionCode, err = field(FieldDivisionCode, ruid.DivisionCode, q.DivisionCode); err != nil {
			return nil, err
		}
	}
	q.IssueDate = dateOnly(q.IssueDate)
	if q.Person, err = q.Person.normalized(false); err != nil {
		return nil, err
	}
	return q, nil
}

func (q SNILSQuery) normalized() (Query, error) {
	var err error
	if q.SNILS, err = field(FieldSNILS, ruid.SNILS, q.SNILS); err != nil {
		return nil, err
	}
	if q.Person, err = q.Person.normalized(true); err != nil {
		return nil, err
	}
	return q, nil
}

func (q INNQuery) normalized() (Query, error) {
	var err error
	if q.INN, err = field(FieldINN, ruid.INN, q.INN); err != nil {
		return nil, err
	}
	person := len(q.INN) == 12
	if !person && (q.HasName() || !q.BirthDate.IsZero()) {
		// A person's data with an organisation's ИНН: the caller mixed up
		// the two kinds of check.
		return nil, &FieldError{Field: FieldINN, Err: &ruid.Error{Code: ruid.INNLengthPerson,
			Args: map[string]string{"got": "10"}}}
	}
	if q.OGRN != "" {
		if q.OGRN, err = field(FieldOGRN, ruid.OGRNAny, q.OGRN); err != nil {
			return nil, err
		}
	}
	if q.Person, err = q.Person.normalized(person); err != nil {
		return nil, err
	}
	return q, nil
}

func (q LegalQuery) normalized() (Query, error) {
	if q.OGRN == "" && q.INN == "" {
		return nil, &FieldError{Field: FieldOGRN, Err: ErrRequired}
	}
	var err error
	if q.OGRN != "" {
		if q.OGRN, err = field(FieldOGRN, ruid.OGRNAny, q.OGRN); err != nil {
			return nil, err
		}
	}
	if q.INN != "" {
		if q.INN, err = field(FieldINN, ruid.INN, q.INN); err != nil {
			return nil, err
		}
	}
	if q.KPP != "" {
		if q.KPP, err = field(FieldKPP, ruid.KPP, q.KPP); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// Normalize validates a query with the ruid validators and returns it in the
// canonical form registries receive: passport series and number as digits,
// division code NNN-NNN, СНИЛС as NNN-NNN-NNN NN, ИНН/ОГРН as digits, names
// as ruid.NamePart returns them, dates at midnight UTC. The error is a
// *FieldError.
func Normalize(q Query) (Query, error) {
	if q == nil {
		return nil, &FieldError{Field: "query", Err: ErrRequired}
	}
	return q.normalized()
}
