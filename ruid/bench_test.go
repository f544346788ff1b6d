package ruid

import (
	"testing"
)

func BenchmarkSNILS(b *testing.B) {
	for b.Loop() {
		if _, err := SNILS("112-233-445 95"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPhone(b *testing.B) {
	for b.Loop() {
		if _, err := Phone("8 (912) 345-67-89"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmailIDN(b *testing.B) {
	for b.Loop() {
		if _, err := Email("Ivan@XN--80A1ACNY.XN--P1AI"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckPassport(b *testing.B) {
	in := PassportInput{Series: "45 08", Number: "123456", IssueDate: "01.07.2008",
		BirthDate: "01.06.1985", DivisionCode: "770-001"}
	for b.Loop() {
		if _, err := CheckPassport(in, testToday); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkErrorMessage(b *testing.B) {
	e := fail(DateDay, "got", "29", "month", "2", "year", "2023", "days", "28")
	for b.Loop() {
		_ = e.Message("ru")
	}
}
