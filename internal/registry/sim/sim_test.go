package sim

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/registry"
)

// now is the tests' clock: a day on which the data's people are as tagged.
var now = time.Date(2026, 3, 2, 12, 0, 0, 0, moscow)

func newSim(t *testing.T, o Options) *Simulator {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return now }
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 2))
	}
	return New(o)
}

func person(t *testing.T, tag string) *Person {
	t.Helper()
	ps := Default().Tagged(tag)
	if len(ps) == 0 {
		t.Fatalf("no person tagged %q in the data", tag)
	}
	return ps[0]
}

// fullQuery is what an identity form sends for a person's current passport.
func fullQuery(p *Person) registry.PassportQuery {
	pp := p.Passport()
	return registry.PassportQuery{Series: pp.Series, Number: pp.Number, IssueDate: pp.IssueDate.Time,
		DivisionCode: pp.DivisionCode, Person: personOf(p)}
}

func personOf(p *Person) registry.Person {
	return registry.Person{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName,
		BirthDate: p.BirthDate.Time}
}

func want(t *testing.T, got registry.Answer, err error, status registry.Status, detail string) {
	t.Helper()
	if err != nil {
		t.Fatalf("error %v, want %s", err, status)
	}
	if got.Status != status {
		t.Fatalf("status %s (field %q, reason %q), want %s %s", got.Status, got.Field, got.Reason, status, detail)
	}
	switch status {
	case registry.Mismatch:
		if got.Field != detail {
			t.Fatalf("mismatch in %q, want %q", got.Field, detail)
		}
	case registry.Invalid:
		if string(got.Reason) != detail {
			t.Fatalf("invalid because %q, want %q", got.Reason, detail)
		}
	}
	if got.Source != Source {
		t.Fatalf("source %q", got.Source)
	}
}

func TestPassportStatuses(t *testing.T) {
	s := newSim(t, Options{})
	ctx := context.Background()
	basic := person(t, "basic")

	a, err := s.CheckPassport(ctx, fullQuery(basic))
	want(t, a, err, registry.Confirmed, "")

	// Series and number alone are enough for a validity check.
	pp := basic.Passport()
	a, err = s.CheckPassport(ctx, registry.PassportQuery{Series: pp.Series, Number: pp.Number})
	want(t, a, err, registry.Confirmed, "")

	q := fullQuery(basic)
	q.Number = "000000"
	if q.Number == pp.Number {
		q.Number = "000001"
	}
	a, err = s.CheckPassport(ctx, q)
	want(t, a, err, registry.NotFound, "")

	for _, c := range []struct {
		change func(*registry.PassportQuery)
		field  string
	}{
		{func(q *registry.PassportQuery) { q.LastName = "Другова" }, registry.FieldLastName},
		{func(q *registry.PassportQuery) { q.FirstName = "Мария" }, registry.FieldFirstName},
		{func(q *registry.PassportQuery) { q.MiddleName = "" }, registry.FieldMiddleName},
		{func(q *registry.PassportQuery) { q.BirthDate = q.BirthDate.AddDate(0, 0, 1) }, registry.FieldBirthDate},
		{func(q *registry.PassportQuery) { q.IssueDate = q.IssueDate.AddDate(-1, 0, 0) }, registry.FieldIssueDate},
		{func(q *registry.PassportQuery) { q.DivisionCode = "999-999" }, registry.FieldDivisionCode},
		// Two fields wrong: the first in the registry's order is named.
		{func(q *registry.PassportQuery) { q.DivisionCode = "999-999"; q.FirstName = "Мария" }, registry.FieldFirstName},
	} {
		q := fullQuery(basic)
		c.change(&q)
		a, err := s.CheckPassport(ctx, q)
		want(t, a, err, registry.Mismatch, c.field)
	}

	replaced := person(t, "replaced_passport")
	old := replaced.Passports[0]
	a, err = s.CheckPassport(ctx, registry.PassportQuery{Series: old.Series, Number: old.Number, Person: personOf(replaced)})
	want(t, a, err, registry.Invalid, string(registry.ReasonReplaced))
	a, err = s.CheckPassport(ctx, fullQuery(replaced))
	want(t, a, err, registry.Confirmed, "")

	a, err = s.CheckPassport(ctx, fullQuery(person(t, "lost_passport")))
	want(t, a, err, registry.Invalid, string(registry.ReasonLost))
	a, err = s.CheckPassport(ctx, fullQuery(person(t, "expired_by_age")))
	want(t, a, err, registry.Invalid, string(registry.ReasonExpiredByAge))
	a, err = s.CheckPassport(ctx, fullQuery(person(t, "deceased")))
	want(t, a, err, registry.Invalid, string(registry.ReasonDeceased))
	a, err = s.CheckPassport(ctx, fullQuery(person(t, "minor")))
	want(t, a, err, registry.Confirmed, "")

	// Invalid wins over a mismatch: a lost passport is reported lost
	// whoever asks about it.
	q = fullQuery(person(t, "lost_passport"))
	q.LastName = "Другова"
	a, err = s.CheckPassport(ctx, q)
	want(t, a, err, registry.Invalid, string(registry.ReasonLost))
}

