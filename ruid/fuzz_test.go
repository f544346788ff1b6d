package ruid

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// checkOutcome holds every validator to the same contract, whatever the
// input: it does not panic; it returns either a canonical form or an *Error
// whose code is in the catalog with filled-in messages; and the canonical
// form validates to itself (normalisation is idempotent).
func checkOutcome(t *testing.T, name, input string, validate func(string) (string, error)) {
	t.Helper()
	got, err := validate(input)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s(%q): error %T %v is not an *Error", name, input, err, err)
		}
		if _, ok := messages.Messages[e.Code]; !ok {
			t.Fatalf("%s(%q): code %s not in the catalog", name, input, e.Code)
		}
		for _, lang := range languages {
			if m := e.Message(lang); m == "" || placeholder.MatchString(m) || !utf8.ValidString(m) {
				t.Fatalf("%s(%q): %s message %q", name, input, lang, m)
			}
		}
		if got != "" {
			t.Fatalf("%s(%q) returned %q along with an error", name, input, got)
		}
		return
	}
	if !utf8.ValidString(got) {
		t.Fatalf("%s(%q) = invalid UTF-8 %q", name, input, got)
	}
	again, err := validate(got)
	if err != nil || again != got {
		t.Fatalf("%s(%q) = %q, but %s(%q) = %q, %v", name, input, got, name, got, again, err)
	}
}

// fuzzKind fuzzes one kind of the table with the value alone.
func fuzzKind(f *testing.F, kind string, seeds ...string) {
	k, ok := LookupKind(kind)
	if !ok {
		f.Fatalf("no kind %q", kind)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	for _, c := range allCases() {
		if c.kind == kind && c.params == nil {
			f.Add(c.value)
		}
	}
	f.Fuzz(func(t *testing.T, value string) {
		checkOutcome(t, kind, value, func(v string) (string, error) { return k.Check(v, nil, testToday) })
	})
}

func FuzzSNILS(f *testing.F)        { fuzzKind(f, "snils", "112-233-445 95") }
func FuzzINN(f *testing.F)          { fuzzKind(f, "inn", "7707083893", "500100732259") }
func FuzzOGRN(f *testing.F)         { fuzzKind(f, "ogrn", "1027700132195", "304500116000157") }
func FuzzOGRNIP(f *testing.F)       { fuzzKind(f, "ogrnip", "304500116000157") }
func FuzzKPP(f *testing.F)          { fuzzKind(f, "kpp", "773601001") }
func FuzzOKVED(f *testing.F)        { fuzzKind(f, "okved", "62.01") }
func FuzzDivisionCode(f *testing.F) { fuzzKind(f, "division_code", "770-001") }
func FuzzPhone(f *testing.F)        { fuzzKind(f, "phone", "8 (912) 345-67-89") }
func FuzzEmail(f *testing.F) {
	fuzzKind(f, "email", "иван@почта.рф", "a@xn--80a1acny.xn--p1ai")
}
func FuzzDate(f *testing.F) { fuzzKind(f, "date", "05.03.1990", "1990-03-05") }
func FuzzName(f *testing.F) { fuzzKind(f, "name", "Салтыков-Щедрин") }
func FuzzUIN(f *testing.F)  { fuzzKind(f, "uin", "52601815908301661312") }
func FuzzBIK(f *testing.F)  { fuzzKind(f, "bik", "049805746") }

func FuzzMobilePhone(f *testing.F) {
	f.Add("+7 912 345 67 89")
	f.Fuzz(func(t *testing.T, value string) {
		checkOutcome(t, "MobilePhone", value, MobilePhone)
	})
}

func FuzzAccount(f *testing.F) {
	f.Add("40602810700000000025", "049805746")
	f.Add("30101810800000000746", "049805000")
	f.Add("03100643000000018500", "017003983")
	f.Fuzz(func(t *testing.T, account, bik string) {
		checkOutcome(t, "Account", account, func(v string) (string, error) { return Account(v, bik) })
	})
}

func FuzzPassport(f *testing.F) {
	f.Add("4514 123456", "10.05.2014", "10.05.2000", "770-001")
	f.Add("4522123456", "28.02.2022", "29.02.2008", "")
	f.Fuzz(func(t *testing.T, value, issued, born, division string) {
		k, _ := LookupKind("passport")
		p := params{"issue_date": issued, "birth_date": born, "division_code": division}
		checkOutcome(t, "passport", value, func(v string) (string, error) { return k.Check(v, p, testToday) })

		// The whole block: never panics, reports each wrong field once,
		// and what it accepts it accepts again in canonical form.
		in := PassportInput{Series: value, Number: value, IssueDate: issued, BirthDate: born, DivisionCode: division}
		if len(value) > 4 {
			in.Series, in.Number = value[:4], value[4:]
		}
		got, err := CheckPassport(in, testToday)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("CheckPassport error %T %v", err, err)
			}
			fields := map[string]bool{}
			for _, e := range errs {
				if e.Field == "" || fields[e.Field] {
					t.Fatalf("CheckPassport: field %q reported twice or empty in %v", e.Field, errs)
				}
				fields[e.Field] = true
			}
			return
		}
		again, err := CheckPassport(PassportInput{
			Series: got.Series, Number: got.Number, IssueDate: got.IssueDate.Format(dateLayout),
			BirthDate: got.BirthDate.Format(dateLayout), DivisionCode: got.DivisionCode,
		}, testToday)
		if err != nil || again != got {
			t.Fatalf("CheckPassport(canonical %+v) = %+v, %v", got, again, err)
		}
	})
}
