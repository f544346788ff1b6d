package ruid

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// testToday is the clock of the table tests.
var testToday = time.Date(2025, time.June, 15, 0, 0, 0, 0, time.UTC)

// params is a Params for tests.
type params map[string]string

func (p params) Get(key string) string { return p[key] }

// kindCase is one row of the table: a value of a kind, the canonical form
// expected, or the code (and field) of the expected error.
type kindCase struct {
	kind   string
	value  string
	params params
	today  time.Time // testToday when zero
	want   string
	code   Code
	field  string
	args   map[string]string // expected Error.Args entries, if any
}

// extraChecks are functions reached other than through the kinds table,
// tested in the same table.
var extraChecks = map[string]func(string, Params, time.Time) (string, error){
	"passport_series": ignoring(PassportSeries),
	"passport_number": ignoring(PassportNumber),
}

func (c kindCase) run(t *testing.T) (string, error) {
	t.Helper()
	check, ok := extraChecks[c.kind]
	if !ok {
		k, found := LookupKind(c.kind)
		if !found {
			t.Fatalf("no kind %q", c.kind)
		}
		check = k.Check
	}
	today := c.today
	if today.IsZero() {
		today = testToday
	}
	var p Params
	if c.params != nil {
		p = c.params
	}
	return check(c.value, p, today)
}

// allCases joins the tables of cases.
func allCases() []kindCase {
	var all []kindCase
	for _, table := range [][]kindCase{
		snilsCases, innCases, ogrnCases, kppCases, okvedCases, passportCases,
		divisionCases, phoneCases, emailCases, emailLatinCases, dateCases, nameCases, uinCases,
		bikCases, accountCases, addressCases, {addressLengthCase},
	} {
		all = append(all, table...)
	}
	return all
}

// TestKinds runs every table of cases and then checks that each code the
// package declares was produced by at least one case: a code no input can
// reach is dead, and one the tests never reach is untested.
func TestKinds(t *testing.T) {
	produced := map[Code]bool{}
	for _, c := range allCases() {
		name := c.kind + "/" + c.value
		t.Run(name, func(t *testing.T) {
			got, err := c.run(t)
			if c.code == "" {
				if err != nil {
					t.Fatalf("%s(%q) = error %v, want %q", c.kind, c.value, err, c.want)
				}
				if got != c.want {
					t.Fatalf("%s(%q) = %q, want %q", c.kind, c.value, got, c.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%s(%q) = %q, %v; want error %s", c.kind, c.value, got, err, c.code)
			}
			produced[e.Code] = true
			if e.Code != c.code {
				t.Fatalf("%s(%q): code %s (%s), want %s", c.kind, c.value, e.Code, e.Message("en"), c.code)
			}
			if got != "" {
				t.Errorf("%s(%q) returned %q with an error", c.kind, c.value, got)
			}
			if c.field != "" && e.Field != c.field {
				t.Errorf("%s(%q): field %q, want %q", c.kind, c.value, e.Field, c.field)
			}
			for k, v := range c.args {
				if e.Args[k] != v {
					t.Errorf("%s(%q): arg %s = %q, want %q", c.kind, c.value, k, e.Args[k], v)
				}
			}
			// Error() goes to logs: it must not carry the value typed.
			// (Unless the message's own example happens to contain it.)
			v := strings.TrimSpace(c.value)
			if len(v) >= 6 && strings.Contains(e.Error(), v) && !strings.Contains(messages.Messages[e.Code]["en"], v) {
				t.Errorf("%s(%q): Error() repeats the value: %s", c.kind, c.value, e.Error())
			}
			for _, lang := range []string{"ru", "en"} {
				if m := e.Message(lang); placeholder.MatchString(m) || m == string(e.Code) {
					t.Errorf("%s(%q): %s message not filled in: %q", c.kind, c.value, lang, m)
				}
			}
		})
	}
	for _, code := range declaredCodes(t) {
		if !produced[code] {
			t.Errorf("code %s is produced by no test case", code)
		}
	}
}

func TestKindNames(t *testing.T) {
	// The kinds the validation endpoint serves (issue 4).
	for _, name := range []string{"snils", "inn", "ogrn", "kpp", "okved", "passport", "division_code",
		"phone", "email", "date", "name", "uin", "bik", "account"} {
		if _, ok := LookupKind(name); !ok {
			t.Errorf("kind %q missing", name)
		}
	}
	if _, ok := LookupKind("iban"); ok {
		t.Error("LookupKind found a kind that does not exist")
	}
	var names []string
	for _, k := range Kinds() {
		if slices.Contains(names, k.Name) {
			t.Errorf("kind %q listed twice", k.Name)
		}
		names = append(names, k.Name)
		if k.Check == nil {
			t.Errorf("kind %q has no check", k.Name)
		}
	}
	// Kinds returns a copy: changing it leaves the table alone.
	Kinds()[0].Name = "changed"
	if Kinds()[0].Name == "changed" {
		t.Error("Kinds exposes the package's table")
	}
	for _, k := range Kinds() {
		if k.Name == "account" {
			k.Params[0] = "changed"
		}
	}
	account, _ := LookupKind("account")
	account.Params[0] = "changed"
	if k, _ := LookupKind("account"); k.Params[0] != "bik" {
		t.Error("Kinds or LookupKind expose the package's parameter lists")
	}
}

func TestNilParams(t *testing.T) {
	for _, k := range Kinds() {
		// Must not panic without params; account then lacks its БИК.
		_, err := k.Check("1", nil, testToday)
		if err == nil {
			t.Errorf("%s accepted %q", k.Name, "1")
		}
	}
	k, _ := LookupKind("account")
	_, err := k.Check("40602810700000000025", nil, testToday)
	var e *Error
	if !errors.As(err, &e) || e.Code != AccountBIKMissing || e.Field != "bik" {
		t.Errorf("account without bik: %v", err)
	}
}