func TestExpiryByAgeFollowsTheClock(t *testing.T) {
	p := person(t, "expired_by_age") // born 12.04.1978, issued at 20, not replaced at 45
	ctx := context.Background()
	before := newSim(t, Options{Now: func() time.Time { return time.Date(2023, 4, 1, 12, 0, 0, 0, moscow) }})
	a, err := before.CheckPassport(ctx, fullQuery(p))
	want(t, a, err, registry.Confirmed, "")
	after := newSim(t, Options{Now: func() time.Time { return time.Date(2023, 8, 1, 12, 0, 0, 0, moscow) }})
	a, err = after.CheckPassport(ctx, fullQuery(p))
	want(t, a, err, registry.Invalid, string(registry.ReasonExpiredByAge))
}

func TestNamesCompareLikeRegistries(t *testing.T) {
	s := newSim(t, Options{})
	ctx := context.Background()
	yo := person(t, "yo") // Пробная Алёна Фёдоровна
	for _, name := range [][3]string{
		{"Пробная", "Алена", "Федоровна"},
		{"ПРОБНАЯ", "АЛЁНА", "ФЁДОРОВНА"},
		{"  пробная ", "алена", "федоровна"},
	} {
		q := fullQuery(yo)
		q.LastName, q.FirstName, q.MiddleName = name[0], name[1], name[2]
		a, err := s.CheckPassport(ctx, q)
		want(t, a, err, registry.Confirmed, "")
	}
	double := person(t, "double_surname") // Тестова-Образцова
	for _, last := range []string{"Тестова-Образцова", "тестова – образцова", "Тестова—Образцова"} {
		q := registry.SNILSQuery{SNILS: double.SNILS, Person: personOf(double)}
		q.LastName = last
		a, err := s.CheckSNILS(ctx, q)
		want(t, a, err, registry.Confirmed, "")
	}
	q := registry.SNILSQuery{SNILS: double.SNILS, Person: personOf(double)}
	q.LastName = "Тестова Образцова"
	a, err := s.CheckSNILS(ctx, q)
	want(t, a, err, registry.Mismatch, registry.FieldLastName)

	// Without a patronymic, any patronymic given is a mismatch.
	none := person(t, "no_middle_name")
	q = registry.SNILSQuery{SNILS: none.SNILS, Person: personOf(none)}
	a, err = s.CheckSNILS(ctx, q)
	want(t, a, err, registry.Confirmed, "")
	q.MiddleName = "Иванович"
	a, err = s.CheckSNILS(ctx, q)
	want(t, a, err, registry.Mismatch, registry.FieldMiddleName)
}

func TestNamesakesAreToldApartByBirthDate(t *testing.T) {
	s := newSim(t, Options{})
	ns := Default().Tagged("namesake")
	if len(ns) != 2 {
		t.Fatalf("%d namesakes in the data, want 2", len(ns))
	}
	q := registry.SNILSQuery{SNILS: ns[0].SNILS, Person: personOf(ns[1])}
	a, err := s.CheckSNILS(context.Background(), q)
	want(t, a, err, registry.Mismatch, registry.FieldBirthDate)
}

func TestSNILSStatuses(t *testing.T) {
	s := newSim(t, Options{})
	ctx := context.Background()
	p := person(t, "basic")
	a, err := s.CheckSNILS(ctx, registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(p)})
	want(t, a, err, registry.Confirmed, "")
	// Typed as digits only, the number is the same number.
	a, err = s.CheckSNILS(ctx, registry.SNILSQuery{SNILS: digits(p.SNILS), Person: personOf(p)})
	want(t, a, err, registry.Confirmed, "")
	a, err = s.CheckSNILS(ctx, registry.SNILSQuery{SNILS: "112-233-445 95", Person: personOf(p)})
	want(t, a, err, registry.NotFound, "")
	other := Default().Tagged("basic")[1]
	a, err = s.CheckSNILS(ctx, registry.SNILSQuery{SNILS: p.SNILS, Person: personOf(other)})
	want(t, a, err, registry.Mismatch, registry.FieldLastName)
	d := person(t, "deceased")
	a, err = s.CheckSNILS(ctx, registry.SNILSQuery{SNILS: d.SNILS, Person: personOf(d)})
	want(t, a, err, registry.Invalid, string(registry.ReasonDeceased))
}

