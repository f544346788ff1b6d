package ruid

import (
	"slices"
	"strings"
	"time"
)

// Params carries the extra parameters a kind reads, such as "bik" for
// "account". url.Values satisfies it, so an HTTP handler can pass the query
// as it is.
type Params interface {
	Get(key string) string
}

// Kind is one kind of value the package validates, for callers that select
// it by name — an HTTP endpoint GET /validate/{kind}?value=… is a lookup and
// a call.
type Kind struct {
	// Name is the kind's stable name, e.g. "snils".
	Name string
	// Params lists the extra parameters Check reads; all are optional
	// unless the kind's documentation says otherwise.
	Params []string
	// Check validates value and returns its canonical form, or an *Error.
	// today is the caller's current date, used by date rules; params may be
	// nil.
	Check func(value string, params Params, today time.Time) (string, error)
}

// ignoring adapts a check that needs neither parameters nor the date.
func ignoring(f func(string) (string, error)) func(string, Params, time.Time) (string, error) {
	return func(v string, _ Params, _ time.Time) (string, error) { return f(v) }
}

var kinds = []Kind{
	{Name: "snils", Check: ignoring(SNILS)},
	{Name: "inn", Params: []string{"type"}, Check: checkINNKind},
	{Name: "ogrn", Check: ignoring(OGRNAny)},
	{Name: "ogrnip", Check: ignoring(OGRNIP)},
	{Name: "kpp", Check: ignoring(KPP)},
	{Name: "okved", Check: ignoring(OKVED)},
	{Name: "passport", Params: []string{"issue_date", "birth_date", "division_code"}, Check: checkPassportKind},
	{Name: "division_code", Check: ignoring(DivisionCode)},
	{Name: "phone", Params: []string{"mobile"}, Check: checkPhoneKind},
	{Name: "email", Params: []string{"latin"}, Check: checkEmailKind},
	{Name: "date", Check: ignoring(Date)},
	{Name: "name", Check: ignoring(NamePart)},
	{Name: "uin", Check: ignoring(UIN)},
	{Name: "bik", Check: ignoring(BIK)},
	{Name: "account", Params: []string{"bik"}, Check: checkAccountKind},
}

// Kinds returns every kind, in a stable order.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		k.Params = slices.Clone(k.Params)
		out[i] = k
	}
	return out
}

// LookupKind returns the kind with the given name.
func LookupKind(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			k.Params = slices.Clone(k.Params)
			return k, true
		}
	}
	return Kind{}, false
}

// param reads a parameter from possibly nil params.
func param(p Params, key string) string {
	if p == nil {
		return ""
	}
	return p.Get(key)
}

// checkINNKind reads "type": "legal" for the 10-digit ИНН of an
// organisation, "person" for the 12-digit one of a person, empty for either.
func checkINNKind(v string, p Params, _ time.Time) (string, error) {
	switch strings.ToLower(param(p, "type")) {
	case "legal":
		return INNLegal(v)
	case "person":
		return INNPerson(v)
	}
	return INN(v)
}

// checkPhoneKind reads "mobile": any of "1", "true", "yes" requires a number
// that can receive SMS.
func checkPhoneKind(v string, p Params, _ time.Time) (string, error) {
	switch strings.ToLower(param(p, "mobile")) {
	case "1", "true", "yes":
		return MobilePhone(v)
	}
	return Phone(v)
}

// checkEmailKind reads "latin": any of "1", "true", "yes" requires an address
// in Latin letters and digits only (EmailLatin).
func checkEmailKind(v string, p Params, _ time.Time) (string, error) {
	switch strings.ToLower(param(p, "latin")) {
	case "1", "true", "yes":
		return EmailLatin(v)
	}
	return Email(v)
}

// checkPassportKind takes series and number in the value; the dates and the
// division code, when given, are checked as CheckPassport does. Only the
// first error is returned.
func checkPassportKind(v string, p Params, today time.Time) (string, error) {
	sn, err := ParsePassport(v)
	if err != nil {
		return "", err
	}
	_, err = checkPassport(PassportInput{
		Series:       sn.Series,
		Number:       sn.Number,
		IssueDate:    param(p, "issue_date"),
		BirthDate:    param(p, "birth_date"),
		DivisionCode: param(p, "division_code"),
	}, today, false)
	if errs, ok := err.(Errors); ok {
		return "", errs[0]
	}
	return sn.String(), nil
}

// checkAccountKind reads the required "bik".
func checkAccountKind(v string, p Params, _ time.Time) (string, error) {
	return Account(v, param(p, "bik"))
}
