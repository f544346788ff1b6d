package sim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

//go:generate go run ./gen -o data.json

// data.json is the simulator's world: fictitious people and organisations
// made by ./gen with valid check digits. Every name, number and address in it
// is made up; the СНИЛС lie in the range below 001-001-998 where ЕСИА keeps
// its test accounts.
//
//go:embed data.json
var dataJSON []byte

// Day is a calendar date, written YYYY-MM-DD in the data file.
type Day struct{ time.Time }

// MarshalJSON writes the date as "YYYY-MM-DD", or "" for the zero date.
func (d Day) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return []byte(`"` + d.Format(time.DateOnly) + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD"; "" is the zero date.
func (d *Day) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Day{}
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	*d = Day{t}
	return nil
}

// Passport statuses in the data.
const (
	PassportValid    = "valid"
	PassportReplaced = "replaced" // a newer passport was issued
	PassportLost     = "lost"     // declared lost or stolen
)

// Passport is one passport a person holds or held.
type Passport struct {
	Series       string `json:"series"` // four digits
	Number       string `json:"number"` // six digits
	IssueDate    Day    `json:"issue_date"`
	DivisionCode string `json:"division_code"` // NNN-NNN
	Status       string `json:"status"`
}

// Person is a fictitious citizen.
type Person struct {
	ID         int        `json:"id"`
	LastName   string     `json:"last_name"`
	FirstName  string     `json:"first_name"`
	MiddleName string     `json:"middle_name,omitempty"`
	Sex        string     `json:"sex"` // "M" or "F"
	BirthDate  Day        `json:"birth_date"`
	DeathDate  Day        `json:"death_date,omitzero"`
	SNILS      string     `json:"snils"`         // NNN-NNN-NNN NN
	INN        string     `json:"inn,omitempty"` // 12 digits; empty: never assigned
	Passports  []Passport `json:"passports"`     // the current one last
	// Tags mark the people tests and demo data look for: "basic" (an
	// ordinary adult whose passport stays valid for years), "yo", "double_surname",
	// "no_middle_name", "namesake", "replaced_passport", "lost_passport",
	// "expired_by_age", "deceased", "no_inn", "entrepreneur", "minor".
	Tags []string `json:"tags,omitempty"`
}

// Passport returns the person's current passport (the last one).
func (p *Person) Passport() Passport { return p.Passports[len(p.Passports)-1] }

// Has reports whether the person carries a tag.
func (p *Person) Has(tag string) bool { return slices.Contains(p.Tags, tag) }

// Organisation is a fictitious legal entity or individual entrepreneur.
type Organisation struct {
	Kind         string   `json:"kind"` // registry.KindLegal or registry.KindEntrepreneur
	OGRN         string   `json:"ogrn"` // ОГРН, or ОГРНИП for an entrepreneur
	INN          string   `json:"inn"`
	KPP          string   `json:"kpp,omitempty"`
	Name         string   `json:"name"`
	ShortName    string   `json:"short_name,omitempty"`
	Address      string   `json:"address,omitempty"`
	Status       string   `json:"status"` // registry.OrgActive or registry.OrgLiquidated
	RegisteredOn Day      `json:"registered_on"`
	LiquidatedOn Day      `json:"liquidated_on,omitzero"`
	OKVED        string   `json:"okved"`
	OKVEDExtra   []string `json:"okved_extra,omitempty"`
	PersonID     int      `json:"person_id,omitempty"` // the entrepreneur, among People
}

// Data is the simulator's world, indexed for lookups.
type Data struct {
	Note          string         `json:"note"`
	People        []Person       `json:"people"`
	Organisations []Organisation `json:"organisations"`

	passports map[string]passportRef // series+number
	snils     map[string]*Person     // digits
	inn       map[string]*Person
	orgOGRN   map[string]*Organisation
	orgINN    map[string][]*Organisation // an entrepreneur may have closed and reopened
}

type passportRef struct {
	person   *Person
	passport *Passport
}

// Parse reads a data file and indexes it. Duplicated identifiers are an
// error: a registry knows each once.
func Parse(b []byte) (*Data, error) {
	d := &Data{}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("sim: data: %w", err)
	}
	d.passports = map[string]passportRef{}
	d.snils, d.inn = map[string]*Person{}, map[string]*Person{}
	d.orgOGRN, d.orgINN = map[string]*Organisation{}, map[string][]*Organisation{}
	for i := range d.People {
		p := &d.People[i]
		if len(p.Passports) == 0 {
			return nil, fmt.Errorf("sim: data: person %d has no passport", p.ID)
		}
		for j := range p.Passports {
			pp := &p.Passports[j]
			key := pp.Series + pp.Number
			if _, dup := d.passports[key]; dup {
				return nil, fmt.Errorf("sim: data: passport of person %d is listed twice", p.ID)
			}
			d.passports[key] = passportRef{person: p, passport: pp}
		}
		if err := index(d.snils, digits(p.SNILS), p, "SNILS", p.ID); err != nil {
			return nil, err
		}
		if p.INN != "" {
			if err := index(d.inn, p.INN, p, "INN", p.ID); err != nil {
				return nil, err
			}
		}
	}
	for i := range d.Organisations {
		o := &d.Organisations[i]
		if err := index(d.orgOGRN, o.OGRN, o, "OGRN", i); err != nil {
			return nil, err
		}
		d.orgINN[o.INN] = append(d.orgINN[o.INN], o)
	}
	return d, nil
}

func index[T any](m map[string]*T, key string, v *T, what string, id int) error {
	if _, dup := m[key]; dup {
		return fmt.Errorf("sim: data: %s of record %d is listed twice", what, id)
	}
	m[key] = v
	return nil
}

var (
	defaultOnce sync.Once
	defaultData *Data
)

// Default returns the data file built into sep. It panics if that file is
// broken, which every test run would show.
func Default() *Data {
	defaultOnce.Do(func() {
		d, err := Parse(dataJSON)
		if err != nil {
			panic(err)
		}
		defaultData = d
	})
	return defaultData
}

// Tagged returns the people with a tag, in file order.
func (d *Data) Tagged(tag string) []*Person {
	var out []*Person
	for i := range d.People {
		if d.People[i].Has(tag) {
			out = append(out, &d.People[i])
		}
	}
	return out
}

// PersonByID returns a person, or nil.
func (d *Data) PersonByID(id int) *Person {
	for i := range d.People {
		if d.People[i].ID == id {
			return &d.People[i]
		}
	}
	return nil
}

// digits keeps the ASCII digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
