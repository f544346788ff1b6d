package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/sep-platform/sep/ruid"
)

// special adds the people tests and demo data look for by tag, first in the
// file so that their IDs stay put when the generic population changes.
func (g *generator) special() {
	named := func(last, first, middle, sex string, birth time.Time, tags ...string) *person {
		p := g.person(birth, sex)
		p.LastName, p.FirstName, p.MiddleName, p.Tags = last, first, middle, tags
		return p
	}
	// Ordinary adults whose passports, issued at 20, stay valid until 45.
	named("Тестова", "Анна", "Петровна", "F", date(1994, 3, 14), "basic")
	named("Тестов", "Иван", "Сергеевич", "M", date(1992, 11, 2), "basic")
	named("Примерова", "Елена", "Андреевна", "F", date(1998, 7, 30), "basic")
	named("Образцов", "Пётр", "Николаевич", "M", date(2000, 1, 19), "basic")
	named("Макетова", "Ольга", "Юрьевна", "F", date(1996, 5, 5), "basic")

	named("Пробная", "Алёна", "Фёдоровна", "F", date(1993, 9, 9), "yo")
	named("Тестова-Образцова", "Мария", "Ивановна", "F", date(1991, 4, 21), "double_surname")
	named("Тестов", "Тимур", "", "M", date(1995, 8, 8), "no_middle_name")
	// Namesakes: only the birth date and the documents tell them apart.
	named("Примеров", "Иван", "Сергеевич", "M", date(1985, 2, 3), "namesake")
	named("Примеров", "Иван", "Сергеевич", "M", date(1990, 7, 21), "namesake")

	// Issued at 14, replaced at 20: the old passport is invalid, the new one valid.
	p := named("Шаблонов", "Дмитрий", "Олегович", "M", date(1995, 6, 10), "replaced_passport")
	old := g.passport(date(2009, 7, 1), PassportReplaced)
	p.Passports = []passport{old, g.passport(date(2015, 6, 20), PassportValid)}

	p = named("Условная", "Ирина", "Михайловна", "F", date(1989, 12, 1), "lost_passport")
	p.Passports[0].Status = PassportLost

	// Issued at 20 in 1998, never replaced at 45 (12 April 2023).
	p = named("Выдуманный", "Олег", "Петрович", "M", date(1978, 4, 12), "expired_by_age")
	p.Passports = []passport{g.passport(date(1998, 5, 6), PassportValid)}

	p = named("Эталонов", "Николай", "Иванович", "M", date(1951, 10, 17), "deceased")
	p.DeathDate = "2024-11-03"

	p = named("Шаблонова", "Ольга", "Николаевна", "F", date(1997, 2, 27), "no_inn")
	p.INN = ""

	named("Проверкин", "Артём", "Дмитриевич", "M", date(2011, 3, 15), "minor")
}

// entrepreneurs registers some people as individual entrepreneurs: their
// ИНН is the person's, the ОГРНИП their own. One has closed.
func (g *generator) entrepreneurs() {
	n := 0
	for _, p := range g.people {
		if n == 10 {
			break
		}
		if len(p.Tags) > 0 || p.INN == "" || p.birth.After(date(2004, 1, 1)) {
			continue
		}
		n++
		p.Tags = append(p.Tags, "entrepreneur")
		registered := date(2010, 1, 1).AddDate(0, 0, g.r.IntN(5000))
		o := &organisation{Kind: "entrepreneur", INN: p.INN, PersonID: p.ID,
			OGRN:      g.unique(func() string { return ruid.GenerateOGRNIP(g.r) }),
			Name:      p.LastName + " " + p.FirstName + " " + p.MiddleName,
			ShortName: initials(p),
			Status:    "active", RegisteredOn: registered.Format(time.DateOnly)}
		o.OKVED, o.OKVEDExtra = g.activities()
		if n == 10 {
			o.Status, o.LiquidatedOn = "liquidated", registered.AddDate(3, 2, 0).Format(time.DateOnly)
		}
		g.orgs = append(g.orgs, o)
	}
}

func initials(p *person) string {
	s := "ИП " + p.LastName + " " + string([]rune(p.FirstName)[:1]) + "."
	if p.MiddleName != "" {
		s += " " + string([]rune(p.MiddleName)[:1]) + "."
	}
	return s
}

