// Command gen writes the registry simulator's data file: fictitious people and
// organisations with valid check digits (from ruid's generators), passports
// consistent with the replacement ages, and a few people and organisations in
// every state a registry check can find them in. The output is the same for
// the same seed; run it through `go generate ./internal/registry/sim`.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/sep-platform/sep/ruid"
)

// today is the date the data is consistent at: every "valid" passport passes
// ruid's age rules on this day. As time goes on, some people reach 20 or 45
// and their passports expire by age, as real ones do.
var today = date(2026, 1, 1)

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// The data file's parameters.
const (
	defaultSeed   = 20260101
	defaultPeople = 300
	defaultLegal  = 30
)

func main() {
	out := flag.String("o", "data.json", "output file")
	seed := flag.Uint64("seed", defaultSeed, "random seed")
	people := flag.Int("people", defaultPeople, "number of people")
	legal := flag.Int("legal", defaultLegal, "number of legal entities")
	flag.Parse()

	data, err := generate(*seed, *people, *legal)
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate makes the data file's contents.
func generate(seed uint64, people, legal int) ([]byte, error) {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x5e9)), used: map[string]bool{}}
	g.special()
	for len(g.people) < people {
		g.person(g.randomBirth(), "")
	}
	g.entrepreneurs()
	for i := 1; i <= legal; i++ {
		g.legalEntity(i, i%10 == 0)
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g.encode(), nil
}

type passport struct {
	Series       string `json:"series"`
	Number       string `json:"number"`
	IssueDate    string `json:"issue_date"`
	DivisionCode string `json:"division_code"`
	Status       string `json:"status"`
}

type person struct {
	ID         int        `json:"id"`
	LastName   string     `json:"last_name"`
	FirstName  string     `json:"first_name"`
	MiddleName string     `json:"middle_name,omitempty"`
	Sex        string     `json:"sex"`
	BirthDate  string     `json:"birth_date"`
	DeathDate  string     `json:"death_date,omitempty"`
	SNILS      string     `json:"snils"`
	INN        string     `json:"inn,omitempty"`
	Passports  []passport `json:"passports"`
	Tags       []string   `json:"tags,omitempty"`

	birth time.Time
}

type organisation struct {
	Kind         string   `json:"kind"`
	OGRN         string   `json:"ogrn"`
	INN          string   `json:"inn"`
	KPP          string   `json:"kpp,omitempty"`
	Name         string   `json:"name"`
	ShortName    string   `json:"short_name,omitempty"`
	Address      string   `json:"address,omitempty"`
	Status       string   `json:"status"`
	RegisteredOn string   `json:"registered_on"`
	LiquidatedOn string   `json:"liquidated_on,omitempty"`
	OKVED        string   `json:"okved"`
	OKVEDExtra   []string `json:"okved_extra,omitempty"`
	PersonID     int      `json:"person_id,omitempty"`
}

type generator struct {
	r      *rand.Rand
	people []*person
	orgs   []*organisation
	used   map[string]bool // identifiers handed out
}

// unique draws from f until it gives a value not handed out before.
func (g *generator) unique(f func() string) string {
	for {
		v := f()
		if !g.used[v] {
			g.used[v] = true
			return v
		}
	}
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *generator) randomBirth() time.Time {
	return date(1945, 1, 1).AddDate(0, 0, g.r.IntN(int(date(2011, 6, 1).Sub(date(1945, 1, 1)).Hours()/24)))
}

// person adds a person with a random name of the given sex ("" for either)
// and a current passport issued at the last replacement age they reached.
func (g *generator) person(birth time.Time, sex string) *person {
	if sex == "" {
		sex = []string{"M", "F"}[g.r.IntN(2)]
	}
	p := &person{ID: len(g.people) + 1, Sex: sex, birth: birth, BirthDate: birth.Format(time.DateOnly)}
	s := g.pick(surnames)
	father := fathers[g.r.IntN(len(fathers))]
	if sex == "M" {
		p.LastName, p.FirstName, p.MiddleName = s, g.pick(menNames), father[1]
	} else {
		p.LastName, p.FirstName, p.MiddleName = feminine(s), g.pick(womenNames), father[2]
	}
	p.SNILS = g.unique(func() string { return ruid.GenerateSNILS(g.r) })
	p.INN = g.unique(func() string { return ruid.GenerateINNPerson(g.r) })
	p.Passports = []passport{g.passport(currentIssue(birth, g.r.IntN(45)), PassportValid)}
	g.people = append(g.people, p)
	return p
}

const (
	PassportValid    = "valid"
	PassportReplaced = "replaced"
	PassportLost     = "lost"
)

// firstIssue is the first day passports of the 1997 model were issued.
var firstIssue = date(1997, 10, 1)

// currentIssue returns when the passport a person holds today was issued:
// some days after the last of the 14th, 20th and 45th birthdays, and not
// before passports of this model existed.
func currentIssue(birth time.Time, days int) time.Time {
	issue := birth.AddDate(14, 0, 0)
	for _, age := range []int{20, 45} {
		if due := birth.AddDate(age, 0, 0); !due.After(today.AddDate(0, 0, -days)) {
			issue = due
		}
	}
	if issue.Before(firstIssue) {
		issue = firstIssue
	}
	return issue.AddDate(0, 0, days)
}

// passport makes a passport issued on a date: the series is a region's ОКАТО
// code and the issue year, the division code the region's.
func (g *generator) passport(issued time.Time, status string) passport {
	reg := regions[g.r.IntN(len(regions))]
	series := fmt.Sprintf("%s%02d", reg.okato, issued.Year()%100)
	number := g.unique(func() string { return series + fmt.Sprintf("%06d", g.r.IntN(1000000)) })[4:]
	return passport{Series: series, Number: number, IssueDate: issued.Format(time.DateOnly),
		DivisionCode: fmt.Sprintf("%s0-%03d", reg.subject, 1+g.r.IntN(120)), Status: status}
}

func feminine(surname string) string {
	switch {
	case strings.HasSuffix(surname, "ый"), strings.HasSuffix(surname, "ой"):
		return strings.TrimSuffix(strings.TrimSuffix(surname, "ый"), "ой") + "ая"
	case strings.HasSuffix(surname, "ов"), strings.HasSuffix(surname, "ев"), strings.HasSuffix(surname, "ин"):
		return surname + "а"
	}
	return surname
}
