package ruid

import (
	"errors"
	"testing"
	"time"
)

func TestCheckPassportBlock(t *testing.T) {
	p, err := CheckPassport(PassportInput{
		Series: "45 08", Number: "№ 123456", IssueDate: "2008-07-01", BirthDate: "1.6.1985", DivisionCode: "770001",
	}, testToday)
	if err != nil {
		t.Fatal(err)
	}
	want := Passport{Series: "4508", Number: "123456", IssueDate: day(2008, time.July, 1),
		BirthDate: day(1985, time.June, 1), DivisionCode: "770-001"}
	if p != want {
		t.Errorf("CheckPassport = %+v, want %+v", p, want)
	}
	if p.String() != "4508 123456" {
		t.Errorf("String() = %q", p.String())
	}
}

// Every wrong field is reported at once, each with its field, so a form can
// mark all of them and keep the rest.
func TestCheckPassportReportsEveryField(t *testing.T) {
	_, err := CheckPassport(PassportInput{
		Series: "45 0", Number: "12345", IssueDate: "31.02.2010", BirthDate: "", DivisionCode: "77-00",
	}, testToday)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %T %v, want Errors", err, err)
	}
	got := map[string]Code{}
	for _, e := range errs {
		got[e.Field] = e.Code
	}
	want := map[string]Code{
		FieldSeries:       PassportSeriesLength,
		FieldNumber:       PassportNumberLength,
		FieldIssueDate:    DateDay,
		FieldBirthDate:    DateEmpty,
		FieldDivisionCode: DivisionCodeLength,
	}
	if len(got) != len(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("field %s: %s, want %s", f, got[f], c)
		}
	}
	// errors.As finds the first; errors.Is sees through to each.
	var first *Error
	if !errors.As(err, &first) || first != errs[0] {
		t.Errorf("errors.As found %v, want %v", first, errs[0])
	}
	if !errors.Is(err, errs[3]) {
		t.Error("errors.Is does not see every error")
	}
	if err.Error() == "" {
		t.Error("empty Error()")
	}
}

// The date rules depend on the series and birth date only when those are
// valid: a wrong birth date does not also make the issue date wrong.
func TestCheckPassportRulesNeedValidInputs(t *testing.T) {
	_, err := CheckPassport(PassportInput{
		Series: "4510", Number: "123456", IssueDate: "01.06.2012", BirthDate: "30.02.2000", DivisionCode: "770-001",
	}, testToday)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != FieldBirthDate {
		t.Errorf("got %v, want one error on the birth date", err)
	}
}

func TestCheckPassportAge(t *testing.T) {
	born := day(1980, time.March, 10)
	for _, tc := range []struct {
		issued, today time.Time
		age           string // "" when valid
	}{
		{day(1994, time.March, 10), day(2000, time.March, 9), ""},
		{day(1994, time.March, 10), day(2000, time.June, 7), ""},   // 89 days after the 20th birthday
		{day(1994, time.March, 10), day(2000, time.June, 8), "20"}, // 90 days
		{day(2000, time.March, 10), day(2025, time.June, 7), ""},   // issued on the 20th birthday
		{day(2000, time.March, 10), day(2025, time.June, 8), "45"},
		{day(2025, time.March, 10), day(2090, time.January, 1), ""}, // issued at 45: no expiry
	} {
		err := CheckPassportAge(tc.issued, born, tc.today)
		if tc.age == "" {
			if err != nil {
				t.Errorf("issued %s, today %s: %v", tc.issued.Format(dateLayout), tc.today.Format(dateLayout), err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != PassportExpiredByAge || e.Args["age"] != tc.age {
			t.Errorf("issued %s, today %s: %v, want expiry at %s", tc.issued.Format(dateLayout),
				tc.today.Format(dateLayout), err, tc.age)
		}
	}
	// The time of day and location of the clock do not matter, only the date.
	moscow := time.FixedZone("MSK", 3*3600)
	late := time.Date(2000, time.June, 7, 23, 59, 0, 0, moscow)
	if err := CheckPassportAge(day(1994, time.March, 10), born, late); err != nil {
		t.Errorf("late evening of the last valid day: %v", err)
	}
}

func TestAnniversary(t *testing.T) {
	for _, tc := range []struct {
		birth time.Time
		years int
		want  time.Time
	}{
		{day(2000, time.May, 10), 14, day(2014, time.May, 10)},
		{day(2008, time.February, 29), 14, day(2022, time.February, 28)},
		{day(2008, time.February, 29), 16, day(2024, time.February, 29)},
		{day(1999, time.December, 31), 20, day(2019, time.December, 31)},
	} {
		if got := anniversary(tc.birth, tc.years); !got.Equal(tc.want) {
			t.Errorf("anniversary(%s, %d) = %s, want %s", tc.birth.Format(dateLayout), tc.years,
				got.Format(dateLayout), tc.want.Format(dateLayout))
		}
	}
}

func TestParseDate(t *testing.T) {
	got, err := ParseDate("1990-03-05")
	if err != nil || !got.Equal(day(1990, time.March, 5)) || got.Location() != time.UTC {
		t.Errorf("ParseDate = %v, %v", got, err)
	}
}
