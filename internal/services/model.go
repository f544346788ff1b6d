// Package services holds the services a citizen or an organisation can apply for, as data:
// each service is a declarative YAML file (defs/*.yaml, embedded; more from SEP_SERVICES_DIR)
// loaded and validated when sep starts — a broken file stops start-up with a message naming
// the file and the field. The typed model below (Service, Field, DocumentRule, Workflow) is
// what the applications package builds forms, document checks and deadlines from; the
// catalogue pages (/services, /services/{code}) and the JSON API (/api/v1/services) show it,
// with a search that knows Russian word forms (stem.go, search.go).
//
// A service file reads like this (see defs/e-passport.yaml for a full one):
//
//	code: e-passport
//	name: {ru: Электронный паспорт, en: Electronic passport}
//	summary: {ru: …, en: …}
//	category: identity
//	agency: mvd                  # whose operators review it; "sep" when not given
//	applicants: [person]
//	min_level: standard
//	fields:
//	  - {name: last_name, type: text, validator: name, required: true, prefill: last_name, max_length: 100, label: {…}}
//	documents:
//	  - {kind: passport_scan, required: true, formats: [pdf, jpeg, png], max_size: 5 MB, quality: {min_dpi: 300}}
//	workflow:
//	  deadlines: {registry_checks: {hours: 24, extendable_to_hours: 72}, in_review: {working_days: 3}}
//
// Names, descriptions, labels and hints are the services' own words and live in their files,
// Russian and English; the words of the pages around them are in the message catalogs.
package services

import (
	"slices"

	"github.com/sep-platform/sep/internal/id"
)

// Text is a service's own words in each interface language.
type Text struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In returns the text in lang, Russian for any language but English, and Russian where
// English is missing.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.RU
}

// DefaultAgency is the agency of a service whose file names none, and of an operator given
// no other: the platform's own.
const DefaultAgency = "sep"

// Catalogue is every service sep offers, with the categories they are grouped by and the
// kinds of document they ask for. It is loaded once at start-up and never changed.
type Catalogue struct {
	// Categories in the order the catalogue page shows them.
	Categories []Category
	// DocumentKinds are the kinds of document services may ask for; the citizen's document
	// library keeps documents by kind, so that one asked for again can be reused.
	DocumentKinds []DocumentKind
	// Services sorted by category order, then by Russian name.
	Services []*Service

	byCode  map[string]*Service
	index   *index
	kinds   map[string]DocumentKind
	catByID map[string]Category
}

// Category groups services on the catalogue page.
type Category struct {
	Code string
	Name Text
}

// DocumentKind is one kind of document, such as a passport scan or an СНИЛС card.
type DocumentKind struct {
	Code string
	Name Text
	// Biometric marks photos and fingerprints: personal data of a special kind whose
	// processing needs the citizen's own written consent (152-ФЗ, art. 11).
	Biometric bool
}

// Service finds a service by its code.
func (c *Catalogue) Service(code string) (*Service, bool) {
	s, ok := c.byCode[code]
	return s, ok
}

// Category finds a category by its code.
func (c *Catalogue) Category(code string) (Category, bool) {
	cat, ok := c.catByID[code]
	return cat, ok
}

// DocumentKind finds a document kind by its code.
func (c *Catalogue) DocumentKind(code string) (DocumentKind, bool) {
	k, ok := c.kinds[code]
	return k, ok
}

// Service is one service: what it is, who may apply, what the application asks for and how
// long each step may take.
type Service struct {
	// Code is the stable identifier in URLs and applications: lower-case Latin letters,
	// digits and hyphens, e.g. "e-passport".
	Code        string
	Name        Text
	Summary     Text // one sentence for the catalogue list
	Description Text // what the service is and what the applicant gets, shown on its page
	Category    string
	// Agency is the code of the agency whose operators review the applications, DefaultAgency
	// when the file names none (the operator desk shows an operator their agency's only).
	Agency string
	// Keywords are further words a citizen may search by (synonyms, abbreviations).
	Keywords []Text
	// Applicants are who may apply.
	Applicants []Applicant
	// MinLevel is the least account level an applicant needs.
	MinLevel id.Level
	// QualifiedSignature lists the applicants whose submission must be signed with a
	// qualified electronic signature (КЭП); the others confirm it with an SMS code.
	QualifiedSignature []Applicant
	Fields             []Field
	Documents          []DocumentRule
	// Fee is the state fee, nil for a free service.
	Fee      *Fee
	Workflow Workflow
	// File is where the service was read from, for messages about it.
	File string
}

// MayApply reports whether an applicant of kind a may apply at all (the level is checked
// apart, against MinLevel).
func (s *Service) MayApply(a Applicant) bool { return slices.Contains(s.Applicants, a) }

// NeedsQualifiedSignature reports whether an applicant of kind a signs the submission with
// a КЭП.
func (s *Service) NeedsQualifiedSignature(a Applicant) bool {
	return slices.Contains(s.QualifiedSignature, a)
}

// Field finds a form field by name.
func (s *Service) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Document finds a document rule by kind.
func (s *Service) Document(kind string) (DocumentRule, bool) {
	for _, d := range s.Documents {
		if d.Kind == kind {
			return d, true
		}
	}
	return DocumentRule{}, false
}

