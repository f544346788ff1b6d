package registry_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/ruid"
)

func TestNormalizeGivesRegistriesCanonicalValues(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	q, err := registry.Normalize(registry.PassportQuery{Series: "45 08", Number: "№ 123456", DivisionCode: "770001",
		IssueDate: time.Date(2010, 2, 1, 15, 30, 0, 0, msk),
		Person: registry.Person{LastName: "  Тестова ", FirstName: "Анна", MiddleName: "Петровна",
			BirthDate: time.Date(1990, 1, 31, 23, 0, 0, 0, msk)}})
	if err != nil {
		t.Fatal(err)
	}
	p := q.(registry.PassportQuery)
	if p.Series != "4508" || p.Number != "123456" || p.DivisionCode != "770-001" || p.LastName != "Тестова" ||
		!p.IssueDate.Equal(time.Date(2010, 2, 1, 0, 0, 0, 0, time.UTC)) ||
		!p.BirthDate.Equal(time.Date(1990, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("normalised passport query: %+v", p)
	}

	s, err := registry.Normalize(registry.SNILSQuery{SNILS: "11223344595",
		Person: registry.Person{LastName: "Тестов", FirstName: "Иван", BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil || s.(registry.SNILSQuery).SNILS != "112-233-445 95" {
		t.Fatalf("СНИЛС: %+v %v", s, err)
	}
	if !slices.Equal(s.Fields(), []string{"snils", "last_name", "first_name", "middle_name", "birth_date"}) {
		t.Fatalf("СНИЛС fields: %v", s.Fields())
	}

	l, err := registry.Normalize(registry.LegalQuery{OGRN: "1027700132195", KPP: "7733О1001"}) // a Cyrillic О
	if err != nil || l.(registry.LegalQuery).KPP != "7733O1001" || !slices.Equal(l.Fields(), []string{"ogrn", "kpp"}) {
		t.Fatalf("legal: %+v %v", l, err)
	}
	// Only the passport's own identifiers are required for a validity check.
	v, err := registry.Normalize(registry.PassportQuery{Series: "4508", Number: "123456"})
	if err != nil || !slices.Equal(v.Fields(), []string{"series", "number"}) {
		t.Fatalf("series and number only: %v %v", v, err)
	}
}

func TestNormalizeNamesTheWrongField(t *testing.T) {
	born := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		q     registry.Query
		field string
		code  ruid.Code // "" for ErrRequired
	}{
		{registry.PassportQuery{Series: "4508", Number: "12345"}, registry.FieldNumber, ruid.PassportNumberLength},
		{registry.PassportQuery{Series: "0008", Number: "123456"}, registry.FieldSeries, ruid.PassportSeriesRegion},
		{registry.PassportQuery{Series: "4508", Number: "123456", DivisionCode: "77-001"}, registry.FieldDivisionCode, ruid.DivisionCodeLength},
		{registry.PassportQuery{Series: "4508", Number: "123456", Person: registry.Person{LastName: "Testova", FirstName: "Анна"}},
			registry.FieldLastName, ruid.NameLatin},
		{registry.PassportQuery{Series: "4508", Number: "123456", Person: registry.Person{LastName: "Тестова"}},
			registry.FieldFirstName, ruid.NameEmpty},
		{registry.SNILSQuery{SNILS: "112-233-445 95", Person: registry.Person{LastName: "Тестов", FirstName: "Иван"}},
			registry.FieldBirthDate, ""},
		{registry.INNQuery{INN: "500100732259"}, registry.FieldLastName, ""},
		{registry.INNQuery{INN: "7707083893", Person: registry.Person{LastName: "Тестов", FirstName: "Иван", BirthDate: born}},
			registry.FieldINN, ruid.INNLengthPerson},
		{registry.INNQuery{INN: "7707083894"}, registry.FieldINN, ruid.INNChecksum},
		{registry.INNQuery{INN: "7707083893", OGRN: "1027700132194"}, registry.FieldOGRN, ruid.OGRNChecksum},
		{registry.LegalQuery{}, registry.FieldOGRN, ""},
		{registry.LegalQuery{INN: "7707083893", KPP: "0033O1001"}, registry.FieldKPP, ruid.KPPTaxOffice},
	} {
		_, err := registry.Normalize(c.q)
		var fe *registry.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: %v, want an error in %s", c.q, err, c.field)
			continue
		}
		var re *ruid.Error
		switch {
		case c.code == "" && !errors.Is(err, registry.ErrRequired):
			t.Errorf("%+v: %v, want required", c.q, err)
		case c.code != "" && (!errors.As(err, &re) || re.Code != c.code):
			t.Errorf("%+v: %v, want code %s", c.q, err, c.code)
		}
	}
}