// legalEntity adds the i-th legal entity, liquidated if asked.
func (g *generator) legalEntity(i int, liquidated bool) {
	form := forms[i%len(forms)]
	title := fmt.Sprintf("«%s %d»", orgNames[i%len(orgNames)], i)
	inn := g.unique(func() string { return ruid.GenerateINNLegal(g.r) })
	registered := date(2003, 1, 1).AddDate(0, 0, g.r.IntN(7500))
	o := &organisation{Kind: "legal", INN: inn, KPP: inn[:4] + "01001",
		OGRN:      g.unique(func() string { return ruid.GenerateOGRN(g.r) }),
		Name:      form[0] + " " + title,
		ShortName: form[1] + " " + title,
		Address: fmt.Sprintf("9990%02d, г. Тестовск, ул. %s, д. %d", g.r.IntN(100),
			g.pick(streets), 1+g.r.IntN(150)),
		Status: "active", RegisteredOn: registered.Format(time.DateOnly)}
	o.OKVED, o.OKVEDExtra = g.activities()
	if liquidated {
		o.Status, o.LiquidatedOn = "liquidated", registered.AddDate(4, 0, 0).Format(time.DateOnly)
	}
	g.orgs = append(g.orgs, o)
}

func (g *generator) activities() (string, []string) {
	order := g.r.Perm(len(okveds))
	main := okveds[order[0]]
	var extra []string
	for _, i := range order[1 : 1+g.r.IntN(4)] {
		extra = append(extra, okveds[i])
	}
	slices.Sort(extra)
	return main, extra
}

// check runs every identifier and passport through ruid, so that a data file
// with a value the validators reject is never written.
func (g *generator) check() error {
	for _, p := range g.people {
		if _, err := ruid.SNILS(p.SNILS); err != nil {
			return fmt.Errorf("person %d: %w", p.ID, err)
		}
		if p.INN != "" {
			if _, err := ruid.INNPerson(p.INN); err != nil {
				return fmt.Errorf("person %d: %w", p.ID, err)
			}
		}
		for _, name := range []string{p.LastName, p.FirstName, p.MiddleName} {
			if _, err := ruid.NamePart(name); name != "" && err != nil {
				return fmt.Errorf("person %d: %w", p.ID, err)
			}
		}
		for _, pp := range p.Passports {
			_, err := ruid.CheckPassport(ruid.PassportInput{Series: pp.Series, Number: pp.Number,
				IssueDate: pp.IssueDate, BirthDate: p.BirthDate, DivisionCode: pp.DivisionCode}, today)
			if err != nil && !(p.Has("expired_by_age") || pp.Status == PassportReplaced) {
				return fmt.Errorf("person %d, passport issued %s: %w", p.ID, pp.IssueDate, err)
			}
		}
	}
	for _, o := range g.orgs {
		if _, err := ruid.OGRNAny(o.OGRN); err != nil {
			return fmt.Errorf("organisation %s: %w", o.Name, err)
		}
		if _, err := ruid.INN(o.INN); err != nil {
			return fmt.Errorf("organisation %s: %w", o.Name, err)
		}
		if o.KPP != "" {
			if _, err := ruid.KPP(o.KPP); err != nil {
				return fmt.Errorf("organisation %s: %w", o.Name, err)
			}
		}
		for _, c := range append([]string{o.OKVED}, o.OKVEDExtra...) {
			if _, err := ruid.OKVED(c); err != nil {
				return fmt.Errorf("organisation %s: %w", o.Name, err)
			}
		}
	}
	return nil
}

func (p *person) Has(tag string) bool { return slices.Contains(p.Tags, tag) }

// encode writes one record a line, so that a change to the data shows as a
// readable diff.
func (g *generator) encode() []byte {
	var b bytes.Buffer
	line := func(v any) {
		j, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		b.Write(j)
	}
	b.WriteString("{\"note\": ")
	line("Fictitious people and organisations for the registry simulator, written by internal/registry/sim/gen " +
		"(go generate ./internal/registry/sim). Every name, number and address is made up; the check digits are valid.")
	b.WriteString(",\n\"people\": [\n")
	for i, p := range g.people {
		if i > 0 {
			b.WriteString(",\n")
		}
		line(p)
	}
	b.WriteString("\n],\n\"organisations\": [\n")
	for i, o := range g.orgs {
		if i > 0 {
			b.WriteString(",\n")
		}
		line(o)
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}