// Biometric reports whether the service asks for biometric documents, and so for the
// separate consent of 152-ФЗ art. 11.
func (s *Service) Biometric() bool {
	for _, d := range s.Documents {
		if d.Biometric {
			return true
		}
	}
	return false
}

// Applicant is a kind of applicant.
type Applicant string

// The kinds of applicant.
const (
	Person      Applicant = "person"          // a citizen (физическое лицо)
	SoleTrader  Applicant = "sole_proprietor" // an individual entrepreneur (ИП)
	LegalEntity Applicant = "legal_entity"    // an organisation (ЮЛ)
)

var applicants = []Applicant{Person, SoleTrader, LegalEntity}

// levels are the account levels in rising order.
var levels = []id.Level{id.Simplified, id.Standard, id.Confirmed}

// LevelAtLeast reports whether level l reaches min.
func LevelAtLeast(l, min id.Level) bool {
	return slices.Index(levels, l) >= slices.Index(levels, min) && slices.Contains(levels, l)
}

// Field is one input of a service's form.
type Field struct {
	// Name is the input's name and id, and the key of its value in an application, e.g.
	// "snils". Lower-case Latin letters, digits and underscores.
	Name  string
	Type  FieldType
	Label Text
	Hint  Text // shown under the label; may be empty
	// Required fields must be filled before submission.
	Required bool
	// Validator is the name of a ruid kind ("snils", "inn", "passport", …; see ruid.Kinds)
	// that checks and normalises the value; empty for free text. ValidatorParams are its
	// parameters (e.g. inn: {type: person}).
	Validator       string
	ValidatorParams map[string]string
	// Prefill names the profile item the form starts with (see Prefill); empty for none.
	Prefill Prefill
	// MinLength and MaxLength bound the value in characters; MaxLength is always set
	// (the type's default when the file gives none).
	MinLength, MaxLength int
	// Options are the choices of a select or radio field.
	Options []Option
}

// Option is one choice of a select or radio field.
type Option struct {
	Value string
	Label Text
}

// FieldType is how a field is entered.
type FieldType string

// The field types.
const (
	Textarea FieldType = "textarea" // several lines of free text
	TextLine FieldType = "text"     // one line
	Date     FieldType = "date"     // ДД.ММ.ГГГГ
	Phone    FieldType = "phone"
	Email    FieldType = "email"
	Select   FieldType = "select" // one of Options, from a list
	Radio    FieldType = "radio"  // one of Options, all shown
	Checkbox FieldType = "checkbox"
)

// fieldTypes are the types with their default and largest MaxLength.
var fieldTypes = map[FieldType]struct{ def, max int }{
	TextLine: {200, 1000},
	Textarea: {2000, 10000},
	Date:     {10, 10},
	Phone:    {32, 32},
	Email:    {254, 254},
	Select:   {100, 100},
	Radio:    {100, 100},
	Checkbox: {1, 1},
}

// Prefill is a profile item a form field can start with: the ID profile's fields
// (id.ProfileForm, by the names of its inputs) and the account's confirmed contacts.
type Prefill string

// The prefill sources.
const (
	PrefillLastName             Prefill = "last_name"
	PrefillFirstName            Prefill = "first_name"
	PrefillMiddleName           Prefill = "middle_name"
	PrefillBirthDate            Prefill = "birth_date"
	PrefillBirthPlace           Prefill = "birth_place"
	PrefillPassport             Prefill = "passport" // series and number, "45 08 123456"
	PrefillPassportSeries       Prefill = "passport_series"
	PrefillPassportNumber       Prefill = "passport_number"
	PrefillPassportIssueDate    Prefill = "passport_issue_date"
	PrefillPassportIssuer       Prefill = "passport_issuer"
	PrefillPassportDivisionCode Prefill = "passport_division_code"
	PrefillSNILS                Prefill = "snils"
	PrefillINN                  Prefill = "inn"
	PrefillAddress              Prefill = "address" // the whole address on one line
	PrefillRegion               Prefill = "region"
	PrefillDistrict             Prefill = "district"
	PrefillCity                 Prefill = "city"
	PrefillStreet               Prefill = "street"
	PrefillHouse                Prefill = "house"
	PrefillFlat                 Prefill = "flat"
	PrefillPostcode             Prefill = "postcode"
	PrefillPhone                Prefill = "phone" // the account's confirmed phone
	PrefillEmail                Prefill = "email" // the account's confirmed e-mail address
)

var prefills = []Prefill{PrefillLastName, PrefillFirstName, PrefillMiddleName, PrefillBirthDate, PrefillBirthPlace,
	PrefillPassport, PrefillPassportSeries, PrefillPassportNumber, PrefillPassportIssueDate, PrefillPassportIssuer,
	PrefillPassportDivisionCode, PrefillSNILS, PrefillINN, PrefillAddress, PrefillRegion, PrefillDistrict, PrefillCity,
	PrefillStreet, PrefillHouse, PrefillFlat, PrefillPostcode, PrefillPhone, PrefillEmail}

// Prefills lists every prefill source.
func Prefills() []Prefill { return slices.Clone(prefills) }
