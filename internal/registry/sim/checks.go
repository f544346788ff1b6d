package sim

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/ruid"
)

// CheckPassport answers as МВД does: not found, invalid (replaced, lost,
// expired by age, holder dead), the first differing field, or confirmed.
func (s *Simulator) CheckPassport(ctx context.Context, q registry.PassportQuery) (registry.Answer, error) {
	if err := s.call(ctx); err != nil {
		return registry.Answer{}, err
	}
	ref, ok := s.data.passports[digits(q.Series)+digits(q.Number)]
	if !ok {
		return answer(registry.NotFound), nil
	}
	p, pp := ref.person, ref.passport
	switch {
	case pp.Status == PassportReplaced:
		return invalid(registry.ReasonReplaced), nil
	case pp.Status == PassportLost:
		return invalid(registry.ReasonLost), nil
	case !p.DeathDate.IsZero():
		return invalid(registry.ReasonDeceased), nil
	case ruid.CheckPassportAge(pp.IssueDate.Time, p.BirthDate.Time, s.today()) != nil:
		return invalid(registry.ReasonExpiredByAge), nil
	}
	if f := comparePerson(p, q.Person); f != "" {
		return mismatch(f), nil
	}
	if !q.IssueDate.IsZero() && !sameDay(q.IssueDate, pp.IssueDate.Time) {
		return mismatch(registry.FieldIssueDate), nil
	}
	if q.DivisionCode != "" && digits(q.DivisionCode) != digits(pp.DivisionCode) {
		return mismatch(registry.FieldDivisionCode), nil
	}
	return answer(registry.Confirmed), nil
}

// CheckSNILS answers as СФР does: does the СНИЛС belong to this person.
func (s *Simulator) CheckSNILS(ctx context.Context, q registry.SNILSQuery) (registry.Answer, error) {
	if err := s.call(ctx); err != nil {
		return registry.Answer{}, err
	}
	p, ok := s.data.snils[digits(q.SNILS)]
	if !ok {
		return answer(registry.NotFound), nil
	}
	if !p.DeathDate.IsZero() {
		return invalid(registry.ReasonDeceased), nil
	}
	if f := comparePerson(p, q.Person); f != "" {
		return mismatch(f), nil
	}
	return answer(registry.Confirmed), nil
}

// CheckINN answers as ФНС does: a 12-digit ИНН against the person (and the
// ОГРНИП, if given, against their entrepreneur records), a 10-digit one
// against the organisation and its ОГРН.
func (s *Simulator) CheckINN(ctx context.Context, q registry.INNQuery) (registry.Answer, error) {
	if err := s.call(ctx); err != nil {
		return registry.Answer{}, err
	}
	inn := digits(q.INN)
	if len(inn) == 12 {
		p, ok := s.data.inn[inn]
		if !ok {
			return answer(registry.NotFound), nil
		}
		if !p.DeathDate.IsZero() {
			return invalid(registry.ReasonDeceased), nil
		}
		if f := comparePerson(p, q.Person); f != "" {
			return mismatch(f), nil
		}
		if q.OGRN != "" && !hasOGRN(s.data.orgINN[inn], digits(q.OGRN)) {
			return mismatch(registry.FieldOGRN), nil
		}
		return answer(registry.Confirmed), nil
	}
	orgs := s.data.orgINN[inn]
	if len(orgs) == 0 {
		return answer(registry.NotFound), nil
	}
	o := current(orgs)
	if o.Status == registry.OrgLiquidated {
		return invalid(registry.ReasonLiquidated), nil
	}
	if q.OGRN != "" && digits(q.OGRN) != o.OGRN {
		return mismatch(registry.FieldOGRN), nil
	}
	return answer(registry.Confirmed), nil
}

// CheckLegal returns the ЕГРЮЛ/ЕГРИП extract found by ОГРН(ИП), or by ИНН,
// comparing the other identifiers given. A liquidated organisation comes
// back Invalid with its extract, which says when.
func (s *Simulator) CheckLegal(ctx context.Context, q registry.LegalQuery) (registry.Answer, error) {
	if err := s.call(ctx); err != nil {
		return registry.Answer{}, err
	}
	var o *Organisation
	if q.OGRN != "" {
		o = s.data.orgOGRN[digits(q.OGRN)]
	} else if orgs := s.data.orgINN[digits(q.INN)]; len(orgs) > 0 {
		o = current(orgs)
	}
	if o == nil {
		return answer(registry.NotFound), nil
	}
	if o.Status == registry.OrgLiquidated {
		a := invalid(registry.ReasonLiquidated)
		a.Extract = o.extract()
		return a, nil
	}
	switch {
	case q.INN != "" && digits(q.INN) != o.INN:
		return mismatch(registry.FieldINN), nil
	case q.KPP != "" && !strings.EqualFold(q.KPP, o.KPP):
		return mismatch(registry.FieldKPP), nil
	}
	a := answer(registry.Confirmed)
	a.Extract = o.extract()
	return a, nil
}

func (o *Organisation) extract() *registry.Extract {
	return &registry.Extract{Kind: o.Kind, OGRN: o.OGRN, INN: o.INN, KPP: o.KPP, Name: o.Name,
		ShortName: o.ShortName, Address: o.Address, Status: o.Status, RegisteredOn: o.RegisteredOn.Time,
		LiquidatedOn: o.LiquidatedOn.Time, OKVED: o.OKVED, OKVEDExtra: append([]string(nil), o.OKVEDExtra...)}
}

// current picks the record an ИНН stands for today: an active one, else the
// latest registered.
func current(orgs []*Organisation) *Organisation {
	best := orgs[0]
	for _, o := range orgs[1:] {
		if (o.Status == registry.OrgActive) != (best.Status == registry.OrgActive) {
			if o.Status == registry.OrgActive {
				best = o
			}
			continue
		}
		if o.RegisteredOn.After(best.RegisteredOn.Time) {
			best = o
		}
	}
	return best
}

func hasOGRN(orgs []*Organisation, ogrn string) bool {
	for _, o := range orgs {
		if o.OGRN == ogrn {
			return true
		}
	}
	return false
}

// comparePerson returns the first field of q that differs from the person's
// record, or "". The name is compared when given, the patronymic with it (an
// empty one means none); the birth date when given.
func comparePerson(p *Person, q registry.Person) string {
	if q.HasName() {
		for _, f := range []struct{ field, have, want string }{
			{registry.FieldLastName, p.LastName, q.LastName},
			{registry.FieldFirstName, p.FirstName, q.FirstName},
			{registry.FieldMiddleName, p.MiddleName, q.MiddleName},
		} {
			if foldName(f.have) != foldName(f.want) {
				return f.field
			}
		}
	}
	if !q.BirthDate.IsZero() && !sameDay(q.BirthDate, p.BirthDate.Time) {
		return registry.FieldBirthDate
	}
	return ""
}

// foldName reduces a name to what registries compare: lower case, ё as е,
// every dash a hyphen with no spaces around it, single spaces between words.
func foldName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 'ё' || r == 'Ё':
			return 'е'
		case unicode.Is(unicode.Pd, r):
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(strings.ReplaceAll(s, " -", "-"), "- ", "-")
}

// sameDay compares calendar dates, whatever the time of day or zone.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