func TestINNStatuses(t *testing.T) {
	s := newSim(t, Options{})
	ctx := context.Background()
	p := person(t, "basic")
	a, err := s.CheckINN(ctx, registry.INNQuery{INN: p.INN, Person: personOf(p)})
	want(t, a, err, registry.Confirmed, "")
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: "500100732259", Person: personOf(p)})
	want(t, a, err, registry.NotFound, "")
	q := registry.INNQuery{INN: p.INN, Person: personOf(p)}
	q.BirthDate = q.BirthDate.AddDate(1, 0, 0)
	a, err = s.CheckINN(ctx, q)
	want(t, a, err, registry.Mismatch, registry.FieldBirthDate)
	d := person(t, "deceased")
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: d.INN, Person: personOf(d)})
	want(t, a, err, registry.Invalid, string(registry.ReasonDeceased))

	// An entrepreneur: the person's ИНН with their ОГРНИП, or another's.
	var ip, legal, liquidated *Organisation
	for i := range Default().Organisations {
		o := &Default().Organisations[i]
		switch {
		case o.Kind == registry.KindEntrepreneur && o.Status == registry.OrgActive && ip == nil:
			ip = o
		case o.Kind == registry.KindLegal && o.Status == registry.OrgActive && legal == nil:
			legal = o
		case o.Kind == registry.KindLegal && o.Status == registry.OrgLiquidated && liquidated == nil:
			liquidated = o
		}
	}
	if ip == nil || legal == nil || liquidated == nil {
		t.Fatal("the data lacks an active entrepreneur, an active and a liquidated legal entity")
	}
	owner := Default().PersonByID(ip.PersonID)
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: ip.INN, OGRN: ip.OGRN, Person: personOf(owner)})
	want(t, a, err, registry.Confirmed, "")
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: ip.INN, OGRN: "304500116000157", Person: personOf(owner)})
	want(t, a, err, registry.Mismatch, registry.FieldOGRN)

	a, err = s.CheckINN(ctx, registry.INNQuery{INN: legal.INN, OGRN: legal.OGRN})
	want(t, a, err, registry.Confirmed, "")
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: legal.INN, OGRN: liquidated.OGRN})
	want(t, a, err, registry.Mismatch, registry.FieldOGRN)
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: liquidated.INN})
	want(t, a, err, registry.Invalid, string(registry.ReasonLiquidated))
	a, err = s.CheckINN(ctx, registry.INNQuery{INN: "7707083893"})
	want(t, a, err, registry.NotFound, "")
}

func TestLegalExtract(t *testing.T) {
	s := newSim(t, Options{})
	ctx := context.Background()
	var legal, closed *Organisation
	for i := range Default().Organisations {
		o := &Default().Organisations[i]
		if o.Kind == registry.KindLegal && o.Status == registry.OrgActive && legal == nil {
			legal = o
		}
		if o.Kind == registry.KindEntrepreneur && o.Status == registry.OrgLiquidated {
			closed = o
		}
	}
	a, err := s.CheckLegal(ctx, registry.LegalQuery{OGRN: legal.OGRN, INN: legal.INN, KPP: legal.KPP})
	want(t, a, err, registry.Confirmed, "")
	x := a.Extract
	if x == nil || x.OGRN != legal.OGRN || x.INN != legal.INN || x.KPP != legal.KPP || x.Name != legal.Name ||
		x.Address == "" || x.OKVED != legal.OKVED || x.Status != registry.OrgActive || x.Kind != registry.KindLegal ||
		!x.RegisteredOn.Equal(legal.RegisteredOn.Time) {
		t.Fatalf("extract %+v does not match the record %+v", x, legal)
	}
	// Found by ИНН alone.
	a, err = s.CheckLegal(ctx, registry.LegalQuery{INN: legal.INN})
	want(t, a, err, registry.Confirmed, "")
	if a.Extract.OGRN != legal.OGRN {
		t.Fatalf("by ИНН: extract of %s", a.Extract.OGRN)
	}
	a, err = s.CheckLegal(ctx, registry.LegalQuery{OGRN: legal.OGRN, KPP: "773301001"})
	want(t, a, err, registry.Mismatch, registry.FieldKPP)
	if a.Extract != nil {
		t.Fatal("a mismatch came with the extract")
	}
	a, err = s.CheckLegal(ctx, registry.LegalQuery{OGRN: legal.OGRN, INN: "7707083893"})
	want(t, a, err, registry.Mismatch, registry.FieldINN)
	a, err = s.CheckLegal(ctx, registry.LegalQuery{OGRN: "1027700132195"})
	want(t, a, err, registry.NotFound, "")

	a, err = s.CheckLegal(ctx, registry.LegalQuery{OGRN: closed.OGRN})
	want(t, a, err, registry.Invalid, string(registry.ReasonLiquidated))
	if a.Extract == nil || a.Extract.Kind != registry.KindEntrepreneur || a.Extract.LiquidatedOn.IsZero() {
		t.Fatalf("a closed ИП's extract: %+v", a.Extract)
	}
}
