package ruid_test

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/sep-platform/sep/ruid"
)

func ExampleSNILS() {
	n, err := ruid.SNILS("11223344595")
	fmt.Println(n, err)

	_, err = ruid.SNILS("112-233-445 94")
	var e *ruid.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
		fmt.Println(e.Message("ru"))
		fmt.Println(e.Message("en"))
	}
	// Output:
	// 112-233-445 95 <nil>
	// snils.checksum
	// Контрольное число СНИЛС не совпадает — проверьте, не перепутаны ли цифры.
	// The SNILS check number does not match: check that no digits are mistyped or swapped.
}

func ExamplePhone() {
	for _, typed := range []string{"8 (912) 345-67-89", "+7 912 345 67 89", "9123456789"} {
		n, _ := ruid.Phone(typed)
		fmt.Println(n)
	}
	// Output:
	// +79123456789
	// +79123456789
	// +79123456789
}

func ExampleParseEmail() {
	a, _ := ruid.ParseEmail("Ivan@XN--80A1ACNY.XN--P1AI")
	fmt.Println(a)
	fmt.Println(a.ASCII())
	// Output:
	// Ivan@почта.рф
	// Ivan@xn--80a1acny.xn--p1ai
}

// Forms that ask for an address in Latin letters use the strict check; its
// message names the letter that does not fit.
func ExampleEmailLatin() {
	fmt.Println(ruid.EmailLatin("Ivanov@Example.RU"))
	_, err := ruid.EmailLatin("ivan@почта.рф")
	var e *ruid.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
		fmt.Println(e.Message("ru"))
	}
	// Output:
	// Ivanov@example.ru <nil>
	// email.not_latin
	// Используйте только латинские символы и цифры: символ «п» в адресе электронной почты не подходит (до знака @ можно также . _ - +).
}

// The validation endpoint is a lookup and a call.
func ExampleLookupKind() {
	query, _ := url.ParseQuery("value=40602810700000000025&bik=049805746")
	kind, ok := ruid.LookupKind("account")
	if !ok {
		return // 404
	}
	today := time.Date(2025, time.June, 15, 0, 0, 0, 0, time.UTC)
	normalized, err := kind.Check(query.Get("value"), query, today)
	fmt.Println(normalized, err)
	// Output:
	// 40602810700000000025 <nil>
}

func ExampleCheckPassport() {
	today := time.Date(2025, time.June, 15, 0, 0, 0, 0, time.UTC)
	_, err := ruid.CheckPassport(ruid.PassportInput{
		Series:       "45 10",
		Number:       "123456",
		IssueDate:    "01.06.2005",
		BirthDate:    "31.02.1990",
		DivisionCode: "770-001",
	}, today)
	var errs ruid.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Printf("%s: %s\n", e.Field, e.Message("ru"))
		}
	}
	// Output:
	// birth_date: Такой даты нет: в феврале 1990 года последний день — 28-е число.
	// issue_date: По серии паспорта бланк изготовлен в 2010 году (это последние две цифры серии), а выдан паспорт в 2005 году — намного раньше. Проверьте серию и дату выдачи.
}
