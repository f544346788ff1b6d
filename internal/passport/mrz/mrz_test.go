package mrz

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// The specimen of ICAO Doc 9303 Part 4 (Appendix A to Part 4, TD3), reproduced exactly.
func TestICAOSpecimen(t *testing.T) {
	d := TD3{IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C",
		Nationality: "UTO", BirthDate: date("1969-08-06"), Sex: "F", ExpiryDate: date("1994-06-23"),
		PersonalNumber: "ZE184226B"}
	lines, err := d.Lines()
	if err != nil {
		t.Fatal(err)
	}
	want := [2]string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"}
	if lines != want {
		t.Fatalf("got\n%s\n%s\nwant\n%s\n%s", lines[0], lines[1], want[0], want[1])
	}
	for _, l := range lines {
		if len(l) != LineLen {
			t.Errorf("%q is %d characters long", l, len(l))
		}
	}
}

func TestCheckDigit(t *testing.T) {
	for s, want := range map[string]byte{"520727": '3', "L898902C<": '3', "690806": '1', "940623": '6', "ZE184226B<<<<<": '1'} {
		if got, err := CheckDigit(s); err != nil || got != want {
			t.Errorf("CheckDigit(%q) = %c, %v; want %c", s, got, err, want)
		}
	}
	if _, err := CheckDigit("ab"); err == nil {
		t.Error("lower case accepted")
	}
}

func TestCyrillicHolder(t *testing.T) {
	d := TD3{IssuingState: "RUS", Surname: "Щербакова-Южная", GivenNames: "Анна-Мария Юрьевна", Number: "EP1000017",
		Nationality: "RUS", BirthDate: date("1990-01-31"), Sex: "F", ExpiryDate: date("2035-01-30")}
	lines, err := d.Lines()
	if err != nil {
		t.Fatal(err)
	}
	if want := "P<RUSSHCHERBAKOVA<IUZHNAIA<<ANNA<MARIIA<IURE"; lines[0] != want {
		t.Errorf("line 1 %q, want %q", lines[0], want)
	}
	if len(lines[1]) != LineLen || lines[1][:10] != "EP10000174" {
		t.Errorf("line 2 %q", lines[1])
	}
	// An empty personal number has the filler as its check digit.
	if lines[1][42] != '<' {
		t.Errorf("line 2 %q: personal number check digit %c", lines[1], lines[1][42])
	}
}

func TestRefusals(t *testing.T) {
	base := TD3{IssuingState: "RUS", Surname: "Иванов", Number: "EP1", Nationality: "RUS",
		BirthDate: date("1990-01-01"), ExpiryDate: date("2030-01-01")}
	for name, mutate := range map[string]func(*TD3){
		"long number":  func(d *TD3) { d.Number = "1234567890" },
		"bad number":   func(d *TD3) { d.Number = "№1" },
		"no surname":   func(d *TD3) { d.Surname = "—" },
		"no birth":     func(d *TD3) { d.BirthDate = time.Time{} },
		"bad sex":      func(d *TD3) { d.Sex = "Ж" },
		"bad document": func(d *TD3) { d.DocumentCode = "V" },
	} {
		d := base
		mutate(&d)
		if _, err := d.Lines(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
