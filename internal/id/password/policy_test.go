package password

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The owner every case is checked for: a fictitious citizen.
var owner = Facts{
	Phone:     "+79005553817",
	Email:     "lesnoy.dom@example.ru",
	Names:     []string{"Петров", "Иван", "Сергеевич"},
	BirthDate: time.Date(1990, 12, 4, 0, 0, 0, 0, time.UTC),
}

// Each rule, alone where it can be: the password breaks that rule and no other, and the rule
// says so.
func TestEachRule(t *testing.T) {
	for _, c := range []struct {
		password string
		want     []Violation
	}{
		// Passwords that may be set, including the ones other tests use.
		{"Ptichka-Sinica-2026!", nil},
		{"Сложный-Пароль-2026", nil},
		{"Верный-Пароль-2026!", nil},
		{"correct horse battery staple 7X", nil},
		{"Ёжик-в-тумане-1975", nil},

		{"Pt-Si-2026!", []Violation{TooShort}},
		{strings.Repeat("Ab1!", 65), []Violation{TooLong}},
		{"ptichka-sinica-2026!", []Violation{NoUpper}},
		{"PTICHKA-SINICA-2026!", []Violation{NoLower}},
		{"Ptichka-Sinica-dva!", []Violation{NoDigit}},
		{"PtichkaSinica2026", []Violation{NoSpecial}},

		{"Ptichka-Siniiiica-26!", []Violation{Repeated}},
		{"Ptichka-Sinica-7777!", []Violation{Repeated}},
		{"Ptichka-SinicA-a-A-a-26!", nil}, // apart, the same letter is no run

		{"Ptichka-Sinica-1234!", []Violation{Sequential}},
		{"Ptichka-Sinica-9876!", []Violation{Sequential}},
		{"Ptichka-abcd-Sinica-26!", []Violation{Sequential}},
		{"Ptichka-Sinica-26-QWER", []Violation{Sequential}},
		{"Ptichka-Sinica-26-trewq", []Violation{Sequential}},
		{"Ptichka-Sinica-26-ASDF", []Violation{Sequential}},
		{"Птичка-Синица-26-йцук", []Violation{Sequential}},
		{"Птичка-Синица-26-ФЫВА", []Violation{Sequential}},
		{"Птичка-Синица-26-гвба", []Violation{Sequential}},
		{"Ptichka-Sinica-26-1qaz", []Violation{Sequential}},

		{"Dragon-2026!", []Violation{Common}},
		{"!!Sunshine42!", []Violation{Common}},
		{"P@ssw0rd-2026", []Violation{Common}},
		{"Пароль-2026!", []Violation{Common}},  // «gfhjkm» and «parol» on the list
		{"Gfhjkm-2026!", []Violation{Common}},  // «пароль» typed on the Latin layout
		{"Спартак-2026!", []Violation{Common}}, // from the Russian additions
		{"Natasha-2026!", []Violation{Common}}, // in Latin letters
		{"Наташа-2026!!", []Violation{Common}}, // the same name in Cyrillic, spelled in Latin for the lookup
		{"Rjnbr-2026!!!", []Violation{Common}}, // «котик» on the Latin layout
		{"Ptichka-Sinica-Dragon-26!", nil},     // a common word inside a longer password is not the list's business

		{"Zimniy-Les-555-38-17!", []Violation{HasPhone}},
		{"Zimniy-Les+79005553817", []Violation{HasPhone}},
		{"Zimniy-Les-5553-81!", nil}, // six digits of it are not the phone

		{"Lesnoy.Dom-2026!", []Violation{HasEmail}},
		{"Ptichka-LESNOY-26!", []Violation{HasEmail}},

		{"Petrov-Sinica-26!", []Violation{HasName}},
		{"Петров-Синица-26!", []Violation{HasName}},
		{"Gtnhjd-Sinica-26!", []Violation{HasName}}, // «петров» on the Latin layout
		{"Sinica-Sergeevich-26!", []Violation{HasName}},

		{"Zimniy-Les-04.12.1990!", []Violation{HasBirthDate}},
		{"Zimniy-Les-1990-12-04!", []Violation{HasBirthDate}},
		{"Zimniy-Les-04121990!", []Violation{HasBirthDate}},
		{"Zimniy-Les-19901204!", []Violation{HasBirthDate}},
		{"Ptichka-041290-Sin!", []Violation{HasBirthDate}},
		{"Ptichka-4.12.90-Sin!", []Violation{HasBirthDate}},
		{"Zimniy-Les-12/04/1990!", []Violation{HasBirthDate}},
		{"Ptichka-4декабря1990!", []Violation{HasBirthDate}},
		{"Ptichka 4 декабря 1990", []Violation{HasBirthDate}},
		{"Ptichka-04Dec1990!", []Violation{HasBirthDate}},
		{"Ptichka-1990-Sinica!", nil}, // the year alone is not the date
	} {
		if got := Check(c.password, owner); !slices.Equal(got, c.want) {
			t.Errorf("Check(%q) = %v, want %v", c.password, got, c.want)
		}
	}
}

// Every broken rule is reported at once, in a fixed order.
func TestAllRulesAtOnce(t *testing.T) {
	got := Check("qwerty", owner)
	want := []Violation{TooShort, NoUpper, NoDigit, NoSpecial, Sequential, Common}
	if !slices.Equal(got, want) {
		t.Fatalf("Check(qwerty) = %v, want %v", got, want)
	}
	got = Check("sergeevich04121990", owner)
	want = []Violation{NoUpper, NoSpecial, Common, HasName, HasBirthDate} // a name is a common password too
	if !slices.Equal(got, want) {
		t.Fatalf("Check(sergeevich04121990) = %v, want %v", got, want)
	}
}

// Without facts, only the rules of the password itself apply.
func TestNoFacts(t *testing.T) {
	if got := Check("Lesnoy-Dom-04.12.1990!", Facts{}); got != nil {
		t.Fatalf("Check without facts = %v", got)
	}
}

func TestCommonList(t *testing.T) {
	if n := CommonListSize(); n < 49_000 {
		t.Fatalf("the list has %d passwords", n)
	}
	for _, p := range []string{"123456", "password", "qwerty123", "йцукен", "parol", "Parol123", "ЙЦУКЕН!", "1q2w3e4r"} {
		if !IsCommon(p) {
			t.Errorf("%q is not found on the list", p)
		}
	}
	for _, p := range []string{"Ptichka-Sinica-2026!", "", "2026", "!!!"} {
		if IsCommon(p) {
			t.Errorf("%q is found on the list", p)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"Ptichka-Sinica-2026!", "йцукен", "04.12.1990", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := Check(s, owner)
		if len(v) == 0 && len(s) < MinLength {
			t.Fatalf("%q passes, shorter than %d bytes", s, MinLength)
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	CommonListSize()
	for b.Loop() {
		Check("Ptichka-Sinica-2026!", owner)
	}
}
