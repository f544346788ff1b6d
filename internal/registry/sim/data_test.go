package sim

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sep-platform/sep/internal/registry"
	"github.com/sep-platform/sep/ruid"
)

// The data file is what demo data and every registry test stand on: each
// value in it must pass the validators a form would apply.
func TestDataFileIsValid(t *testing.T) {
	d := Default()
	if len(d.People) < 200 || len(d.Organisations) < 30 {
		t.Fatalf("%d people and %d organisations; the simulator promises a few hundred and a few dozen",
			len(d.People), len(d.Organisations))
	}
	generated := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range d.People {
		if got, err := ruid.SNILS(p.SNILS); err != nil || got != p.SNILS {
			t.Errorf("person %d: СНИЛС %q: %v", p.ID, p.SNILS, err)
		}
		// Below 001-001-998: the range of test numbers no real person has.
		if body, _ := strconv.Atoi(digits(p.SNILS)[:9]); body > 1001998 {
			t.Errorf("person %d: СНИЛС %s is outside the test range", p.ID, p.SNILS)
		}
		if p.INN != "" {
			if _, err := ruid.INNPerson(p.INN); err != nil {
				t.Errorf("person %d: ИНН: %v", p.ID, err)
			}
		}
		for _, n := range []string{p.LastName, p.FirstName, p.MiddleName} {
			if got, err := ruid.NamePart(n); n != "" && (err != nil || got != n) {
				t.Errorf("person %d: name %q: %v", p.ID, n, err)
			}
		}
		for i, pp := range p.Passports {
			_, err := ruid.CheckPassport(ruid.PassportInput{Series: pp.Series, Number: pp.Number,
				IssueDate: pp.IssueDate.Format(time.DateOnly), BirthDate: p.BirthDate.Format(time.DateOnly),
				DivisionCode: pp.DivisionCode}, generated)
			current := i == len(p.Passports)-1
			switch {
			case current && pp.Status == PassportValid && !p.Has("expired_by_age") && err != nil:
				t.Errorf("person %d: the current passport fails the passport rules: %v", p.ID, err)
			case !current && pp.Status != PassportReplaced:
				t.Errorf("person %d: an earlier passport is %q, want replaced", p.ID, pp.Status)
			}
		}
	}
	for _, o := range d.Organisations {
		switch o.Kind {
		case registry.KindLegal:
			if _, err := ruid.OGRN(o.OGRN); err != nil {
				t.Errorf("%s: ОГРН: %v", o.ShortName, err)
			}
			if _, err := ruid.INNLegal(o.INN); err != nil {
				t.Errorf("%s: ИНН: %v", o.ShortName, err)
			}
			if _, err := ruid.KPP(o.KPP); err != nil || o.Address == "" {
				t.Errorf("%s: КПП %v, address %q", o.ShortName, err, o.Address)
			}
		case registry.KindEntrepreneur:
			if _, err := ruid.OGRNIP(o.OGRN); err != nil {
				t.Errorf("%s: ОГРНИП: %v", o.ShortName, err)
			}
			owner := d.PersonByID(o.PersonID)
			if owner == nil || owner.INN != o.INN || !owner.Has("entrepreneur") {
				t.Errorf("%s: the entrepreneur's ИНН is not person %d's", o.ShortName, o.PersonID)
			}
		default:
			t.Errorf("%s: kind %q", o.ShortName, o.Kind)
		}
		for _, c := range append([]string{o.OKVED}, o.OKVEDExtra...) {
			if _, err := ruid.OKVED(c); err != nil {
				t.Errorf("%s: ОКВЭД %q: %v", o.ShortName, c, err)
			}
		}
		if (o.Status == registry.OrgLiquidated) == o.LiquidatedOn.IsZero() || o.RegisteredOn.IsZero() {
			t.Errorf("%s: status %s, liquidated %v", o.ShortName, o.Status, o.LiquidatedOn)
		}
	}
	for _, tag := range []string{"basic", "yo", "double_surname", "no_middle_name", "namesake", "replaced_passport",
		"lost_passport", "expired_by_age", "deceased", "no_inn", "entrepreneur", "minor"} {
		if len(d.Tagged(tag)) == 0 {
			t.Errorf("nobody is tagged %q", tag)
		}
	}
}

func TestParseRejectsBrokenData(t *testing.T) {
	p := `{"id":1,"last_name":"Тестов","first_name":"Иван","sex":"M","birth_date":"1990-01-01","snils":"000-000-600 06",` +
		`"passports":[{"series":"4510","number":"123456","issue_date":"2010-01-10","division_code":"770-001","status":"valid"}]}`
	for name, doc := range map[string]string{
		"not JSON":           `{"people": [`,
		"bad date":           strings.Replace(`{"people":[`+p+`]}`, "1990-01-01", "01.01.1990", 1),
		"duplicate passport": `{"people":[` + p + `,` + strings.Replace(strings.Replace(p, `"id":1`, `"id":2`, 1), "000-000-600 06", "000-000-601 07", 1) + `]}`,
		"duplicate СНИЛС":    `{"people":[` + p + `,` + strings.Replace(strings.Replace(p, `"id":1`, `"id":2`, 1), "123456", "654321", 1) + `]}`,
		"no passport":        `{"people":[{"id":1,"snils":"000-000-600 06","passports":[]}]}`,
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if _, err := Parse([]byte(`{"people":[` + p + `]}`)); err != nil {
		t.Fatalf("the valid one: %v", err)
	}
}

// Parse takes any bytes without panicking, and what it accepts it indexes
// completely.
func FuzzParse(f *testing.F) {
	f.Add(dataJSON[:2000])
	f.Add([]byte(`{"people":[{"id":1,"snils":"000-000-600 06","birth_date":"1990-02-30","passports":[{"series":"4510","number":"1"}]}]}`))
	f.Add([]byte(`{"organisations":[{"ogrn":"1"},{"ogrn":"1"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		for i := range d.People {
			for _, pp := range d.People[i].Passports {
				if d.passports[pp.Series+pp.Number].person == nil {
					t.Fatal("a passport is not indexed")
				}
			}
		}
		for i := range d.Organisations {
			if d.orgOGRN[d.Organisations[i].OGRN] == nil {
				t.Fatal("an organisation is not indexed")
			}
		}
	})
}
